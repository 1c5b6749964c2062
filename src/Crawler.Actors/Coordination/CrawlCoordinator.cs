using Crawler.Actors.Serialization;
using System.Globalization;
using Akka.Actor;
using Crawler.Actors.Sites;
using Crawler.Core.Urls;
using Crawler.Storage;
using Microsoft.Extensions.Logging;

namespace Crawler.Actors.Coordination;

/// <summary>
/// Starts and ends epochs: seeds the frontier, wakes the sites that have work, notices when
/// every site is idle and the store holds no pending URL, and schedules the next epoch (a
/// recrawl). Its state lives in the store, so a restarted coordinator resumes the epoch it was
/// in — the property the cluster singleton will need after a handover.
/// </summary>
internal sealed class CrawlCoordinator : ReceiveActor, IWithTimers, IWithUnboundedStash
{
    internal const string EpochSetting = "epoch";

    /// <summary>Seeds added while crawling (one canonical URL per line): they seed every later epoch too.</summary>
    internal const string AddedSeedsSetting = "seeds.added";

    /// <summary>"epoch due-time" of the next epoch once the current one completed, so a restart (or a new singleton) keeps it.</summary>
    internal const string NextEpochSetting = "epoch.next";
    private const string CheckTimer = "check";
    private const string NextEpochTimer = "next-epoch";

    private readonly ICrawlStore _store;
    private readonly IActorRef _region;
    private readonly IReadOnlyList<string> _seeds;
    private readonly CrawlOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Dictionary<string, SiteProtocol.SiteReport> _sites = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _reportedAt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _wokenAt = new(StringComparer.Ordinal); // woken, no report yet
    private readonly List<IActorRef> _watchers = [];
    private int _epoch;
    private bool _started;
    private bool _complete;
    private bool _checking;
    private bool _seedsAwaited; // discovery's first names are on their way
    private int _seedsStoring; // AddSeeds being written to the frontier
    private DateTimeOffset? _epochStartedAt;
    private DateTimeOffset? _nextEpochAt;
    private DateTimeOffset? _storedNextEpochAt; // the next epoch's due time as the store had it at start

