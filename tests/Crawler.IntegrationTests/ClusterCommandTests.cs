using System.Net.Http.Json;
using System.Text.Json;
using Akka.Cluster;
using Crawler.Node.Hosting;
using Crawler.Simulation.Web;
using Xunit;
using Xunit.Abstractions;

namespace Crawler.IntegrationTests;

/// <summary>The real <c>crawler cluster</c> executable asks one node of a two-node cluster (in-process nodes with HTTP endpoints) what it sees.</summary>
public sealed class ClusterCommandTests(ITestOutputHelper output)
    : SimulatedWebTest(new SimulationOptions { Seed = 41, SiteCount = 3, PagesPerSite = 4 })
{
    [Fact]
    public async Task Crawler_cluster_shows_both_members_up_one_singleton_holder_and_the_schedule()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var settings = SimulatedWebSettings.For(Web, Data);
        settings.Add(new("Crawler:Http:Urls", "http://127.0.0.1:0"));

        // Nodes stopped one right after another mid-crawl wait out the shard hand-off time-out (half of this, 10 s at least).
        settings.Add(new("Crawler:Cluster:ShutdownTimeout", "00:00:20"));
        await using var nodes = await ClusterNodes.StartAsync(2, settings);
        await nodes.WaitForMembersUpAsync(2, TimeSpan.FromSeconds(60));
        output.WriteLine($"{clock.Elapsed}: both members up");
        var endpoints = nodes.Hosts.Select(h => NodeHost.HttpAddresses(h).Single()).ToList();
        var addresses = Enumerable.Range(0, 2).Select(i => Cluster.Get(nodes.System(i)).SelfAddress.ToString()).ToList();

        // The coordinator answers once the singletons have started (bounded wait on the node's own endpoint).
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            ClusterView? ready;
            while ((ready = await http.GetFromJsonAsync<ClusterView>(new Uri(new Uri(endpoints[1]), "/cluster"), NodeHost.ClusterJson))?.Schedule is null)
            {
                Assert.True(DateTime.UtcNow < deadline, $"no schedule from {endpoints[1]} within 30 s: {ready?.Error}");
                await Task.Delay(200);
            }
        }

        output.WriteLine($"{clock.Elapsed}: schedule ready");

        // Where the singletons really run: the node whose own system has the coordinator singleton (not only its manager).
        var holders = new List<int>();
        for (var i = 0; i < 2; i++)
        {
            try
            {
                await nodes.System(i).ActorSelection("/user/coordinator/coordinator").ResolveOne(TimeSpan.FromSeconds(3));
                holders.Add(i);
            }
            catch (Akka.Actor.ActorNotFoundException)
            {
                // only the manager here
            }
        }

        var singletons = Assert.Single(holders);
        var other = 1 - singletons;

        // JSON, from the node that does not hold the singletons.
        using (var json = CrawlerProcess.Start(new Dictionary<string, string>(), "cluster", "--node", endpoints[other], "--json"))
        {
            Assert.Equal(0, await json.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            output.WriteLine($"{clock.Elapsed}: crawler cluster --json exited");
            output.WriteLine(json.Output);
            var view = JsonSerializer.Deserialize<ClusterView>(json.Output, NodeHost.ClusterJson)!;
            Assert.Equal(addresses[other], view.Self);
            Assert.Equal(addresses.Order(StringComparer.Ordinal), view.Members.Select(m => m.Address).Order(StringComparer.Ordinal));
            Assert.All(view.Members, m => Assert.Equal("Up", m.Status));
            Assert.All(view.Members, m => Assert.True(m.Reachable));

            // Only the node the singletons run on is marked.
            var holder = Assert.Single(view.Members, m => m.Oldest);
            Assert.Equal(addresses[singletons], holder.Address);
            Assert.Equal(addresses[singletons], view.SingletonsOn);

            Assert.NotNull(view.Schedule);
            Assert.Equal(1, view.Schedule.Epoch);
            Assert.InRange(view.Schedule.Sites, 0, Web.Sites.Count); // sites count as they report in
            Assert.NotNull(view.Schedule.EpochStartedAt);
        }

        // The table names both members, and the singletons' node once.
        using var table = CrawlerProcess.Start(new Dictionary<string, string>(), "cluster", "--node", endpoints[singletons]);
        Assert.Equal(0, await table.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        output.WriteLine($"{clock.Elapsed}: crawler cluster exited");
        output.WriteLine(table.Output);
        Assert.All(addresses, a => Assert.Contains(a, table.Output, StringComparison.Ordinal));
        var words = string.Join(' ', table.Output.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"singletons (coordinator, discovery, uptime) on {addresses[singletons]}", words, StringComparison.Ordinal);
        Assert.Single(table.Output.Split('\n'), l => l.TrimEnd().EndsWith("here", StringComparison.Ordinal));
        Assert.Contains("epoch 1 ", words, StringComparison.Ordinal);

        output.WriteLine($"{clock.Elapsed}: done");
    }
}
