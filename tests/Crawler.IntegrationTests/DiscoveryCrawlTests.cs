using Crawler.Actors.Discovery;
using Crawler.Node.Hosting;
using Crawler.Simulation.Web;
using Crawler.Storage;
using Crawler.Storage.Sqlite;
using Xunit;

namespace Crawler.IntegrationTests;

/// <summary>Discovery inside <c>crawler run</c>: names found by zone transfer and reverse sweep become sites of the crawl.
/// The seed sites are plain (no slow, failing or retried pages: they cost ~20 s here and this test watches discovery).</summary>
public sealed class DiscoveryCrawlTests() : SimulatedWebTest(new SimulationOptions { Seed = 3, SiteCount = 3, PagesPerSite = 5, PlainSites = true })
{
    [Fact]
    public async Task Names_found_by_zone_transfer_are_recorded_and_crawled_as_sites_before_the_crawl_ends()
    {
        var settings = SimulatedWebSettings.For(Web, Data);
        settings.Add(new("Crawler:Discovery:Enabled", "true"));
        settings.Add(new("Crawler:Discovery:UseZoneServers", "false")); // the simulation answers on one address only
        settings.Add(new("Crawler:Discovery:PtrRanges:0", "127.45.176.0/26"));
        settings.Add(new("Crawler:Discovery:PtrQueriesPerSecond", "500"));

        await InProcessNode.RunUntilEpochCompleteAsync(settings, TimeSpan.FromMinutes(4));

        var leaked = ZoneTransferDiscoveryTests.LeakedDomainsInCsv();
        Assert.Equal(28, leaked.Count);

        await using var dns = NodeHost.OpenDnsStore(new Node.Configuration.NodeOptions { DataDirectory = Data });
        await dns.InitializeAsync();
        var discovered = await dns.GetDiscoveredNamesAsync();
        Assert.All(leaked, d => Assert.Contains(discovered, n => n.Name == d && n.How == "axfr"));
        Assert.Contains(discovered, n => n.How == "ptr" && n.Source.StartsWith("127.45.176.", StringComparison.Ordinal));

        // Every leaked domain with an address became a site: the crawl asked its robots.txt or its front page (most
        // are not served by this small simulation, so many of those attempts failed; they were made), and the epoch
        // waited for them. Names without an address (registry zones such as com.kp, mail-only domains) are recorded as
        // discovered names and were not crawled.
        await using var store = new SqliteCrawlStore(new SqliteStoreOptions { Path = Path.Combine(Data, "crawler.db") });
        await store.InitializeAsync();
        var hosts = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var capture in store.GetCapturesAsync(new CaptureQuery()))
        {
            hosts.Add(capture.Host);
        }

        var seeds = Web.Sites.Select(s => s.Host).ToHashSet(StringComparer.Ordinal);
        var catalog = Simulation.Dns.ZoneCatalog.Load2016();
        var addressed = leaked.Where(d => catalog.GetAddresses(d).Count > 0).ToList();
        var unaddressed = leaked.Where(d => catalog.GetAddresses(d).Count == 0 && catalog.GetAddresses("www." + d).Count == 0).ToList();
        Assert.Contains(addressed, d => !seeds.Contains(d));
        Assert.All(addressed, d => Assert.Contains(d, hosts));
        Assert.NotEmpty(unaddressed);
        string[] registryZones = ["co.kp", "com.kp", "edu.kp", "gov.kp", "net.kp", "org.kp", "rep.kp"];
        Assert.All(unaddressed.Concat(registryZones), d => Assert.DoesNotContain(d, hosts));
        Assert.All(registryZones, z => Assert.Contains(discovered, n => n.Name == z));
    }

    [Fact]
    public void The_default_reverse_sweep_covers_the_dataset_ranges_with_north_koreas_own_block_first()
    {
        var ranges = File.ReadLines(Path.Combine(RepositoryPaths.Root, "datasets", "kp", "ip-ranges.txt"))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();

        var defaults = new DiscoveryOptions().SweptRanges;

        Assert.Equal("175.45.176.0/22", defaults[0]);
        Assert.Equal(ranges.Order(StringComparer.Ordinal), defaults.Order(StringComparer.Ordinal));
        Assert.Empty(new DiscoveryOptions { PtrSweep = false }.SweptRanges);
        Assert.Equal(["127.45.176.0/26"], new DiscoveryOptions { PtrRanges = ["127.45.176.0/26"] }.SweptRanges);
    }
}
