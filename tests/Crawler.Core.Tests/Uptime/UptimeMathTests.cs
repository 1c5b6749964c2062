using Crawler.Core.Uptime;
using Xunit;
using static Crawler.Core.Tests.Uptime.Script;

namespace Crawler.Core.Tests.Uptime;

public sealed class UptimeMathTests
{
    private const string Site = "naenara.com.kp";
    private static readonly DateTimeOffset DayEnd = T0.AddDays(1);

    private static string Day(Func<int, char> codeForMinute) =>
        new(Enumerable.Range(0, 24 * 60).Select(codeForMinute).ToArray());

    [Fact]
    public void A_day_with_a_90_minute_outage_has_93_75_percent_uptime()
    {
        // One probe a minute; the site answers nothing from 10:00 to 11:29 inclusive.
        var probes = Probes(Day(m => m is >= 600 and < 690 ? 'F' : 'U'));
        var outages = ProbeStateMachine.Replay(probes).Outages;

        var outage = Assert.Single(outages);
        Assert.Equal((T0.AddHours(10), T0.AddHours(11.5)), (outage.Start, outage.End!.Value));
        Assert.Equal(TimeSpan.FromMinutes(90), UptimeMath.Downtime(outages, T0, DayEnd));
        Assert.Equal(0.9375, UptimeMath.TimeUptime(outages, T0, DayEnd), 12);
        Assert.Equal(0.9375, UptimeMath.ProbeUptime(UptimeMath.Aggregate(probes), T0, DayEnd)!.Value, 12);
    }

    [Fact]
    public void Single_failed_probes_lower_probe_uptime_but_not_time_uptime()
    {
        var probes = Probes(Day(m => m % 144 == 7 ? 'F' : 'U'));
        var outages = ProbeStateMachine.Replay(probes).Outages;

        Assert.Empty(outages);
        Assert.Equal(1.0, UptimeMath.TimeUptime(outages, T0, DayEnd));
        Assert.Equal(1430.0 / 1440, UptimeMath.ProbeUptime(UptimeMath.Aggregate(probes), T0, DayEnd)!.Value, 12);
    }

    [Fact]
    public void An_outage_crossing_the_window_edge_counts_only_inside_it()
    {
        var outages = new[] { new Outage(Site, T0.AddHours(-1), T0.AddHours(1), ProbeFailure.DnsTimeout) };

        Assert.Equal(TimeSpan.FromHours(1), UptimeMath.Downtime(outages, T0, DayEnd));
        Assert.Equal(1 - (1 / 24.0), UptimeMath.TimeUptime(outages, T0, DayEnd), 12);
    }

    [Fact]
    public void An_open_outage_lasts_to_the_end_of_the_window()
    {
        var outages = new[] { new Outage(Site, T0.AddHours(18), null, ProbeFailure.ConnectionRefused) };

        Assert.Equal(0.75, UptimeMath.TimeUptime(outages, T0, DayEnd), 12);
    }

    [Fact]
    public void Overlapping_outages_count_once()
    {
        var outages = new[]
        {
            new Outage(Site, T0.AddHours(1), T0.AddHours(3), ProbeFailure.Other),
            new Outage(Site, T0.AddHours(2), T0.AddHours(4), ProbeFailure.Other),
            new Outage(Site, T0.AddHours(6), T0.AddHours(7), ProbeFailure.Other),
        };

        Assert.Equal(TimeSpan.FromHours(4), UptimeMath.Downtime(outages, T0, DayEnd));
    }

    [Fact]
    public void Uptime_over_a_year_counts_only_the_time_the_site_was_monitored()
    {
        // Watched for 2 hours, down for the second: 50 %, not 1 - 1 h / 365 d.
        var now = T0.AddHours(2);
        var outages = new[] { new Outage(Site, T0.AddHours(1), null, ProbeFailure.ConnectionRefused) };

        Assert.Equal(0.5, UptimeMath.MonitoredUptime(outages, T0, now, now - TimeSpan.FromDays(365), now)!.Value, 12);
        Assert.Equal(0.5, UptimeMath.MonitoredUptime(outages, T0, now, now - TimeSpan.FromHours(24), now)!.Value, 12);
        Assert.Equal(0.0, UptimeMath.MonitoredUptime(outages, T0, now, now - TimeSpan.FromMinutes(30), now)!.Value, 12);
    }

    [Fact]
    public void An_outage_older_than_the_first_evidence_still_dates_the_start_of_monitoring()
    {
        // The raw results before the outage were purged; its start is the earliest evidence left.
        var now = T0.AddHours(4);
        var outages = new[] { new Outage(Site, T0, T0.AddHours(1), ProbeFailure.DnsTimeout) };

        Assert.Equal(0.75, UptimeMath.MonitoredUptime(outages, T0.AddHours(3), now, now - TimeSpan.FromDays(30), now)!.Value, 12);
    }

