namespace Crawler.Core.Uptime;

/// <summary>When a probe round counts as a country-wide failure.</summary>
public sealed record CountryRollupOptions
{
    public static CountryRollupOptions Default { get; } = new();

    /// <summary>A round fails when at least this fraction of the targets that reported in it failed.</summary>
    public double FailingFraction { get; init; } = 0.9;

    /// <summary>Consecutive failing rounds that confirm a country-wide outage.</summary>
    public int RoundsToConfirm { get; init; } = 2;

    /// <summary>Consecutive healthy rounds that end it.</summary>
    public int RoundsToClear { get; init; } = 2;

    /// <summary>A round in which fewer targets reported is no evidence either way (e.g. at start-up).</summary>
    public int MinimumTargets { get; init; } = 10;

    internal void Validate()
    {
        if (!(FailingFraction > 0 && FailingFraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(FailingFraction), FailingFraction, "Must be in (0, 1].");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(RoundsToConfirm, 1, nameof(RoundsToConfirm));
        ArgumentOutOfRangeException.ThrowIfLessThan(RoundsToClear, 1, nameof(RoundsToClear));
        ArgumentOutOfRangeException.ThrowIfLessThan(MinimumTargets, 1, nameof(MinimumTargets));
    }
}

/// <summary>The results of one probe round: every site and name server probed in that round window.</summary>
public sealed record ProbeRound(DateTimeOffset Start, IReadOnlyList<ProbeResult> Results);

/// <summary>
/// The whole .kp web unreachable from here. <paramref name="Start"/> is the start of the first failing
/// round of the confirming run, <paramref name="End"/> the start of the first healthy round of the
/// clearing run (null while it lasts). <paramref name="FailedTargets"/> of <paramref name="Targets"/>
/// failed in the confirming round.
/// </summary>
public sealed record CountryOutage(DateTimeOffset Start, DateTimeOffset? End, DateTimeOffset ConfirmedAt, int FailedTargets, int Targets)
{
    public TimeSpan? Duration => End - Start;
}

public enum CountryOutageEventKind
{
    Started,
    Ended,
}

/// <summary>A country-wide outage confirmed (Started) or cleared (Ended); both carry the same <see cref="CountryOutage.Start"/>.</summary>
public sealed record CountryOutageEvent(CountryOutageEventKind Kind, CountryOutage Outage);

/// <summary>
/// Decides whether failures are the country's (or our uplink's) rather than the sites'. Targets are
/// the sites and the .kp name servers, each reporting a <see cref="ProbeResult"/> per round (a name
/// server check is a result whose Site names the server). Rules:
/// <list type="number">
/// <item>Per round, each target's latest result counts once. The round fails when
/// failed / reporting ≥ <see cref="CountryRollupOptions.FailingFraction"/>. A round with fewer than
/// <see cref="CountryRollupOptions.MinimumTargets"/> reporting targets is skipped: it neither
/// confirms nor breaks a run.</item>
/// <item>As for a site: <see cref="CountryRollupOptions.RoundsToConfirm"/> consecutive failing rounds
/// start one outage dated to the first of them; a shorter blip starts none.
/// <see cref="CountryRollupOptions.RoundsToClear"/> consecutive healthy rounds end it, dated to the
/// first of them.</item>
/// </list>
/// Rounds must be applied in increasing start order. Not thread-safe.
/// </summary>
public sealed class CountryRollup
{
    private readonly List<CountryOutage> outages = [];
    private int failingRounds;
    private DateTimeOffset firstFailingRound;
    private int healthyRounds;
    private DateTimeOffset firstHealthyRound;
    private DateTimeOffset? lastRound;

    public CountryRollup(CountryRollupOptions? options = null)
    {
        Options = options ?? CountryRollupOptions.Default;
        Options.Validate();
    }

    public CountryRollupOptions Options { get; }

