using System.Net;
using Crawler.Core.Policies;
using Crawler.Simulation.Dns;
using Crawler.Storage;
using Crawler.Storage.Sqlite;
using Xunit;

namespace Crawler.IntegrationTests;

/// <summary>
/// DNS and links as an attack path: a hostile in-scope site points the crawler at loopback, private and
/// link-local addresses. With no allow-list at all (the guard admits public addresses only), none of them
/// may be connected to, and each must be recorded with the reason it was refused.
/// </summary>
public sealed class RefusedAddressTests : IAsyncLifetime
{
    private const string Hostile = "hostile.kcna.kp";
    private readonly string _data = Path.Combine(Path.GetTempPath(), "crawler-refused-" + Guid.NewGuid().ToString("N"));
    private readonly ZoneCatalog _catalog = ZoneCatalog.Load2016();
    private SimulatedDnsServer _dns = null!;
    private HostileSite _site = null!;

    public async Task InitializeAsync()
    {
        // The hostile site claims a public address; the name below it points into a private network.
        _catalog.AddHost(Hostile, IPAddress.Parse("175.45.176.200"), mapToLoopback: false);
        _catalog.AddHost("intranet.kcna.kp", IPAddress.Parse("10.0.0.5"), mapToLoopback: false);
        _dns = await SimulatedDnsServer.StartAsync(_catalog, new SimulatedDnsOptions());
        _site = new HostileSite();
        _site.Page(Hostile, "/", """
            <html><body>
            <a href="http://127.0.0.1/">admin</a>
            <a href="http://[::ffff:10.0.0.1]/">router</a>
            <a href="http://169.254.169.254/latest/meta-data/">metadata</a>
            <a href="http://intranet.kcna.kp/">intranet</a>
            <a href="/go">elsewhere</a>
            </body></html>
            """);
        _site.Redirect(Hostile, "/go", "http://localhost/");
    }

    public async Task DisposeAsync()
    {
        await _site.DisposeAsync();
        await _dns.DisposeAsync();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task No_refused_range_is_ever_connected_to_and_each_is_recorded_with_its_reason()
    {
        // Every connection, whatever its address, is routed to the hostile site's one loopback socket (a connect-to
        // rule applied after the guard): a guard that let anything through would show up there, and no packet can
        // leave loopback even then.
        List<KeyValuePair<string, string?>> settings =
        [
            new("Crawler:DataDirectory", _data),
            new("Crawler:Seeds:File", string.Empty),
            new("Crawler:Seeds:Urls:0", $"http://{Hostile}/"),
            new("Crawler:Dns:Servers:0", _dns.EndPoint.ToString()),
            new("Crawler:Dns:Timeout", "00:00:01"),
            new("Crawler:Dns:Retries", "0"),
            new("Crawler:AddressGuard:AllowPublic", "true"),
            new("Crawler:Fetcher:ConnectTo:0", $"::127.0.0.1:{_site.EndPoint.Port}"),
            new("Crawler:Fetcher:ConnectTimeout", "00:00:02"),
            new("Crawler:Crawl:ScopeDomains:0", "kp"),
            new("Crawler:Crawl:ScopeDomains:1", "localhost"),
            new("Crawler:Crawl:ScopeAddressRanges:0", "0.0.0.0/0"),
            new("Crawler:Crawl:ScopeAddressRanges:1", "::/0"),
            new("Crawler:Crawl:Politeness:MinDelay", "00:00:00"),
            new("Crawler:Crawl:Politeness:DelayFactor", "0"),
            new("Crawler:Crawl:Retry:BaseDelay", "00:00:00.200"),
            new("Crawler:Crawl:Retry:MaxAttempts", "2"),
            new("Crawler:Discovery:Enabled", "false"),
            new("Crawler:Uptime:Enabled", "false"),
            new("Crawler:Http:Urls", string.Empty),
        ];

        await InProcessNode.RunUntilEpochCompleteAsync(settings, TimeSpan.FromMinutes(2));

        Assert.All(_site.Requests, r => Assert.Equal(Hostile, r.Host));
        Assert.Equal(["/", "/go", "/robots.txt"], _site.Requests.Select(r => r.Target).Order(StringComparer.Ordinal));
        Assert.Equal(_site.Requests.Count, _site.Connections);

        await using var store = new SqliteCrawlStore(new SqliteStoreOptions { Path = Path.Combine(_data, "crawler.db") });
        await store.InitializeAsync();
        var captures = new List<CaptureRecord>();
        await foreach (var capture in store.GetCapturesAsync(new CaptureQuery()))
        {
            captures.Add(capture);
        }

        Assert.Equal(302, Assert.Single(captures, c => c.Url == $"http://{Hostile}/go").Status);
        var refused = captures.Where(c => c.Error == "AddressRefused").ToDictionary(c => c.Url, c => c.ErrorDetail ?? string.Empty, StringComparer.Ordinal);
        Assert.Equal(5, refused.Count);
        Assert.Contains("127.0.0.1 is loopback", refused["http://127.0.0.1/"], StringComparison.Ordinal);
        Assert.Contains("private (10.0.0.0/8)", Assert.Single(refused, r => r.Key.StartsWith("http://[::ffff:", StringComparison.Ordinal)).Value, StringComparison.Ordinal);
        Assert.Contains("link-local", refused["http://169.254.169.254/latest/meta-data/"], StringComparison.Ordinal);
        Assert.Contains("10.0.0.5 is private (10.0.0.0/8)", refused["http://intranet.kcna.kp/"], StringComparison.Ordinal);
        Assert.Contains("127.0.0.1 is loopback", refused["http://localhost/"], StringComparison.Ordinal);
        Assert.All(captures.Where(c => c.Error == "AddressRefused"), c => Assert.Null(c.Status));

        // Each is in the crawl log as not archived, with the reason its address was refused.
        var log = await store.GetCrawlLogAsync(new CrawlLogQuery(Reason: DeclineReason.RefusedAddress)).ToListAsync();

        Assert.Equal(refused.Keys.Order(StringComparer.Ordinal), log.Select(r => r.Url).Order(StringComparer.Ordinal));
        Assert.All(log, r => Assert.Equal(refused[r.Url], r.Detail));
    }
}
