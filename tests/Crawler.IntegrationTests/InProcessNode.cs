using Akka.Actor;
using Akka.Hosting;
using Crawler.Actors.Coordination;
using Crawler.Actors.Hosting;
using Crawler.Node.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Crawler.IntegrationTests;

/// <summary>Runs the node's own host (the code path of <c>crawler run</c>) inside the test process.</summary>
internal static class InProcessNode
{
    public static async Task<CoordinatorProtocol.EpochCompleted> RunUntilEpochCompleteAsync(IEnumerable<KeyValuePair<string, string?>> settings, TimeSpan timeout)
    {
        var all = settings.Append(new("Crawler:Crawl:ExitWhenDone", "true")).ToList();
        using var host = NodeHost.BuildRunHost(NodeHost.BuildConfiguration(all), logging => logging.AddFilter(level => level >= LogLevel.Warning).AddSimpleConsole());
        await host.StartAsync();
        try
        {
            var coordinator = host.Services.GetRequiredService<ActorRegistry>().Get<CoordinatorKey>();
            return await coordinator.Ask<CoordinatorProtocol.EpochCompleted>(new CoordinatorProtocol.WatchCompletion(), timeout);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
