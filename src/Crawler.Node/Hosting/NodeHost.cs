using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.Discovery.KubernetesApi;
using Akka.Hosting;
using Akka.Management.Cluster.Bootstrap;
using Crawler.Actors;
using Crawler.Actors.Archive;
using Crawler.Actors.Discovery;
using Crawler.Actors.Hosting;
using Crawler.Actors.Uptime;
using Crawler.Core.Uptime;
using Crawler.Net;
using Crawler.Net.Discovery;
using Crawler.Net.Dns;
using Crawler.Net.Notifications;
using Crawler.Net.Probing;
using Crawler.Node.Configuration;
using Crawler.Node.Seeds;
using Crawler.Storage;
using Crawler.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Crawler.Node.Hosting;

/// <summary>Builds the configuration and the generic host of one crawler node.</summary>
public static class NodeHost
{
    /// <summary>The actor system's name: every node of one cluster has it (seed node addresses name it).</summary>
    public const string ActorSystemName = "crawler";

    /// <summary>
    /// appsettings.json beside the executable, then ./crawler.json, then environment variables
    /// (Crawler__Dns__Servers__0=127.0.0.1:5353), then the overrides given (command-line options).
    /// </summary>
    public static IConfiguration BuildConfiguration(IEnumerable<KeyValuePair<string, string?>>? overrides = null) =>
        new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "crawler.json"), optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(LastWins(overrides ?? []))
            .Build();

    /// <summary>When a key is given twice, the later value counts (as on a command line).</summary>
    private static IEnumerable<KeyValuePair<string, string?>> LastWins(IEnumerable<KeyValuePair<string, string?>> pairs)
    {
        var result = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in pairs)
        {
            result[key] = value;
        }

        return result;
    }

    /// <summary>Registers options (validated at start), the store and the network services.</summary>
    public static IServiceCollection AddCrawlerServices(this IServiceCollection services, IConfiguration configuration)
    {
        var root = configuration.GetSection(NodeOptions.Section);
        services.AddSingleton<NodeOptionsValidation>();
        services.AddSingleton<IValidateOptions<NodeOptions>>(sp => sp.GetRequiredService<NodeOptionsValidation>());
        services.AddSingleton<IValidateOptions<CrawlOptions>>(sp => sp.GetRequiredService<NodeOptionsValidation>());
        services.AddSingleton<IValidateOptions<FetcherOptions>>(sp => sp.GetRequiredService<NodeOptionsValidation>());
        services.AddSingleton<IValidateOptions<DnsResolverOptions>>(sp => sp.GetRequiredService<NodeOptionsValidation>());
        services.AddSingleton<IValidateOptions<AddressGuardOptions>>(sp => sp.GetRequiredService<NodeOptionsValidation>());
        services.AddSingleton<IValidateOptions<DiscoveryOptions>>(sp => sp.GetRequiredService<NodeOptionsValidation>());
        services.AddSingleton<IValidateOptions<UptimeOptions>>(sp => sp.GetRequiredService<NodeOptionsValidation>());
        services.AddSingleton<IValidateOptions<WebhookOptions>>(sp => sp.GetRequiredService<NodeOptionsValidation>());
        services.AddOptions<NodeOptions>().Bind(root).ValidateOnStart();
        services.AddOptions<CrawlOptions>().Bind(root.GetSection("Crawl")).ValidateOnStart();
        services.AddOptions<FetcherOptions>().Bind(root.GetSection("Fetcher")).ValidateOnStart();
        services.AddOptions<DnsResolverOptions>().Bind(root.GetSection("Dns")).ValidateOnStart();
        services.AddOptions<AddressGuardOptions>().Bind(root.GetSection("AddressGuard")).ValidateOnStart();
        services.AddOptions<DiscoveryOptions>().Bind(root.GetSection("Discovery")).ValidateOnStart();
        services.AddOptions<UptimeOptions>().Bind(root.GetSection("Uptime")).ValidateOnStart();
        services.AddOptions<WebhookOptions>().Bind(root.GetSection("Uptime:Webhook")).ValidateOnStart();

        // The zone-transfer settings share the Discovery section (UseZoneServers, NameServerPort, ...).
        services.AddOptions<ZoneTransferOptions>().Bind(root.GetSection("Discovery"));

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => ResolveSeeds(sp.GetRequiredService<IOptions<NodeOptions>>().Value));
        services.AddSingleton<IPostConfigureOptions<CrawlOptions>>(sp => new ScopeFromSeeds(configuration));
        services.AddSingleton<ICrawlStore>(sp => OpenStore(sp.GetRequiredService<IOptions<NodeOptions>>().Value));
        services.AddSingleton<IDnsStore>(sp => OpenDnsStore(sp.GetRequiredService<IOptions<NodeOptions>>().Value));
        services.AddSingleton(sp => StoreLocation.From(sp.GetRequiredService<IOptions<NodeOptions>>().Value).OpenSearchIndex());
        services.AddSingleton<SearchIndexer>();
        services.AddSingleton(sp => new DnsObserver(DnsServer(sp.GetRequiredService<IOptions<DnsResolverOptions>>().Value), sp.GetRequiredService<IOptions<DnsResolverOptions>>().Value.Timeout, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IHostResolver>(sp => new DnsClientResolver(sp.GetRequiredService<IOptions<DnsResolverOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new AddressGuard(sp.GetRequiredService<IOptions<AddressGuardOptions>>().Value));
        services.AddSingleton(sp =>
        {
            var fetcher = sp.GetRequiredService<IOptions<FetcherOptions>>().Value;
            return new HttpFetcher(fetcher, sp.GetRequiredService<AddressGuard>());
        });
        services.AddMetrics();
        services.AddSingleton(sp => new UptimeMetrics(sp.GetRequiredService<IMeterFactory>()));
        services.AddSingleton(sp => OpenUptimeStore(sp.GetRequiredService<IOptions<NodeOptions>>().Value, sp.GetRequiredService<IOptions<UptimeOptions>>().Value.Thresholds));
        services.AddSingleton(sp =>
        {
            // Probes go the crawl's way: its resolver, its address guard, its connect-to rules.
            var uptime = sp.GetRequiredService<IOptions<UptimeOptions>>().Value;
            var fetcher = sp.GetRequiredService<IOptions<FetcherOptions>>().Value;
            var probe = new ProbeOptions { Timeout = uptime.Timeout, MaxRedirects = uptime.MaxRedirects, AcceptInvalidCertificates = fetcher.AcceptInvalidCertificates, ConnectTo = [.. fetcher.ConnectTo] };
            return new SiteProber(probe, sp.GetRequiredService<IHostResolver>(), sp.GetRequiredService<AddressGuard>(), TimeProvider.System);
        });
        services.AddSingleton(sp => new NameServerProber(
            sp.GetRequiredService<IOptions<UptimeOptions>>().Value.Timeout,
            sp.GetRequiredService<IHostResolver>(),
            sp.GetRequiredService<AddressGuard>(),
            TimeProvider.System));
        services.AddSingleton(sp => new WebhookNotifier(sp.GetRequiredService<IOptions<WebhookOptions>>().Value, clock: sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>
    /// The host of <c>crawler run</c>: services, store initialisation, the actor system and, when
    /// <c>Crawler:Http:Urls</c> is set, the node's HTTP endpoint (Prometheus metrics on <c>/metrics</c>, the health
    /// checks on <c>/health/live</c> and <c>/health/ready</c>).
    /// </summary>
    /// <param name="services">Replaces registered services after the node's own (a test's clock: a <see cref="TimeProvider"/>).</param>
    public static IHost BuildRunHost(IConfiguration configuration, Action<ILoggingBuilder>? logging = null, Action<IServiceCollection>? services = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var urls = configuration.GetSection(NodeOptions.Section).Get<NodeOptions>()?.Http.Urls ?? string.Empty;
        if (string.IsNullOrWhiteSpace(urls))
        {
            var plain = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Configuration = new ConfigurationManager() });
            ConfigureRunHost(plain, configuration, logging, services);
            return plain.Build();
        }

        var web = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        web.Services.AddRoutingCore();
        web.Services.AddOpenApi();
        web.WebHost.UseKestrelCore().UseUrls(urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        ConfigureRunHost(web, configuration, logging, services);
        web.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(UptimeMetrics.MeterName).AddPrometheusExporter());
        var app = web.Build();
        UseApiAccess(app, configuration.GetSection(NodeOptions.Section).Get<NodeOptions>()?.Http ?? new HttpOptions());
        app.UseOpenTelemetryPrometheusScrapingEndpoint("/metrics");
        app.MapGet("/cluster", async (ActorSystem system, ActorRegistry registry) =>
            Results.Json(await ClusterStatus.GatherAsync(system, registry, TimeSpan.FromSeconds(3)).ConfigureAwait(false), ClusterJson));
        MapArchiveApi(app);
        app.MapPost("/api/seeds", (HttpContext http, ActorRegistry registry, IOptions<CrawlOptions> crawl) =>
            SeedsEndpoint.AddAsync(http, registry, new Core.Policies.CrawlScope(crawl.Value.ScopeDomains, crawl.Value.ScopeAddressRanges)))
            .WithSummary("Add seeds to the crawl (needs Authorization: Bearer <Crawler:Http:WriteToken>)").WithDescription("Body: {\"urls\": [\"http://example.kp/\"]}; URLs outside the crawl scope are refused.");
        if (configuration.GetSection(NodeOptions.Section).Get<NodeOptions>()?.Cluster.Discovery == ClusterDiscovery.Kubernetes)
        {
            app.MapGet(BootstrapEndpoint.Path, (ActorSystem system) => BootstrapEndpoint.Answer(system));
        }

        app.MapGet(HealthEndpoint.LivePath, (ActorSystem system) => HealthEndpoint.Live(system));
        app.MapGet(HealthEndpoint.ReadyPath, (ActorSystem system, ICrawlStore store, ILoggerFactory loggers, CancellationToken ct) => HealthEndpoint.ReadyAsync(system, store, loggers, ct));
        return app;
    }

    /// <summary>
    /// The host of <c>crawler serve</c>: the archive's HTTP API (<c>/cdx</c>) over an existing store, without an actor
    /// system and without crawling, on <paramref name="urls"/> (';'-separated).
    /// </summary>
    public static WebApplication BuildServeHost(StoreLocation store, string urls, Action<ILoggingBuilder>? logging = null, HttpOptions? access = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(urls);
        var web = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        web.Services.AddRoutingCore();
        web.Services.AddOpenApi();
        web.WebHost.UseKestrelCore().UseUrls(urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        web.Services.AddLogging(l => logging?.Invoke(l));
        web.Services.AddSingleton(_ => store.OpenCrawlStore());
        web.Services.AddSingleton(_ => store.OpenDnsStore());
        web.Services.AddSingleton(_ => store.OpenUptimeStore());
        web.Services.AddSingleton(TimeProvider.System);
        web.Services.AddHostedService<CrawlStoreInitializer>();
        web.Services.AddSingleton(_ => store.OpenSearchIndex());
        web.Services.AddSingleton<SearchIndexer>();
        web.Services.AddHostedService<SearchIndexService>();
        var app = web.Build();
        UseApiAccess(app, access ?? new HttpOptions());
        MapArchiveApi(app);
        return app;
    }

    /// <summary>Opens the store (its schema brought up to date) before the first request.</summary>
    private sealed class CrawlStoreInitializer(ICrawlStore store, IDnsStore dns, IUptimeStore uptime) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
            await dns.InitializeAsync(cancellationToken).ConfigureAwait(false);
            await uptime.InitializeAsync(cancellationToken).ConfigureAwait(false);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>How <c>/cluster</c> is written (and <c>crawler cluster</c> reads it).</summary>
    public static readonly System.Text.Json.JsonSerializerOptions ClusterJson = new(System.Text.Json.JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The addresses the node's HTTP endpoint listens on (with the ports really bound), empty without one.</summary>
    public static IReadOnlyList<string> HttpAddresses(IHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.Services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
    }

    private static void ConfigureRunHost(IHostApplicationBuilder builder, IConfiguration configuration, Action<ILoggingBuilder>? logging, Action<IServiceCollection>? services)
    {
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.AddConfiguration(configuration.GetSection("Logging"));
        if (logging is null)
        {
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        }
        else
        {
            logging(builder.Logging);
        }

        builder.Services.AddCrawlerServices(configuration);
        services?.Invoke(builder.Services);
        builder.Services.AddHostedService<StoreInitializer>();
        builder.Services.AddHostedService<SearchIndexService>();
        var maxDecompressed = configuration.GetSection("Crawler:Fetcher").Get<FetcherOptions>()?.MaxDecompressedBytes ?? new FetcherOptions().MaxDecompressedBytes;
        var cluster = configuration.GetSection(NodeOptions.Section).Get<NodeOptions>()?.Cluster ?? new NodeClusterOptions();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = cluster.ShutdownTimeout);
        builder.Services.AddAkka(ActorSystemName, (akka, sp) =>
        {
            if (cluster.Discovery == ClusterDiscovery.Kubernetes)
            {
                // Cluster bootstrap (it starts Akka.Management's HTTP endpoint, where the pods ask each other) with the
                // pods listed by the Kubernetes API. First, so kubernetes.hocon's settings below override the defaults.
                akka.WithClusterBootstrap(new ClusterBootstrapOptions(), autoStart: false);
                akka.WithKubernetesDiscovery();
                akka.AddStartup((system, _) =>
                {
                    // The contact point is this node's HTTP endpoint (BootstrapEndpoint: Akka.Management's own server cannot start here).
                    var self = BootstrapSelf(cluster, configuration);
                    BootstrapEndpoint.StartAsync(system, self).ContinueWith(
                        t => Akka.Event.LoggingExtensions.Error(system.Log, t.Exception, "Cluster bootstrap did not start; this node will not join a cluster: {0}", t.Exception?.GetBaseException().Message),
                        TaskContinuationOptions.OnlyOnFaulted);
                });
            }

            // Later files override earlier ones; the node's own settings override them all.
            foreach (var hocon in ClusterConfig.Files(cluster.Config))
            {
                akka.AddHocon(hocon, HoconAddMode.Prepend);
            }

            akka.AddHocon(ClusterConfig.Overrides(cluster), HoconAddMode.Prepend);
            akka.ConfigureLoggers(l =>
            {
                l.ClearLoggers();
                l.AddLoggerFactory();
            });
            akka.WithActors((system, registry) =>
            {
                // First of all (the regions and singletons wait for membership): with no seed nodes anywhere, this node is a cluster of its own.
                var members = Akka.Cluster.Cluster.Get(system);
                if (members.Settings.SeedNodes.Count == 0 && cluster.Discovery != ClusterDiscovery.Kubernetes)
                {
                    members.Join(members.SelfAddress);
                }
            });
            akka.WithCrawlerActors(maxDecompressed);
            akka.WithUptimeActors();
            akka.AddStartup((system, registry) =>
            {
                var writer = registry.Get<ArchiveWriterKey>();
                CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "flush-archive", async () =>
                {
                    // Everything the sites handed over is written before the system stops.
                    await writer.Ask<ArchiveWriterProtocol.Flushed>(new ArchiveWriterProtocol.Flush(), TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                    return Akka.Done.Instance;
                });
            });
        });
    }

    /// <summary>The archive's read API, the same on <c>crawler run</c> and <c>crawler serve</c>.</summary>
    private static void MapArchiveApi(WebApplication app)
    {
        // Described at /openapi/v1.json (the query parameters in each description: the handlers read them themselves).
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapGet("/cdx", (HttpContext http, ICrawlStore store) => CdxEndpoint.AnswerAsync(http, store))
            .WithSummary("Captures, as pywb's CDX server lists them")
            .WithDescription("url (required), matchType=exact|prefix|host|domain, from, to (1-14 digit timestamps), filter=[!]field:regex, collapse=field[:N], limit (negative: the last N), sort=reverse|closest, closest, output=json|cdxj|text, fl, page, pageSize, showNumPages.");
        app.MapGet("/web/{**rest}", (HttpContext http, ICrawlStore store) => ReplayEndpoint.AnswerAsync(http, store))
            .WithSummary("Replay of the capture closest to a time: /web/{timestamp}{modifier}/{url}")
            .WithDescription("Modifiers: id_ (the bytes as archived), im_, cs_, js_, if_, oe_. Sandboxed: the page can load only from /web/.");
        app.MapGet("/api/changes", (HttpContext http, ICrawlStore store) => DiffEndpoint.ChangesAsync(http, store))
            .WithSummary("A URL's captures and which brought a new version").WithDescription("url (required).");
        app.MapGet("/api/diff", (HttpContext http, ICrawlStore store) => DiffEndpoint.DiffAsync(http, store))
            .WithSummary("The text diff of two captures of a URL").WithDescription("url, from, to (timestamps; the closest captures are compared).");
        app.MapGet("/api/crawllog", (HttpContext http, ICrawlStore store) => CrawlLogEndpoint.AnswerAsync(http, store))
            .WithSummary("URLs the crawl declined or could not archive, with the reason").WithDescription("site, epoch, reason, limit.");
        app.MapGet("/api/search", (HttpContext http, ISearchIndex index, SearchIndexer indexer) => SearchEndpoint.AnswerAsync(http, index, indexer))
            .WithSummary("Full-text search over archived pages").WithDescription("q (required: words, \"phrase\", -excluded, prefix*), site, lang, from, to, limit, offset, format=json|csv.");
        app.MapGet("/api/search.warc", (HttpContext http, ICrawlStore store, ISearchIndex index, SearchIndexer indexer) => SearchEndpoint.WarcAsync(http, store, index, indexer))
            .WithSummary("The captures a search matches, as a WARC.gz").WithDescription("The parameters of /api/search.");
        app.MapGet("/api/wacz", (HttpContext http, ICrawlStore store) => WaczEndpoint.AnswerAsync(http, store))
            .WithSummary("One site's archive as a WACZ 1.1.1 package").WithDescription("site (required), epoch.");
        app.MapGet("/api/events", (HttpContext http, ICrawlStore store) => EventsEndpoint.JsonAsync(http, store))
            .WithSummary("A site's removed, changed and restored pages, newest first").WithDescription("site (required), kind=removed,changed,restored.");
        app.MapGet("/api/events.atom", (HttpContext http, ICrawlStore store) => EventsEndpoint.AtomAsync(http, store))
            .WithSummary("The same events as an Atom feed").WithDescription("site (required), kind.");
        app.MapGet("/api/links", (HttpContext http, ICrawlStore store) => LinksEndpoint.AnswerAsync(http, store))
            .WithSummary("The link graph between sites, per epoch").WithDescription("site, target, epoch, format=json|csv.");
        app.MapGet("/api/dns", (HttpContext http, IDnsStore dns) => SiteHistoryEndpoints.DnsAsync(http, dns))
            .WithSummary("A name's recorded DNS answers, with what changed").WithDescription("name (required).");
        app.MapGet("/api/uptime", (HttpContext http, IUptimeStore uptime, TimeProvider clock) => SiteHistoryEndpoints.UptimeAsync(http, uptime, clock))
            .WithSummary("Sites' state, since when, uptime 24 h / 30 d; with site, its outages").WithDescription("site.");
        Ui.UiEndpoints.Map(app);
    }

    /// <summary>Refuses, before any endpoint runs, what <see cref="ApiAccess"/> does not allow (writes without the token; reads, when closed).</summary>
    private static void UseApiAccess(WebApplication app, HttpOptions options) =>
        app.Use(async (context, next) =>
        {
            if (ApiAccess.Refusal(context.Request, options) is { } refusal)
            {
                await refusal.ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        });

    /// <summary>This node's bootstrap contact point: http://PUBLIC_HOSTNAME:PORT/ with the port of the first Crawler:Http:Urls.</summary>
    private static Uri BootstrapSelf(NodeClusterOptions cluster, IConfiguration configuration)
    {
        var urls = configuration.GetSection(NodeOptions.Section).Get<NodeOptions>()?.Http.Urls ?? string.Empty;
        var first = new Uri(urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0]);
        return new UriBuilder(Uri.UriSchemeHttp, cluster.PublicHostname ?? cluster.Hostname ?? "127.0.0.1", first.Port, "/").Uri;
    }

    public static IUptimeStore OpenUptimeStore(NodeOptions options, UptimeThresholds? thresholds = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return StoreLocation.From(options).OpenUptimeStore(thresholds);
    }

    public static ICrawlStore OpenStore(NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return StoreLocation.From(options).OpenCrawlStore();
    }

    public static IDnsStore OpenDnsStore(NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return StoreLocation.From(options).OpenDnsStore();
    }

    /// <summary>The server DNS is recorded from: the first configured one, else the system's first.</summary>
    private static System.Net.IPEndPoint DnsServer(DnsResolverOptions options)
    {
        if (options.Servers.Count > 0)
        {
            var endpoint = System.Net.IPEndPoint.Parse(options.Servers[0]);
            return endpoint.Port == 0 ? new System.Net.IPEndPoint(endpoint.Address, 53) : endpoint;
        }

        var system = DnsClient.NameServer.ResolveNameServers(skipIPv6SiteLocal: true, fallbackToGooglePublicDns: false).FirstOrDefault();
        return system is not null
            ? new System.Net.IPEndPoint(System.Net.IPAddress.Parse(system.Address), system.Port)
            : throw new InvalidOperationException("No DNS server configured and none found on this system: set Crawler:Dns:Servers:0, e.g. 127.0.0.1:53.");
    }

    public static CrawlSeeds ResolveSeeds(NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var sites = SeedSites(options);
        var urls = sites.Select(s => $"http://{s.Domain}/").Concat(options.Seeds.Urls).Distinct(StringComparer.Ordinal).ToList();
        return new CrawlSeeds(urls);
    }

    private static IReadOnlyList<KnownSite> SeedSites(NodeOptions options)
    {
        if (options.Seeds.File is { Length: > 0 } file)
        {
            return KnownSites.FromFile(file);
        }

        return options.Seeds.Urls.Count > 0 ? [] : KnownSites.BuiltIn();
    }

    /// <summary>Adds the non-.kp seed domains (uriminzokkiri.com, ...) to the crawl scope.</summary>
    private sealed class ScopeFromSeeds(IConfiguration configuration) : IPostConfigureOptions<CrawlOptions>
    {
        public void PostConfigure(string? name, CrawlOptions options)
        {
            var node = configuration.GetSection(NodeOptions.Section).Get<NodeOptions>() ?? new NodeOptions();
            if (!node.Seeds.ScopeIncludesSeedDomains)
            {
                return;
            }

            var extra = SeedSites(node).Where(s => !s.IsKp).Select(s => s.Domain)
                .Concat(node.Seeds.Urls.Select(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) ? uri.Host : null).OfType<string>());
            var merged = options.ScopeDomains.Concat(extra).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (options.ScopeDomains is List<string> list)
            {
                list.Clear();
                list.AddRange(merged);
            }
        }
    }

    /// <summary>Creates the store's schema before the actors start using it.</summary>
    private sealed class StoreInitializer(ICrawlStore store, IDnsStore dnsStore, IUptimeStore uptimeStore) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
            await dnsStore.InitializeAsync(cancellationToken).ConfigureAwait(false);
            await uptimeStore.InitializeAsync(cancellationToken).ConfigureAwait(false);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
