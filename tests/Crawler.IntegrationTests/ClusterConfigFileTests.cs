using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.SBR;
using Akka.DistributedData;
using Crawler.Actors.Serialization;
using Crawler.Node.Hosting;
using Crawler.Simulation;
using Crawler.Simulation.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit;

namespace Crawler.IntegrationTests;

/// <summary>A simulated web of one small site, shared by the tests of one class (the nodes crawl it, or nothing).</summary>
public sealed class OneSiteWeb : IAsyncLifetime
{
    public SimulatedWeb Web { get; private set; } = null!;

    public async Task InitializeAsync() => Web = await SimulatedWeb.StartAsync(new SimulationOptions { Seed = 5, SiteCount = 1, PagesPerSite = 2 });

    public async Task DisposeAsync() => await Web.DisposeAsync();
}

/// <summary>
/// Every file of cluster-config/ is loaded by a node started with it (the code path of <c>crawler run</c>): the node
/// comes Up as a cluster of its own and a value only that file sets is in effect; a wrong file name or seed node
/// stops the node with a configuration error naming the setting.
/// </summary>
public sealed class ClusterConfigFileTests(OneSiteWeb fixture) : IClassFixture<OneSiteWeb>
{
    /// <summary>The files these tests load; a file added to cluster-config/ fails <see cref="Every_file_of_cluster_config_is_tested"/> until it has a test here.</summary>
    private static readonly string[] Tested = ["node.hocon", "cluster.hocon", "local-three-node.hocon", "kubernetes.hocon"];

