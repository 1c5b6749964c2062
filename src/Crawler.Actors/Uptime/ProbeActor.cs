using Akka.Actor;
using Crawler.Actors.Politeness;
using Crawler.Core.Policies;
using Crawler.Core.Uptime;
using Crawler.Net.Probing;
using Crawler.Storage;
using Microsoft.Extensions.Logging;

namespace Crawler.Actors.Uptime;

/// <summary>Runs one probe of a target (the node's <see cref="SiteProber"/>; a script in tests).</summary>
public delegate Task<ProbeResult> ProbeRunner(ProbeTarget target, DateTimeOffset scheduledAt, CancellationToken ct);

/// <summary>The address a probe of <paramref name="host"/> will connect to (resolved and admitted by the guard), or null.</summary>
public delegate Task<string?> ProbeAddressPicker(string host, CancellationToken ct);

/// <summary>What every probe actor of a node shares.</summary>
public sealed record ProbeContext(ProbeRunner Probe, IUptimeStore Store, UptimeMetrics Metrics, UptimeOptions Options, TimeProvider Clock, ILogger Logger)
{
    /// <summary>The node's <see cref="UptimeWriter"/> that batches results (Nobody: each actor writes its own).</summary>
    public IActorRef Writer { get; init; } = ActorRefs.Nobody;

    /// <summary>
    /// The address gate (region) a probe asks before its request, as crawl fetches do, so that a probe never
    /// meets another request on one host or address. Nobody: probes go ungated (unit tests of the schedule).
    /// </summary>
    public IActorRef Gate { get; init; } = ActorRefs.Nobody;

    /// <summary>Finds the address to ask the gate for (required with <see cref="Gate"/>).</summary>
    public ProbeAddressPicker? PickAddress { get; init; }

    /// <summary>
    /// Whether the node is leaving (its coordinated shutdown has begun): no new probe starts, and a probe ending tells
    /// the gate nothing (its region may be handing shards over; the gate watches its holders and drops their claims).
    /// </summary>
    public Func<bool> Leaving { get; init; } = static () => false;

    /// <summary>Where probe results and state changes go beyond this node (the country monitor, the webhook).</summary>
    public Action<IActorContext, object> Publish { get; init; } = static (context, message) => context.System.EventStream.Publish(message);
}

/// <summary>
/// Probes one site on its own schedule (<see cref="ProbeSchedule"/>), independent of crawling, and keeps its
/// up / degraded / down state with <see cref="ProbeStateMachine"/>. Results, changes and outages go to the
/// store; a change is published (<see cref="ProbeProtocol.StateChanged"/>) once it is stored. A store outage
/// loses nothing: what is not stored yet is kept and stored with the next probe. After a restart the state
/// continues from the last recorded change, so an outage in progress stays one outage.
/// </summary>
internal sealed class ProbeActor : ReceiveActor, IWithTimers, IWithUnboundedStash
{
    private const string TickTimer = "probe";
    private const string SaveTimer = "save";
    private const string GateTimer = "gate";
    private const string SettleTimer = "settle";
    private readonly string _site;
    private readonly ProbeContext _ctx;
    private readonly ProbeStateMachine _machine;
    private readonly List<ProbeResult> _unsavedResults = [];
    private readonly List<(StateChange Change, Outage? Outage)> _unsavedChanges = [];
    private ProbeTarget? _target;
    private TimeSpan _interval;
    private bool _probing;
    private bool _saving;
    private ProbeResult? _last;
    private long _probes;
    private PendingProbe? _waiting; // resolving its address or waiting for the gate
    private string? _gateAddress; // the address this probe holds in the gate
    private long _ticket; // the number of this probe's latest request to the gate