    public CrawlCoordinator(ICrawlStore store, IActorRef region, IReadOnlyList<string> seeds, CrawlOptions options, TimeProvider clock, ILogger logger)
    {
        _store = store;
        _region = region;
        _seeds = seeds;
        _options = options;
        _clock = clock;
        _logger = logger;

        Receive<Started>(OnStarted);
        Receive<Failed>(f =>
        {
            Log.CoordinatorStoreFailed(_logger, f.Error);
            _checking = false;
            if (f.Retry is CoordinatorProtocol.AddSeeds)
            {
                _seedsStoring--;
                Timers.StartSingleTimer("retry-seeds", f.Retry, _options.Retry.BaseDelay);
                return;
            }

            Timers.StartSingleTimer("retry", f.Retry, _options.Retry.BaseDelay);
        });
        Receive<SiteProtocol.SiteReport>(OnReport);
        Receive<CheckCompletion>(_ =>
        {
            WakeStale();
            Check();
        });
        Receive<PendingHosts>(OnPendingHosts);
        Receive<StartEpoch>(s => Begin(s.Epoch));
        Receive<NextEpochTick>(_ => StartNextEpochWhenDue());
        Receive<CoordinatorProtocol.GetStatus>(_ => Sender.Tell(Status()));
        Receive<CoordinatorProtocol.AddSeeds>(OnAddSeeds);
        Receive<SeedsStored>(OnSeedsStored);
        Receive<NextEpochStored>(_ => { });
        Receive<NextEpochStoreFailed>(f => Log.CoordinatorStoreFailed(_logger, f.Error));
        Receive<CoordinatorProtocol.AwaitSeeds>(a =>
        {
            _seedsAwaited = a.Awaiting;
            Check();
        });
        Receive<CoordinatorProtocol.WatchCompletion>(_ =>
        {
            if (_complete)
            {
                Sender.Tell(new CoordinatorProtocol.EpochCompleted(_epoch, _sites.Values.Sum(s => s.Fetched)));
            }
            else
            {
                _watchers.Add(Sender);
            }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public IStash Stash { get; set; } = null!;

    protected override void PreStart() => Self.Tell(new StartEpoch(-1));

    private void Begin(int requested)
    {
        var store = _store;
        var seeds = _seeds;
        Start(store, seeds, requested).PipeTo(Self, failure: ex => new Failed(ex, new StartEpoch(requested)));
    }

    /// <summary>Reads (or advances) the epoch and seeds its frontier; idempotent after a restart.</summary>
    private static async Task<Started> Start(ICrawlStore store, IReadOnlyList<string> seeds, int requested)
    {
        // Compare-and-set: another coordinator (a hand-over's overlap) may have moved the epoch meanwhile; it only moves forward.
        int epoch;
        while (true)
        {
            var saved = await store.GetSettingAsync(EpochSetting).ConfigureAwait(false);
            var stored = saved is null ? 0 : int.Parse(saved, CultureInfo.InvariantCulture);
            epoch = Math.Max(stored, requested >= 0 ? requested : 1);
            if (epoch == stored || await store.CompareAndSetSettingAsync(EpochSetting, saved, epoch.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false))
            {
                break;
            }
        }

        var added = AddedSeeds(await store.GetSettingAsync(AddedSeedsSetting).ConfigureAwait(false));
        var entries = SeedEntries(seeds, epoch, "seed").Concat(SeedEntries(added, epoch, "seed")).ToList();

        await store.AddToFrontierAsync(entries).ConfigureAwait(false);
        var pending = await store.GetHostsWithPendingAsync(epoch).ConfigureAwait(false);
        var hosts = entries.Select(e => e.Host).Concat(pending).Distinct(StringComparer.Ordinal).ToList();
        return new Started(epoch, entries.Count, hosts) { NextEpochAt = ParseNext(await store.GetSettingAsync(NextEpochSetting).ConfigureAwait(false), epoch) };
    }

    /// <summary>The stored due time of the epoch after <paramref name="epoch"/>, if that is what the setting holds.</summary>
    internal static DateTimeOffset? ParseNext(string? setting, int epoch)
    {
        var parts = setting?.Split(' ', 2);
        return parts is [var e, var at]
            && int.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out var stored) && stored == epoch + 1
            && DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var due)
            ? due
            : null;
    }

    private static IEnumerable<FrontierEntry> SeedEntries(IEnumerable<string> seeds, int epoch, string kind)
    {
        foreach (var seed in seeds)
        {
            var url = UrlCanonicalizer.Canonicalize(seed);
            if (url is not null && UrlCanonicalizer.TryGetHost(url, out var host))
            {
                yield return new FrontierEntry { Url = url, Host = host, Epoch = epoch, Depth = 0, Kind = kind };
            }
        }
    }

    private static List<string> AddedSeeds(string? setting) =>
        setting is null ? [] : [.. setting.Split('\n', StringSplitOptions.RemoveEmptyEntries)];

    private void OnAddSeeds(CoordinatorProtocol.AddSeeds add)
    {
        if (!_started)
        {
            Stash.Stash(); // the epoch is not known yet
            return;
        }

        var store = _store;
        var epoch = _epoch;
        var replyTo = Sender;
        _seedsStoring++;
        StoreSeeds(store, epoch, add).PipeTo(Self, success: r => r with { ReplyTo = replyTo }, failure: ex => new Failed(ex, add));
    }

    /// <summary>Remembers the seeds for later epochs and adds them to this one's frontier.</summary>
    private static async Task<SeedsStored> StoreSeeds(ICrawlStore store, int epoch, CoordinatorProtocol.AddSeeds add)
    {
        var entries = SeedEntries(add.Urls, epoch, add.Kind).ToList();
        while (true)
        {
            // Compare-and-set: seeds added at once through two nodes both stay.
            var saved = await store.GetSettingAsync(AddedSeedsSetting).ConfigureAwait(false);
            var known = AddedSeeds(saved);
            var merged = known.Concat(entries.Select(e => e.Url)).Distinct(StringComparer.Ordinal).ToList();
            if (merged.Count == known.Count
                || await store.CompareAndSetSettingAsync(AddedSeedsSetting, saved, string.Join('\n', merged)).ConfigureAwait(false))
            {
                break;
            }
        }

        var added = await store.AddToFrontierAsync(entries).ConfigureAwait(false);
        return new SeedsStored(epoch, added, [.. entries.Select(e => e.Host).Distinct(StringComparer.Ordinal)], ActorRefs.Nobody);
    }

    private void OnSeedsStored(SeedsStored stored)
    {
        _seedsStoring--;
        stored.ReplyTo.Tell(new CoordinatorProtocol.SeedsAdded(stored.Epoch, stored.Added));
        if (stored.Epoch != _epoch || stored.Added == 0)
        {
            return;
        }

        Log.SeedsAdded(_logger, stored.Added, stored.Epoch);
        if (_complete)
        {
            // New work for a finished epoch: it is open again, and the next one waits for it.
            _complete = false;
            _nextEpochAt = null;
            Timers.Cancel(NextEpochTimer);
            Timers.StartPeriodicTimer(CheckTimer, CheckCompletion.Instance, _options.CheckInterval);
        }

        foreach (var host in stored.Hosts)
        {
            Wake(host);
        }
    }

    private void OnStarted(Started started)
    {
        Stash.UnstashAll();
        _epoch = started.Epoch;
        _started = true;
        _complete = false;
        _nextEpochAt = null;
        _epochStartedAt = _clock.GetUtcNow();
        _storedNextEpochAt = started.NextEpochAt;
        _sites.Clear();
        _reportedAt.Clear();
        _wokenAt.Clear();
        Log.EpochStarted(_logger, started.Epoch, started.Seeds);
        foreach (var host in started.Hosts)
        {
            Wake(host);
        }

        Timers.StartPeriodicTimer(CheckTimer, CheckCompletion.Instance, _options.CheckInterval);
    }

    private void OnReport(SiteProtocol.SiteReport report)
    {
        if (report.Epoch != _epoch && report.Epoch >= 0)
        {
            return;
        }

        _sites[report.Host] = report;
        _reportedAt[report.Host] = _clock.GetUtcNow();
        _wokenAt.Remove(report.Host);
        if (report.Idle)
        {
            Check();
        }
    }

    /// <summary>Tells a site to crawl this epoch (the region starts it wherever its shard lives) and notes when.</summary>
    private void Wake(string host)
    {
        _region.Tell(new SiteProtocol.Crawl(host, _epoch));
        if (!_sites.ContainsKey(host))
        {
            _wokenAt[host] = _clock.GetUtcNow();
        }
    }

    /// <summary>
    /// A site with work that stopped reporting (its node died, it was passivated while waiting, a message was lost)
    /// is woken again: the region starts it wherever its shard lives now, and it resumes from the store.
    /// </summary>
    private void WakeStale()
    {
        if (!_started || _complete)
        {
            return;
        }

        var now = _clock.GetUtcNow();
        var staleAfter = _options.ReportInterval * 5 > TimeSpan.FromSeconds(5) ? _options.ReportInterval * 5 : TimeSpan.FromSeconds(5);
        foreach (var (host, report) in _sites)
        {
            if (!report.Idle && _reportedAt.TryGetValue(host, out var at) && now - at > staleAfter)
            {
                Log.SiteReportStale(_logger, host, (now - at).TotalSeconds, _epoch);
                _reportedAt[host] = now; // once per staleness period
                Wake(host);
            }
        }

        // Woken but never heard from (the message went to a node that died before the site started): again.
        foreach (var (host, at) in _wokenAt.Where(w => now - w.Value > staleAfter).ToList())
        {
            Log.SiteReportStale(_logger, host, (now - at).TotalSeconds, _epoch);
            Wake(host);
        }
    }

    private void Check()
    {
        if (!_started || _complete || _checking || _seedsAwaited || _seedsStoring > 0 || _sites.Count == 0 || _sites.Values.Any(s => !s.Idle))
        {
            return;
        }

        _checking = true;
        var store = _store;
        var epoch = _epoch;
        store.GetHostsWithPendingAsync(epoch).PipeTo(
            Self,
            success: hosts => new PendingHosts(epoch, hosts),
            failure: ex => new Failed(ex, CheckCompletion.Instance));
    }

    private void OnPendingHosts(PendingHosts pending)
    {
        _checking = false;
        if (pending.Epoch != _epoch || _complete)
        {
            return;
        }

        if (pending.Hosts.Count > 0)
        {
            // Work the store knows of but no site is doing (a lost message, a site never woken).
            foreach (var host in pending.Hosts)
            {
                Wake(host);
            }

            return;
        }

        if (_sites.Values.Any(s => !s.Idle))
        {
            return;
        }

        _complete = true;
        Timers.Cancel(CheckTimer);
        var fetched = _sites.Values.Sum(s => s.Fetched);
        Log.EpochCompleted(_logger, _epoch, _sites.Count);
        var completed = new CoordinatorProtocol.EpochCompleted(_epoch, fetched);
        CrawlerEvents.Publish(Context, completed);
        foreach (var watcher in _watchers)
        {
            watcher.Tell(completed);
        }

        _watchers.Clear();
        if (!_options.ExitWhenDone)
        {
            var now = _clock.GetUtcNow();
            if (_storedNextEpochAt is { } stored)
            {
                // Completed before (this coordinator restarted or moved): the schedule stays as it was.
                _nextEpochAt = stored;
                Log.NextEpochResumed(_logger, _epoch, stored);
            }
            else
            {
                _nextEpochAt = now + _options.RecrawlInterval;
                var setting = string.Create(CultureInfo.InvariantCulture, $"{_epoch + 1} {_nextEpochAt.Value:O}");
                var store = _store;
                store.SetSettingAsync(NextEpochSetting, setting).PipeTo(Self, success: () => NextEpochStored.Instance, failure: ex => new NextEpochStoreFailed(ex));
                Log.NextEpochScheduled(_logger, _epoch + 1, _options.RecrawlInterval);
            }

            // Due on the clock (TimeProvider), checked every CheckInterval: a clock that jumps (a test's, a host woken from
            // sleep) starts the epoch at its due time, not a whole timer delay later.
            Timers.StartPeriodicTimer(NextEpochTimer, NextEpochTick.Instance, _options.CheckInterval);
            StartNextEpochWhenDue();
        }
    }

    private void StartNextEpochWhenDue()
    {
        if (_complete && _nextEpochAt is { } due && _clock.GetUtcNow() >= due)
        {
            Timers.Cancel(NextEpochTimer);
            Begin(_epoch + 1);
        }
    }

    private CoordinatorProtocol.CrawlStatus Status() =>
        new(_epoch, _complete, _epochStartedAt, _nextEpochAt, _sites.Values.OrderBy(s => s.Host, StringComparer.Ordinal).ToList());

    private sealed record Started(int Epoch, int Seeds, IReadOnlyList<string> Hosts) : INoSerializationVerificationNeeded
    {
        public DateTimeOffset? NextEpochAt { get; init; }
    }

    private sealed record NextEpochStored : INoSerializationVerificationNeeded
    {
        public static NextEpochStored Instance { get; } = new();
    }

    private sealed record NextEpochStoreFailed(Exception Error) : INoSerializationVerificationNeeded;

    private sealed record SeedsStored(int Epoch, int Added, IReadOnlyList<string> Hosts, IActorRef ReplyTo) : INoSerializationVerificationNeeded;

    private sealed record StartEpoch(int Epoch) : INoSerializationVerificationNeeded;

    private sealed record PendingHosts(int Epoch, IReadOnlyList<string> Hosts) : INoSerializationVerificationNeeded;

    private sealed record Failed(Exception Error, object Retry) : INoSerializationVerificationNeeded;

    private sealed record NextEpochTick : INoSerializationVerificationNeeded
    {
        public static readonly NextEpochTick Instance = new();
    }

    private sealed record CheckCompletion : INoSerializationVerificationNeeded
    {
        public static readonly CheckCompletion Instance = new();
    }
}
