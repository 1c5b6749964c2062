using Akka.Actor;
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
    /// Starts the crawl actors of one node: address gate, archive writer, the site region and the
    /// coordinator. Needs ICrawlStore, IHostResolver, HttpFetcher, CrawlSeeds, TimeProvider and
    /// IOptions&lt;CrawlOptions&gt; in the service provider.
    /// </summary>
    public static AkkaConfigurationBuilder WithCrawlerActors(this AkkaConfigurationBuilder builder, long maxDecompressedBytes)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithActors((system, registry, resolver) =>
        {
            var services = resolver.GetService<IServiceProvider>();
            var loggers = services.GetRequiredService<ILoggerFactory>();
            var options = services.GetRequiredService<IOptions<CrawlOptions>>().Value;
            var store = services.GetRequiredService<ICrawlStore>();
            var clock = services.GetService<TimeProvider>() ?? TimeProvider.System;
            var seeds = services.GetRequiredService<CrawlSeeds>();

            var gate = system.ActorOf(Props.Create(() => new AddressGate()), "address-gate");
            registry.Register<AddressGateKey>(gate);

            var writer = system.ActorOf(
                Props.Create(() => new ArchiveWriter(store, new ArchiveWriterOptions(), loggers.CreateLogger("Crawler.ArchiveWriter"))),
                "archive-writer");
            registry.Register<ArchiveWriterKey>(writer);

            // The coordinator needs the region and the sites need the coordinator: the region is
            // created first with a context that reaches the coordinator through its path.
            var coordinatorPath = system.ActorSelection("/user/coordinator");
            var coordinatorProxy = system.ActorOf(Props.Create(() => new ForwardTo(coordinatorPath)), "coordinator-proxy");
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
            var context = new SiteContext(
                store,
                services.GetRequiredService<HttpFetcher>(),
                options,
                new CrawlScope(options.ScopeDomains, options.ScopeAddressRanges),
                maxDecompressedBytes,
                clock,
                writer,
                gate,
                coordinatorProxy,
                loggers.CreateLogger("Crawler.Site")) { Resolver = dnsResolver };

            var regionProxy = system.ActorOf(Props.Create(() => new ForwardTo(system.ActorSelection("/user/sites"))), "sites-proxy");
            context = context with { Region = regionProxy };
            var siteContext = context;
            var region = system.ActorOf(Props.Create(() => new LocalSiteRegion(host => Props.Create(() => new SiteActor(host, siteContext)))), "sites");
            registry.Register<SiteRegionKey>(region);

            var coordinator = system.ActorOf(
                Props.Create(() => new CrawlCoordinator(store, region, seeds.Urls, options, clock, loggers.CreateLogger("Crawler.Coordinator"))),
                "coordinator");
            registry.Register<CoordinatorKey>(coordinator);

            var discovery = services.GetService<IOptions<DiscoveryOptions>>()?.Value;
            if (discovery is { Enabled: true } && services.GetService<IDnsStore>() is { } discoveryStore)
            {
                // The first zone is asked of the resolver's own servers (configured, else the system's).
                var transfers = services.GetService<IOptions<ZoneTransferOptions>>()?.Value ?? new ZoneTransferOptions();
                if (transfers.Servers.Count == 0 && services.GetRequiredService<IHostResolver>() is DnsClientResolver dnsClient)
                {
                    transfers = transfers with { Servers = [.. dnsClient.NameServers.Select(e => e.ToString())] };
                }

                var scope = context.Scope;
                var runner = system.ActorOf(
                    Props.Create(() => new DiscoveryRunner(discovery, transfers, discoveryStore, scope, coordinator, clock, loggers.CreateLogger("Crawler.Discovery"))),
                    "discovery");
                registry.Register<DiscoveryKey>(runner);
            }
        });
    }

    /// <summary>Forwards everything to a path: breaks the creation cycle between region and coordinator.</summary>
    private sealed class ForwardTo : ReceiveActor
    {
        public ForwardTo(ActorSelection target) => ReceiveAny(m => target.Tell(m, Sender));
    }
}
