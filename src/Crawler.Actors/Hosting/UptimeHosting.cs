using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Crawler.Actors.Serialization;
using Crawler.Net;
using Crawler.Actors.Sites;
using Crawler.Actors.Uptime;
using Crawler.Core.Urls;
using Crawler.Net.Notifications;
using Crawler.Net.Probing;
using Crawler.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crawler.Actors.Hosting;

public static class UptimeHosting
{
    /// <summary>
    /// Starts the uptime monitor of one node: a probe actor per site (routed by host through the same
    /// extractor as the site actors, so the cluster shards both alike), the country-wide rollup, the
    /// uptime reporter and, when a URL is configured, the webhook sender. The seeds and name servers are watched
    /// at start; sites the crawl gains later (discovery) are added by <see cref="ProbeTargets"/>. Needs
    /// IOptions&lt;UptimeOptions&gt;, IUptimeStore, UptimeMetrics, SiteProber, CrawlSeeds and TimeProvider;
    /// ICrawlStore and WebhookNotifier are optional.
    /// </summary>
    public static AkkaConfigurationBuilder WithUptimeActors(this AkkaConfigurationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // The region exists on every node (an empty one when uptime is off: no target is ever watched).
        builder.WithShardRegion<ProbeRegionKey>(
            "probe",
            (system, registry, resolver) =>
            {
                var context = new Lazy<ProbeContext>(() => ProbeContextFor(system, resolver.GetService<IServiceProvider>(), registry));
                return host => Props.Create(() => new ProbeActor(host, context.Value));
            },
            new SiteMessageExtractor(),
            CrawlerActorsHosting.Shards());

        return builder.WithActors((system, registry, resolver) =>
        {
            var services = resolver.GetService<IServiceProvider>();
            var options = services.GetRequiredService<IOptions<UptimeOptions>>().Value;
            if (!options.Enabled)
            {
                return;
            }

            var loggers = services.GetRequiredService<ILoggerFactory>();
            var store = services.GetRequiredService<IUptimeStore>();
            var metrics = services.GetRequiredService<UptimeMetrics>();
            var clock = services.GetService<TimeProvider>() ?? TimeProvider.System;
            var region = registry.Get<ProbeRegionKey>();
            var crawlStore = services.GetService<ICrawlStore>();

            // Once per cluster: the country-wide rollup must see every site's probes, each series is exported
            // once, each state change is sent once, and the targets are kept by one actor.
            var country = Singletons.Start(
                system,
                "country-monitor",
                Props.Create(() => new CountryMonitor(store, metrics, options, clock, loggers.CreateLogger("Crawler.Uptime.Country"))));
            registry.Register<CountryMonitorKey>(country);
            Singletons.Start(
                system,
                "uptime-reporter",
                Props.Create(() => new UptimeReporter(store, metrics, options, clock, loggers.CreateLogger("Crawler.Uptime.Report"))));
            if (services.GetService<WebhookNotifier>() is { Enabled: true } notifier)
            {
                Singletons.Start(
                    system,
                    "webhook-sender",
                    Props.Create(() => new WebhookSender(notifier, store, options, crawlStore, clock, loggers.CreateLogger("Crawler.Uptime.Webhook"))));
            }

            // The seeds and name servers at once; sites the crawl gains later (discovery, earlier runs' added seeds) too.
            var watches = Targets(services.GetRequiredService<CrawlSeeds>().Urls, options);
            Singletons.Start(
                system,
                "probe-targets",
                Props.Create(() => new ProbeTargets(region, crawlStore, watches, options, loggers.CreateLogger("Crawler.Uptime.Targets"))));
        });
    }

