using CsCheck;
using Crawler.Core.Uptime;
using Xunit;
using static Crawler.Core.Tests.Uptime.Script;

namespace Crawler.Core.Tests.Uptime;

public sealed class CountryRollupTests
{
    private static readonly TimeSpan RoundLength = TimeSpan.FromMinutes(5);

    private static readonly string[] Targets =
        [.. Enumerable.Range(0, 60).Select(i => $"site{i}.kp"), "ns1.kptc.kp", "ns2.kptc.kp", "ns.star.co.kp"];

    private static DateTimeOffset Round(int i) => T0 + (RoundLength * i);

    /// <summary>One round in which the first <paramref name="failing"/> targets fail, each probed a few seconds into the round.</summary>
    private static ProbeRound RoundOf(int i, int failing, IReadOnlyList<string>? targets = null)
    {
        targets ??= Targets;
        var results = targets.Select((t, k) => k < failing
                ? ProbeResult.Failed(t, Round(i).AddSeconds(k), t.StartsWith("ns", StringComparison.Ordinal) ? ProbeFailure.DnsTimeout : ProbeFailure.ConnectTimeout)
                : ProbeResult.Up(t, Round(i).AddSeconds(k), Fast))
            .ToList();
        return new ProbeRound(Round(i), results);
    }

    private static List<ProbeRound> Schedule(Func<int, int> failingInRound, int rounds = 20) =>
        Enumerable.Range(0, rounds).Select(i => RoundOf(i, failingInRound(i))).ToList();

    [Fact]
    public void All_sites_down_at_once_gives_exactly_one_country_outage()
    {
        var rollup = new CountryRollup();
        var events = Schedule(i => i is >= 4 and < 10 ? Targets.Length : 0).Select(rollup.Apply).OfType<CountryOutageEvent>().ToList();

        var outage = Assert.Single(rollup.Outages);
        Assert.Equal(new CountryOutage(Round(4), Round(10), Round(5), Targets.Length, Targets.Length), outage);
        Assert.Equal(TimeSpan.FromMinutes(30), outage.Duration);
        Assert.Equal([CountryOutageEventKind.Started, CountryOutageEventKind.Ended], events.Select(e => e.Kind));
        Assert.Single(events.Select(e => e.Outage.Start).Distinct());
        Assert.Null(rollup.Current);
    }

    [Fact]
    public void Half_the_sites_failing_is_not_a_country_outage()
    {
        var events = CountryRollup.Replay(Schedule(_ => Targets.Length / 2));

        Assert.Empty(events);
    }

    [Fact]
    public void A_one_round_blip_is_not_a_country_outage()
    {
        var events = CountryRollup.Replay(Schedule(i => i == 7 ? Targets.Length : 0));

        Assert.Empty(events);
    }

    [Fact]
    public void The_failing_fraction_is_a_lower_bound()
    {
        // 57 of 63 is 90.5 %; 56 of 63 is 88.9 %.
        Assert.Single(CountryRollup.Replay(Schedule(i => i is >= 3 and < 6 ? 57 : 0)), e => e.Kind == CountryOutageEventKind.Started);
        Assert.Empty(CountryRollup.Replay(Schedule(i => i is >= 3 and < 6 ? 56 : 0)));
    }

    [Fact]
    public void A_country_outage_is_dated_to_its_first_failing_round_and_outlasts_a_single_healthy_round()
    {
        var rollup = new CountryRollup();
        var events = Schedule(i => i is >= 2 and < 12 && i != 6 ? Targets.Length : 0).Select(rollup.Apply).OfType<CountryOutageEvent>().ToList();

        Assert.Equal(new CountryOutage(Round(2), null, Round(3), Targets.Length, Targets.Length), events[0].Outage);
        Assert.Equal(Round(12), Assert.Single(rollup.Outages).End);
        Assert.Equal(2, events.Count);
    }

    [Fact]
    public void Name_server_results_count_as_targets()
    {
        var sites = Targets.Take(60).ToList();
        var withServers = sites.Concat(Enumerable.Range(0, 10).Select(i => $"ns{i}.kp")).ToList();

        // All 60 sites fail; alone that is 100 %, but with 10 answering name servers it is 85.7 %.
        var sitesOnly = Enumerable.Range(0, 5).Select(i => RoundOf(i, 60, sites));
        var sitesAndServers = Enumerable.Range(0, 5).Select(i => RoundOf(i, 60, withServers));

        Assert.Single(CountryRollup.Replay(sitesOnly));
        Assert.Empty(CountryRollup.Replay(sitesAndServers));
    }

