namespace Crawler.Core.Uptime;

public enum SiteState
{
    /// <summary>Not yet enough consistent probes to say.</summary>
    Unknown,
    Up,

    /// <summary>Answering, but slowly. Not an outage.</summary>
    Degraded,

    /// <summary>In an outage.</summary>
    Down,
}

/// <summary>
/// A transition of one site's state. <paramref name="At"/> is the time the change is dated to
/// (the scheduled start of the first probe of the run that confirmed it); <paramref name="ConfirmedAt"/>
/// is the scheduled start of the probe that confirmed it. <paramref name="Reason"/> is the failure
/// reason of the first failed probe for a change to Down, <see cref="ProbeFailure.TooSlow"/> for a
/// change to Degraded, and <see cref="ProbeFailure.None"/> for a change to Up.
/// </summary>
public sealed record StateChange(string Site, SiteState From, SiteState To, DateTimeOffset At, DateTimeOffset ConfirmedAt, ProbeFailure Reason);

/// <summary>
/// A period a site was Down: from the first failed probe of the confirming run to the first
/// successful probe of the recovering run. <paramref name="End"/> is null while it lasts.
/// <paramref name="Reason"/> is the failure reason of its first failed probe.
/// </summary>
public sealed record Outage(string Site, DateTimeOffset Start, DateTimeOffset? End, ProbeFailure Reason)
{
    /// <summary>End − Start; null while the outage is open.</summary>
    public TimeSpan? Duration => End - Start;
}

/// <summary>All changes and outages of a replayed probe history, and each site's final state.</summary>
public sealed record ReplayResult(IReadOnlyList<StateChange> Changes, IReadOnlyList<Outage> Outages, IReadOnlyDictionary<string, SiteState> States);

/// <summary>
/// The up/degraded/down state of one site, driven by its probe results in time order.
/// Rules (<c>T</c> = <see cref="UptimeThresholds"/>):
/// <list type="number">
/// <item>The machine starts <see cref="SiteState.Unknown"/>. Leaving Unknown needs the same evidence as
/// any other change: <c>T.FailuresToDown</c> consecutive failures → Down, or <c>T.SuccessesToUp</c>
/// consecutive successes → Up. A first success alone does not make a site Up; a mixed, flapping start
/// stays Unknown. Time spent Unknown is not downtime.</item>
/// <item>A failure run shorter than <c>T.FailuresToDown</c> never opens an outage; any success ends the run.</item>
/// <item>Down is entered on the <c>T.FailuresToDown</c>-th consecutive failure (from Unknown, Up or Degraded),
/// and, as with Uptime Kuma's retries, it is <em>reported</em> then (<see cref="StateChange.ConfirmedAt"/>)
/// but <em>dated</em> to the first failure of the run (<see cref="StateChange.At"/>, the outage start).</item>
/// <item>Down (or Unknown) is left on the <c>T.SuccessesToUp</c>-th consecutive success, slow or fast, dated to
/// the first success of that run (the outage end). The new state is Degraded if the last
/// <c>T.SlowToDegraded</c> probes of the run were slow, else Up.</item>
/// <item>Up → Degraded on <c>T.SlowToDegraded</c> consecutive slow successes, dated to the first slow one
/// (but never before the site became Up). Degraded → Up on <c>T.SuccessesToUp</c> consecutive fast
/// successes, dated to the first of them. A failure ends a slow or fast run.</item>
/// <item>Degraded is not an outage: only Down counts as downtime.</item>
/// </list>
/// Results must come in non-decreasing <see cref="ProbeResult.At"/> order. Not thread-safe: one owner
/// (e.g. the site's probe actor) applies results.
/// </summary>
public sealed class ProbeStateMachine
{
    private int failures;
    private DateTimeOffset firstFailureAt;
    private ProbeFailure firstFailure;
    private int successes;
    private DateTimeOffset firstSuccessAt;
    private int slow;
    private DateTimeOffset firstSlowAt;
    private int fast;
    private DateTimeOffset firstFastAt;
    private DateTimeOffset? lastAt;

    public ProbeStateMachine(string site, UptimeThresholds? thresholds = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(site);
        Thresholds = thresholds ?? UptimeThresholds.Default;
        Thresholds.Validate();
        Site = site;
    }

    public string Site { get; }

    public UptimeThresholds Thresholds { get; }

    public SiteState State { get; private set; } = SiteState.Unknown;

    /// <summary>The last transition, if any.</summary>
    public StateChange? LastChange { get; private set; }

    /// <summary>The outage in progress while the site is Down, else null.</summary>
    public Outage? OpenOutage =>
        State == SiteState.Down && LastChange is { } change ? new Outage(Site, change.At, null, change.Reason) : null;

