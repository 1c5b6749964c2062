using CsCheck;
using Crawler.Core.Uptime;
using Xunit;
using static Crawler.Core.Tests.Uptime.Script;

namespace Crawler.Core.Tests.Uptime;

public sealed class UptimeMathPropertyTests
{
    // Log-uniform from 20 µs to 120 s: every part of the bucket range, including below 1 ms.
    private static readonly Gen<TimeSpan> ResponseTimes =
        Gen.Double[Math.Log(0.02), Math.Log(120_000)].Select(x => TimeSpan.FromTicks((long)(Math.Exp(x) * TimeSpan.TicksPerMillisecond)));

    private static readonly Gen<double> Quantiles = Gen.OneOf(Gen.Const(0.5), Gen.Const(0.95), Gen.Const(0.99), Gen.Double[0.001, 1.0]);

    private static readonly Gen<ProbeResult> Results = Gen.Select(
        Gen.Int[0, 2].Select(i => $"site{i}.kp"),
        Gen.Int[0, 5 * 3600],
        Gen.Int[0, 4],
        ResponseTimes,
        (site, second, kind, time) => kind switch
        {
            0 => ProbeResult.Failed(site, T0.AddSeconds(second), ProbeFailure.ConnectTimeout),
            1 => new ProbeResult(site, T0.AddSeconds(second), ProbeFailure.None), // success with no timing
            _ => ProbeResult.Up(site, T0.AddSeconds(second), time),
        });

    private static bool WithinBound(TimeSpan estimate, TimeSpan exact)
    {
        var error = Math.Abs((estimate - exact).Ticks);
        return exact < TimeSpan.FromMilliseconds(1)
            ? error <= ResponseHistogram.AbsoluteErrorBelowOneMillisecond.Ticks
            : error <= exact.Ticks * ResponseHistogram.RelativeErrorBound;
    }

    private static TimeSpan NearestRank(List<TimeSpan> values, double q)
    {
        var sorted = values.Order().ToList();
        var rank = Math.Clamp((int)Math.Ceiling(q * sorted.Count), 1, sorted.Count);
        return sorted[rank - 1];
    }

    [Fact]
    public void Percentile_estimates_lie_within_the_documented_error_of_the_exact_percentile()
    {
        Gen.Select(ResponseTimes.List[1, 400], Quantiles).Sample((values, q) =>
        {
            var estimate = ResponseHistogram.Of(values).Percentile(q, values.Min(), values.Max())!.Value;
            return WithinBound(estimate, NearestRank(values, q));
        });
    }

    [Fact]
    public void Percentile_estimates_from_merged_hours_lie_within_the_documented_error()
    {
        var timed = Gen.Select(Gen.Int[0, 48 * 60], ResponseTimes, (minute, time) => ProbeResult.Up("a.kp", T0.AddMinutes(minute), time));
        Gen.Select(timed.List[1, 300], Quantiles).Sample((results, q) =>
        {
            var estimate = UptimeMath.Percentile(UptimeMath.Aggregate(results), q)!.Value;
            return WithinBound(estimate, NearestRank(results.Select(r => r.Total!.Value).ToList(), q));
        });
    }

    [Fact]
    public void Merged_aggregates_equal_aggregates_of_the_concatenated_input()
    {
        Gen.Select(Results.List[0, 80], Results.List[0, 80]).Sample((xs, ys) =>
        {
            var merged = UptimeMath.Merge(UptimeMath.Aggregate(xs).Concat(UptimeMath.Aggregate(ys)));
            return merged.SequenceEqual(UptimeMath.Aggregate(xs.Concat(ys)));
        });
    }

    [Fact]
    public void Aggregates_account_for_every_probe()
    {
        Results.List[0, 200].Sample(results =>
        {
            var hours = UptimeMath.Aggregate(results);
            return hours.Sum(h => h.Probes) == results.Count
                && hours.Sum(h => h.Successes) == results.Count(r => r.Success)
                && hours.All(h => h.ResponseTimes.Count == 0 || (h.ResponseTimeMin <= h.MeanResponseTime && h.MeanResponseTime <= h.ResponseTimeMax));
        });
    }

    [Fact]
    public void Time_uptime_is_within_zero_and_one_and_matches_a_minute_by_minute_count()
    {
        var outage = Gen.Select(Gen.Int[-120, 1500], Gen.Int[1, 600], Gen.Bool, (start, length, open) =>
            new Outage("a.kp", T0.AddMinutes(start), open ? null : T0.AddMinutes(start + length), ProbeFailure.Other));
        var window = Gen.Select(Gen.Int[-60, 1440], Gen.Int[1, 1440], (from, length) => (From: from, To: from + length));
        Gen.Select(outage.List[0, 8], window).Sample((outages, w) =>
        {
            var from = T0.AddMinutes(w.From);
            var to = T0.AddMinutes(w.To);
            var uptime = UptimeMath.TimeUptime(outages, from, to);
            var downMinutes = Enumerable.Range(w.From, w.To - w.From)
                .Count(m => outages.Any(o => T0.AddMinutes(m) >= o.Start && (o.End is not { } end || T0.AddMinutes(m) < end)));
            return uptime is >= 0 and <= 1 && UptimeMath.Downtime(outages, from, to) == TimeSpan.FromMinutes(downMinutes);
        });
    }

    [Fact]
    public void Time_uptime_of_replayed_schedules_is_within_zero_and_one()
    {
        Gen.Char["UUSFF"].Array[1, 300].Sample(codes =>
        {
            var probes = Probes(new string(codes));
            var outages = ProbeStateMachine.Replay(probes).Outages;
            var uptime = UptimeMath.TimeUptime(outages, T0, At(probes.Count));
            var failures = probes.Count(p => !p.Success);
            return uptime is >= 0 and <= 1 && (failures >= 3 || uptime == 1);
        });
    }
}