    public ProbeActor(string site, ProbeContext context)
    {
        _site = site;
        _ctx = context;
        _machine = new ProbeStateMachine(site, context.Options.Thresholds);
        Become(Loading);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public IStash Stash { get; set; } = null!;

    protected override void PreStart()
    {
        var store = _ctx.Store;
        var site = _site;
        var now = _ctx.Clock.GetUtcNow();
        LoadLast(store, site, now).PipeTo(Self, failure: ex => new Loaded(null, ex));
    }

    private static async Task<Loaded> LoadLast(IUptimeStore store, string site, DateTimeOffset now)
    {
        var changes = await store.GetStateChangesAsync(site, DateTimeOffset.UnixEpoch, now.AddDays(1)).ConfigureAwait(false);
        return new Loaded(changes.Count > 0 ? changes[^1] : null, null);
    }

    private void Loading()
    {
        Receive<Loaded>(loaded =>
        {
            if (loaded.Error is not null)
            {
                Log.ProbeStoreFailed(_ctx.Logger, loaded.Error, _site);
            }
            else if (loaded.Last is { } last)
            {
                _machine.Resume(last);
            }

            Become(Ready);
            Stash.UnstashAll();
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private void Ready()
    {
        Receive<ProbeProtocol.Watch>(OnWatch);
        Receive<ProbeProtocol.GetStatus>(_ => Sender.Tell(new ProbeProtocol.SiteStatus(_site, _machine.State, _machine.LastChange, _last, _probes)));
        Receive<Tick>(OnTick);
        Receive<Probed>(OnProbed);
        Receive<AddressPicked>(OnAddressPicked);
        Receive<AddressGateProtocol.Granted>(OnGranted);
        Receive<GateTimeout>(OnGateTimeout);
        Receive<Settled>(_ =>
        {
            _probing = false;
            ReleaseGate();
        });
        Receive<Saved>(OnSaved);
        Receive<SaveNow>(_ => Save());
        Receive<UptimeWriterProtocol.Written>(w => SaveChanges([], w.Count));
        Receive<UptimeWriterProtocol.Failed>(f => OnSaved(new Saved(0, 0, f.Error)));
    }

    private void OnWatch(ProbeProtocol.Watch watch)
    {
        if (watch.Target == _target && watch.Interval == _interval)
        {
            return; // watched already (the targets are sent again now and then, to restart probes whose node left)
        }

        _target = watch.Target;
        _interval = watch.Interval;
        ScheduleAfter(_ctx.Clock.GetUtcNow());
    }

    private void ScheduleAfter(DateTimeOffset after)
    {
        var now = _ctx.Clock.GetUtcNow();
        var due = ProbeSchedule.NextDue(_site, _interval, after > now ? after : now);
        Timers.StartSingleTimer(TickTimer, new Tick(due), due - now);
    }

    private void OnTick(Tick tick)
    {
        ScheduleAfter(tick.Scheduled);
        if (_ctx.Leaving())
        {
            return; // the node is leaving: the site is probed again where its probe starts next
        }

        if (_target is not { } target || _probing)
        {
            // The previous probe is still running (it is bounded by its time-out): this slot is skipped.
            Log.ProbeSkipped(_ctx.Logger, _site, tick.Scheduled);
            return;
        }

        _probing = true;
        var pending = new PendingProbe(target, tick.Scheduled);
        if (_ctx.Gate.IsNobody() || _ctx.PickAddress is not { } pick || target.Url.Scheme is not ("http" or "https"))
        {
            Run(pending);
            return;
        }

        // Gated: the address first, then the gate's turn, then the request.
        _waiting = pending;
        var host = target.Url.IdnHost;
        pick(host, CancellationToken.None).PipeTo(Self, success: a => new AddressPicked(pending, a), failure: _ => new AddressPicked(pending, null));
        Timers.StartSingleTimer(GateTimer, new GateTimeout(pending), GateWait());
    }

    /// <summary>How long a probe waits for its address and its turn before its slot is given up (less than an interval).</summary>
    private TimeSpan GateWait() => _interval > TimeSpan.FromSeconds(2) ? _interval - TimeSpan.FromSeconds(1) : _interval;

    private string Holder => "probe:" + _site;

    private void OnAddressPicked(AddressPicked picked)
    {
        if (!ReferenceEquals(picked.Probe, _waiting))
        {
            return;
        }

        if (picked.Address is null)
        {
            // No address to ask for: the probe connects nowhere and records why (DNS or the guard).
            _waiting = null;
            Timers.Cancel(GateTimer);
            Run(picked.Probe);
            return;
        }

        _gateAddress = picked.Address;
        var lease = (_target?.Timeout ?? _ctx.Options.Timeout) + TimeSpan.FromSeconds(5);
        _ctx.Gate.Tell(new AddressGateProtocol.Acquire(picked.Address, Holder, AddressPurpose.Probe, lease, ++_ticket));
    }

    private void OnGranted(AddressGateProtocol.Granted granted)
    {
        if (granted.Ticket < _ticket)
        {
            return; // the late answer to a request given up, already released when it was given up
        }

        if (_waiting is not { } pending || granted.Address != _gateAddress || granted.Ticket != _ticket)
        {
            Sender.Tell(new AddressGateProtocol.Release(granted.Address, Holder));
            return;
        }

        _waiting = null;
        Timers.Cancel(GateTimer);
        Run(pending);
    }

    private void OnGateTimeout(GateTimeout timeout)
    {
        if (!ReferenceEquals(timeout.Probe, _waiting))
        {
            return;
        }

        // The gate did not answer in time (its node left, or the address is busy for long): this slot is skipped.
        Log.ProbeSkipped(_ctx.Logger, _site, timeout.Probe.Scheduled);
        _waiting = null;
        _probing = false;
        ReleaseGate();
    }

    private void ReleaseGate()
    {
        if (_gateAddress is { } address)
        {
            _gateAddress = null;
            if (!_ctx.Leaving())
            {
                _ctx.Gate.Tell(new AddressGateProtocol.Release(address, Holder));
            }
        }
    }

    private void Run(PendingProbe pending)
    {
        var lateness = _ctx.Clock.GetUtcNow() - pending.Scheduled;
        var site = _site;
        var scheduled = pending.Scheduled;
        _ctx.Probe(pending.Target, scheduled, CancellationToken.None).PipeTo(
            Self,
            success: r => new Probed(r, lateness),
            failure: ex => new Probed(ProbeResult.Failed(site, scheduled, ProbeFailure.Other, ex.Message), lateness));
    }

    private void OnProbed(Probed probed)
    {
        var result = probed.Result;
        if (_gateAddress is not null && result.Failure is ProbeFailure.TooSlow)
        {
            // Given up mid-request: the address stays this probe's (and the probe busy) while the server notices.
            Timers.StartSingleTimer(SettleTimer, Settled.Instance, AddressUse.SettleAfterGivingUp);
        }
        else
        {
            _probing = false;
            ReleaseGate();
        }

        if (_last is { } previous && result.At <= previous.At)
        {
            return; // a slot already judged (cannot happen with one probe at a time, but never apply out of order)
        }

        _last = result;
        _probes++;
        var open = _machine.OpenOutage;
        var change = _machine.Apply(result);
        _ctx.Metrics.Record(result, _machine.State, probed.Lateness);
        _ctx.Publish(Context, new ProbeProtocol.ProbeCompleted(result, _machine.State, probed.Lateness));
        _unsavedResults.Add(result);
        if (change is not null)
        {
            var outage = change.To == SiteState.Down
                ? _machine.OpenOutage
                : change.From == SiteState.Down && open is not null ? open with { End = change.At } : null;
            _unsavedChanges.Add((change, outage));
            Log.SiteStateChanged(_ctx.Logger, _site, change.From.ToString(), change.To.ToString(), change.At, change.Reason.ToString());
        }

        Save();
    }

    private void Save()
    {
        if (_saving || (_unsavedResults.Count == 0 && _unsavedChanges.Count == 0))
        {
            return;
        }

        _saving = true;
        var results = _unsavedResults.ToList();
        if (!_ctx.Writer.IsNobody() && results.Count > 0)
        {
            // The node's writer batches every site's results; its answer (Written / Failed) continues the save.
            _ctx.Writer.Tell(new UptimeWriterProtocol.Write(results));
            return;
        }

        SaveChanges(_ctx.Writer.IsNobody() ? results : []);
    }

    /// <summary>Stores the changes (and the results, when there is no writer); results first, all calls idempotent.</summary>
    private void SaveChanges(List<ProbeResult> results, int resultsStored = 0)
    {
        var changes = _unsavedChanges.ToList();
        var store = _ctx.Store;
        Persist(store, results, changes).PipeTo(
            Self,
            success: () => new Saved(resultsStored + results.Count, changes.Count, null),
            failure: ex => new Saved(0, 0, ex));
    }

    private static async Task Persist(IUptimeStore store, List<ProbeResult> results, List<(StateChange Change, Outage? Outage)> changes)
    {
        if (results.Count > 0)
        {
            await store.AddResultsAsync(results).ConfigureAwait(false);
        }

        if (changes.Count > 0)
        {
            await store.AddStateChangesAsync([.. changes.Select(c => c.Change)]).ConfigureAwait(false);
            foreach (var outage in changes.Select(c => c.Outage).OfType<Outage>())
            {
                await store.UpsertOutageAsync(outage).ConfigureAwait(false);
            }
        }
    }

    private void OnSaved(Saved saved)
    {
        _saving = false;
        if (saved.Error is not null)
        {
            Log.ProbeStoreFailed(_ctx.Logger, saved.Error, _site);
            Timers.StartSingleTimer(SaveTimer, SaveNow.Instance, TimeSpan.FromSeconds(5));
            return;
        }

        var published = _unsavedChanges.Take(saved.Changes).ToList();
        _unsavedResults.RemoveRange(0, saved.Results);
        _unsavedChanges.RemoveRange(0, saved.Changes);
        foreach (var (change, outage) in published)
        {
            _ctx.Publish(Context, new ProbeProtocol.StateChanged(change, outage));
        }

        Save();
    }

    protected override void PostStop()
    {
        ReleaseGate();
        _ctx.Metrics.Forget(_site); // wherever the probe starts next exports the site
    }

    private sealed record Loaded(StateChange? Last, Exception? Error) : INoSerializationVerificationNeeded;

    private sealed record Tick(DateTimeOffset Scheduled) : INoSerializationVerificationNeeded;

    private sealed record PendingProbe(ProbeTarget Target, DateTimeOffset Scheduled);

    private sealed record AddressPicked(PendingProbe Probe, string? Address) : INoSerializationVerificationNeeded;

    private sealed record GateTimeout(PendingProbe Probe) : INoSerializationVerificationNeeded;

    private sealed record Probed(ProbeResult Result, TimeSpan Lateness) : INoSerializationVerificationNeeded;

    private sealed record Saved(int Results, int Changes, Exception? Error) : INoSerializationVerificationNeeded;

    private sealed record Settled : INoSerializationVerificationNeeded
    {
        public static Settled Instance { get; } = new();
    }

    private sealed record SaveNow : INoSerializationVerificationNeeded
    {
        public static SaveNow Instance { get; } = new();
    }
}
