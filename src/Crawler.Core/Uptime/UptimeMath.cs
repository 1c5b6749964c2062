namespace Crawler.Core.Uptime;

/// <summary>
/// One site's probes in one UTC hour. <paramref name="Degraded"/> counts slow successes (successes
/// whose total exceeded <see cref="UptimeThresholds.DegradedAfter"/>). Response times are those of
/// successful probes that measured a total: <paramref name="ResponseTimeSum"/>, min, max and the
/// histogram all describe the same <c>ResponseTimes.Count</c> values.
/// </summary>
public sealed record HourlyAggregate(
    string Site,
    DateTimeOffset HourStart,
    int Probes,
    int Successes,
    int Degraded,
    TimeSpan ResponseTimeSum,
    TimeSpan? ResponseTimeMin,
    TimeSpan? ResponseTimeMax,
    ResponseHistogram ResponseTimes)
{
    public int Failures => Probes - Successes;

    public TimeSpan? MeanResponseTime => ResponseTimes.Count == 0 ? null : ResponseTimeSum / ResponseTimes.Count;
}

/// <summary>Estimated response-time percentiles and the exact extremes they were read from.</summary>
public sealed record ResponseTimePercentiles(TimeSpan P50, TimeSpan P95, TimeSpan P99, TimeSpan Min, TimeSpan Max, long Count);

