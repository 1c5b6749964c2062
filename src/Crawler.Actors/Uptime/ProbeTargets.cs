using Crawler.Actors.Serialization;
using Akka.Actor;
using Crawler.Actors.Coordination;
using Crawler.Actors.Discovery;
using Crawler.Actors.Hosting;
using Crawler.Storage;
using Microsoft.Extensions.Logging;

namespace Crawler.Actors.Uptime;

/// <summary>
/// Keeps the probe region's targets in step with the crawl's sites: besides the seeds (watched at start), every
/// site added while crawling is probed too — those found by an earlier run (the coordinator's persisted added
/// seeds, read once at start) and those each discovery run hands to the crawl (<see cref="DiscoveryProtocol.Completed"/>).
/// A site already watched is left as it is, so a seed's configured probe URL is never replaced.
/// </summary>
/// <remarks>
/// One per cluster (a singleton). It sends every target's <see cref="ProbeProtocol.Watch"/> again every
/// <see cref="UptimeOptions.Interval"/>: a probe entity that was on a node that left starts again on another
/// node at the next resend, and the entity ignores a repeat of what it already watches.
/// </remarks>
internal sealed class ProbeTargets : ReceiveActor, IWithTimers
{
    private const string ResendTimer = "resend";
    private readonly IActorRef _region;
    private readonly ICrawlStore? _crawlStore;
    private readonly UptimeOptions _options;
    private readonly ILogger _logger;
    private readonly Dictionary<string, ProbeProtocol.Watch> _watched = new(StringComparer.Ordinal);

    /// <param name="initial">The seeds' and name servers' targets, watched at once.</param>
    public ProbeTargets(IActorRef region, ICrawlStore? crawlStore, IEnumerable<ProbeProtocol.Watch> initial, UptimeOptions options, ILogger logger)
    {
        _region = region;
        _crawlStore = crawlStore;
        _options = options with { NameServers = [] };
        _logger = logger;
        foreach (var watch in initial)
        {
            _watched[watch.Host] = watch;
        }

        Receive<DiscoveryProtocol.Completed>(c => Watch(c.Sites.Select(site => "http://" + site + "/")));
        Receive<AddedSites>(a => Watch(a.Urls));
        Receive<Resend>(_ => ResendAll());
        Receive<Status.Failure>(f => Log.ProbeTargetsLoadFailed(_logger, f.Cause));
        Receive<Akka.Cluster.Tools.PublishSubscribe.SubscribeAck>(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        // Subscribe before reading, so that nothing added in between is missed (a repeat is ignored).
        CrawlerEvents.Subscribe(Context, typeof(DiscoveryProtocol.Completed));
        ResendAll();
        Timers.StartPeriodicTimer(ResendTimer, Resend.Instance, _options.Interval);
        if (_crawlStore is { } store)
        {
            LoadAdded(store).PipeTo(Self);
        }
    }

    protected override void PostStop() => CrawlerEvents.Unsubscribe(Context, typeof(DiscoveryProtocol.Completed));

    private void ResendAll()
    {
        foreach (var watch in _watched.Values)
        {
            _region.Tell(watch);
        }
    }

    private static async Task<AddedSites> LoadAdded(ICrawlStore store)
    {
        var setting = await store.GetSettingAsync(CrawlCoordinator.AddedSeedsSetting).ConfigureAwait(false);
        return new AddedSites(setting is null ? [] : setting.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private void Watch(IEnumerable<string> urls)
    {
        var added = 0;
        foreach (var watch in UptimeHosting.Targets(urls, _options))
        {
            if (_watched.TryAdd(watch.Host, watch))
            {
                _region.Tell(watch);
                added++;
            }
        }

        if (added > 0)
        {
            Log.ProbeTargetsAdded(_logger, added);
        }
    }

    private sealed record Resend : INoSerializationVerificationNeeded
    {
        public static Resend Instance { get; } = new();
    }

    private sealed record AddedSites(IReadOnlyList<string> Urls) : INoSerializationVerificationNeeded;
}
