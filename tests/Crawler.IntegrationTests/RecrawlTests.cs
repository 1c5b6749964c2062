using Akka.Actor;
using Akka.Hosting;
using Crawler.Actors.Coordination;
using Crawler.Actors.Hosting;
using Crawler.Archive;
using Crawler.Node.Hosting;
using Crawler.Simulation;
using Crawler.Simulation.Web;
using Crawler.Storage;
using Crawler.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Crawler.IntegrationTests;

/// <summary>A continuous crawl: the coordinator starts the next epoch itself and asks conditionally.</summary>
public sealed class RecrawlTests() : SimulatedWebTest(new SimulationOptions { Seed = 5, SiteCount = 8, PagesPerSite = 20 })
{
    [Fact]
    public async Task The_next_epoch_asks_conditionally_and_archives_unchanged_pages_as_not_modified()
    {
        var settings = SimulatedWebSettings.For(Web, Data);
        settings.Add(new("Crawler:Crawl:RecrawlInterval", "00:00:02"));

        // Every page is due again after a millisecond: the next epoch asks for all of them (AdaptiveRecrawlTests
        // shows which pages a real schedule leaves out).
        foreach (var pageClass in new[] { "FrontPage", "Listing", "Article" })
        {
            foreach (var bound in new[] { "Min", "Initial", "Max" })
            {
                settings.Add(new($"Crawler:Crawl:Recrawl:{pageClass}:{bound}", "00:00:00.001"));
            }
        }
        using (var host = NodeHost.BuildRunHost(NodeHost.BuildConfiguration(settings), logging => logging.AddFilter(level => level >= LogLevel.Warning).AddSimpleConsole()))
        {
            await host.StartAsync();
            var coordinator = host.Services.GetRequiredService<ActorRegistry>().Get<CoordinatorKey>();
            await WaitForComplete(coordinator, 1);
            Web.SetEpoch(1); // some pages change before the recrawl
            await WaitForComplete(coordinator, 2);
            await host.StopAsync();
        }

        await using var store = new SqliteCrawlStore(new SqliteStoreOptions { Path = Path.Combine(Data, "crawler.db") });
        await store.InitializeAsync();
        var second = new Dictionary<string, CaptureRecord>(StringComparer.Ordinal);
        await foreach (var capture in store.GetCapturesAsync(new CaptureQuery { Epoch = 2 }))
        {
            second[capture.Url] = capture;
        }

        var manifest = Web.ManifestFor(1);
        // robots.txt is always fetched whole: its rules are read from the body.
        var unchanged = manifest.Entries.Where(e => e.Outcome == EntryOutcome.Normal && !e.EpochDependent && e.Sha256Hex is not null && !e.Url.EndsWith("/robots.txt", StringComparison.Ordinal)).ToList();
        var changed = manifest.Entries.Where(e => e.Outcome == EntryOutcome.Normal && e.EpochDependent && e.Sha256Hex is not null).ToList();
        Assert.NotEmpty(unchanged);
        Assert.NotEmpty(changed);
        Assert.All(manifest.Entries, e => Assert.True(second.ContainsKey(e.Url), $"{e.Url} not recrawled"));
        Assert.All(unchanged, e =>
        {
            var capture = second[e.Url];
            Assert.True(capture.Status == 304, $"{e.Url}: {capture.Status} instead of 304 Not Modified");
            Assert.Equal("sha256:" + e.Sha256Hex, capture.PayloadDigest);
        });
        Assert.All(changed, e =>
        {
            var capture = second[e.Url];
            Assert.Equal(200, capture.Status);
            Assert.Equal("sha256:" + e.Sha256Hex, capture.PayloadDigest);
        });

        var conditional = Web.Log.Requests.Count(r => r.Status == 304);
        Assert.True(conditional >= unchanged.Count, $"{conditional} conditional answers for {unchanged.Count} unchanged pages");

        var export = await WarcExporter.ExportAsync(store, new WarcExportOptions { OutputDirectory = Path.Combine(Data, "warc") });
        Assert.True(export.Revisits >= unchanged.Count, $"{export.Revisits} revisit records");
    }

    /// <summary>
    /// Polls until <paramref name="epoch"/> is complete. The next epoch starts RecrawlInterval (2 s) after it completed,
    /// so a poll that comes later than that sees the next epoch instead: that fails at once, saying so, rather than
    /// after the 4 minutes as if the epoch never completed; a real time-out names every site's last report.
    /// </summary>
    private static async Task WaitForComplete(IActorRef coordinator, int epoch)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var longestGap = TimeSpan.Zero;
        var answeredAt = DateTime.UtcNow;
        while (true)
        {
            var status = await coordinator.Ask<CoordinatorProtocol.CrawlStatus>(new CoordinatorProtocol.GetStatus(), TimeSpan.FromSeconds(10));
            var now = DateTime.UtcNow;
            longestGap = now - answeredAt > longestGap ? now - answeredAt : longestGap;
            answeredAt = now;
            if (status.Epoch == epoch && status.EpochComplete)
            {
                return;
            }

            Assert.False(
                status.Epoch > epoch,
                $"Epoch {epoch} completed between two polls and epoch {status.Epoch} started (longest gap between polls: {longestGap.TotalMilliseconds:F0} ms).");
            try
            {
                await Task.Delay(50, timeout.Token);
            }
            catch (TaskCanceledException)
            {
                Assert.Fail($"Epoch {epoch} not complete after 4 minutes (epoch {status.Epoch}, complete {status.EpochComplete}):\n" + Describe(status));
            }
        }
    }

    private static string Describe(CoordinatorProtocol.CrawlStatus status) => string.Join(
        "\n",
        status.Sites.Select(s => $"  {s.Host}: epoch {s.Epoch} {s.Phase}, pending {s.Pending}, waiting {s.Waiting}, in flight {s.InFlight}, "
            + $"fetched {s.Fetched}, errors {s.Errors}, address {s.IpAddress}, last fetch {s.LastFetchAt:O}, last error {s.LastError}"));
}