    /// <summary>
    /// Continues from a transition recorded earlier (after a restart): the state it led to, and its outage if it
    /// went Down. The runs of evidence start afresh, so the next change needs its full count of results again.
    /// </summary>
    public void Resume(StateChange last)
    {
        ArgumentNullException.ThrowIfNull(last);
        if (!string.Equals(last.Site, Site, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Change of '{last.Site}' given to the machine of '{Site}'.", nameof(last));
        }

        State = last.To;
        LastChange = last;
        lastAt = last.ConfirmedAt;
        failures = successes = slow = fast = 0;
    }

    /// <summary>Feeds one probe result; returns the transition it confirmed, if any.</summary>
    public StateChange? Apply(ProbeResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!string.Equals(result.Site, Site, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Result for '{result.Site}' given to the machine of '{Site}'.", nameof(result));
        }

        if (result.At < lastAt)
        {
            throw new ArgumentException($"Result at {result.At:O} is older than the last one applied ({lastAt:O}).", nameof(result));
        }

        lastAt = result.At;
        var t = Thresholds;
        if (!result.Success)
        {
            if (failures++ == 0)
            {
                firstFailureAt = result.At;
                firstFailure = result.Failure;
            }

            successes = slow = fast = 0;
            return State != SiteState.Down && failures >= t.FailuresToDown
                ? Move(SiteState.Down, firstFailureAt, result.At, firstFailure)
                : null;
        }

        failures = 0;
        if (successes++ == 0)
        {
            firstSuccessAt = result.At;
        }

        if (t.IsSlow(result))
        {
            if (slow++ == 0)
            {
                firstSlowAt = result.At;
            }

            fast = 0;
        }
        else
        {
            if (fast++ == 0)
            {
                firstFastAt = result.At;
            }

            slow = 0;
        }

        var since = LastChange?.At ?? DateTimeOffset.MinValue;
        switch (State)
        {
            case SiteState.Unknown or SiteState.Down when successes >= t.SuccessesToUp:
                return slow >= t.SlowToDegraded
                    ? Move(SiteState.Degraded, firstSuccessAt, result.At, ProbeFailure.TooSlow)
                    : Move(SiteState.Up, firstSuccessAt, result.At, ProbeFailure.None);
            case SiteState.Up when slow >= t.SlowToDegraded:
                return Move(SiteState.Degraded, Later(firstSlowAt, since), result.At, ProbeFailure.TooSlow);
            case SiteState.Degraded when fast >= t.SuccessesToUp:
                return Move(SiteState.Up, Later(firstFastAt, since), result.At, ProbeFailure.None);
            default:
                return null;
        }
    }

    /// <summary>
    /// Runs every site's results (any order across sites; stable by time within a site) through a fresh
    /// machine per site. Changes come out ordered by <see cref="StateChange.ConfirmedAt"/>, outages by start.
    /// </summary>
    public static ReplayResult Replay(IEnumerable<ProbeResult> results, UptimeThresholds? thresholds = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        var changes = new List<StateChange>();
        var states = new Dictionary<string, SiteState>(StringComparer.Ordinal);
        foreach (var site in results.GroupBy(r => r.Site, StringComparer.Ordinal))
        {
            var machine = new ProbeStateMachine(site.Key, thresholds);
            foreach (var result in site.OrderBy(r => r.At))
            {
                if (machine.Apply(result) is { } change)
                {
                    changes.Add(change);
                }
            }

            states[site.Key] = machine.State;
        }

        var ordered = changes.OrderBy(c => c.ConfirmedAt).ThenBy(c => c.Site, StringComparer.Ordinal).ToList();
        return new ReplayResult(ordered, OutagesFrom(ordered), states);
    }

    /// <summary>
    /// Pairs each change to Down with the next change out of Down of the same site. An outage with no
    /// such change is open (End null). Ordered by start, then site.
    /// </summary>
    public static IReadOnlyList<Outage> OutagesFrom(IEnumerable<StateChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var outages = new List<Outage>();
        var open = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var change in changes.OrderBy(c => c.ConfirmedAt))
        {
            if (change.From == SiteState.Down && open.Remove(change.Site, out var index))
            {
                outages[index] = outages[index] with { End = change.At };
            }

            if (change.To == SiteState.Down && !open.ContainsKey(change.Site))
            {
                open[change.Site] = outages.Count;
                outages.Add(new Outage(change.Site, change.At, null, change.Reason));
            }
        }

        return outages.OrderBy(o => o.Start).ThenBy(o => o.Site, StringComparer.Ordinal).ToList();
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;

    private StateChange Move(SiteState to, DateTimeOffset at, DateTimeOffset confirmedAt, ProbeFailure reason)
    {
        var change = new StateChange(Site, State, to, at, confirmedAt, reason);
        State = to;
        LastChange = change;
        return change;
    }
}
