using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Crawler.Actors.Coordination;
using Crawler.Actors.Hosting;
using Crawler.Core.Cdx;
using Crawler.Node.Hosting;
using Crawler.Simulation;
using Crawler.Simulation.Web;
using Crawler.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Crawler.IntegrationTests;

/// <summary>A node that crawled a small simulated web once and serves its archive on <c>/cdx</c>, shared by the tests of a class or a collection.</summary>
public sealed class CdxArchiveFixture : IAsyncLifetime
{
    private IHost _host = null!;

    public SimulatedWeb Web { get; private set; } = null!;

    public string Data { get; } = Path.Combine(Path.GetTempPath(), "crawler-cdx-" + Guid.NewGuid().ToString("N"));

    public HttpClient Http { get; } = new();

    public ICrawlStore Store => _host.Services.GetRequiredService<ICrawlStore>();

    /// <summary>The node's services (its stores, its search indexer, ...).</summary>
    public IServiceProvider Services => _host.Services;

    public async Task InitializeAsync()
    {
        Web = await SimulatedWeb.StartAsync(new SimulationOptions { Seed = 21, SiteCount = 5, PagesPerSite = 12 });
        var settings = SimulatedWebSettings.For(Web, Data);
        settings.Add(new("Crawler:Http:Urls", "http://127.0.0.1:0"));
        _host = NodeHost.BuildRunHost(NodeHost.BuildConfiguration(settings), logging => logging.AddFilter(level => level >= LogLevel.Warning).AddSimpleConsole());
        await _host.StartAsync();
        var coordinator = _host.Services.GetRequiredService<ActorRegistry>().Get<CoordinatorKey>();
        await coordinator.Ask<CoordinatorProtocol.EpochCompleted>(new CoordinatorProtocol.WatchCompletion(), TimeSpan.FromMinutes(4));
        Http.BaseAddress = new Uri(NodeHost.HttpAddresses(_host).Single());
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await _host.StopAsync();
        _host.Dispose();
        await Web.DisposeAsync();
        try
        {
            Directory.Delete(Data, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// One crawl of the simulated web shared by the API and replay tests (they run one after another); the only capture
/// a test adds is outside .kp (the replay test's hostile page), which no other test's selection reaches.
/// </summary>
[CollectionDefinition(Name)]
public sealed class CdxArchiveCollection : ICollectionFixture<CdxArchiveFixture>
{
    public const string Name = "crawled simulated web, read only";
}

/// <summary>
/// <c>/cdx</c> answers pywb's CDX server parameters over a crawled simulated web; what each answer must hold is worked
/// out from the simulation's manifest (the URLs a correct crawl archives, with their statuses and types).
/// </summary>
[Collection(CdxArchiveCollection.Name)]
public sealed class CdxApiTests(CdxArchiveFixture archive)
{
    private Manifest Manifest => archive.Web.Manifest;

    private async Task<List<JsonElement>> Json(string query)
    {
        var response = await archive.Http.GetAsync(new Uri("/cdx?" + query + "&output=json", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return [.. body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];
    }

    private static string Q(string value) => Uri.EscapeDataString(value);

    /// <summary>The SURT keys of the manifest's URLs that <paramref name="where"/> selects, in CDX order.</summary>
    private List<string> ExpectedKeys(Func<ManifestEntry, bool> where) =>
        [.. Manifest.Entries.Where(where).Select(e => Surt.Key(e.Url)).Distinct().Order(StringComparer.Ordinal)];

    private static List<string> Keys(IEnumerable<JsonElement> rows) => [.. rows.Select(r => r.GetProperty("urlkey").GetString()!)];

    [Fact]
    public async Task Exact_lists_each_manifest_url_with_its_status_retries_first()
    {
        foreach (var entry in Manifest.Entries)
        {
            // The key ignores scheme and www.: http://x/ and its redirect target https://x/ share one; keep this URL's rows.
            var keyed = await Json("url=" + Q(entry.Url));
            Assert.All(keyed, r => Assert.Equal(Surt.Key(entry.Url), r.GetProperty("urlkey").GetString()));
            var rows = keyed.Where(r => r.GetProperty("url").GetString() == entry.Url).ToList();
            Assert.True(rows.Count > 0, $"{entry.Url} not listed");
            Assert.Equal(entry.ExpectedStatus.ToString(System.Globalization.CultureInfo.InvariantCulture), rows[^1].GetProperty("status").GetString());
            if (entry.Outcome == EntryOutcome.RetryThenOk)
            {
                Assert.True(rows.Count > 1, $"{entry.Url}: its retries are not listed");
                Assert.All(rows.SkipLast(1), r => Assert.Equal(entry.RetryStatus.ToString(), r.GetProperty("status").GetString()));
            }

            if (entry.Outcome == EntryOutcome.Redirect && entry.RedirectTo is { } to)
            {
                Assert.Equal(to, rows[^1].GetProperty("redirect").GetString());
            }
        }
    }

    [Fact]
    public async Task Host_prefix_and_domain_select_the_urls_the_manifest_has_there()
    {
        var host = archive.Web.Sites[0].Host;
        Assert.Equal(ExpectedKeys(e => e.Host == host), Keys(await Json($"url={Q(host)}&matchType=host&collapse=urlkey")));

        var some = Manifest.Entries.First(e => e.Host == host && new Uri(e.Url).Segments.Length > 2);
        var prefix = new Uri(new Uri(some.Url), ".").ToString();
        var prefixKey = Surt.Key(prefix);
        var expected = ExpectedKeys(e => Surt.Key(e.Url).StartsWith(prefixKey, StringComparison.Ordinal));
        Assert.NotEmpty(expected);
        Assert.Equal(expected, Keys(await Json($"url={Q(prefix + "*")}&collapse=urlkey")));
        Assert.Equal(expected, Keys(await Json($"url={Q(prefix)}&matchType=prefix&collapse=urlkey")));

        var kp = ExpectedKeys(e => e.Host.EndsWith(".kp", StringComparison.Ordinal));
        Assert.True(kp.Count < Manifest.Entries.Select(e => e.Url).Distinct().Count(), "the web has no site outside .kp to leave out");
        Assert.Equal(kp, Keys(await Json("url=" + Q("*.kp") + "&collapse=urlkey")));
    }

    [Fact]
    public async Task Filters_select_by_status_and_type_as_the_manifest_says()
    {
        var notFound = ExpectedKeys(e => e.ExpectedStatus == 404 && e.Host.EndsWith(".kp", StringComparison.Ordinal));
        Assert.NotEmpty(notFound);
        Assert.Equal(notFound, Keys(await Json("url=" + Q("*.kp") + "&filter=" + Q("=status:404") + "&collapse=urlkey")));

        var images = ExpectedKeys(e => e.ContentType?.StartsWith("image/", StringComparison.Ordinal) == true && e.Host.EndsWith(".kp", StringComparison.Ordinal));
        Assert.NotEmpty(images);
        Assert.Equal(images, Keys(await Json("url=" + Q("*.kp") + "&filter=" + Q("~mime:image/") + "&collapse=urlkey")));
        var notImages = Keys(await Json("url=" + Q("*.kp") + "&filter=" + Q("!~mime:image/") + "&collapse=urlkey"));
        Assert.Empty(notImages.Intersect(images));
    }

    [Fact]
    public async Task Limit_reverse_and_pages_cut_the_listing_in_cdx_order()
    {
        var all = ExpectedKeys(e => e.Host.EndsWith(".kp", StringComparison.Ordinal));
        var query = "url=" + Q("*.kp") + "&collapse=urlkey";
        Assert.Equal(all.Take(3), Keys(await Json(query + "&limit=3")));
        Assert.Equal(all.TakeLast(3), Keys(await Json(query + "&limit=-3")));
        Assert.Equal(Enumerable.Reverse(all).Take(3), Keys(await Json(query + "&sort=reverse&limit=3")));

        var count = JsonDocument.Parse(await archive.Http.GetStringAsync(new Uri("/cdx?" + query + "&pageSize=7&showNumPages=true", UriKind.Relative))).RootElement;
        var pages = count.GetProperty("pages").GetInt32();
        Assert.Equal((all.Count + 6) / 7, pages);
        var paged = new List<string>();
        for (var page = 0; page < pages; page++)
        {
            paged.AddRange(Keys(await Json(query + $"&pageSize=7&page={page}")));
        }

        Assert.Equal(all, paged);
    }

    [Fact]
    public async Task From_to_and_closest_work_on_the_capture_times()
    {
        var retried = Manifest.Entries.First(e => e.Outcome == EntryOutcome.RetryThenOk);
        var captures = new List<CaptureRecord>();
        await foreach (var c in archive.Store.GetCapturesAsync(new CaptureQuery { Url = retried.Url }))
        {
            captures.Add(c);
        }

        var last = captures.MaxBy(c => c.FetchedAt)!;
        var lastTs = Surt.Timestamp14(last.FetchedAt);
        var closest = await Json($"url={Q(retried.Url)}&sort=closest&closest={lastTs}&limit=1");
        Assert.Equal(lastTs, Assert.Single(closest).GetProperty("timestamp").GetString());
        Assert.Equal("200", closest[0].GetProperty("status").GetString());

        Assert.Equal(captures.Count, (await Json($"url={Q(retried.Url)}&from={lastTs[..8]}&to={lastTs[..8]}")).Count);
        Assert.Empty(await Json($"url={Q(retried.Url)}&from={last.FetchedAt.Year + 1}"));
        Assert.Empty(await Json($"url={Q(retried.Url)}&to={last.FetchedAt.Year - 1}"));
    }

    [Fact]
    public async Task Cdxj_json_and_text_output_carry_the_fields_asked_for()
    {
        var entry = Manifest.Entries.First(e => e.Outcome == EntryOutcome.Normal && e.Sha256Hex is not null);
        var key = Surt.Key(entry.Url);

        var cdxj = (await archive.Http.GetStringAsync(new Uri($"/cdx?url={Q(entry.Url)}&limit=1", UriKind.Relative))).TrimEnd('\n');
        Assert.StartsWith(key + " ", cdxj, StringComparison.Ordinal);
        var json = JsonDocument.Parse(cdxj[(cdxj.IndexOf('{', StringComparison.Ordinal))..]).RootElement;
        Assert.Equal(entry.Url, json.GetProperty("url").GetString());
        Assert.Equal("sha256:" + entry.Sha256Hex, json.GetProperty("digest").GetString());

        var text = (await archive.Http.GetStringAsync(new Uri($"/cdx?url={Q(entry.Url)}&limit=1&output=text&fl=original,statuscode,digest", UriKind.Relative))).TrimEnd('\n');
        Assert.Equal($"{entry.Url} {entry.ExpectedStatus} sha256:{entry.Sha256Hex}", text);
    }

    [Fact]
    public async Task Crawler_serve_answers_the_same_over_the_archive_without_crawling_and_stops_on_sigterm()
    {
        var entry = Manifest.Entries.First(e => e.Outcome == EntryOutcome.RetryThenOk);
        var query = $"/cdx?url={Q(entry.Url)}&output=json";
        var expected = await archive.Http.GetStringAsync(new Uri(query, UriKind.Relative));
        var requests = archive.Web.Log.RequestCount;

        var port = LoopbackPorts.Free();
        using var serve = CrawlerProcess.Start(
            new Dictionary<string, string> { ["Crawler__DataDirectory"] = archive.Data, ["Crawler__Dns__Servers__0"] = "127.0.0.1:9" },
            "serve", "--urls", $"http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        // It says so once it listens (an event, not a poll).
        Assert.True(await serve.WaitForOutputAsync("Serving", TimeSpan.FromSeconds(60)), $"crawler serve did not start serving: {serve.Output}");
        var served = await http.GetStringAsync(new Uri(query, UriKind.Relative));
        Assert.Equal(expected, served);
        Assert.Equal(requests, archive.Web.Log.RequestCount); // it crawls nothing

        serve.Terminate();
        Assert.Equal(0, await serve.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Theory]
    [InlineData("", "'url' is required")]
    [InlineData("url=kcna.kp&matchType=everything", "'matchType'")]
    [InlineData("url=kcna.kp&filter=nonsense", "'filter'")]
    public async Task A_wrong_query_is_a_400_that_says_what_to_write(string query, string expected)
    {
        var response = await archive.Http.GetAsync(new Uri("/cdx?" + query, UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
