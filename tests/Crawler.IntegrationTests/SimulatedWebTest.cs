using Crawler.Simulation;
using Crawler.Simulation.Web;
using Xunit;

namespace Crawler.IntegrationTests;

/// <summary>A test with its own simulated web and its own data folder, both gone afterwards.</summary>
public abstract class SimulatedWebTest(SimulationOptions options) : IAsyncLifetime
{
    protected string Data { get; } = Path.Combine(Path.GetTempPath(), "crawler-it-" + Guid.NewGuid().ToString("N"));

    protected SimulatedWeb Web { get; private set; } = null!;

    public async Task InitializeAsync() => Web = await SimulatedWeb.StartAsync(options);

    public async Task DisposeAsync()
    {
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
