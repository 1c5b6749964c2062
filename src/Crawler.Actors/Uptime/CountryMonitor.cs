using Crawler.Actors.Serialization;
using Akka.Actor;
using Crawler.Core.Uptime;
using Crawler.Storage;
using Microsoft.Extensions.Logging;

namespace Crawler.Actors.Uptime;

/// <summary>
/// "Is the whole country down?": collects every probe result into rounds (one interval each, every site
/// once per round, see <see cref="ProbeSchedule"/>) and, once a round can hold no more results, judges it
/// with <see cref="CountryRollup"/>. A country-wide outage is stored, set as a metric and published.
/// </summary>
internal sealed class CountryMonitor : ReceiveActor, IWithTimers
{
    private const string CloseTimer = "close-rounds";
    private const string RetryTimer = "retry-store";
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);
    private readonly IUptimeStore _store;
    private readonly UptimeMetrics _metrics;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly CountryRollup _rollup;
    private readonly SortedDictionary<DateTimeOffset, Dictionary<string, ProbeResult>> _rounds = [];
    private readonly Queue<CountryOutageEvent> _unstored = new();
    private DateTimeOffset _closedBefore = DateTimeOffset.MinValue;
    private bool _storing;
    private bool _applied; // a round was judged: a stored open outage is no longer resumed

    public CountryMonitor(IUptimeStore store, UptimeMetrics metrics, UptimeOptions options, TimeProvider clock, ILogger logger)
    {
        _store = store;
        _metrics = metrics;
        _interval = options.Interval;
        _clock = clock;
        _logger = logger;
        _rollup = new CountryRollup(options.Country);

        Receive<ProbeProtocol.ProbeCompleted>(OnProbe);
        Receive<CloseRounds>(_ => Close());
        Receive<Stored>(OnStored);
        Receive<StoreFailed>(f =>
        {
            _storing = false;
            Log.CountryOutageStoreFailed(_logger, f.Error, RetryDelay);
            Timers.StartSingleTimer(RetryTimer, RetryStore.Instance, RetryDelay);
        });
        Receive<RetryStore>(_ => StoreNext());
        Receive<OpenLoaded>(OnOpenLoaded);
        Receive<Akka.Cluster.Tools.PublishSubscribe.SubscribeAck>(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        CrawlerEvents.Subscribe(Context, typeof(ProbeProtocol.ProbeCompleted));
        Timers.StartPeriodicTimer(CloseTimer, CloseRounds.Instance, _interval / 4);

        // An outage that was open when the last monitor stopped (a restart, a singleton moving) goes on.
        var store = _store;
        var now = _clock.GetUtcNow();
        OpenOutage(store, now).PipeTo(Self, failure: ex => new OpenLoaded(null, ex));
    }

    protected override void PostStop() => CrawlerEvents.Unsubscribe(Context, typeof(ProbeProtocol.ProbeCompleted));

    private static async Task<OpenLoaded> OpenOutage(IUptimeStore store, DateTimeOffset now)
    {
        var outages = await store.GetCountryOutagesAsync(now.AddYears(-10), now.AddDays(1)).ConfigureAwait(false);
        return new OpenLoaded(outages.Where(o => o.End is null).MaxBy(o => o.Start), null);
    }

    private void OnOpenLoaded(OpenLoaded loaded)
    {
        if (loaded.Error is not null)
        {
            Log.CountryOutageStoreFailed(_logger, loaded.Error, RetryDelay);
            return;
        }

        if (loaded.Open is not { } open || _applied)
        {
            return;
        }

        _rollup.Resume(open);
        _metrics.SetCountryOutage(true);
        var next = open.ConfirmedAt + _interval;
        _closedBefore = next > _closedBefore ? next : _closedBefore;
        foreach (var early in _rounds.Keys.Where(r => r < _closedBefore).ToList())
        {
            _rounds.Remove(early);
        }
    }

    private void OnProbe(ProbeProtocol.ProbeCompleted probe)
    {
        var round = ProbeSchedule.RoundStart(probe.Result.At, _interval);
        if (round < _closedBefore)
        {
            return; // too late: that round was judged already
        }

        if (!_rounds.TryGetValue(round, out var results))
        {
            _rounds[round] = results = new Dictionary<string, ProbeResult>(StringComparer.Ordinal);
        }

        results[probe.Result.Site] = probe.Result;
    }

    /// <summary>A round is judged one interval after it ended: every site's slot in it has come and its probe had time to finish.</summary>
    private void Close()
    {
        var now = _clock.GetUtcNow();
        while (_rounds.Count > 0)
        {
            var (round, results) = _rounds.First();
            if (round + _interval + _interval > now)
            {
                return;
            }

            _rounds.Remove(round);
            _closedBefore = round + _interval;
            _applied = true;
            if (_rollup.Apply(round, results.Values) is { } change)
            {
                Log.CountryOutage(_logger, change.Kind.ToString(), change.Outage.Start, change.Outage.FailedTargets, change.Outage.Targets);
                _metrics.SetCountryOutage(change.Kind == CountryOutageEventKind.Started);
                _unstored.Enqueue(change);
                StoreNext();
            }
        }
    }

    /// <summary>
    /// Stores the changes one at a time, in order, each retried until it is stored: a start and its end are two
    /// upserts of one row, and run side by side the start's could land last and reopen the ended outage.
    /// </summary>
    private void StoreNext()
    {
        if (_storing || _unstored.Count == 0)
        {
            return;
        }

        _storing = true;
        var change = _unstored.Peek();
        _store.UpsertCountryOutageAsync(change.Outage).PipeTo(Self, success: () => new Stored(change), failure: ex => new StoreFailed(ex));
    }

    private void OnStored(Stored stored)
    {
        _storing = false;
        _unstored.Dequeue();
        CrawlerEvents.Publish(Context, new ProbeProtocol.CountryOutageChanged(stored.Event));
        StoreNext();
    }

    private sealed record CloseRounds : INoSerializationVerificationNeeded
    {
        public static CloseRounds Instance { get; } = new();
    }

    private sealed record OpenLoaded(CountryOutage? Open, Exception? Error) : INoSerializationVerificationNeeded;

    private sealed record Stored(CountryOutageEvent Event) : INoSerializationVerificationNeeded;

    private sealed record StoreFailed(Exception Error) : INoSerializationVerificationNeeded;

    private sealed record RetryStore : INoSerializationVerificationNeeded
    {
        public static RetryStore Instance { get; } = new();
    }
}
