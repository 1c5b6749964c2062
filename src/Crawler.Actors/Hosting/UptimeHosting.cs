using Akka.Actor;
using Akka.Hosting;
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
            var prober = services.GetRequiredService<SiteProber>();
            var runner = Runner(prober, services.GetService<NameServerProber>());
            var writer = system.ActorOf(Props.Create(() => new UptimeWriter(store, TimeSpan.FromSeconds(1), loggers.CreateLogger("Crawler.Uptime.Writer"))), "uptime-writer");
            var context = new ProbeContext(runner, store, metrics, options, clock, loggers.CreateLogger("Crawler.Uptime")) { Writer = writer };
            var region = system.ActorOf(Props.Create(() => new LocalSiteRegion(host => Props.Create(() => new ProbeActor(host, context)))), "probes");
            registry.Register<ProbeRegionKey>(region);

            var country = system.ActorOf(Props.Create(() => new CountryMonitor(store, metrics, options, clock, loggers.CreateLogger("Crawler.Uptime.Country"))), "country-monitor");
            registry.Register<CountryMonitorKey>(country);
            system.ActorOf(Props.Create(() => new UptimeReporter(store, metrics, options, clock, loggers.CreateLogger("Crawler.Uptime.Report"))), "uptime-reporter");
            if (services.GetService<WebhookNotifier>() is { Enabled: true } notifier)
            {
                system.ActorOf(Props.Create(() => new WebhookSender(notifier, loggers.CreateLogger("Crawler.Uptime.Webhook"))), "webhook-sender");
            }

            var watches = Targets(services.GetRequiredService<CrawlSeeds>().Urls, options);
            foreach (var watch in watches)
            {
                region.Tell(watch);
            }

            // Sites the crawl gains later (discovery, earlier runs' added seeds) are probed too.
            var crawlStore = services.GetService<ICrawlStore>();
            system.ActorOf(
                Props.Create(() => new ProbeTargets(region, crawlStore, watches.Select(w => w.Host), options, loggers.CreateLogger("Crawler.Uptime.Targets"))),
                "probe-targets");
        });
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
