using Akka.Actor;
using Akka.Cluster.Sharding;
using Crawler.Actors.Coordination;
using Crawler.Actors.Hosting;
using Crawler.Node.Hosting;
using Crawler.Simulation;
using Crawler.Simulation.Web;
using Crawler.Storage;
using Crawler.Storage.Sqlite;
using Xunit;
using Xunit.Abstractions;

namespace Crawler.IntegrationTests;

/// <summary>Three nodes joined over real remoting on loopback crawl one simulated web together, uptime probes on.</summary>
public sealed class ClusterCrawlTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Three_nodes_crawl_thirty_sites_and_no_host_or_address_ever_gets_two_requests_at_once_probes_included()
    {
        await using var web = await SimulatedWeb.StartAsync(new SimulationOptions { Seed = 31, SiteCount = 30, PagesPerSite = 12 });
        var data = Path.Combine(Path.GetTempPath(), "crawler-cluster-" + Guid.NewGuid().ToString("N"));
        var settings = SimulatedWebSettings.For(web, data);
        settings.Add(new("Crawler:Crawl:ExitWhenDone", "true"));
        settings.Add(new("Crawler:Uptime:Enabled", "true"));
        settings.Add(new("Crawler:Uptime:Interval", "00:00:02"));
        settings.Add(new("Crawler:Uptime:Timeout", "00:00:02"));
        try
        {
            var siteEntities = new List<int>();
            await using (var nodes = await ClusterNodes.StartAsync(3, settings))
            {
                await nodes.WaitForMembersUpAsync(3, TimeSpan.FromSeconds(60));
                var coordinator = nodes.Registry(1).Get<CoordinatorKey>();
                var completed = await coordinator.Ask<CoordinatorProtocol.EpochCompleted>(new CoordinatorProtocol.WatchCompletion(), TimeSpan.FromMinutes(6));
                output.WriteLine($"epoch {completed.Epoch} complete: {completed.Fetched} fetched");
                for (var i = 0; i < 3; i++)
                {
                    var state = await ClusterSharding.Get(nodes.System(i)).ShardRegion("site")
                        .Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(10));
                    siteEntities.Add(state.Shards.Sum(s => s.EntityIds.Count));
                }
            }

            output.WriteLine($"site entities per node: {string.Join(", ", siteEntities)}; server saw {web.Log.RequestCount} requests");

            // The work was spread: sites lived on more than one node.
            Assert.True(siteEntities.Count(n => n > 0) >= 2, $"site entities per node: {string.Join(", ", siteEntities)}");

            // Every manifest URL archived once the epoch completed.
            var store = new SqliteCrawlStore(new SqliteStoreOptions { Path = Path.Combine(data, "crawler.db") });
            await using (store.ConfigureAwait(false))
            {
                await store.InitializeAsync();
                var captured = new HashSet<string>(StringComparer.Ordinal);
                await foreach (var capture in store.GetCapturesAsync(new CaptureQuery()))
                {
                    captured.Add(capture.Url);
                }

                var missing = web.Manifest.Entries.Where(e => !captured.Contains(e.Url)).Select(e => e.Url).ToList();
                Assert.True(missing.Count == 0, $"{missing.Count} of {web.Manifest.Entries.Count} manifest URLs not archived, e.g. {string.Join(", ", missing.Take(5))}");
            }

            // Probes ran while the sites were crawled, on the same servers.
            var uptime = new SqliteUptimeStore(new SqliteStoreOptions { Path = Path.Combine(data, "crawler.db") });
            await using (uptime.ConfigureAwait(false))
            {
                await uptime.InitializeAsync();
                var latest = await uptime.GetLatestAsync();
                var probed = latest.Count(s => s.LastResult?.HttpStatus is not null);
                output.WriteLine($"{probed} sites probed over HTTP");
                Assert.True(probed >= 30, $"only {probed} sites have an HTTP probe result");
            }

            // The servers' own log: never two requests (or connections) at once on one host or one address.
            Assert.True(web.Log.MaxConcurrentRequestsPerHost() == 1, string.Join(Environment.NewLine, web.Log.DescribeOverlapsByHost()));
            Assert.True(web.Log.MaxConcurrentRequestsPerIp() == 1, string.Join(Environment.NewLine, web.Log.DescribeOverlapsByIp()));
            // Connections are not checked here (the single-node crawl test, probes off, checks them): a probe may use an
            // address during a site's pause right after its request, while the server may still be closing that connection.
            Assert.Contains(web.Sites.GroupBy(s => s.Address), g => g.Count() > 1);
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
