using CsCheck;
using Crawler.Core.Uptime;
using Xunit;

namespace Crawler.Core.Tests.Uptime;

public sealed class ProbeScheduleTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public void A_sites_phase_is_the_same_in_every_process_and_within_the_interval()
    {
        Assert.Equal(ProbeSchedule.Phase("kcna.kp", Minute), ProbeSchedule.Phase("kcna.kp", Minute));
        Assert.InRange(ProbeSchedule.Phase("kcna.kp", Minute), TimeSpan.Zero, Minute - TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public void A_thousand_sites_spread_over_the_interval()
    {
        var perTenSeconds = Enumerable.Range(0, 1000)
            .Select(i => (int)(ProbeSchedule.Phase($"site{i}.sim.kp", Minute).TotalSeconds / 10))
            .GroupBy(b => b)
            .Select(g => g.Count())
            .ToList();

        Assert.Equal(6, perTenSeconds.Count);
        Assert.All(perTenSeconds, n => Assert.InRange(n, 120, 215)); // 1000 / 6 = 167 each, give or take
    }

    [Fact]
    public void Every_slot_falls_once_into_its_round_and_the_next_slot_is_one_interval_later()
    {
        Gen.Select(Gen.String[Gen.Char.AlphaNumeric, 1, 20], Gen.Long[0, 4_000_000_000_000L], Gen.Int[1, 3600])
            .Sample((site, ms, seconds) =>
            {
                var interval = TimeSpan.FromSeconds(seconds);
                var after = DateTimeOffset.UnixEpoch.AddMilliseconds(ms);
                var next = ProbeSchedule.NextDue(site, interval, after);
                var round = ProbeSchedule.RoundStart(next, interval);
                return next > after
                    && next - after <= interval
                    && next - round == ProbeSchedule.Phase(site, interval)
                    && ProbeSchedule.NextDue(site, interval, next) == next + interval;
            });
    }
}
