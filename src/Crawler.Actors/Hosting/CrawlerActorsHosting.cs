using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Cluster.Tools.Singleton;
using Akka.DistributedData;
using Akka.Hosting;
using Crawler.Actors.Archive;
using Crawler.Actors.Coordination;
using Crawler.Actors.Discovery;
using Crawler.Actors.Dns;
using Crawler.Net.Discovery;
using Crawler.Net.Dns;
using Crawler.Actors.Politeness;
using Crawler.Actors.Sites;
using Crawler.Core.Policies;
using Crawler.Net;
using Crawler.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crawler.Actors.Hosting;

/// <summary>The seed URLs of the crawl (resolved by the node from its configuration).</summary>
public sealed record CrawlSeeds(IReadOnlyList<string> Urls);

public static class CrawlerActorsHosting
{
    /// <summary>
    /// The role every crawler node has (cluster.hocon). Regions and singletons name it so that sharding's minimum of
    /// members is the role's (1), not akka.cluster.min-nr-of-members: that one only holds the first start until
    /// enough nodes joined; were sharding to use it, a cluster that lost a node would stop placing shards.
    /// </summary>
    public const string Role = "crawler";

    /// <summary>Settings of the shard regions: entities rebuild from the store, so nothing is remembered by the cluster.</summary>
    internal static ShardOptions Shards(object? handOffStop = null) => new()
    {
        Role = Role,
        StateStoreMode = StateStoreMode.DData,
        RememberEntities = false,
        HandOffStopMessage = handOffStop ?? PoisonPill.Instance,
    };

    /// <summary>
    /// Starts the crawl actors: on every node the archive writer and the DNS resolver (node-local), the
    /// address gate and the site region (sharded by address and by host), and, once per cluster, the
    /// coordinator and discovery (singletons; each node gets a proxy in the registry). Needs ICrawlStore,
    /// IHostResolver, HttpFetcher, CrawlSeeds, TimeProvider and IOptions&lt;CrawlOptions&gt; in the service provider.
    /// </summary>
    /// <summary>
    /// The address gates (one per IP address, sharded): what the sites' fetches and the uptime probes ask before they
    /// connect, so that one address gets one request at a time cluster-wide. Part of <see cref="WithCrawlerActors"/>;
    /// alone for a host that only probes (the uptime bench).
    /// </summary>
    public static AkkaConfigurationBuilder WithAddressGates(this AkkaConfigurationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithShardRegion<AddressGateKey>(
            "address-gate",
            (system, registry, resolver) =>
            {
                var services = resolver.GetService<IServiceProvider>();
                var clock = services.GetService<TimeProvider>() ?? TimeProvider.System;
                var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Crawler.AddressGate");
                // A gate that starts while other nodes are up (it moved) waits for the holders' renewals before it grants.
                // (Not IOptions<T>.Value: the options system makes a default instance for any type, so a fallback after it never ran.)
                var gateOptions = new AddressGateOptions();
                return _ => Props.Create(() => new AddressGate(gateOptions, clock, logger));
            },
            new AddressGateMessageExtractor(),
            Shards());
    }

    public static AkkaConfigurationBuilder WithCrawlerActors(this AkkaConfigurationBuilder builder, long maxDecompressedBytes)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // The cluster tools' defaults (their serializers above all) from the start, on every node: a message of
        // Pub-Sub, a singleton or distributed data must be readable before its extension is first used here.
        builder.AddHocon(DistributedPubSub.DefaultConfig(), HoconAddMode.Append);
        builder.AddHocon(ClusterSingleton.DefaultConfig(), HoconAddMode.Append);
        builder.AddHocon(ClusterSharding.DefaultConfig(), HoconAddMode.Append);
        builder.AddHocon(DistributedData.DefaultConfig(), HoconAddMode.Append);
        builder.WithActors((system, registry, resolver) =>
        {
            var services = resolver.GetService<IServiceProvider>();
            var loggers = services.GetRequiredService<ILoggerFactory>();
            var options = services.GetRequiredService<IOptions<CrawlOptions>>().Value;
            var store = services.GetRequiredService<ICrawlStore>();
            var clock = services.GetService<TimeProvider>() ?? TimeProvider.System;

            var writer = system.ActorOf(
                Props.Create(() => new ArchiveWriter(store, new ArchiveWriterOptions(), loggers.CreateLogger("Crawler.ArchiveWriter"))),
                "archive-writer");
            registry.Register<ArchiveWriterKey>(writer);

            // One resolver per node: what the sites connect to is what it records (when a DNS store is present).
            var dnsResolver = system.ActorOf(
                Props.Create(() => new DnsResolver(
                    services.GetRequiredService<IHostResolver>(),
                    services.GetService<DnsObserver>(),
                    services.GetService<IDnsStore>(),
                    clock,
                    options.MinDnsRecordInterval,
                    loggers.CreateLogger("Crawler.Dns"))),
                "dns-resolver");
            registry.Register<DnsResolverKey>(dnsResolver);
        });