    [Fact]
    public void Rounds_with_too_few_targets_are_no_evidence()
    {
        var few = Targets.Take(5).ToList();
        var rounds = Enumerable.Range(0, 6).Select(i => RoundOf(i, 5, few));

        Assert.Empty(CountryRollup.Replay(rounds));
        Assert.Single(CountryRollup.Replay(rounds, new CountryRollupOptions { MinimumTargets = 5 }));
    }

    [Fact]
    public void A_target_probed_twice_in_a_round_counts_once_by_its_latest_result()
    {
        var round = RoundOf(0, Targets.Length);
        var retried = round.Results
            .Concat(Targets.Take(20).Select(t => ProbeResult.Up(t, Round(0).AddMinutes(2), Fast)))
            .ToList();

        var rollup = new CountryRollup(new CountryRollupOptions { RoundsToConfirm = 1 });

        Assert.Null(rollup.Apply(Round(0), retried)); // 43 of 63 failing
        Assert.NotNull(rollup.Apply(Round(1), RoundOf(1, Targets.Length).Results));
    }

    [Fact]
    public void Results_group_into_rounds_by_their_scheduled_time()
    {
        var results = Schedule(i => i % 2 == 0 ? Targets.Length : 0, rounds: 4).SelectMany(r => r.Results).Reverse();

        var rounds = CountryRollup.Rounds(results, T0, RoundLength);

        Assert.Equal([Round(0), Round(1), Round(2), Round(3)], rounds.Select(r => r.Start));
        Assert.All(rounds, r => Assert.Equal(Targets.Length, r.Results.Count));
        Assert.Equal(Targets.Length, rounds[2].Results.Count(r => !r.Success));
    }

    [Fact]
    public void Rounds_must_come_in_order()
    {
        var rollup = new CountryRollup();
        rollup.Apply(RoundOf(3, 0));

        Assert.Throws<ArgumentException>(() => rollup.Apply(RoundOf(3, 0)));
        Assert.Throws<ArgumentException>(() => rollup.Apply(RoundOf(2, 0)));
    }

