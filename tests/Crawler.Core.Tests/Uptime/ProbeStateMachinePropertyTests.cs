using CsCheck;
using Crawler.Core.Uptime;
using Xunit;
using static Crawler.Core.Tests.Uptime.Script;

namespace Crawler.Core.Tests.Uptime;

public sealed class ProbeStateMachinePropertyTests
{
    private static readonly Gen<UptimeThresholds> Thresholds =
        Gen.Select(Gen.Int[1, 5], Gen.Int[1, 4], Gen.Int[1, 4], (down, up, slow) =>
            new UptimeThresholds { FailuresToDown = down, SuccessesToUp = up, SlowToDegraded = slow });

    // Runs of the same code make outages likely; single codes make blips likely.
    private static readonly Gen<string> Schedules =
        Gen.Select(Gen.Char["UUSF"], Gen.Int[1, 6], (c, n) => new string(c, n)).List[0, 40].Select(string.Concat);

    private static readonly Gen<(UptimeThresholds, string)> Cases = Gen.Select(Thresholds, Schedules);

    [Fact]
    public void No_outage_has_fewer_than_the_confirming_number_of_failures()
    {
        Cases.Sample((thresholds, schedule) =>
        {
            var probes = Probes(schedule);
            return ProbeStateMachine.Replay(probes, thresholds).Outages.All(outage =>
            {
                var first = probes.FindIndex(p => p.At == outage.Start);
                return first >= 0
                    && (first == 0 || probes[first - 1].Success)
                    && probes.Skip(first).Take(thresholds.FailuresToDown).Count(p => !p.Success) == thresholds.FailuresToDown;
            });
        });
    }

    [Fact]
    public void Outages_never_overlap_and_end_after_they_start()
    {
        Cases.Sample((thresholds, schedule) =>
        {
            var outages = ProbeStateMachine.Replay(Probes(schedule), thresholds).Outages;
            return outages.All(o => o.End is null || o.End > o.Start)
                && outages.Zip(outages.Skip(1)).All(p => p.First.End is { } end && end <= p.Second.Start);
        });
    }

    [Fact]
    public void Outages_agree_with_a_plain_scan_of_the_schedule()
    {
        // Independent oracle: an outage starts at the first of FailuresToDown failures in a row and
        // ends at the first of SuccessesToUp successes in a row after it.
        Cases.Sample((thresholds, schedule) =>
        {
            var probes = Probes(schedule);
            var expected = new List<Outage>();
            var i = 0;
            while (i + thresholds.FailuresToDown <= probes.Count)
            {
                if (probes.Skip(i).Take(thresholds.FailuresToDown).Any(p => p.Success))
                {
                    i++;
                    continue;
                }

                var j = i + thresholds.FailuresToDown;
                while (j + thresholds.SuccessesToUp <= probes.Count && !probes.Skip(j).Take(thresholds.SuccessesToUp).All(p => p.Success))
                {
                    j++;
                }

                var recovered = j + thresholds.SuccessesToUp <= probes.Count;
                expected.Add(new Outage(Site, probes[i].At, recovered ? probes[j].At : null, ProbeFailure.ConnectTimeout));
                i = recovered ? j + thresholds.SuccessesToUp : probes.Count;
            }

            return expected.SequenceEqual(ProbeStateMachine.Replay(probes, thresholds).Outages);
        });
    }

    [Fact]
    public void Changes_form_a_chain_dated_no_later_than_confirmed()
    {
        Cases.Sample((thresholds, schedule) =>
        {
            var machine = new ProbeStateMachine(Site, thresholds);
            var changes = Run(machine, Probes(schedule));
            var from = SiteState.Unknown;
            var lastAt = DateTimeOffset.MinValue;
            foreach (var change in changes)
            {
                if (change.From != from || change.To == change.From || change.At > change.ConfirmedAt || change.At < lastAt)
                {
                    return false;
                }

                (from, lastAt) = (change.To, change.At);
            }

            return machine.State == from;
        });
    }

    [Fact]
    public void Enough_failures_always_bring_a_site_down_and_enough_fast_successes_bring_it_up()
    {
        Cases.Sample((thresholds, schedule) =>
        {
            var down = new ProbeStateMachine(Site, thresholds);
            Run(down, Probes(schedule + new string('F', thresholds.FailuresToDown)));
            var up = new ProbeStateMachine(Site, thresholds);
            Run(up, Probes(schedule + new string('U', thresholds.SuccessesToUp)));
            return down.State == SiteState.Down && up.State == SiteState.Up;
        });
    }

    [Fact]
    public void Slow_successes_alone_never_open_an_outage()
    {
        Gen.Select(Thresholds, Gen.Char["US"].Array[0, 60].Select(c => new string(c))).Sample((thresholds, schedule) =>
            ProbeStateMachine.Replay(Probes(schedule), thresholds).Outages.Count == 0);
    }

    private const string Site = "naenara.com.kp";
}