    [Fact]
    public void Every_file_of_cluster_config_is_tested()
    {
        var files = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "cluster-config"), "*.hocon").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(Tested.Order(StringComparer.Ordinal), files);

        // The node loads them from beside its executable: the build copies every one.
        Assert.All(Tested, f => Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "cluster-config", f)), $"{f} is not copied beside the node"));
    }

    [Fact]
    public async Task Node_and_cluster_hocon_make_every_node_a_cluster_member_with_the_crawler_serializer_and_keep_majority()
    {
        await using var node = await Node.StartAsync(fixture.Web, [new("Crawler:Cluster:Port", "0")]);
        var config = node.System.Settings.Config;

        // node.hocon
        Assert.Equal(TimeSpan.FromSeconds(30), config.GetTimeSpan("akka.actor.ask-timeout"));
        Assert.Equal(TimeSpan.FromSeconds(35), config.GetTimeSpan("akka.coordinated-shutdown.phases.before-service-unbind.timeout"));
        Assert.False(config.GetBoolean("akka.coordinated-shutdown.exit-clr"));

        // cluster.hocon: the provider, the serializer, the split-brain resolver, the role.
        Assert.Equal("cluster", config.GetString("akka.actor.provider"));
        Assert.IsType<ClusterActorRefProvider>(((ExtendedActorSystem)node.System).Provider);
        Assert.Equal("crawler", config.GetString("akka.actor.serialization-bindings.\"Crawler.Actors.Serialization.ICrawlerMessage, Crawler.Actors\""));
        var serializer = node.System.Serialization.FindSerializerForType(typeof(ICrawlerMessage));
        Assert.IsType<CrawlerMessageSerializer>(serializer);
        Assert.Equal(7301, serializer.Identifier);
        Assert.Equal("keep-majority", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal(TimeSpan.FromSeconds(20), config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
        Assert.IsType<SplitBrainResolverProvider>(node.Cluster.DowningProvider);
        Assert.Contains("crawler", node.Cluster.SelfRoles);
        Assert.Equal("ddata", config.GetString("akka.cluster.sharding.state-store-mode"));

        // No seed nodes anywhere: the node joined itself, on the port it was given (0: any free one).
        Assert.Empty(node.Cluster.Settings.SeedNodes);
        Assert.Equal("127.0.0.1", node.Cluster.SelfAddress.Host);
        Assert.True(node.Cluster.SelfAddress.Port > 0);
    }

    [Fact]
    public async Task With_serialize_messages_on_distributed_datas_node_local_read_repair_passes_verification()
    {
        // Akka binds no serializer to ReadRepair (it never leaves its node); the JSON fallback fails on it, and
        // sharding's coordinator, reading its state through it, then stalls (seen in the three-node test).
        await using var node = await Node.StartAsync(fixture.Web, [new("Crawler:Cluster:Port", "0"), new("Crawler:Cluster:SerializeMessages", "true")]);
        // Both are Akka internals: made as the replicator makes them.
        const BindingFlags Any = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance;
        var envelope = Activator.CreateInstance(typeof(Akka.DistributedData.Internal.DataEnvelope), Any, null,
            [new LWWRegister<string>(node.Cluster.SelfUniqueAddress, "shards"), ImmutableDictionary<UniqueAddress, IPruningState>.Empty, VersionVector.Empty], null);
        var readRepair = Type.GetType("Akka.DistributedData.Internal.ReadRepair, Akka.DistributedData", throwOnError: true)!;
        var repair = Activator.CreateInstance(readRepair, Any, null, ["siteCoordinatorState", envelope], null)!;
        Assert.IsType<NodeLocalPassThroughSerializer>(node.System.Serialization.FindSerializerFor(repair));

        var echo = node.System.ActorOf(Props.Create(() => new Echo()));
        Assert.Same(repair, await echo.Ask<object>(repair, TimeSpan.FromSeconds(10)));
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell(m));
    }

    [Fact]
    public async Task Local_three_node_hocon_is_loaded_and_its_seed_nodes_give_way_to_the_nodes_own()
    {
        var port = LoopbackPorts.Free();
        await using var node = await Node.StartAsync(fixture.Web,
        [
            new("Crawler:Cluster:Config", "local-three-node.hocon"),
            new("Crawler:Cluster:Port", port.ToString(CultureInfo.InvariantCulture)),
            new("Crawler:Cluster:SeedNodes:0", ClusterNodes.SeedAddress(port)),
        ]);
        var config = node.System.Settings.Config;
        Assert.Equal(TimeSpan.FromSeconds(5), config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
        Assert.Equal(TimeSpan.FromSeconds(3), config.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause"));

        // cluster.hocon is still under it.
        Assert.Equal("keep-majority", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));

        // The file's seed nodes (4551, 4552) are overridden by the node's.
        Assert.Equal([Address.Parse(ClusterNodes.SeedAddress(port))], node.Cluster.Settings.SeedNodes);
        Assert.Equal(port, node.Cluster.SelfAddress.Port);
    }

    [Fact]
    public async Task Kubernetes_hocon_is_loaded_and_the_nodes_port_and_seed_nodes_override_it()
    {
        var port = LoopbackPorts.Free();
        await using var node = await Node.StartAsync(fixture.Web,
        [
            new("Crawler:Cluster:Config", "kubernetes.hocon"),
            new("Crawler:Cluster:Hostname", "127.0.0.1"),
            new("Crawler:Cluster:Port", port.ToString(CultureInfo.InvariantCulture)),
            new("Crawler:Cluster:SeedNodes:0", ClusterNodes.SeedAddress(port)),
        ]);
        var config = node.System.Settings.Config;
        Assert.Equal(TimeSpan.FromSeconds(10), config.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause"));
        Assert.Equal("kubernetes-api", config.GetString("akka.discovery.method"));
        Assert.Equal(2, config.GetInt("akka.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr"));
        Assert.Equal(TimeSpan.FromSeconds(20), config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));

        // The file's port 4053 and 0.0.0.0 give way to the node's settings; its public hostname (without
        // Crawler:Cluster:PublicHostname, which a pod sets to its IP) is loopback.
        Assert.Equal(port, config.GetInt("akka.remote.dot-netty.tcp.port"));
        Assert.Equal("127.0.0.1", config.GetString("akka.remote.dot-netty.tcp.hostname"));
        Assert.Equal("127.0.0.1", config.GetString("akka.remote.dot-netty.tcp.public-hostname"));
        Assert.Equal(port, node.Cluster.SelfAddress.Port);
        Assert.Equal([Address.Parse(ClusterNodes.SeedAddress(port))], node.Cluster.Settings.SeedNodes);
    }

    [Theory]
    [InlineData("Crawler:Cluster:Config", "no-such-file.hocon")]
    [InlineData("Crawler:Cluster:SeedNodes:0", "akka.tcp://crawler@127.0.0.1")]
    [InlineData("Crawler:Cluster:SeedNodes:0", "127.0.0.1:4551")]
    public async Task A_wrong_cluster_setting_stops_the_node_with_an_error_naming_it(string key, string value)
    {
        var data = Path.Combine(Path.GetTempPath(), "crawler-cfgfile-" + Guid.NewGuid().ToString("N"));
        var settings = SimulatedWebSettings.For(fixture.Web, data);
        settings.Add(new(key, value));
        using var host = NodeHost.BuildRunHost(NodeHost.BuildConfiguration(settings), Quiet);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        var failure = Assert.Single(error.Failures);
        Assert.Contains($"{key} = '{value}'", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Crawler_run_with_a_missing_cluster_config_file_exits_with_a_configuration_error()
    {
        var data = Path.Combine(Path.GetTempPath(), "crawler-cfgfile-" + Guid.NewGuid().ToString("N"));
        var environment = SimulatedWebSettings.AsEnvironment(SimulatedWebSettings.For(fixture.Web, data));
        environment["Crawler__Cluster__Config"] = "local-three-nodes.hocon";
        using var crawler = CrawlerProcess.Start(environment, "run", "--no-live");
        Assert.Equal(2, await crawler.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        Assert.Contains("Configuration error", crawler.Output, StringComparison.Ordinal);
        Assert.Contains("Crawler:Cluster:Config = 'local-three-nodes.hocon'", crawler.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", crawler.Output, StringComparison.Ordinal);
    }

    private static void Quiet(ILoggingBuilder logging) => logging.AddFilter(level => level >= LogLevel.Warning).AddSimpleConsole();

    /// <summary>One node started on the one-site web, Up (bounded wait) before the test looks at it.</summary>
    private sealed class Node : IAsyncDisposable
    {
        private readonly IHost _host;
        private readonly string _data;

        private Node(IHost host, string data)
        {
            _host = host;
            _data = data;
        }

        public ActorSystem System => _host.Services.GetRequiredService<ActorSystem>();

        public Cluster Cluster => Cluster.Get(System);

        public static async Task<Node> StartAsync(SimulatedWeb web, IEnumerable<KeyValuePair<string, string?>> settings)
        {
            var data = Path.Combine(Path.GetTempPath(), "crawler-cfgfile-" + Guid.NewGuid().ToString("N"));
            var all = SimulatedWebSettings.For(web, data);
            all.AddRange(settings);
            var host = NodeHost.BuildRunHost(NodeHost.BuildConfiguration(all), Quiet);
            var node = new Node(host, data);
            try
            {
                await host.StartAsync();
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
                while (node.Cluster.SelfMember.Status != MemberStatus.Up)
                {
                    Assert.True(DateTime.UtcNow < deadline, $"the node is {node.Cluster.SelfMember.Status}, not Up, 30 s after it started");
                    await Task.Delay(50);
                }
            }
            catch
            {
                await node.DisposeAsync();
                throw;
            }

            return node;
        }

        public async ValueTask DisposeAsync()
        {
            await _host.StopAsync();
            _host.Dispose();
            try
            {
                Directory.Delete(_data, recursive: true);
            }
            catch (IOException)
            {
                // gone already, or still in use
            }
        }
    }
}
