using CsCheck;
using Crawler.Core.Policies;
using Xunit;

namespace Crawler.Core.Tests.Policies;

public sealed class RecrawlPolicyPropertyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    // Min from a minute to a day; Initial up to 50 × Min; Max up to 100 × Initial.
    private static readonly Gen<RecrawlBounds> Bounds =
        Gen.Select(Gen.Int[1, 1440], Gen.Double[1, 50], Gen.Double[1, 100], (minutes, initial, max) =>
        {
            var min = TimeSpan.FromMinutes(minutes);
            var init = min * initial;
            return new RecrawlBounds(min, init, init * max);
        });

    private static readonly Gen<RecrawlOptions> Options =
        Gen.Select(Gen.Select(Bounds, Bounds, Bounds), Gen.Double[0.05, 0.95], Gen.Double[0.05, 0.95], Gen.Double[0.05, 0.95], Gen.Bool,
            (bounds, inc, dec, sync, on) => new RecrawlOptions
            {
                FrontPage = bounds.Item1,
                Listing = bounds.Item2,
                Article = bounds.Item3,
                IncreaseRate = inc,
                DecreaseRate = dec,
                SyncDeltaRate = sync,
                SyncDelta = on,
            });

    private static readonly Gen<PageClass> Classes = Gen.Enum<PageClass>();

    // One fetch: which class the URL is now, whether it changed, and how late (or early) it came
    // as a fraction of the interval (a crawl round may run late; a clock may step back).
    private static readonly Gen<(PageClass Class, bool Changed, double Lateness)> Steps =
        Gen.Select(Classes, Gen.Bool, Gen.OneOf(Gen.Double[0, 3], Gen.Double[-1, 0], Gen.Const(1.0)));

    private static IEnumerable<RecrawlSchedule> Run(RecrawlOptions options, PageClass pageClass, Func<int, RecrawlSchedule?, bool> changed, int fetches)
    {
        RecrawlSchedule? schedule = null;
        for (var i = 0; i < fetches; i++)
        {
            var at = schedule?.DueAt ?? T0;
            schedule = RecrawlPolicy.Next(options, pageClass, schedule, changed(i, schedule), at);
            yield return schedule;
        }
    }

    private static int StepsToCross(TimeSpan from, TimeSpan to, double factor) =>
        (int)Math.Ceiling(Math.Abs(Math.Log(to / from) / Math.Log(factor))) + 2;

    [Fact]
    public void Bounds_always_hold_and_due_is_fetch_plus_interval()
    {
        Gen.Select(Options, Steps.List[1, 60]).Sample((options, steps) =>
        {
            RecrawlSchedule? schedule = null;
            var at = T0;
            foreach (var (pageClass, changed, lateness) in steps)
            {
                if (schedule is not null)
                {
                    at = schedule.LastFetchedAt + (schedule.Interval * lateness);
                }

                schedule = RecrawlPolicy.Next(options, pageClass, schedule, changed, at);
                var bounds = options.For(pageClass);
                if (schedule.Interval < bounds.Min || schedule.Interval > bounds.Max
                    || schedule.DueAt != at + schedule.Interval || schedule.LastFetchedAt != at
                    || (changed && schedule.LastChangedAt != at))
                {
                    return false;
                }
            }

            return true;
        });
    }

    [Fact]
    public void An_always_unchanged_page_converges_to_its_class_maximum_and_stays()
    {
        Gen.Select(Options, Classes).Sample((options, pageClass) =>
        {
            var bounds = options.For(pageClass);
            var needed = StepsToCross(bounds.Initial, bounds.Max, 1 + options.IncreaseRate);
            var intervals = Run(options, pageClass, (_, _) => false, needed + 10).Select(s => s.Interval).ToList();
            return intervals.Skip(needed).All(i => i == bounds.Max);
        });
    }

    [Fact]
    public void An_always_changed_page_converges_to_its_class_minimum_and_stays()
    {
        Gen.Select(Options, Classes).Sample((options, pageClass) =>
        {
            var bounds = options.For(pageClass);

            // Fetched when due, each fetch sees a change and the observed change period is the
            // interval itself: sync delta pulls the shrunk interval back by its rate of the step.
            var factor = options.SyncDelta ? 1 - (options.DecreaseRate * (1 - options.SyncDeltaRate)) : 1 - options.DecreaseRate;
            var needed = StepsToCross(bounds.Initial, bounds.Min, factor);
            var intervals = Run(options, pageClass, (_, _) => true, needed + 10).Select(s => s.Interval).ToList();
            return intervals.Skip(needed).All(i => i == bounds.Min);
        });
    }

    [Fact]
    public void Unchanged_never_shrinks_and_changed_never_grows()
    {
        var previous = Gen.Select(Options, Classes, Gen.Double[0, 1], Gen.Double[0, 5])
            .Select((options, pageClass, position, sinceChange) =>
            {
                var b = options.For(pageClass);
                var interval = b.Min + ((b.Max - b.Min) * position);
                var lastFetch = T0 + TimeSpan.FromDays(100);
                return (options, pageClass, schedule: new RecrawlSchedule(interval, lastFetch, lastFetch - (interval * sinceChange), lastFetch + interval));
            });
        Gen.Select(previous, Gen.Double[0, 5]).Sample((p, lateness) =>
        {
            var at = p.schedule.LastFetchedAt + (p.schedule.Interval * lateness);
            var unchanged = RecrawlPolicy.Next(p.options, p.pageClass, p.schedule, false, at);
            var changed = RecrawlPolicy.Next(p.options, p.pageClass, p.schedule, true, at);
            return unchanged.Interval >= p.schedule.Interval && changed.Interval <= p.schedule.Interval;
        });
    }

    // A page that changes every T (any phase), fetched whenever due, with the default rates.
    private static (double Min, double Max, double Mean, double Caught) Periodic(RecrawlOptions options, TimeSpan period, TimeSpan phase)
    {
        long Version(DateTimeOffset at) => (long)Math.Floor((at - T0 - phase) / period);
        var tail = new List<double>();
        long versions = 0, caught = 0;
        RecrawlSchedule? schedule = null;
        const int WarmUp = 200, Measured = 200;
        for (var i = 0; i < WarmUp + Measured; i++)
        {
            var at = schedule?.DueAt ?? T0;
            var changed = schedule is null || Version(at) > Version(schedule.LastFetchedAt);
            if (i >= WarmUp)
            {
                versions += Version(at) - Version(schedule!.LastFetchedAt);
                caught += changed ? 1 : 0;
            }

            schedule = RecrawlPolicy.Next(options, PageClass.Article, schedule, changed, at);
            if (i >= WarmUp)
            {
                tail.Add(schedule.Interval / period);
            }
        }

        return (tail.Min(), tail.Max(), tail.Average(), (double)caught / versions);
    }

    private static readonly Gen<(TimeSpan Period, TimeSpan Phase)> Periods =
        Gen.Select(Gen.Double[Math.Log(2), Math.Log(240)], Gen.Double[0, 1], (logHours, phase) =>
        {
            var period = TimeSpan.FromHours(Math.Exp(logHours));
            return (period, period * phase);
        });

    [Fact]
    public void A_page_changing_every_T_settles_near_T_with_sync_delta()
    {
        // Stated tolerance, for T from 2 h to 10 days (inside the article bounds 1 h … 30 days)
        // after 200 fetches: every interval within [0.5 T, 1.4 T], their mean within
        // [0.7 T, 1.0 T], and at least 90 % of the versions caught (fetched at least once).
        // Measured over 2,000 random periods and phases: 0.52 … 1.34 T, mean 0.77 T, at worst 94 % caught.
        Periods.Sample(p =>
        {
            var (min, max, mean, caught) = Periodic(RecrawlOptions.Default, p.Period, p.Phase);
            return min >= 0.5 && max <= 1.4 && mean is >= 0.7 and <= 1.0 && caught >= 0.9;
        }, iter: 300);
    }

    [Fact]
    public void Without_sync_delta_a_page_changing_every_T_is_fetched_about_twice_per_version()
    {
        // Nutch's plain rule settles where 60 % of fetches see a change: the interval saws well
        // below T (measured: 0.42 … 0.83 T, mean 0.60 T). This is what sync delta is for.
        Periods.Sample(p =>
        {
            var (_, max, mean, _) = Periodic(RecrawlOptions.Default with { SyncDelta = false }, p.Period, p.Phase);
            return max <= 0.9 && mean is >= 0.5 and <= 0.7;
        }, iter: 300);
    }
}
