namespace Crawler.Core.Uptime;

/// <summary>How many probes confirm a change of state; see <see cref="ProbeStateMachine"/> for the rules.</summary>
public sealed record UptimeThresholds
{
    public static UptimeThresholds Default { get; } = new();

    /// <summary>Consecutive failed probes that confirm an outage (Uptime Kuma's "retries" + 1).</summary>
    public int FailuresToDown { get; init; } = 3;

    /// <summary>Consecutive successful probes that confirm recovery (and leave Unknown or Degraded).</summary>
    public int SuccessesToUp { get; init; } = 2;

    /// <summary>A successful probe whose <see cref="ProbeResult.Total"/> is above this is "slow".</summary>
    public TimeSpan DegradedAfter { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Consecutive slow successes that move Up to Degraded.</summary>
    public int SlowToDegraded { get; init; } = 2;

    /// <summary>Whether a probe is a slow success (a success with no measured total is not slow).</summary>
    public bool IsSlow(ProbeResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Success && result.Total > DegradedAfter;
    }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(FailuresToDown, 1, nameof(FailuresToDown));
        ArgumentOutOfRangeException.ThrowIfLessThan(SuccessesToUp, 1, nameof(SuccessesToUp));
        ArgumentOutOfRangeException.ThrowIfLessThan(SlowToDegraded, 1, nameof(SlowToDegraded));
        ArgumentOutOfRangeException.ThrowIfLessThan(DegradedAfter, TimeSpan.Zero, nameof(DegradedAfter));
    }
}
