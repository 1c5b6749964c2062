using System.Reflection;
using Crawler.Archive.Cdx;
using Crawler.Core.Cdx;
using Crawler.Storage;
using Crawler.Storage.Sqlite;
using Xunit;

namespace Crawler.IntegrationTests;

/// <summary>
/// <see cref="StoreCdx.CandidatesAsync"/> over a SQLite store: exact and prefix matches read a URL's spellings through the
/// URL index, never a whole site, and find every capture the site's reads find.
/// </summary>
public sealed class StoreCdxTests : IAsyncLifetime
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "crawler-storecdx-" + Guid.NewGuid().ToString("N") + ".db");
    private SqliteCrawlStore _store = null!;
    private int _second;

    public async Task InitializeAsync()
    {
        _store = new SqliteCrawlStore(new SqliteStoreOptions { Path = _path });
        await _store.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(_path)!, Path.GetFileName(_path) + "*"))
        {
            File.Delete(file);
        }
    }

    private async Task StoreAsync(params string[] urls)
    {
        await _store.CommitAsync([.. urls.Select(url => new FetchCommit
        {
            Capture = new CaptureRecord
            {
                Id = Guid.CreateVersion7().ToString("N"),
                Url = url,
                Host = new Uri(url).Host,
                Epoch = 1,
                FetchedAt = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(_second++),
                Status = 200,
            },
        })]);
    }

    private static CdxQuery Query(string url, string matchType) => CdxQuery.Parse([new("url", url), new("matchType", matchType)]);

    /// <summary>The candidates, and the store queries that produced them.</summary>
    private async Task<(List<string> Urls, List<CaptureQuery> Reads)> CandidatesAsync(CdxQuery query)
    {
        var (store, reads) = ReadRecorder.Wrap(_store);
        var urls = new List<string>();
        await foreach (var row in StoreCdx.CandidatesAsync(store, query))
        {
            urls.Add(row.Url);
        }

        return (urls, reads);
    }

    /// <summary>What the site reads select: every capture of the host and its www. host whose key the query selects.</summary>
    private async Task<List<string>> BySiteAsync(CdxQuery query)
    {
        var urls = new List<string>();
        foreach (var host in (string[])[query.Host, "www." + query.Host])
        {
            await foreach (var capture in _store.GetCapturesAsync(new CaptureQuery { Host = host }))
            {
                if (query.Selects(Surt.Key(capture.Url)))
                {
                    urls.Add(capture.Url);
                }
            }
        }

        return urls;
    }

    [Theory]
    [InlineData("http://kcna.kp/news/a.html", "exact")]
    [InlineData("kcna.kp/news/", "prefix")]
    [InlineData("https://www.kcna.kp/index.php?b=2&a=1", "exact")]
    public async Task Exact_and_prefix_matches_read_the_urls_spellings_in_any_case_not_the_site(string url, string matchType)
    {
        await StoreAsync("http://kcna.kp/news/a.html", "https://kcna.kp/News/A.html", "http://www.kcna.kp/NEWS/a.html", "https://www.kcna.kp/news/a.html?",
            "http://kcna.kp/news/b.html", "http://kcna.kp/index.php?a=1&b=2", "http://www.kcna.kp/index.php?B=2&a=1", "http://kcna.kp/index.php?a=1&b=3",
            "http://kcna.kp/newsletter.html", "http://en.kcna.kp/news/a.html");
        var query = Query(url, matchType);

        var (urls, reads) = await CandidatesAsync(query);

        Assert.Equal((await BySiteAsync(query)).Order(StringComparer.Ordinal), urls.Order(StringComparer.Ordinal));
        Assert.NotEmpty(urls);
        Assert.All(reads, r => Assert.True(r.Host is null && r.Urls is not null, $"read a site: {r}"));
    }

    [Fact]
    public async Task Spellings_with_escapes_the_key_decodes_are_found_through_the_url_index_too()
    {
        string[] spellings = ["http://kcna.kp/News/A.html", "https://www.kcna.kp/news/%61.html", "http://kcna.kp/n%65ws/a.html", "http://www.kcna.kp/news/a.html"];
        await StoreAsync([.. spellings, "http://kcna.kp/news/b.html"]);
        var query = Query("kcna.kp/news/a.html", "exact");

        var (urls, reads) = await CandidatesAsync(query);

        Assert.Equal(spellings.Order(StringComparer.Ordinal), urls.Order(StringComparer.Ordinal));
        Assert.All(reads, r => Assert.True(r.Host is null && r.Urls is not null, $"read a site: {r}"));
    }

    /// <summary>The site: www. and bare hosts over http and https in mixed case, subdomains, another port, a neighbour
    /// whose name begins the same, captures within one second and a failed fetch.</summary>
    private async Task StoreSitesAsync()
    {
        await StoreAsync("http://www.kcna.kp/", "https://kcna.kp/", "http://kcna.kp/index.php?b=2&a=1", "http://www.kcna.kp/Index.php?a=1&b=2",
            "https://www.kcna.kp/news/A.html", "http://kcna.kp/news/a.html", "http://en.kcna.kp/", "http://en.kcna.kp/News/", "http://kcna.kp:8080/x",
            "http://kcnawatch.kp/", "http://rodong.rep.kp/", "https://www.rodong.rep.kp/Article?no=1", "http://vok.rep.kp/", "http://rep.kp/", "http://www.kcna.kp/");
        await _store.CommitAsync([new FetchCommit
        {
            Capture = new CaptureRecord
            {
                Id = Guid.CreateVersion7().ToString("N"), Url = "http://kcna.kp/down", Host = "kcna.kp", Epoch = 1,
                FetchedAt = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(_second++), Error = "timeout",
            },
        }]);
        // Three captures in one second: the URL orders them, not the millisecond.
        var second = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(_second++);
        await _store.CommitAsync([.. new[] { ("https://kcna.kp/same", 900), ("http://kcna.kp/same", 500), ("http://www.kcna.kp/same", 100) }.Select(c => new FetchCommit
        {
            Capture = new CaptureRecord
            {
                Id = Guid.CreateVersion7().ToString("N"), Url = c.Item1, Host = new Uri(c.Item1).Host, Epoch = 1,
                FetchedAt = second.AddMilliseconds(c.Item2), Status = 200,
            },
        })]);
    }

    /// <summary>The answer as a whole read gives it: <see cref="CdxEngine"/> over every capture of the store.</summary>
    private async Task<List<string>> WholeReadAsync(CdxQuery query)
    {
        var rows = new List<CdxRow>();
        await foreach (var capture in _store.GetCapturesAsync(new CaptureQuery()))
        {
            if (StoreCdx.Row(capture) is { } row)
            {
                rows.Add(row);
            }
        }

        return [.. CdxEngine.Answer(rows, query).Select(r => r.UrlKey + " " + r.Timestamp + " " + r.Url)];
    }

    [Theory]
    [InlineData("url=kcna.kp&matchType=host")]
    [InlineData("url=kcna.kp&matchType=host&limit=3")]
    [InlineData("url=http://WWW.Kcna.kp/news/&matchType=host&limit=5")]
    [InlineData("url=https://kcna.kp&matchType=host&page=1&pageSize=4")]
    [InlineData("url=kcna.kp&matchType=host&page=2&pageSize=4")]
    [InlineData("url=kcna.kp&matchType=host&page=3&pageSize=3")]
    [InlineData("url=kcna.kp&matchType=host&page=1&pageSize=8&limit=9")]
    [InlineData("url=kcna.kp&matchType=host&page=5&pageSize=3")]
    [InlineData("url=kcna.kp&matchType=host&page=2&pageSize=4&filter=status:200")]
    [InlineData("url=kcna.kp&matchType=host&filter=!url:https&collapse=urlkey&limit=4")]
    [InlineData("url=kcna.kp&matchType=host&sort=reverse&limit=2")]
    [InlineData("url=kcna.kp&matchType=host&limit=-2")]
    [InlineData("url=*.kcna.kp&limit=6")]
    [InlineData("url=*.rep.kp&limit=10")]
    [InlineData("url=rep.kp&matchType=domain&page=0&pageSize=2")]
    [InlineData("url=*.KCNA.KP&page=2&pageSize=3")]
    [InlineData("url=*.kp")]
    [InlineData("url=*.nowhere.kp&limit=5")]
    public async Task Host_and_domain_matches_read_their_key_ranges_and_answer_as_a_whole_read_does(string parameters)
    {
        await StoreSitesAsync();
        var query = CdxQuery.Parse(parameters.Split('&').Select(p => p.Split('=', 2)).Select(p => new KeyValuePair<string, string>(p[0], p[1])));
        var (store, reads) = ReadRecorder.Wrap(_store);

        var answer = await StoreCdx.AnswerAsync(store, query);

        Assert.Equal(await WholeReadAsync(query), answer.Select(r => r.UrlKey + " " + r.Timestamp + " " + r.Url));
        Assert.All(reads, r => Assert.True(r.UrlKeys is not null && r.Host is null, $"read a site or everything: {r}"));
        var (captures, pages) = await StoreCdx.PageCountAsync(store, query);
        var whole = (await WholeReadAsync(query with { Page = null, ShowNumPages = true })).Count;
        Assert.Equal(whole, captures);
        Assert.Equal(Math.Max(1, (whole + query.PageSize - 1) / query.PageSize), pages);
    }

    [Fact]
    public async Task A_host_match_lists_www_and_bare_hosts_over_both_schemes_and_its_port_but_not_its_subdomains_nor_neighbours()
    {
        await StoreSitesAsync();

        var urls = (await StoreCdx.AnswerAsync(_store, Query("kcna.kp", "host"))).Select(r => r.Url).ToList();

        Assert.Equal(
            ["http://www.kcna.kp/", "https://kcna.kp/", "http://www.kcna.kp/", "http://kcna.kp/index.php?b=2&a=1", "http://www.kcna.kp/Index.php?a=1&b=2",
             "https://www.kcna.kp/news/A.html", "http://kcna.kp/news/a.html", "http://kcna.kp/same", "http://www.kcna.kp/same", "https://kcna.kp/same", "http://kcna.kp:8080/x"],
            urls);
    }

    [Fact]
    public async Task A_limited_host_match_reads_a_few_captures_past_its_lines_not_the_site()
    {
        var urls = Enumerable.Range(0, 300).Select(i => $"http://kcna.kp/news/{i:D4}.html").ToArray();
        await StoreAsync(urls);
        var (store, counter) = CountingStore.Wrap(_store);

        var answer = await StoreCdx.AnswerAsync(store, Query("kcna.kp", "host") with { Limit = 10 });

        Assert.Equal(urls[..10], answer.Select(r => r.Url));
        Assert.InRange(counter.Read, 10, 12);
    }

    [Fact]
    public async Task A_deep_page_reads_its_own_captures_not_those_before_it()
    {
        var urls = Enumerable.Range(0, 300).Select(i => $"http://kcna.kp/news/{i:D4}.html").ToArray();
        await StoreAsync(urls);
        var (store, counter) = CountingStore.Wrap(_store);

        var answer = await StoreCdx.AnswerAsync(store, Query("kcna.kp", "host") with { Page = 20, PageSize = 10 });

        Assert.Equal(urls[200..210], answer.Select(r => r.Url));
        Assert.InRange(counter.Read, 11, 14); // the capture found at the offset, then the page and one more
    }

    [Fact]
    public async Task A_page_that_begins_inside_one_second_of_one_key_has_the_lines_a_whole_read_gives()
    {
        // One key, one second, five URLs written in the reverse of their CDX order: the page's first line is not the
        // capture at its offset in the store's order.
        var second = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        string[] spellings = ["https://www.kcna.kp/a", "https://kcna.kp/a", "http://www.kcna.kp/a", "http://kcna.kp/A", "http://kcna.kp/a"];
        await _store.CommitAsync([.. spellings.Select((url, i) => new FetchCommit
        {
            Capture = new CaptureRecord
            {
                Id = Guid.CreateVersion7().ToString("N"), Url = url, Host = new Uri(url).Host, Epoch = 1, FetchedAt = second.AddMilliseconds(i * 10), Status = 200,
            },
        })]);

        for (var page = 0; page < 4; page++)
        {
            var query = Query("kcna.kp", "host") with { Page = page, PageSize = 2 };
            Assert.Equal(await WholeReadAsync(query), (await StoreCdx.AnswerAsync(_store, query)).Select(r => r.UrlKey + " " + r.Timestamp + " " + r.Url));
        }
    }
}

