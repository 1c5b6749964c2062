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
internal sealed class ProbeTargets : ReceiveActor
{
    private readonly IActorRef _region;
    private readonly ICrawlStore? _crawlStore;
    private readonly UptimeOptions _options;
    private readonly ILogger _logger;
    private readonly HashSet<string> _watched;

    /// <param name="watched">The hosts (and <c>dns:</c> targets) the region already watches.</param>
    public ProbeTargets(IActorRef region, ICrawlStore? crawlStore, IEnumerable<string> watched, UptimeOptions options, ILogger logger)
    {
        _region = region;
        _crawlStore = crawlStore;
        _options = options with { NameServers = [] };
        _logger = logger;
        _watched = new HashSet<string>(watched, StringComparer.Ordinal);

        Receive<DiscoveryProtocol.Completed>(c => Watch(c.Sites.Select(site => "http://" + site + "/")));
        Receive<AddedSites>(a => Watch(a.Urls));
        Receive<Status.Failure>(f => Log.ProbeTargetsLoadFailed(_logger, f.Cause));
    }

    protected override void PreStart()
    {
        // Subscribe before reading, so that nothing added in between is missed (a repeat is ignored).
        Context.System.EventStream.Subscribe(Self, typeof(DiscoveryProtocol.Completed));
        if (_crawlStore is { } store)
        {
            LoadAdded(store).PipeTo(Self);
        }
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

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
            if (_watched.Add(watch.Host))
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

    private sealed record AddedSites(IReadOnlyList<string> Urls);
}