/// <summary>
/// Uptime arithmetic over probe results, hourly aggregates and outages.
/// Two uptime figures are offered:
/// <list type="bullet">
/// <item><see cref="ProbeUptime"/>: successful probes / probes. Simple, but every failed probe counts,
/// including the blips the state machine deliberately ignores, and gaps in probing weigh nothing.</item>
/// <item><see cref="TimeUptime"/>: 1 − (confirmed outage time within the window) / window length. This
/// is what the CLI and reports should show: it matches what a reader means by "down for 90 minutes",
/// agrees with the outage list, and is what Uptime Kuma and status pages report.</item>
/// </list>
/// </summary>
public static class UptimeMath
{
    /// <summary>The start of the UTC hour holding <paramref name="at"/>.</summary>
    public static DateTimeOffset HourOf(DateTimeOffset at)
    {
        var ticks = at.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerHour), TimeSpan.Zero);
    }

    /// <summary>Per-site, per-UTC-hour aggregates, ordered by site (ordinal) then hour.</summary>
    public static IReadOnlyList<HourlyAggregate> Aggregate(IEnumerable<ProbeResult> results, UptimeThresholds? thresholds = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        var t = thresholds ?? UptimeThresholds.Default;
        return results
            .GroupBy(r => (r.Site, Hour: HourOf(r.At)))
            .OrderBy(g => g.Key.Site, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Hour)
            .Select(g =>
            {
                var times = g.Where(r => r.Success && r.Total is not null).Select(r => r.Total!.Value).ToList();
                return new HourlyAggregate(
                    g.Key.Site,
                    g.Key.Hour,
                    g.Count(),
                    g.Count(r => r.Success),
                    g.Count(t.IsSlow),
                    TimeSpan.FromTicks(times.Sum(x => x.Ticks)),
                    times.Count == 0 ? null : times.Min(),
                    times.Count == 0 ? null : times.Max(),
                    ResponseHistogram.Of(times));
            })
            .ToList();
    }

    /// <summary>Combines two aggregates of the same site and hour (e.g. an hour stored in parts).</summary>
    public static HourlyAggregate Merge(HourlyAggregate a, HourlyAggregate b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (!string.Equals(a.Site, b.Site, StringComparison.Ordinal) || a.HourStart != b.HourStart)
        {
            throw new ArgumentException("Only aggregates of the same site and hour merge.", nameof(b));
        }

        return new HourlyAggregate(
            a.Site,
            a.HourStart,
            a.Probes + b.Probes,
            a.Successes + b.Successes,
            a.Degraded + b.Degraded,
            a.ResponseTimeSum + b.ResponseTimeSum,
            Min(a.ResponseTimeMin, b.ResponseTimeMin),
            Max(a.ResponseTimeMax, b.ResponseTimeMax),
            a.ResponseTimes.Merge(b.ResponseTimes));
    }

    /// <summary>Merges aggregates of the same site and hour; the output is ordered as <see cref="Aggregate"/>'s.</summary>
    public static IReadOnlyList<HourlyAggregate> Merge(IEnumerable<HourlyAggregate> aggregates)
    {
        ArgumentNullException.ThrowIfNull(aggregates);
        return aggregates
            .GroupBy(a => (a.Site, a.HourStart))
            .OrderBy(g => g.Key.Site, StringComparer.Ordinal)
            .ThenBy(g => g.Key.HourStart)
            .Select(g => g.Aggregate(Merge))
            .ToList();
    }

    /// <summary>
    /// Probe-count uptime: successes / probes over the hours whose start lies in [from, to) (so the
    /// window is effectively rounded to whole hours). Null when there were no probes.
    /// </summary>
    public static double? ProbeUptime(IEnumerable<HourlyAggregate> hours, DateTimeOffset from, DateTimeOffset to)
    {
        long probes = 0, successes = 0;
        foreach (var hour in Within(hours, from, to))
        {
            probes += hour.Probes;
            successes += hour.Successes;
        }

        return probes == 0 ? null : (double)successes / probes;
    }

    /// <summary>
    /// Time uptime over [from, to): 1 − <see cref="Downtime"/> / (to − from), in [0, 1]. Use this one for the CLI.
    /// </summary>
    public static double TimeUptime(IEnumerable<Outage> outages, DateTimeOffset from, DateTimeOffset to) =>
        1 - ((double)Downtime(outages, from, to).Ticks / (to - from).Ticks);

    /// <summary>
    /// Time uptime over the part of [from, to) when the site was monitored: the window starts no earlier than
    /// <paramref name="monitoredSince"/> (the site's first evidence, see <c>SiteUptimeStatus.MonitoredSince</c>) or
    /// the start of an outage before it. Time before monitoring is neither up nor down, so a site watched for
    /// 2 hours with a 1-hour outage shows 50 % over 365 d, not 99.99 % (Uptime Kuma too counts only what it saw).
    /// Null when the window holds no evidence of the site: no probe (its latest, <paramref name="lastProbe"/>,
    /// is before the window or unknown) and no outage overlapping it — a site nobody probes any more has no
    /// uptime, not 100 %. Gaps between probes count as up.
    /// </summary>
    public static double? MonitoredUptime(
        IReadOnlyCollection<Outage> outages, DateTimeOffset? monitoredSince, DateTimeOffset? lastProbe, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(outages);
        if (!(lastProbe >= from) && !outages.Any(o => o.Start < to && (o.End is not { } end || end > from)))
        {
            return null;
        }

        var since = monitoredSince;
        foreach (var outage in outages)
        {
            since = since is { } s && s <= outage.Start ? s : outage.Start;
        }

        if (since is not { } start)
        {
            return null;
        }

        start = start > from ? start : from;
        return start < to ? TimeUptime(outages, start, to) : null;
    }

    /// <summary>
    /// Time within [from, to) covered by the outages, each clipped to the window; an open outage
    /// (End null) lasts to <paramref name="to"/>. Overlapping outages count once, so pass one site's
    /// outages for that site's downtime.
    /// </summary>
    public static TimeSpan Downtime(IEnumerable<Outage> outages, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(outages);
        if (to <= from)
        {
            throw new ArgumentException("The window must end after it starts.", nameof(to));
        }

        var total = TimeSpan.Zero;
        DateTimeOffset? runStart = null, runEnd = null;
        foreach (var (start, end) in outages
            .Select(o => (Start: o.Start < from ? from : o.Start, End: o.End is { } e && e < to ? e : to))
            .Where(x => x.Start < x.End)
            .OrderBy(x => x.Start))
        {
            if (runEnd is { } re && start <= re)
            {
                runEnd = end > re ? end : re;
                continue;
            }

            total += (runEnd - runStart) ?? TimeSpan.Zero;
            (runStart, runEnd) = (start, end);
        }

        return total + ((runEnd - runStart) ?? TimeSpan.Zero);
    }

    /// <summary>Estimated <paramref name="quantile"/> of response times over the given hours (merged); null when none were measured.</summary>
    public static TimeSpan? Percentile(IEnumerable<HourlyAggregate> hours, double quantile)
    {
        ArgumentNullException.ThrowIfNull(hours);
        var (histogram, min, max) = Combine(hours);
        return histogram.Percentile(quantile, min, max);
    }

    /// <summary>p50/p95/p99 of response times over the hours whose start lies in [from, to); null when none were measured.</summary>
    public static ResponseTimePercentiles? Percentiles(IEnumerable<HourlyAggregate> hours, DateTimeOffset from, DateTimeOffset to)
    {
        var (histogram, min, max) = Combine(Within(hours, from, to));
        if (histogram.Count == 0 || min is not { } lo || max is not { } hi)
        {
            return null;
        }

        return new ResponseTimePercentiles(
            histogram.Percentile(0.50, lo, hi)!.Value,
            histogram.Percentile(0.95, lo, hi)!.Value,
            histogram.Percentile(0.99, lo, hi)!.Value,
            lo,
            hi,
            histogram.Count);
    }

    private static IEnumerable<HourlyAggregate> Within(IEnumerable<HourlyAggregate> hours, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(hours);
        return hours.Where(h => h.HourStart >= from && h.HourStart < to);
    }

    private static (ResponseHistogram Histogram, TimeSpan? Min, TimeSpan? Max) Combine(IEnumerable<HourlyAggregate> hours)
    {
        var histogram = ResponseHistogram.Empty;
        TimeSpan? min = null, max = null;
        foreach (var hour in hours)
        {
            histogram = histogram.Merge(hour.ResponseTimes);
            min = Min(min, hour.ResponseTimeMin);
            max = Max(max, hour.ResponseTimeMax);
        }

        return (histogram, min, max);
    }

    private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private static TimeSpan? Max(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
