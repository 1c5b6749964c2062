using Xunit;
using Crawler.Actors.Coordination;
using Crawler.Node.Hosting;
using Crawler.Simulation;
using Crawler.Simulation.Web;
using Crawler.Storage;
using Crawler.Storage.Sqlite;

namespace Crawler.IntegrationTests;

/// <summary>
/// One complete crawl of a simulated web of 24 sites (over 4,000 reachable URLs), shared by
/// the tests that check its outcome from the store's side and from the servers' side.
/// </summary>
public sealed class SimulatedCrawlFixture : IAsyncLifetime
{
    public const int MaxDepth = 40;

    public SimulatedWeb Web { get; private set; } = null!;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "crawler-it-" + Guid.NewGuid().ToString("N"));

    public ICrawlStore Store { get; private set; } = null!;

    public IReadOnlyList<CaptureRecord> Captures { get; private set; } = [];

    internal CoordinatorProtocol.EpochCompleted Completed { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Web = await SimulatedWeb.StartAsync(new SimulationOptions { Seed = 7, SiteCount = 24, PagesPerSite = 60 });
        var settings = SimulatedWebSettings.For(Web, DataDirectory);
        settings.Add(new("Crawler:Crawl:Traps:MaxDepth", MaxDepth.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Completed = await InProcessNode.RunUntilEpochCompleteAsync(settings, TimeSpan.FromMinutes(6));
        Store = new SqliteCrawlStore(new SqliteStoreOptions { Path = Path.Combine(DataDirectory, "crawler.db") });
        await Store.InitializeAsync();
        var captures = new List<CaptureRecord>();
        await foreach (var capture in Store.GetCapturesAsync(new CaptureQuery()))
        {
            captures.Add(capture);
        }

        Captures = captures;
    }

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        await Web.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
