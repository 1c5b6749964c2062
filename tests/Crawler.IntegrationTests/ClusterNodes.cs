using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Crawler.Node.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Crawler.IntegrationTests;

/// <summary>Several nodes of one cluster in this process: each the node's own host (the code path of <c>crawler run</c>) with its own actor system, joined over real remoting on loopback.</summary>
internal sealed class ClusterNodes : IAsyncDisposable
{
    private readonly List<IHost> _hosts = [];

    private ClusterNodes(IReadOnlyList<int> ports) => Ports = ports;

    public IReadOnlyList<int> Ports { get; }

    public IReadOnlyList<IHost> Hosts => _hosts;

    public static string SeedAddress(int port) => string.Create(CultureInfo.InvariantCulture, $"akka.tcp://{NodeHost.ActorSystemName}@127.0.0.1:{port}");

    /// <summary>Starts <paramref name="count"/> nodes with the same settings plus their cluster settings (the first is the seed).</summary>
    public static async Task<ClusterNodes> StartAsync(int count, IReadOnlyList<KeyValuePair<string, string?>> settings, string? config = null)
    {
        var ports = LoopbackPorts.Free(count);
        var nodes = new ClusterNodes(ports);
        foreach (var port in ports)
        {
            var own = settings.Concat(
            [
                new("Crawler:Cluster:Port", port.ToString(CultureInfo.InvariantCulture)),
                new("Crawler:Cluster:SeedNodes:0", SeedAddress(ports[0])),
                new("Crawler:Cluster:MinimumMembers", count.ToString(CultureInfo.InvariantCulture)),
                new("Crawler:Cluster:SerializeMessages", "true"),
            ]).ToList();
            if (config is not null)
            {
                own.Add(new("Crawler:Cluster:Config", config));
            }

            var host = NodeHost.BuildRunHost(NodeHost.BuildConfiguration(own), logging => logging.AddFilter(level => level >= LogLevel.Warning).AddSimpleConsole());
            nodes._hosts.Add(host);
            await host.StartAsync();
        }

        return nodes;
    }

    public ActorSystem System(int node) => _hosts[node].Services.GetRequiredService<ActorSystem>();

    public ActorRegistry Registry(int node) => _hosts[node].Services.GetRequiredService<ActorRegistry>();

    /// <summary>Waits (bounded) until every node sees <paramref name="count"/> members up.</summary>
    public async Task WaitForMembersUpAsync(int count, TimeSpan timeout)
    {
        // Each node's own membership events (what is under test), current state first.
        var up = _hosts.Select(_ => new ConcurrentDictionary<Address, byte>()).ToList();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var taps = new List<(ActorSystem System, IActorRef Tap)>();
        for (var i = 0; i < _hosts.Count; i++)
        {
            var (system, members) = (System(i), up[i]);
            var tap = system.ActorOf(Tap.For(m =>
            {
                if (m is ClusterEvent.MemberUp joined)
                {
                    members[joined.Member.Address] = 0;
                }
                else if (m is ClusterEvent.IMemberEvent other)
                {
                    members.TryRemove(other.Member.Address, out _);
                }

                if (up.All(u => u.Count >= count))
                {
                    done.TrySetResult();
                }
            }));
            Cluster.Get(system).Subscribe(tap, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent));
            taps.Add((system, tap));
        }

        try
        {
            await done.Task.WaitAsync(timeout);
        }
        finally
        {
            foreach (var (system, tap) in taps)
            {
                Cluster.Get(system).Unsubscribe(tap);
                system.Stop(tap);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            await host.StopAsync();
            host.Dispose();
        }
    }
}
