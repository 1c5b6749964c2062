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
            await WaitFor(coordinator, s => s.Epoch == 1 && s.EpochComplete);
            Web.SetEpoch(1); // some pages change before the recrawl
            await WaitFor(coordinator, s => s.Epoch == 2 && s.EpochComplete);
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

    private static async Task WaitFor(IActorRef coordinator, Func<CoordinatorProtocol.CrawlStatus, bool> done)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        while (true)
        {
            var status = await coordinator.Ask<CoordinatorProtocol.CrawlStatus>(new CoordinatorProtocol.GetStatus(), TimeSpan.FromSeconds(10));
            if (done(status))
            {
                return;
            }

            await Task.Delay(50, timeout.Token);
        }
    }
}