    private static ProbeContext ProbeContextFor(ActorSystem system, IServiceProvider services, IActorRegistry registry)
    {
        var options = services.GetRequiredService<IOptions<UptimeOptions>>().Value;
        var loggers = services.GetRequiredService<ILoggerFactory>();
        var store = services.GetRequiredService<IUptimeStore>();
        var clock = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var runner = Runner(services.GetRequiredService<SiteProber>(), services.GetService<NameServerProber>());
        var writer = system.ActorOf(Props.Create(() => new UptimeWriter(store, TimeSpan.FromSeconds(1), loggers.CreateLogger("Crawler.Uptime.Writer"))), "uptime-writer");
        var hosts = services.GetRequiredService<IHostResolver>();
        var guard = services.GetRequiredService<AddressGuard>();
        return new ProbeContext(runner, store, services.GetRequiredService<UptimeMetrics>(), options, clock, loggers.CreateLogger("Crawler.Uptime"))
        {
            Writer = writer,
            Gate = registry.Get<AddressGateKey>(),
            PickAddress = (host, ct) => PickAddress(hosts, guard, host, ct),
            Leaving = CrawlerActorsHosting.Leaving(system),
            Publish = CrawlerEvents.Publish,
        };
    }

    /// <summary>The address a probe connects to, as the site actors pick theirs: the first admitted IPv4 address, else the first admitted.</summary>
    private static async Task<string?> PickAddress(IHostResolver resolver, AddressGuard guard, string host, CancellationToken ct)
    {
        var answer = await resolver.ResolveAsync(host, ct).ConfigureAwait(false);
        var admitted = answer.Addresses.Where(a => guard.Check(a).Allowed).ToList();
        var pick = admitted.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) ?? admitted.FirstOrDefault();
        return pick?.ToString();
    }

    /// <summary>Runs site targets with <paramref name="sites"/> and <c>dns://</c> targets with <paramref name="nameServers"/>.</summary>
    public static ProbeRunner Runner(SiteProber sites, NameServerProber? nameServers)
    {
        ArgumentNullException.ThrowIfNull(sites);
        return (target, at, ct) => target.Url.Scheme == NameServerScheme && nameServers is not null
            ? nameServers.ProbeAsync(
                new NameServerTarget(target.Site, target.Url.Host, target.Url.AbsolutePath.Trim('/')) { Port = target.Url.IsDefaultPort ? 53 : target.Url.Port },
                at,
                ct)
            : sites.ProbeAsync(target, at, ct);
    }

    /// <summary>Targets with this scheme (<c>dns://ns1.kptc.kp:53/kp</c>) are name servers asked for the zone's SOA.</summary>
    public const string NameServerScheme = "dns";

    /// <summary>One probe per seed site (its seed URL), with the per-site overrides of the options, and one per name server.</summary>
    public static IReadOnlyList<ProbeProtocol.Watch> Targets(IEnumerable<string> seeds, UptimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(options);
        var overrides = options.Sites.ToDictionary(s => s.Site.Trim().TrimEnd('.').ToLowerInvariant(), StringComparer.Ordinal);
        var watches = new Dictionary<string, ProbeProtocol.Watch>(StringComparer.Ordinal);
        foreach (var seed in seeds)
        {
            if (UrlCanonicalizer.Canonicalize(seed) is not { } url || !UrlCanonicalizer.TryGetHost(url, out var host) || watches.ContainsKey(host))
            {
                continue;
            }

            overrides.TryGetValue(host, out var site);
            var target = new ProbeTarget(host, new Uri(site?.Url ?? url))
            {
                Keyword = site?.Keyword,
                Regex = site?.Regex,
                DegradedAfter = options.DegradedAfter,
                Timeout = options.Timeout,
            };
            watches[host] = new ProbeProtocol.Watch(host, target, site?.Interval ?? options.Interval);
        }

        foreach (var server in options.NameServers.Select(n => n.Trim().TrimEnd('.').ToLowerInvariant()).Where(n => n.Length > 0).Distinct(StringComparer.Ordinal))
        {
            var site = NameServerScheme + ":" + server;
            var url = new UriBuilder(NameServerScheme, server, options.NameServerPort, options.NameServerZone).Uri;
            watches[site] = new ProbeProtocol.Watch(site, new ProbeTarget(site, url) { Timeout = options.Timeout }, options.Interval);
        }

        return [.. watches.Values];
    }
}