    /// <summary>The outage in progress, if any.</summary>
    public CountryOutage? Current => outages.Count > 0 && outages[^1].End is null ? outages[^1] : null;

    /// <summary>Every country-wide outage seen, the open one last.</summary>
    public IReadOnlyList<CountryOutage> Outages => outages;

    /// <summary>Groups results into rounds of <paramref name="roundLength"/> counted from <paramref name="origin"/>; rounds with no results are left out.</summary>
    public static IReadOnlyList<ProbeRound> Rounds(IEnumerable<ProbeResult> results, DateTimeOffset origin, TimeSpan roundLength)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(roundLength, TimeSpan.Zero);
        return results
            .GroupBy(r => (long)Math.Floor((r.At - origin) / roundLength))
            .OrderBy(g => g.Key)
            .Select(g => new ProbeRound(origin + (roundLength * g.Key), g.ToList()))
            .ToList();
    }

    /// <summary>Runs rounds through a fresh rollup and returns its events.</summary>
    public static IReadOnlyList<CountryOutageEvent> Replay(IEnumerable<ProbeRound> rounds, CountryRollupOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(rounds);
        var rollup = new CountryRollup(options);
        var events = new List<CountryOutageEvent>();
        foreach (var round in rounds)
        {
            if (rollup.Apply(round) is { } e)
            {
                events.Add(e);
            }
        }

        return events;
    }

    /// <summary>
    /// Continues an outage recorded before this rollup existed (a restarted node, a singleton that moved): it
    /// stays open until healthy rounds end it, and its end is reported as one <see cref="CountryOutageEventKind.Ended"/>.
    /// Rounds at or before its confirmation are ignored thereafter.
    /// </summary>
    public void Resume(CountryOutage open)
    {
        ArgumentNullException.ThrowIfNull(open);
        if (open.End is not null || outages.Count > 0 || lastRound is not null)
        {
            throw new InvalidOperationException("Only an open outage can be resumed, and only before any round.");
        }

        outages.Add(open);
        failingRounds = Options.RoundsToConfirm;
        firstFailingRound = open.Start;
        lastRound = open.ConfirmedAt;
    }

    public CountryOutageEvent? Apply(ProbeRound round)
    {
        ArgumentNullException.ThrowIfNull(round);
        return Apply(round.Start, round.Results);
    }

    /// <summary>Feeds one round; returns the event it confirmed, if any.</summary>
    public CountryOutageEvent? Apply(DateTimeOffset roundStart, IEnumerable<ProbeResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (roundStart <= lastRound)
        {
            throw new ArgumentException($"Round {roundStart:O} is not after the last one ({lastRound:O}).", nameof(roundStart));
        }

        lastRound = roundStart;
        var latest = results
            .GroupBy(r => r.Site, StringComparer.Ordinal)
            .Select(g => g.MaxBy(r => r.At)!)
            .ToList();
        if (latest.Count < Options.MinimumTargets)
        {
            return null;
        }

        var failed = latest.Count(r => !r.Success);
        var failing = failed >= Math.Ceiling((Options.FailingFraction * latest.Count) - 1e-9);
        if (failing)
        {
            healthyRounds = 0;
            if (failingRounds++ == 0)
            {
                firstFailingRound = roundStart;
            }

            if (Current is null && failingRounds >= Options.RoundsToConfirm)
            {
                var outage = new CountryOutage(firstFailingRound, null, roundStart, failed, latest.Count);
                outages.Add(outage);
                return new CountryOutageEvent(CountryOutageEventKind.Started, outage);
            }

            return null;
        }

        failingRounds = 0;
        if (healthyRounds++ == 0)
        {
            firstHealthyRound = roundStart;
        }

        if (Current is { } open && healthyRounds >= Options.RoundsToClear)
        {
            var ended = open with { End = firstHealthyRound };
            outages[^1] = ended;
            return new CountryOutageEvent(CountryOutageEventKind.Ended, ended);
        }

        return null;
    }
}