    [Fact]
    public void A_site_never_monitored_or_monitored_only_after_the_window_has_no_uptime()
    {
        Assert.Null(UptimeMath.MonitoredUptime([], null, null, T0, DayEnd));
        Assert.Null(UptimeMath.MonitoredUptime([], DayEnd, DayEnd, T0, DayEnd));
        Assert.Equal(1.0, UptimeMath.MonitoredUptime([], T0.AddHours(23), T0.AddHours(23), T0, DayEnd));
    }

    [Fact]
    public void A_site_no_longer_probed_has_no_uptime_in_a_window_without_its_probes_or_outages()
    {
        var lastProbe = T0.AddHours(-30);
        var oldOutage = new Outage(Site, T0.AddHours(-40), T0.AddHours(-39), ProbeFailure.DnsTimeout);

        Assert.Null(UptimeMath.MonitoredUptime([oldOutage], T0.AddDays(-3), lastProbe, T0, DayEnd));
        Assert.Equal(1 - (1 / 72.0), UptimeMath.MonitoredUptime([oldOutage], T0.AddDays(-3), lastProbe, DayEnd.AddDays(-3), DayEnd)!.Value, 12);

        // An open outage is evidence through to the window's end, though its probes stopped being stored.
        var open = new Outage(Site, T0.AddHours(-40), null, ProbeFailure.DnsTimeout);
        Assert.Equal(0.0, UptimeMath.MonitoredUptime([open], T0.AddDays(-3), lastProbe, T0, DayEnd));
    }