        builder.WithAddressGates();

        builder.WithShardRegion<SiteRegionKey>(
            "site",
            (system, registry, resolver) =>
            {
                // Built at the first entity, when the coordinator's proxy is registered too.
                var context = new Lazy<SiteContext>(() => SiteContextFor(resolver.GetService<IServiceProvider>(), registry, maxDecompressedBytes) with
                {
                    Leaving = Leaving(system),
                });
                return host => Props.Create(() => new SiteActor(host, context.Value));
            },
            new SiteMessageExtractor(),
            Shards(SiteProtocol.Stop.Instance));

        builder.WithSingleton<CoordinatorKey>(
            "coordinator",
            (system, registry, resolver) =>
            {
                var services = resolver.GetService<IServiceProvider>();
                var options = services.GetRequiredService<IOptions<CrawlOptions>>().Value;
                var store = services.GetRequiredService<ICrawlStore>();
                var clock = services.GetService<TimeProvider>() ?? TimeProvider.System;
                var seeds = services.GetRequiredService<CrawlSeeds>();
                var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Crawler.Coordinator");
                var region = registry.Get<SiteRegionKey>();
                return Props.Create(() => new CrawlCoordinator(store, region, seeds.Urls, options, clock, logger));
            },
            new ClusterSingletonOptions { Role = Role, LogSingletonIdentificationFailure = false },
            createProxyToo: true);

        builder.WithActors((system, registry, resolver) =>
        {
            var services = resolver.GetService<IServiceProvider>();
            var discovery = services.GetService<IOptions<DiscoveryOptions>>()?.Value;
            if (discovery is not { Enabled: true } || services.GetService<IDnsStore>() is not { } discoveryStore)
            {
                return;
            }

            // The first zone is asked of the resolver's own servers (configured, else the system's).
            var transfers = services.GetService<IOptions<ZoneTransferOptions>>()?.Value ?? new ZoneTransferOptions();
            if (transfers.Servers.Count == 0 && services.GetRequiredService<IHostResolver>() is DnsClientResolver dnsClient)
            {
                transfers = transfers with { Servers = [.. dnsClient.NameServers.Select(e => e.ToString())] };
            }

            var options = services.GetRequiredService<IOptions<CrawlOptions>>().Value;
            var scope = new CrawlScope(options.ScopeDomains, options.ScopeAddressRanges);
            var clock = services.GetService<TimeProvider>() ?? TimeProvider.System;
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Crawler.Discovery");
            var coordinator = registry.Get<CoordinatorKey>();

            // AXFR and PTR traffic to North Korean servers must not multiply with nodes: one runner per cluster.
            var props = Props.Create(() => new DiscoveryRunner(discovery, transfers, discoveryStore, scope, coordinator, clock, logger));
            registry.Register<DiscoveryKey>(Singletons.Start(system, "discovery", props));
        });

        return builder;
    }

    /// <summary>Whether the node's coordinated shutdown has begun (sites and probes then leave the address gates alone).</summary>
    internal static Func<bool> Leaving(ActorSystem system) => () => CoordinatedShutdown.Get(system).ShutdownReason is not null;

    private static SiteContext SiteContextFor(IServiceProvider services, IActorRegistry registry, long maxDecompressedBytes)
    {
        var options = services.GetRequiredService<IOptions<CrawlOptions>>().Value;
        return new SiteContext(
            services.GetRequiredService<ICrawlStore>(),
            services.GetRequiredService<HttpFetcher>(),
            options,
            new CrawlScope(options.ScopeDomains, options.ScopeAddressRanges),
            maxDecompressedBytes,
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            registry.Get<ArchiveWriterKey>(),
            registry.Get<AddressGateKey>(),
            registry.Get<CoordinatorKey>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger("Crawler.Site"))
        {
            Resolver = registry.Get<DnsResolverKey>(),
            Region = registry.Get<SiteRegionKey>(),
        };
    }
}
