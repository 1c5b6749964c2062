using Crawler.Core.Uptime;
using Xunit;
using static Crawler.Core.Tests.Uptime.Script;

namespace Crawler.Core.Tests.Uptime;

public sealed class ProbeStateMachineTests
{
    private const string Site = "naenara.com.kp";

    [Fact]
    public void A_single_failed_probe_does_not_open_an_outage()
    {
        var machine = new ProbeStateMachine(Site);
        var changes = Run(machine, Probes("UU F UUUU"));

        Assert.Equal(SiteState.Up, machine.State);
        Assert.Equal([(SiteState.Unknown, SiteState.Up)], changes.Select(c => (c.From, c.To)));
        Assert.Empty(ProbeStateMachine.OutagesFrom(changes));
    }

    [Fact]
    public void A_resumed_machine_keeps_its_outage_open_and_needs_full_evidence_to_recover()
    {
        var before = new ProbeStateMachine(Site);
        var down = Run(before, Probes("UU FFF"))[^1];

        var after = new ProbeStateMachine(Site);
        after.Resume(down);
        Assert.Equal(SiteState.Down, after.State);
        Assert.Equal(At(2), after.OpenOutage!.Start);
        Assert.Null(after.Apply(Probes("U").Select(p => p with { At = At(10) }).Single()));
        var up = after.Apply(Probes("U").Select(p => p with { At = At(11) }).Single());

        Assert.Equal((SiteState.Down, SiteState.Up, At(10)), (up!.From, up.To, up.At));
    }

    [Fact]
    public void Failure_runs_shorter_than_the_threshold_never_open_an_outage()
    {
        var machine = new ProbeStateMachine(Site);
        var changes = Run(machine, Probes("UU FF U FF U FF UU"));

        Assert.DoesNotContain(changes, c => c.To == SiteState.Down);
        Assert.Equal(SiteState.Up, machine.State);
    }

    [Fact]
    public void Outage_starts_at_the_first_failure_and_ends_at_the_first_success()
    {
        var machine = new ProbeStateMachine(Site);
        var changes = Run(machine, Probes("UU FFFFF UU"));

        var down = Assert.Single(changes, c => c.To == SiteState.Down);
        Assert.Equal(At(2), down.At);
        Assert.Equal(At(4), down.ConfirmedAt);
        var up = changes[^1];
        Assert.Equal((SiteState.Down, SiteState.Up), (up.From, up.To));
        Assert.Equal(At(7), up.At);
        Assert.Equal(At(8), up.ConfirmedAt);
        var outage = Assert.Single(ProbeStateMachine.OutagesFrom(changes));
        Assert.Equal(new Outage(Site, At(2), At(7), ProbeFailure.ConnectTimeout), outage);
        Assert.Equal(TimeSpan.FromMinutes(5), outage.Duration);
    }

    [Fact]
    public void Recovery_needs_consecutive_successes_and_is_dated_to_the_run_that_confirmed_it()
    {
        var machine = new ProbeStateMachine(Site);
        var changes = Run(machine, Probes("UU FFF U F UU"));

        var outage = Assert.Single(ProbeStateMachine.OutagesFrom(changes));
        Assert.Equal(At(2), outage.Start);
        Assert.Equal(At(7), outage.End);
    }

    [Fact]
    public void The_outage_reason_is_that_of_its_first_failure()
    {
        var results = Probes("UU", Site);
        results.Add(ProbeResult.Failed(Site, At(2), ProbeFailure.DnsTimeout));
        results.Add(ProbeResult.Failed(Site, At(3), ProbeFailure.ConnectTimeout));
        results.Add(ProbeResult.Failed(Site, At(4), ProbeFailure.HttpStatus));

        var down = Run(new ProbeStateMachine(Site), results)[^1];

        Assert.Equal(SiteState.Down, down.To);
        Assert.Equal(ProbeFailure.DnsTimeout, down.Reason);
    }

    [Fact]
    public void The_first_success_does_not_make_an_unknown_site_up()
    {
        var machine = new ProbeStateMachine(Site);

        Assert.Null(machine.Apply(Probes("U")[0]));
        Assert.Equal(SiteState.Unknown, machine.State);

        var change = machine.Apply(Probes("UU")[1]);
        Assert.Equal(new StateChange(Site, SiteState.Unknown, SiteState.Up, At(0), At(1), ProbeFailure.None), change);
    }

    [Fact]
    public void A_site_failing_from_its_first_probe_is_down_from_its_first_probe()
    {
        var machine = new ProbeStateMachine(Site);
        var changes = Run(machine, Probes("FFF"));

        Assert.Equal(new StateChange(Site, SiteState.Unknown, SiteState.Down, At(0), At(2), ProbeFailure.ConnectTimeout), Assert.Single(changes));
        Assert.Equal(new Outage(Site, At(0), null, ProbeFailure.ConnectTimeout), machine.OpenOutage);
    }

    [Fact]
    public void A_flapping_start_stays_unknown()
    {
        var machine = new ProbeStateMachine(Site);

        Assert.Empty(Run(machine, Probes("UFUFFUFFUF")));
        Assert.Equal(SiteState.Unknown, machine.State);
    }