    [Fact]
    public void An_empty_window_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => UptimeMath.TimeUptime([], T0, T0));
    }

    [Fact]
    public void Aggregates_are_per_site_per_utc_hour_with_counts_and_response_times()
    {
        var pyongyang = TimeSpan.FromHours(9);
        var hour = new DateTimeOffset(2025, 3, 1, 9, 0, 0, pyongyang); // 00:00 UTC
        var results = new[]
        {
            ProbeResult.Up(Site, hour.AddMinutes(1), TimeSpan.FromMilliseconds(100)),
            ProbeResult.Up(Site, hour.AddMinutes(2), TimeSpan.FromMilliseconds(300)),
            ProbeResult.Up(Site, hour.AddMinutes(3), TimeSpan.FromSeconds(5)),
            ProbeResult.Failed(Site, hour.AddMinutes(4), ProbeFailure.HttpStatus) with { Total = TimeSpan.FromSeconds(9) },
            ProbeResult.Up(Site, hour.AddMinutes(61), TimeSpan.FromMilliseconds(50)),
            ProbeResult.Up("kcna.kp", hour.AddMinutes(5), TimeSpan.FromMilliseconds(70)),
        };

        var hours = UptimeMath.Aggregate(results);

        Assert.Equal([("kcna.kp", T0), (Site, T0), (Site, T0.AddHours(1))], hours.Select(h => (h.Site, h.HourStart)));
        var first = hours[1];
        Assert.Equal(TimeSpan.Zero, first.HourStart.Offset);
        Assert.Equal((4, 3, 1, 1), (first.Probes, first.Successes, first.Degraded, first.Failures));
        Assert.Equal(TimeSpan.FromMilliseconds(5400), first.ResponseTimeSum);
        Assert.Equal(TimeSpan.FromMilliseconds(100), first.ResponseTimeMin);
        Assert.Equal(TimeSpan.FromSeconds(5), first.ResponseTimeMax);
        Assert.Equal(TimeSpan.FromMilliseconds(1800), first.MeanResponseTime);
        Assert.Equal(3, first.ResponseTimes.Count);
    }

    [Fact]
    public void Merging_the_parts_of_an_hour_equals_aggregating_the_whole_hour()
    {
        var probes = Probes("UUSFUUSSFFUU");
        var whole = Assert.Single(UptimeMath.Aggregate(probes));

        var merged = UptimeMath.Merge(UptimeMath.Aggregate(probes.Take(5)).Single(), UptimeMath.Aggregate(probes.Skip(5)).Single());

        Assert.Equal(whole, merged);
    }

    [Fact]
    public void Aggregates_of_different_hours_do_not_merge()
    {
        var hours = UptimeMath.Aggregate([ProbeResult.Up(Site, T0, Fast), ProbeResult.Up(Site, T0.AddHours(1), Fast)]);

        Assert.Throws<ArgumentException>(() => UptimeMath.Merge(hours[0], hours[1]));
    }

    [Fact]
    public void Probe_uptime_counts_only_the_hours_in_the_window()
    {
        var probes = Probes(Day(m => m < 60 ? 'F' : 'U'));
        var hours = UptimeMath.Aggregate(probes);

        Assert.Equal(0.0, UptimeMath.ProbeUptime(hours, T0, T0.AddHours(1)));
        Assert.Equal(1.0, UptimeMath.ProbeUptime(hours, T0.AddHours(1), DayEnd));
        Assert.Null(UptimeMath.ProbeUptime(hours, DayEnd, DayEnd.AddHours(1)));
    }

    [Fact]
    public void Percentiles_of_a_known_spread_are_within_the_documented_error()
    {
        var results = Enumerable.Range(1, 1000)
            .Select(i => ProbeResult.Up(Site, T0.AddSeconds(i * 3), TimeSpan.FromMilliseconds(i)))
            .ToList();
        var hours = UptimeMath.Aggregate(results);
        Assert.Single(hours);

        var p = UptimeMath.Percentiles(hours, T0, DayEnd)!;

        Assert.InRange(p.P50.TotalMilliseconds, 500 * (1 - ResponseHistogram.RelativeErrorBound), 500 * (1 + ResponseHistogram.RelativeErrorBound));
        Assert.InRange(p.P95.TotalMilliseconds, 950 * (1 - ResponseHistogram.RelativeErrorBound), 950 * (1 + ResponseHistogram.RelativeErrorBound));
        Assert.InRange(p.P99.TotalMilliseconds, 990 * (1 - ResponseHistogram.RelativeErrorBound), 990 * (1 + ResponseHistogram.RelativeErrorBound));
        Assert.Equal((TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1000), 1000L), (p.Min, p.Max, p.Count));
    }

    [Fact]
    public void Percentiles_read_across_merged_hours()
    {
        var fastHour = Enumerable.Range(0, 90).Select(i => ProbeResult.Up(Site, T0.AddSeconds(i * 30), TimeSpan.FromMilliseconds(20)));
        var slowHour = Enumerable.Range(0, 10).Select(i => ProbeResult.Up(Site, T0.AddHours(1).AddSeconds(i * 30), TimeSpan.FromMilliseconds(1500)));
        var hours = UptimeMath.Aggregate(fastHour.Concat(slowHour));
        Assert.Equal(2, hours.Count);

        Assert.InRange(UptimeMath.Percentile(hours, 0.5)!.Value.TotalMilliseconds, 20 * (1 - ResponseHistogram.RelativeErrorBound), 20 * (1 + ResponseHistogram.RelativeErrorBound));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), UptimeMath.Percentile(hours, 0.95)); // clamped to the observed max
        Assert.Null(UptimeMath.Percentiles(hours, DayEnd, DayEnd.AddHours(1)));
    }

    [Fact]
    public void Histogram_buckets_are_four_per_doubling_from_one_millisecond()
    {
        Assert.Equal(70, ResponseHistogram.BucketCount);
        Assert.Equal(0, ResponseHistogram.BucketOf(TimeSpan.FromTicks(9_999)));
        Assert.Equal(1, ResponseHistogram.BucketOf(TimeSpan.FromMilliseconds(1)));
        Assert.Equal(4, ResponseHistogram.BucketOf(TimeSpan.FromTicks(19_999)));
        Assert.Equal(5, ResponseHistogram.BucketOf(TimeSpan.FromMilliseconds(2)));
        Assert.Equal(TimeSpan.FromMilliseconds(1024), ResponseHistogram.LowerBound(41));
        Assert.Equal(TimeSpan.FromSeconds(131.072), ResponseHistogram.LowerBound(69));
        Assert.Equal(69, ResponseHistogram.BucketOf(TimeSpan.FromMinutes(10)));
        Assert.Null(ResponseHistogram.UpperBound(69));
        for (var b = 1; b < 69; b++)
        {
            var ratio = (double)ResponseHistogram.UpperBound(b)!.Value.Ticks / ResponseHistogram.LowerBound(b).Ticks;
            Assert.Equal(Math.Pow(2, 0.25), ratio, 3);
            Assert.Equal(b, ResponseHistogram.BucketOf(ResponseHistogram.LowerBound(b)));
            Assert.Equal(b, ResponseHistogram.BucketOf(ResponseHistogram.UpperBound(b)!.Value - TimeSpan.FromTicks(1)));
        }
    }

    [Fact]
    public void A_histogram_round_trips_through_its_counts()
    {
        var histogram = ResponseHistogram.Of([TimeSpan.FromMilliseconds(3), TimeSpan.FromMilliseconds(3), TimeSpan.FromSeconds(2)]);

        var copy = ResponseHistogram.FromCounts(histogram.Counts);

        Assert.Equal(histogram, copy);
        Assert.Equal(histogram.GetHashCode(), copy.GetHashCode());
        Assert.NotEqual(ResponseHistogram.Empty, copy);
        Assert.Throws<ArgumentException>(() => ResponseHistogram.FromCounts([1, 2, 3]));
    }
}
