using System.Globalization;
using Akka.Hosting;
using Crawler.Actors.Coordination;
using Crawler.Actors.Hosting;
using Crawler.Node.Hosting;
using Crawler.Simulation;
using Crawler.Simulation.Web;
using Crawler.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Crawler.IntegrationTests;

/// <summary>
/// Two epochs of a small plain simulated web crawled by the node's own host (the code path of <c>crawler run</c>, with its
/// HTTP endpoint) on a controlled clock, every page due again in the second: between them the simulation deletes
/// articles 3 and 6 of each site and edits articles 2, 4, 6 and 8. The host keeps running for the tests to query.
/// </summary>
[CollectionDefinition(Name)]
public sealed class TwoEpochCollection : ICollectionFixture<TwoEpochArchive>
{
    public const string Name = "two crawled epochs of a simulated web, read only";
}

public sealed class TwoEpochArchive : IAsyncLifetime
{
    public static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private static readonly SimulationOptions Sites = new()
    {
        Seed = 13,
        SiteCount = 2,
        PagesPerSite = 8,
        ArticlesPerListPage = 4,
        PlainSites = true,
        ArticleChangeEvery = [0, 1],
        ArticleRemovedFromEpoch = new Dictionary<int, int> { [3] = 2, [6] = 2 },
        Epoch = 1,
    };

    private IHost _host = null!;

    public SimulatedWeb Web { get; private set; } = null!;

    public string Data { get; } = Path.Combine(Path.GetTempPath(), "crawler-two-epochs-" + Guid.NewGuid().ToString("N"));

    public HttpClient Http { get; } = new();

    public async Task InitializeAsync()
    {
        Web = await SimulatedWeb.StartAsync(Sites);
        var clock = new ControlledClock(DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        var settings = SimulatedWebSettings.For(Web, Data);
        settings.Add(new("Crawler:Http:Urls", "http://127.0.0.1:0"));
        settings.Add(new("Crawler:Crawl:RecrawlInterval", "01:00:00"));
        settings.Add(new("Crawler:Crawl:CheckInterval", "00:00:00.050"));
        foreach (var name in new[] { "FrontPage", "Listing", "Article" })
        {
            settings.Add(new($"Crawler:Crawl:Recrawl:{name}:Min", Hour.ToString("c", CultureInfo.InvariantCulture)));
            settings.Add(new($"Crawler:Crawl:Recrawl:{name}:Initial", Hour.ToString("c", CultureInfo.InvariantCulture)));
            settings.Add(new($"Crawler:Crawl:Recrawl:{name}:Max", Hour.ToString("c", CultureInfo.InvariantCulture)));
        }

        _host = NodeHost.BuildRunHost(
            NodeHost.BuildConfiguration(settings),
            logging => logging.AddFilter(level => level >= LogLevel.Warning).AddSimpleConsole(),
            services => services.AddSingleton<TimeProvider>(clock));
        await _host.StartAsync();
        var coordinator = _host.Services.GetRequiredService<ActorRegistry>().Get<CoordinatorKey>();
        await AdaptiveRecrawlTests.Completed(coordinator, 1);

        // Captures are dated by the wall clock, replay and diff timestamps to the second: the second epoch starts in a
        // later second, so that each URL's two captures have two timestamps (a setup pause, nothing is timed by it).
        await Task.Delay(TimeSpan.FromMilliseconds(1100));
        Web.SetEpoch(2);
        clock.Jump(Hour);
        await AdaptiveRecrawlTests.Completed(coordinator, 2);

        // The coordinator records the completion in the store (the next epoch's due time) just after; the removal feed
        // reads it from there (a page no longer linked counts once its round's epoch is over).
        var store = _host.Services.GetRequiredService<ICrawlStore>();
        var recorded = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await EpochRecords.IsCompleteAsync(store, 2))
        {
            Assert.True(DateTime.UtcNow < recorded, "epoch 2's completion not recorded in the store after 30 s");
            await Task.Delay(20);
        }

        // The search index catches up from the store every 30 s: once now, so both epochs are searchable.
        await _host.Services.GetRequiredService<Crawler.Node.Hosting.SearchIndexer>().CatchUpAsync();
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