    [Fact]
    public void Slow_responses_show_as_degraded_not_down()
    {
        var machine = new ProbeStateMachine(Site);
        var changes = Run(machine, Probes("UU SSSSSS"));

        Assert.Equal(SiteState.Degraded, machine.State);
        Assert.Null(machine.OpenOutage);
        Assert.DoesNotContain(changes, c => c.To == SiteState.Down);
        var degraded = changes[^1];
        Assert.Equal((SiteState.Up, SiteState.Degraded, At(2), At(3), ProbeFailure.TooSlow), (degraded.From, degraded.To, degraded.At, degraded.ConfirmedAt, degraded.Reason));
        Assert.Empty(ProbeStateMachine.OutagesFrom(changes));
    }

    [Fact]
    public void A_single_slow_response_does_not_degrade_a_site()
    {
        var machine = new ProbeStateMachine(Site);
        Run(machine, Probes("UU S U S U"));

        Assert.Equal(SiteState.Up, machine.State);
    }

    [Fact]
    public void A_degraded_site_is_up_again_after_enough_fast_responses_in_a_row()
    {
        var machine = new ProbeStateMachine(Site);
        var changes = Run(machine, Probes("UU SS U S UU"));

        var up = changes[^1];
        Assert.Equal((SiteState.Degraded, SiteState.Up, At(6), At(7)), (up.From, up.To, up.At, up.ConfirmedAt));
    }

    [Fact]
    public void Slow_successes_end_an_outage()
    {
        var machine = new ProbeStateMachine(Site);
        var changes = Run(machine, Probes("UU FFF SS"));

        Assert.Equal(SiteState.Degraded, machine.State);
        var outage = Assert.Single(ProbeStateMachine.OutagesFrom(changes));
        Assert.Equal(At(5), outage.End);
    }

    [Fact]
    public void A_degraded_site_that_stops_answering_goes_down()
    {
        var machine = new ProbeStateMachine(Site);
        var changes = Run(machine, Probes("UU SS FFF"));

        Assert.Equal((SiteState.Degraded, SiteState.Down, At(4)), (changes[^1].From, changes[^1].To, changes[^1].At));
    }

    [Fact]
    public void Thresholds_are_honoured()
    {
        var strict = new UptimeThresholds { FailuresToDown = 1, SuccessesToUp = 3 };
        var machine = new ProbeStateMachine(Site, strict);
        var changes = Run(machine, Probes("UUU F UU"));

        Assert.Equal(SiteState.Down, machine.State);
        Assert.Equal(At(3), changes[^1].At);
    }

    [Fact]
    public void Degraded_dates_never_precede_the_change_to_up()
    {
        var thresholds = new UptimeThresholds { SlowToDegraded = 3 };
        var machine = new ProbeStateMachine(Site, thresholds);
        var changes = Run(machine, Probes("FFF SSS"));

        Assert.Equal([SiteState.Down, SiteState.Up, SiteState.Degraded], changes.Select(c => c.To));
        Assert.Equal(At(3), changes[1].At);
        Assert.Equal(At(3), changes[2].At);
        Assert.Equal(At(5), changes[2].ConfirmedAt);
    }

    [Fact]
    public void Results_of_another_site_are_rejected()
    {
        var machine = new ProbeStateMachine(Site);

        Assert.Throws<ArgumentException>(() => machine.Apply(ProbeResult.Up("kcna.kp", T0, Fast)));
    }

    [Fact]
    public void Results_older_than_the_last_one_are_rejected()
    {
        var machine = new ProbeStateMachine(Site);
        machine.Apply(ProbeResult.Up(Site, At(5), Fast));

        Assert.Throws<ArgumentException>(() => machine.Apply(ProbeResult.Up(Site, At(4), Fast)));
    }

    [Fact]
    public void Thresholds_below_one_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProbeStateMachine(Site, new UptimeThresholds { FailuresToDown = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProbeStateMachine(Site, new UptimeThresholds { SuccessesToUp = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProbeStateMachine(Site, new UptimeThresholds { SlowToDegraded = 0 }));
    }

    [Fact]
    public void A_failed_probe_needs_a_reason()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ProbeResult.Failed(Site, T0, ProbeFailure.None));
        Assert.False(ProbeResult.Failed(Site, T0, ProbeFailure.TlsError).Success);
        Assert.True(ProbeResult.Up(Site, T0, Fast).Success);
    }

    [Fact]
    public void Replay_keeps_interleaved_sites_apart()
    {
        var a = Probes("UU FFF UU", "a.kp");
        var b = Probes("UU U FFFF", "b.kp");
        var shuffled = a.Concat(b).OrderByDescending(r => r.At).ToList();

        var replay = ProbeStateMachine.Replay(shuffled);

        Assert.Equal(
            [new Outage("a.kp", At(2), At(5), ProbeFailure.ConnectTimeout), new Outage("b.kp", At(3), null, ProbeFailure.ConnectTimeout)],
            replay.Outages);
        Assert.Equal(SiteState.Up, replay.States["a.kp"]);
        Assert.Equal(SiteState.Down, replay.States["b.kp"]);
        Assert.True(replay.Changes.Zip(replay.Changes.Skip(1)).All(p => p.First.ConfirmedAt <= p.Second.ConfirmedAt));
    }
}
