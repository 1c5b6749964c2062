using Crawler.Core.Uptime;

namespace Crawler.Storage;

/// <summary>
/// How a store reads <see cref="SiteUptimeStatus.MonitoredSince"/> from what it kept: pure, so that every
/// store applies the same rule to its own queries' answers.
/// </summary>
public static class UptimeEvidence
{
    /// <summary>
    /// The earliest evidence of a site: its first raw result, unless an earlier hour was aggregated whose raw
    /// results are purged (then that hour's start); a state change earlier than both (kept when results are not) wins.
    /// </summary>
    public static DateTimeOffset? MonitoredSince(DateTimeOffset? firstResult, DateTimeOffset? firstHour, DateTimeOffset? firstChange)
    {
        DateTimeOffset? since = firstResult;
        if (firstHour is { } hour && (firstResult is not { } result || hour < UptimeMath.HourOf(result)))
        {
            since = hour;
        }

        return firstChange is { } change && (since is not { } s || change < s) ? change : since;
    }

    /// <summary>The latest evidence of a probe: the latest raw result, or once those are purged the end of the last aggregated hour.</summary>
    public static DateTimeOffset? LastProbed(DateTimeOffset? lastResult, DateTimeOffset? lastHour) =>
        lastResult ?? lastHour?.AddHours(1);
}
