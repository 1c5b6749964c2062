using Xunit;
using Crawler.Node.Hosting;
using Crawler.Simulation;
using Crawler.Simulation.Web;
using Crawler.Storage;
using Crawler.Storage.Sqlite;

namespace Crawler.IntegrationTests;

/// <summary>
/// <c>crawler run</c> as a real process, pointed at the simulated web only by configuration
/// (environment variables), killed mid-crawl and started again.
/// </summary>
public sealed class KillAndRestartTests(Xunit.Abstractions.ITestOutputHelper output) : SimulatedWebTest(new SimulationOptions { Seed = 11, SiteCount = 8, PagesPerSite = 25 })
{
    [Fact]
    public async Task A_killed_crawl_resumes_and_completes_without_fetching_an_archived_url_twice()
    {
        var environment = SimulatedWebSettings.AsEnvironment(SimulatedWebSettings.For(Web, Data));
        var manifest = Web.Manifest;

        // First run: crawl until part of the manifest is archived, then kill -9.
        TimeSpan killedAt;
        long archivedBeforeKill;
        using (var first = CrawlerProcess.Start(environment, "run", "--no-live"))
        {
            archivedBeforeKill = await WaitForCaptures(first, atLeast: manifest.Entries.Count / 3);
            first.Kill();
            killedAt = Web.Log.Now;
        }

        Assert.True(archivedBeforeKill < manifest.Entries.Count, "the kill came mid-crawl");

        // Second run: the same command resumes the frontier and runs to the end of the epoch.
        using (var second = CrawlerProcess.Start(environment, "run", "--no-live", "--exit-when-done"))
        {
            var code = await second.WaitForExitAsync(TimeSpan.FromMinutes(5));
            Assert.True(code == 0, $"second run exited with {code}:\n{second.Output}");
        }

        await using var store = new SqliteCrawlStore(new SqliteStoreOptions { Path = Path.Combine(Data, "crawler.db") });
        await store.InitializeAsync();
        var archived = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var capture in store.GetCapturesAsync(new CaptureQuery()))
        {
            archived.Add(capture.Url);
        }

        var missing = manifest.Entries.Where(e => !archived.Contains(e.Url)).Select(e => e.Url).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} manifest URLs missing after the restart, e.g. {string.Join(", ", missing.Take(5))}");

        // No URL fetched twice in this epoch, except retries the server asked for (429/5xx) and
        // fetches that were in flight at the kill (started shortly before it, not yet acknowledged).
        var retried = Web.Log.Requests.Where(r => r.Status is 429 or >= 500).Select(r => r.Url).ToHashSet(StringComparer.Ordinal);
        var robots5xx = Web.Sites.Where(s => s.Robots.Status >= 500).Select(s => s.Url("/robots.txt")).ToHashSet(StringComparer.Ordinal);
        var twice = Web.Log.Requests
            .GroupBy(r => r.Url, StringComparer.Ordinal)
            .Where(g => g.Count() > 1 && !retried.Contains(g.Key) && !robots5xx.Contains(g.Key))
            .ToList();
        var inFlightWindow = TimeSpan.FromSeconds(2);
        var notInFlight = twice.Where(g => g.Min(r => r.Start) < killedAt - inFlightWindow).Select(g => g.Key).ToList();
        Assert.True(notInFlight.Count == 0, $"fetched again after the restart although archived before the kill: {string.Join(", ", notInFlight.Take(10))}");
        Assert.True(twice.Count <= Web.Sites.Count * 2, $"{twice.Count} URLs fetched twice: more than the fetches in flight at the kill could explain");
    }

    [Fact]
    public async Task Ctrl_c_stops_the_crawl_gracefully_and_a_restart_finishes_it()
    {
        var environment = SimulatedWebSettings.AsEnvironment(SimulatedWebSettings.For(Web, Data));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using (var first = CrawlerProcess.Start(environment, "run", "--no-live"))
        {
            await WaitForCaptures(first, atLeast: 200);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: 200 captures, Ctrl+C");
            first.Interrupt();
            var code = await first.WaitForExitAsync(TimeSpan.FromMinutes(1));
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: first run exited");
            Assert.True(code == 0, $"exit code {code} after Ctrl+C:\n{first.Output}");
        }

        using (var second = CrawlerProcess.Start(environment, "run", "--no-live", "--exit-when-done"))
        {
            Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromMinutes(5)));
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: second run finished the epoch\n{second.Output[^Math.Min(second.Output.Length, 1500)..]}");
        }

        await using var store = new SqliteCrawlStore(new SqliteStoreOptions { Path = Path.Combine(Data, "crawler.db") });
        await store.InitializeAsync();
        var stats = await store.GetStatsAsync();
        Assert.Equal(0, stats.FrontierPending);
        var archived = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var capture in store.GetCapturesAsync(new CaptureQuery()))
        {
            archived.Add(capture.Url);
        }

        Assert.All(Web.Manifest.Entries, e => Assert.Contains(e.Url, archived));
    }

    private async Task<long> WaitForCaptures(CrawlerProcess process, int atLeast)
    {
        var path = Path.Combine(Data, "crawler.db");
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(process.HasExited, $"crawler exited early:\n{process.Output}");
            if (File.Exists(path))
            {
                await using var store = new SqliteCrawlStore(new SqliteStoreOptions { Path = path });
                try
                {
                    await store.InitializeAsync();
                    var stats = await store.GetStatsAsync();
                    if (stats.Captures >= atLeast)
                    {
                        return stats.Captures;
                    }
                }
                catch (StoreUnavailableException)
                {
                    // schema not created yet
                }
            }

            await Task.Delay(200);
        }

        Assert.Fail($"fewer than {atLeast} captures after 3 minutes:\n{process.Output}");
        return 0;
    }
}