/// <summary>An <see cref="ICrawlStore"/> that passes every call through and counts the captures read through it.</summary>
public class CountingStore : DispatchProxy
{
    private ICrawlStore _inner = null!;

    public int Read { get; private set; }

    public static (ICrawlStore Store, CountingStore Counter) Wrap(ICrawlStore inner)
    {
        var store = Create<ICrawlStore, CountingStore>();
        var counter = (CountingStore)(object)store;
        counter._inner = inner;
        return (store, counter);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        object? result;
        try
        {
            result = targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }

        return targetMethod.Name == nameof(ICrawlStore.GetCapturesAsync) ? Count((IAsyncEnumerable<CaptureRecord>)result!) : result;
    }

    private async IAsyncEnumerable<CaptureRecord> Count(IAsyncEnumerable<CaptureRecord> captures)
    {
        await foreach (var capture in captures)
        {
            Read++;
            yield return capture;
        }
    }
}

/// <summary>An <see cref="ICrawlStore"/> that passes every call through and records the capture queries asked.</summary>
public class ReadRecorder : DispatchProxy
{
    private ICrawlStore _inner = null!;
    private List<CaptureQuery> _reads = null!;

    public static (ICrawlStore Store, List<CaptureQuery> Reads) Wrap(ICrawlStore inner)
    {
        var store = Create<ICrawlStore, ReadRecorder>();
        var recorder = (ReadRecorder)(object)store;
        recorder._inner = inner;
        recorder._reads = [];
        return (store, recorder._reads);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(ICrawlStore.GetCapturesAsync) && args?[0] is CaptureQuery query)
        {
            _reads.Add(query);
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }
}