    [Fact]
    public void Options_out_of_range_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CountryRollup(new CountryRollupOptions { FailingFraction = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CountryRollup(new CountryRollupOptions { FailingFraction = 1.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CountryRollup(new CountryRollupOptions { RoundsToConfirm = 0 }));
    }

    [Fact]
    public void Country_outages_alternate_start_and_end_and_each_starts_with_enough_failing_rounds()
    {
        Gen.Bool.Array[1, 40].Sample(failingRounds =>
        {
            var rounds = failingRounds.Select((failing, i) => RoundOf(i, failing ? Targets.Length : 0)).ToList();
            var events = CountryRollup.Replay(rounds);
            return events.Select((e, i) => e.Kind == (i % 2 == 0 ? CountryOutageEventKind.Started : CountryOutageEventKind.Ended)).All(ok => ok)
                && events.Where(e => e.Kind == CountryOutageEventKind.Started).All(e =>
                {
                    var first = rounds.FindIndex(r => r.Start == e.Outage.Start);
                    return first >= 0 && (first == 0 || !failingRounds[first - 1]) && failingRounds.Skip(first).Take(2).Count(f => f) == 2;
                });
        });
    }

    private static CountryOutage OpenSince(int start, int confirmed) =>
        new(Round(start), null, Round(confirmed), Targets.Length, Targets.Length);

    private static List<CountryOutageEvent> ApplyAll(CountryRollup rollup, IEnumerable<ProbeRound> rounds) =>
        [.. rounds.Select(rollup.Apply).OfType<CountryOutageEvent>()];

    [Fact]
    public void A_resumed_outage_is_open_at_once()
    {
        var rollup = new CountryRollup();
        rollup.Resume(OpenSince(2, 3));
        Assert.Equal(OpenSince(2, 3), rollup.Current);
    }

    [Fact]
    public void A_resumed_outage_ends_after_enough_healthy_rounds_with_one_Ended_event_carrying_its_original_start()
    {
        var rollup = new CountryRollup();
        rollup.Resume(OpenSince(2, 3));

        var events = ApplyAll(rollup, Enumerable.Range(4, 10).Select(i => RoundOf(i, 0)));

        var ended = Assert.Single(events);
        Assert.Equal(CountryOutageEventKind.Ended, ended.Kind);
        Assert.Equal(new CountryOutage(Round(2), Round(4), Round(3), Targets.Length, Targets.Length), ended.Outage);
        Assert.Equal(ended.Outage, Assert.Single(rollup.Outages));
        Assert.Null(rollup.Current);
    }

    [Fact]
    public void A_resumed_outage_needs_RoundsToClear_healthy_rounds_in_a_row()
    {
        var rollup = new CountryRollup(new CountryRollupOptions { RoundsToClear = 3 });
        rollup.Resume(OpenSince(2, 3));

        // Healthy, healthy, failing, then healthy ×3: it ends at the first of the last three.
        Assert.Empty(ApplyAll(rollup, [RoundOf(4, 0), RoundOf(5, 0), RoundOf(6, Targets.Length)]));
        Assert.NotNull(rollup.Current);
        Assert.Empty(ApplyAll(rollup, [RoundOf(7, 0), RoundOf(8, 0)]));
        var ended = Assert.Single(ApplyAll(rollup, [RoundOf(9, 0)]));
        Assert.Equal((Round(2), (DateTimeOffset?)Round(7)), (ended.Outage.Start, ended.Outage.End));
    }

    [Fact]
    public void Failing_rounds_after_a_resume_continue_the_outage_rather_than_start_another()
    {
        var rollup = new CountryRollup();
        rollup.Resume(OpenSince(2, 3));

        var events = ApplyAll(rollup, [RoundOf(4, Targets.Length), RoundOf(5, Targets.Length), RoundOf(6, Targets.Length), RoundOf(7, 0), RoundOf(8, 0)]);

        var ended = Assert.Single(events);
        Assert.Equal(CountryOutageEventKind.Ended, ended.Kind);
        Assert.Equal((Round(2), (DateTimeOffset?)Round(7)), (ended.Outage.Start, ended.Outage.End));
    }

    [Fact]
    public void After_a_resumed_outage_ends_a_new_one_needs_its_own_confirming_rounds()
    {
        var rollup = new CountryRollup();
        rollup.Resume(OpenSince(2, 3));
        ApplyAll(rollup, [RoundOf(4, 0), RoundOf(5, 0)]);

        Assert.Empty(ApplyAll(rollup, [RoundOf(6, Targets.Length)]));
        var started = Assert.Single(ApplyAll(rollup, [RoundOf(7, Targets.Length)]));
        Assert.Equal(CountryOutageEventKind.Started, started.Kind);
        Assert.Equal(Round(6), started.Outage.Start);
        Assert.Equal(2, rollup.Outages.Count);
    }

    [Fact]
    public void Rounds_at_or_before_a_resumed_outages_confirmation_are_rejected()
    {
        var rollup = new CountryRollup();
        rollup.Resume(OpenSince(2, 3));

        Assert.Throws<ArgumentException>(() => rollup.Apply(RoundOf(3, 0)));
        Assert.Throws<ArgumentException>(() => rollup.Apply(RoundOf(1, 0)));
        Assert.Null(rollup.Apply(RoundOf(4, 0)));
        Assert.NotNull(rollup.Current);
    }

    [Fact]
    public void Only_an_open_outage_can_be_resumed_and_only_before_any_round()
    {
        Assert.Throws<InvalidOperationException>(() => new CountryRollup().Resume(OpenSince(2, 3) with { End = Round(5) }));

        var twice = new CountryRollup();
        twice.Resume(OpenSince(2, 3));
        Assert.Throws<InvalidOperationException>(() => twice.Resume(OpenSince(4, 5)));

        var afterRounds = new CountryRollup();
        afterRounds.Apply(RoundOf(8, 0));
        Assert.Throws<InvalidOperationException>(() => afterRounds.Resume(OpenSince(2, 3)));
    }
}
