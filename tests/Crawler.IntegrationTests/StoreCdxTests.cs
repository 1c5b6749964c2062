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
                FetchedAt = new DateTimeOffset(2026, 12, 1, 0, 0, _second++, TimeSpan.Zero),
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
