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
internal sealed class CrawlCoordinator : ReceiveActor, IWithTimers
{
    internal const string EpochSetting = "epoch";
    private const string CheckTimer = "check";
    private const string NextEpochTimer = "next-epoch";

    private readonly ICrawlStore _store;
    private readonly IActorRef _region;
    private readonly IReadOnlyList<string> _seeds;
    private readonly CrawlOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Dictionary<string, SiteProtocol.SiteReport> _sites = new(StringComparer.Ordinal);
    private readonly List<IActorRef> _watchers = [];
    private int _epoch;
    private bool _started;
    private bool _complete;
    private bool _checking;
    private DateTimeOffset? _epochStartedAt;
    private DateTimeOffset? _nextEpochAt;

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
            Timers.StartSingleTimer("retry", f.Retry, _options.Retry.BaseDelay);
        });
        Receive<SiteProtocol.SiteReport>(OnReport);
        Receive<CheckCompletion>(_ => Check());
        Receive<PendingHosts>(OnPendingHosts);
        Receive<StartEpoch>(s => Begin(s.Epoch));
        Receive<CoordinatorProtocol.GetStatus>(_ => Sender.Tell(Status()));
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
        var saved = await store.GetSettingAsync(EpochSetting).ConfigureAwait(false);
        var epoch = requested >= 0 ? requested : saved is null ? 1 : int.Parse(saved, CultureInfo.InvariantCulture);
        await store.SetSettingAsync(EpochSetting, epoch.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
        var entries = new List<FrontierEntry>();
        foreach (var seed in seeds)
        {
            var url = UrlCanonicalizer.Canonicalize(seed);
            if (url is not null && UrlCanonicalizer.TryGetHost(url, out var host))
            {
                entries.Add(new FrontierEntry { Url = url, Host = host, Epoch = epoch, Depth = 0, Kind = "seed" });
            }
        }

        await store.AddToFrontierAsync(entries).ConfigureAwait(false);
        var pending = await store.GetHostsWithPendingAsync(epoch).ConfigureAwait(false);
        var hosts = entries.Select(e => e.Host).Concat(pending).Distinct(StringComparer.Ordinal).ToList();
        return new Started(epoch, entries.Count, hosts);
    }

    private void OnStarted(Started started)
    {
        _epoch = started.Epoch;
        _started = true;
        _complete = false;
        _nextEpochAt = null;
        _epochStartedAt = _clock.GetUtcNow();
        _sites.Clear();
        Log.EpochStarted(_logger, started.Epoch, started.Seeds);
        foreach (var host in started.Hosts)
        {
            _region.Tell(new SiteProtocol.Crawl(host, started.Epoch));
        }

        Timers.StartPeriodicTimer(CheckTimer, CheckCompletion.Instance, TimeSpan.FromSeconds(1));
    }

    private void OnReport(SiteProtocol.SiteReport report)
    {
        if (report.Epoch != _epoch && report.Epoch >= 0)
        {
            return;
        }

        _sites[report.Host] = report;
        if (report.Idle)
        {
            Check();
        }
    }

    private void Check()
    {
        if (!_started || _complete || _checking || _sites.Count == 0 || _sites.Values.Any(s => !s.Idle))
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
                _region.Tell(new SiteProtocol.Crawl(host, _epoch));
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
        Context.System.EventStream.Publish(completed);
        foreach (var watcher in _watchers)
        {
            watcher.Tell(completed);
        }

        _watchers.Clear();
        if (!_options.ExitWhenDone)
        {
            _nextEpochAt = _clock.GetUtcNow() + _options.RecrawlInterval;
            Log.NextEpochScheduled(_logger, _epoch + 1, _options.RecrawlInterval);
            Timers.StartSingleTimer(NextEpochTimer, new StartEpoch(_epoch + 1), _options.RecrawlInterval);
        }
    }

    private CoordinatorProtocol.CrawlStatus Status() =>
        new(_epoch, _complete, _epochStartedAt, _nextEpochAt, _sites.Values.OrderBy(s => s.Host, StringComparer.Ordinal).ToList());

    private sealed record Started(int Epoch, int Seeds, IReadOnlyList<string> Hosts);

    private sealed record StartEpoch(int Epoch);

    private sealed record PendingHosts(int Epoch, IReadOnlyList<string> Hosts);

    private sealed record Failed(Exception Error, object Retry);

    private sealed record CheckCompletion
    {
        public static readonly CheckCompletion Instance = new();
    }
}
