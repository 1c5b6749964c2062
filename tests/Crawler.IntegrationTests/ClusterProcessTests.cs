using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Crawler.Node.Hosting;
using Crawler.Simulation;
using Crawler.Simulation.Web;
using Crawler.Storage;
using Crawler.Storage.Sqlite;
using Xunit;
using Xunit.Abstractions;

namespace Crawler.IntegrationTests;

/// <summary>
/// Three <c>crawler run</c> processes (each its own OS process, joined by seed nodes, sharing the SQLite store
/// by file): one is killed with SIGKILL mid-crawl, or all are restarted one at a time with SIGTERM.
/// </summary>
public sealed class ClusterProcessTests(ITestOutputHelper output)
    : SimulatedWebTest(new SimulationOptions { Seed = 23, SiteCount = 12, PagesPerSite = 20 })
{
    [Fact]
    public async Task Killing_the_node_with_the_coordinator_mid_crawl_loses_nothing_and_its_sites_fetch_again_on_a_survivor_within_30_seconds()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var nodes = Nodes(3);
        var processes = nodes.Select(n => CrawlerProcess.Start(Environment(n, nodes), "run", "--no-live", "--exit-when-done")).ToList();
        try
        {
            await WaitForCaptures(processes, atLeast: Web.Manifest.Entries.Count / 3);
            await WaitForSitesOnEveryNode(http, nodes);

            // The node holding the singletons (coordinator included) goes, with the sites it holds.
            var view = await ClusterViewOf(http, nodes[1]);
            var victim = nodes.FindIndex(n => view.SingletonsOn == ClusterNodes.SeedAddress(n.ClusterPort));
            Assert.True(victim >= 0, $"no node holds the singletons: {view.SingletonsOn}");
            var victimSites = (await ClusterViewOf(http, nodes[victim])).LocalSites;
            processes[victim].Kill();
            var killedAt = Web.Log.Now;
            var withWork = (await HostsWithPending(epoch: 1)).ToHashSet(StringComparer.Ordinal); // the dead node writes nothing more
            output.WriteLine($"killed node {victim} (singletons, {victimSites.Count} sites) at {killedAt}");

            foreach (var (process, i) in processes.Select((p, i) => (p, i)).Where(p => p.i != victim))
            {
                var code = await process.WaitForExitAsync(TimeSpan.FromMinutes(6));
                Assert.True(code == 0, $"node {i} exited with {code}:\n{process.Output}");
            }

            // Every manifest URL archived, in the one epoch there was.
            var captures = await Captures();
            var archived = captures.Select(c => c.Url).ToHashSet(StringComparer.Ordinal);
            var missing = Web.Manifest.Entries.Where(e => !archived.Contains(e.Url)).Select(e => e.Url).ToList();
            Assert.True(missing.Count == 0, $"{missing.Count} manifest URLs missing after the kill, e.g. {string.Join(", ", missing.Take(5))}");
            Assert.All(captures, c => Assert.Equal(1, c.Epoch));
            Assert.Equal("1", await Setting("epoch"));

            // URLs fetched twice: only those in flight on the killed node (started just before the kill).
            var twice = FetchedTwice();
            var inFlightWindow = TimeSpan.FromSeconds(2);
            var notInFlight = twice.Where(g => g.Min(r => r.Start) < killedAt - inFlightWindow || !victimSites.Contains(g.First().Host)).Select(g => g.Key).ToList();
            Assert.True(notInFlight.Count == 0, $"fetched twice but not in flight on the killed node: {string.Join(", ", notInFlight.Take(10))}");
            Assert.True(twice.Count <= victimSites.Count, $"{twice.Count} URLs fetched twice, more than the killed node's {victimSites.Count} sites had in flight");

            // Failover: how long the killed node's sites that still had work (URLs pending in the store at the kill) waited
            // for their next request. A site with none (e.g. robots.txt answered 5xx: all disallowed) is asked again only
            // when a link to it is found, whenever that is.
            var perSite = victimSites
                .Where(withWork.Contains)
                .Select(host => (Host: host, After: Web.Log.RequestsForHost(host).Where(r => r.Start > killedAt).Select(r => r.Start - killedAt).DefaultIfEmpty(TimeSpan.MaxValue).Min()))
                .Where(s => s.After != TimeSpan.MaxValue)
                .OrderBy(s => s.After)
                .ToList();
            var resumed = perSite.Select(s => s.After).ToList();
            Assert.NotEmpty(resumed);
            var each = string.Join(", ", perSite.Select(s => $"{s.Host} ({Web.Sites.First(w => w.Host == s.Host).Address}) {s.After.TotalSeconds:F1} s"));
            output.WriteLine($"failover: {resumed.Count} sites fetching again after {resumed[0].TotalSeconds:F1}..{resumed[^1].TotalSeconds:F1} s (median {resumed[resumed.Count / 2].TotalSeconds:F1} s): {each}");
            Assert.True(resumed[^1] <= TimeSpan.FromSeconds(30), $"the killed node's sites fetched again only after {resumed[^1].TotalSeconds:F1} s: {each}");
        }
        finally
        {
            Tail(processes);
            processes.ForEach(p => p.Dispose());
        }
    }

    [Fact]
    public async Task A_rolling_restart_of_all_three_nodes_with_SIGTERM_loses_no_url_and_no_capture()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var nodes = Nodes(3);

        // A slower crawl (a pause of 90 ms per address) so that all three restarts fall inside it.
        var slow = new Dictionary<string, string> { ["Crawler__Crawl__Politeness__MinDelay"] = "00:00:00.090" };
        var processes = nodes.Select(n => CrawlerProcess.Start(Environment(n, nodes, slow), "run", "--no-live", "--exit-when-done")).ToList();
        var exited = new List<CrawlerProcess>();
        try
        {
            await WaitForCaptures(processes, atLeast: Web.Manifest.Entries.Count / 10);
            for (var i = 0; i < nodes.Count; i++)
            {
                // One node leaves gracefully and comes back; the next goes only when it is a member again.
                processes[i].Terminate();
                var code = await processes[i].WaitForExitAsync(TimeSpan.FromMinutes(2));
                Assert.True(code == 0, $"node {i} exited with {code} after SIGTERM:\n{processes[i].Output}");
                exited.Add(processes[i]);
                processes[i] = CrawlerProcess.Start(Environment(nodes[i], nodes, slow), "run", "--no-live", "--exit-when-done");
                await WaitForMembers(http, nodes[i], 3);
                output.WriteLine($"node {i} restarted at {Web.Log.Now}, {(await Captures()).Count} captures");
            }

            foreach (var (process, i) in processes.Select((p, i) => (p, i)))
            {
                var code = await process.WaitForExitAsync(TimeSpan.FromMinutes(6));
                Assert.True(code == 0, $"node {i} exited with {code}:\n{process.Output}");
            }

            var captures = await Captures();
            var archived = captures.Select(c => c.Url).ToHashSet(StringComparer.Ordinal);
            var missing = Web.Manifest.Entries.Where(e => !archived.Contains(e.Url)).Select(e => e.Url).ToList();
            Assert.True(missing.Count == 0, $"{missing.Count} manifest URLs missing after the rolling restart, e.g. {string.Join(", ", missing.Take(5))}");

            // No capture lost: every request a server answered is in the archive (a graceful leave commits what is in flight).
            var capturedTimes = captures.GroupBy(c => c.Url, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            var lost = Web.Log.Requests.GroupBy(r => r.Url, StringComparer.Ordinal)
                .Where(g => g.Count() > capturedTimes.GetValueOrDefault(g.Key))
                .Select(g => $"{g.Key} ({g.Count()} requests, {capturedTimes.GetValueOrDefault(g.Key)} captures)")
                .ToList();
            Assert.True(lost.Count == 0, $"requests without their capture: {string.Join(", ", lost.Take(10))}");
            Assert.Equal("1", await Setting("epoch"));
            output.WriteLine($"{captures.Count} captures, {Web.Log.RequestCount} requests, {Web.Manifest.Entries.Count} manifest URLs");
        }
        finally
        {
            Tail(processes.Concat(exited));
            processes.ForEach(p => p.Dispose());
            exited.ForEach(p => p.Dispose());
        }
    }

    private sealed record Node(int ClusterPort, int HttpPort);

    private static List<Node> Nodes(int count)
    {
        var ports = LoopbackPorts.Free(count * 2);
        return [.. Enumerable.Range(0, count).Select(i => new Node(ports[2 * i], ports[(2 * i) + 1]))];
    }

    /// <summary>The last lines each process wrote (what the test output keeps of a node).</summary>
    private void Tail(IEnumerable<CrawlerProcess> processes)
    {
        foreach (var (process, i) in processes.Select((p, i) => (p, i)))
        {
            var lines = process.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            output.WriteLine($"--- process {i}, last lines:\n{string.Join("\n", lines.TakeLast(12))}");
        }
    }

    private Dictionary<string, string> Environment(Node node, IReadOnlyList<Node> nodes, IReadOnlyDictionary<string, string>? extra = null)
    {
        var settings = SimulatedWebSettings.For(Web, Data);
        settings.Add(new("Crawler:Cluster:Config", "local-three-node.hocon"));
        settings.Add(new("Crawler:Cluster:Port", node.ClusterPort.ToString(CultureInfo.InvariantCulture)));
        settings.Add(new("Crawler:Cluster:SeedNodes:0", ClusterNodes.SeedAddress(nodes[0].ClusterPort)));
        settings.Add(new("Crawler:Cluster:SeedNodes:1", ClusterNodes.SeedAddress(nodes[1].ClusterPort)));
        settings.Add(new("Crawler:Cluster:MinimumMembers", nodes.Count.ToString(CultureInfo.InvariantCulture)));
        // Not serialize-messages here: Akka's own cluster events (ReachabilityChanged) do not survive it, so the
        // split-brain resolver would never down the killed node. Between processes every message crosses the wire anyway.
        settings.Add(new("Crawler:Http:Urls", $"http://127.0.0.1:{node.HttpPort.ToString(CultureInfo.InvariantCulture)}"));
        var environment = SimulatedWebSettings.AsEnvironment(settings.Where(s => s.Key != "Crawler:Http:Urls" || s.Value!.Length > 0));
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return environment;
    }

    private static async Task<ClusterView> ClusterViewOf(HttpClient http, Node node) =>
        (await http.GetFromJsonAsync<ClusterView>(new Uri($"http://127.0.0.1:{node.HttpPort.ToString(CultureInfo.InvariantCulture)}/cluster"), NodeHost.ClusterJson))!;

    /// <summary>Polls the node's own /cluster endpoint (the membership under test) until it sees <paramref name="count"/> members up.</summary>
    private static async Task WaitForMembers(HttpClient http, Node node, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var view = await ClusterViewOf(http, node);
                if (view.Members.Count(m => m.Status == "Up" && m.Reachable) >= count)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(250);
        }

        Assert.Fail($"node at cluster port {node.ClusterPort} did not see {count} members up within 2 minutes");
    }

    /// <summary>Polls the nodes' /cluster until each holds sites (the shards spread as the nodes joined).</summary>
    private async Task WaitForSitesOnEveryNode(HttpClient http, IReadOnlyList<Node> nodes)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        var counts = new List<int>();
        while (DateTime.UtcNow < deadline)
        {
            counts.Clear();
            foreach (var node in nodes)
            {
                counts.Add((await ClusterViewOf(http, node)).LocalSites.Count);
            }

            if (counts.TrueForAll(c => c > 0))
            {
                output.WriteLine($"sites per node: {string.Join(", ", counts)}");
                return;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"the sites did not spread over the nodes within a minute: {string.Join(", ", counts)}");
    }

    private List<IGrouping<string, RequestRecord>> FetchedTwice()
    {
        var retried = Web.Log.Requests.Where(r => r.Status is 429 or >= 500).Select(r => r.Url).ToHashSet(StringComparer.Ordinal);
        var robots5xx = Web.Sites.Where(s => s.Robots.Status >= 500).Select(s => s.Url("/robots.txt")).ToHashSet(StringComparer.Ordinal);
        return [.. Web.Log.Requests
            .GroupBy(r => r.Url, StringComparer.Ordinal)
            .Where(g => g.Count() > 1 && !retried.Contains(g.Key) && !robots5xx.Contains(g.Key))];
    }

    private async Task<IReadOnlyList<string>> HostsWithPending(int epoch)
    {
        await using var store = new SqliteCrawlStore(new SqliteStoreOptions { Path = Path.Combine(Data, "crawler.db") });
        await store.InitializeAsync();
        return await store.GetHostsWithPendingAsync(epoch);
    }

    private async Task<List<CaptureRecord>> Captures()
    {
        await using var store = new SqliteCrawlStore(new SqliteStoreOptions { Path = Path.Combine(Data, "crawler.db") });
        await store.InitializeAsync();
        var captures = new List<CaptureRecord>();
        await foreach (var capture in store.GetCapturesAsync(new CaptureQuery()))
        {
            captures.Add(capture);
        }

        return captures;
    }

    private async Task<string?> Setting(string key)
    {
        await using var store = new SqliteCrawlStore(new SqliteStoreOptions { Path = Path.Combine(Data, "crawler.db") });
        await store.InitializeAsync();
        return await store.GetSettingAsync(key);
    }

    /// <summary>Polls the store the processes share (another process's progress is only visible there).</summary>
    private async Task WaitForCaptures(IReadOnlyList<CrawlerProcess> processes, int atLeast)
    {
        var path = Path.Combine(Data, "crawler.db");
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        while (DateTime.UtcNow < deadline)
        {
            foreach (var process in processes)
            {
                Assert.False(process.HasExited, $"a node exited early:\n{process.Output}");
            }

            if (File.Exists(path))
            {
                await using var store = new SqliteCrawlStore(new SqliteStoreOptions { Path = path });
                try
                {
                    await store.InitializeAsync();
                    if ((await store.GetStatsAsync()).Captures >= atLeast)
                    {
                        return;
                    }
                }
                catch (StoreUnavailableException)
                {
                    // schema not created yet
                }
            }

            await Task.Delay(250);
        }

        Assert.Fail($"fewer than {atLeast} captures after 4 minutes:\n{string.Join("\n---\n", processes.Select(p => p.Output))}");
    }
}
