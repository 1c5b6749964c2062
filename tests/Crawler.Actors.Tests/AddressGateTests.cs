using Xunit;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Crawler.Actors.Politeness;
using Crawler.Core.Policies;
using Microsoft.Extensions.Time.Testing;

namespace Crawler.Actors.Tests;

/// <summary>The address gate; time (leases) is the test's: a fake clock and Akka's test scheduler move together.</summary>
public sealed class AddressGateTests : TestKit
{
    private const string Address = "127.45.176.81";
    private static readonly DateTimeOffset T0 = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(T0);

    public AddressGateTests()
        : base(ManualTime.SchedulerConfig)
    {
    }

    private IActorRef Gate(TimeSpan? defaultLease = null)
    {
        var options = new AddressGateOptions { DefaultLease = defaultLease ?? TimeSpan.FromMinutes(2) };
        var clock = _clock;
        return Sys.ActorOf(Props.Create(() => new AddressGate(options, clock, null)));
    }

    private void Advance(TimeSpan by)
    {
        _clock.Advance(by);
        ((TestScheduler)Sys.Scheduler).Advance(by);
    }

    /// <summary>The gate's state, asked so that everything told before has been handled.</summary>
    private AddressGateProtocol.State StateOf(IActorRef gate)
    {
        var probe = CreateTestProbe();
        gate.Tell(new AddressGateProtocol.GetState(Address), probe);
        return probe.ExpectMsg<AddressGateProtocol.State>();
    }

    [Fact]
    public void A_gate_that_may_have_moved_grants_nothing_until_holders_renewed_and_learns_a_request_in_flight_from_its_renewal()
    {
        // Default options, as the cluster's gates get them: a gate that moved in a rebalance must not hand the address
        // to the next site while a request granted by its former incarnation is still under way.
        var options = new AddressGateOptions();
        var clock = _clock;
        var gate = Sys.ActorOf(Props.Create(() => new AddressGate(options, clock, null, true)));
        var fetching = CreateTestProbe();
        var next = CreateTestProbe();
        gate.Tell(new AddressGateProtocol.Acquire(Address, "b.kp"), next);
        Assert.Equal(["b.kp"], StateOf(gate).Waiting);
        next.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        Advance(options.RenewInterval);
        gate.Tell(new AddressGateProtocol.Renew(Address, "a.kp", AddressPurpose.Fetch, TimeSpan.FromMinutes(1)), fetching);
        Assert.Equal("a.kp", StateOf(gate).InFlight);

        Advance(options.RecoveryPeriod);
        _ = StateOf(gate);
        next.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        gate.Tell(new AddressGateProtocol.Release(Address, "a.kp"), fetching);
        next.ExpectMsg<AddressGateProtocol.Granted>();
    }

    [Fact]
    public void A_gate_that_may_have_moved_and_hears_no_renewal_grants_at_the_end_of_its_recovery_period()
    {
        var options = new AddressGateOptions();
        var clock = _clock;
        var gate = Sys.ActorOf(Props.Create(() => new AddressGate(options, clock, null, true)));
        var next = CreateTestProbe();
        gate.Tell(new AddressGateProtocol.Acquire(Address, "b.kp"), next);
        _ = StateOf(gate);

        Advance(options.RecoveryPeriod - TimeSpan.FromMilliseconds(100));
        _ = StateOf(gate);
        next.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Advance(TimeSpan.FromMilliseconds(100));
        next.ExpectMsg<AddressGateProtocol.Granted>();
    }

    [Fact]
    public void A_lease_that_runs_out_releases_the_address_to_the_next_waiter()
    {
        var gate = Gate();
        var silent = CreateTestProbe();
        var next = CreateTestProbe();
        gate.Tell(new AddressGateProtocol.Acquire(Address, "a.kp", AddressPurpose.Fetch, TimeSpan.FromSeconds(30)), silent);
        silent.ExpectMsg<AddressGateProtocol.Granted>();
        gate.Tell(new AddressGateProtocol.Acquire(Address, "b.kp"), next);
        Assert.Equal(["b.kp"], StateOf(gate).Waiting);

        Advance(TimeSpan.FromSeconds(29));
        Assert.Equal("a.kp", StateOf(gate).InFlight);
        next.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(Address, next.ExpectMsg<AddressGateProtocol.Granted>().Address);
        var state = StateOf(gate);
        Assert.Equal("b.kp", state.Owner);
        Assert.Equal("b.kp", state.InFlight);
    }

    [Fact]
    public void Without_a_lease_of_its_own_a_claim_gets_the_gates_default()
    {
        var gate = Gate(defaultLease: TimeSpan.FromSeconds(45));
        var silent = CreateTestProbe();
        var next = CreateTestProbe();
        gate.Tell(new AddressGateProtocol.Acquire(Address, "a.kp"), silent);
        silent.ExpectMsg<AddressGateProtocol.Granted>();
        gate.Tell(new AddressGateProtocol.Acquire(Address, "b.kp"), next);
        _ = StateOf(gate);

        Advance(TimeSpan.FromSeconds(44));
        _ = StateOf(gate);
        next.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Advance(TimeSpan.FromSeconds(1));
        next.ExpectMsg<AddressGateProtocol.Granted>();
    }

    [Fact]
    public void A_pause_never_released_ends_after_the_pause_and_its_grace()
    {
        var gate = Gate();
        var site = CreateTestProbe();
        var next = CreateTestProbe();
        gate.Tell(new AddressGateProtocol.Acquire(Address, "a.kp"), site);
        site.ExpectMsg<AddressGateProtocol.Granted>();
        gate.Tell(new AddressGateProtocol.Acquire(Address, "b.kp"), next);
        gate.Tell(new AddressGateProtocol.RequestDone(Address, "a.kp", TimeSpan.FromSeconds(5)), site);
        var state = StateOf(gate);
        Assert.Equal("a.kp", state.Owner);
        Assert.Null(state.InFlight);

        Advance(TimeSpan.FromSeconds(5) + AddressSlot<IActorRef>.PauseGrace - TimeSpan.FromSeconds(1));
        _ = StateOf(gate);
        next.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Advance(TimeSpan.FromSeconds(1));
        next.ExpectMsg<AddressGateProtocol.Granted>();
    }

    [Fact]
    public void A_probe_gets_the_address_during_a_fetchs_pause_but_the_next_fetch_waits_for_the_release()
    {
        var gate = Gate();
        var site = CreateTestProbe();
        var otherSite = CreateTestProbe();
        var probe = CreateTestProbe();
        gate.Tell(new AddressGateProtocol.Acquire(Address, "a.kp"), site);
        site.ExpectMsg<AddressGateProtocol.Granted>();
        gate.Tell(new AddressGateProtocol.Acquire(Address, "b.kp"), otherSite);
        gate.Tell(new AddressGateProtocol.Acquire(Address, "probe:c.kp", AddressPurpose.Probe), probe);
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        gate.Tell(new AddressGateProtocol.RequestDone(Address, "a.kp", TimeSpan.FromSeconds(5)), site);
        probe.ExpectMsg<AddressGateProtocol.Granted>();
        gate.Tell(new AddressGateProtocol.RequestDone(Address, "probe:c.kp", TimeSpan.Zero), probe);
        gate.Tell(new AddressGateProtocol.Release(Address, "probe:c.kp"), probe);
        Assert.Equal("a.kp", StateOf(gate).Owner);
        otherSite.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        gate.Tell(new AddressGateProtocol.Release(Address, "a.kp"), site);
        otherSite.ExpectMsg<AddressGateProtocol.Granted>();
    }

    [Fact]
    public void GetState_reports_the_owner_the_request_in_flight_and_the_waiters_in_order()
    {
        var gate = Gate();
        var empty = StateOf(gate);
        Assert.Equal((Address, (string?)null, (string?)null), (empty.Address, empty.Owner, empty.InFlight));
        Assert.Empty(empty.Waiting);

        var site = CreateTestProbe();
        gate.Tell(new AddressGateProtocol.Acquire(Address, "a.kp"), site);
        site.ExpectMsg<AddressGateProtocol.Granted>();
        gate.Tell(new AddressGateProtocol.Acquire(Address, "b.kp"), CreateTestProbe());
        gate.Tell(new AddressGateProtocol.Acquire(Address, "c.kp"), CreateTestProbe());
        var busy = StateOf(gate);
        Assert.Equal(("a.kp", "a.kp"), (busy.Owner, busy.InFlight));
        Assert.Equal(["b.kp", "c.kp"], busy.Waiting);

        var probe = CreateTestProbe();
        gate.Tell(new AddressGateProtocol.RequestDone(Address, "a.kp", TimeSpan.FromSeconds(5)), site);
        gate.Tell(new AddressGateProtocol.Acquire(Address, "probe:d.kp", AddressPurpose.Probe), probe);
        probe.ExpectMsg<AddressGateProtocol.Granted>();
        var probing = StateOf(gate);
        Assert.Equal(("a.kp", "probe:d.kp"), (probing.Owner, probing.InFlight));
        Assert.Equal(["b.kp", "c.kp"], probing.Waiting);
    }

    [Fact]
    public void An_address_is_granted_to_one_site_at_a_time_in_arrival_order()
    {
        var gate = Gate();
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        var third = CreateTestProbe();

        gate.Tell(new AddressGateProtocol.Acquire("127.45.176.81", "cooks.org.kp"), first);
        first.ExpectMsg<AddressGateProtocol.Granted>();
        gate.Tell(new AddressGateProtocol.Acquire("127.45.176.81", "friend.com.kp"), second);
        gate.Tell(new AddressGateProtocol.Acquire("127.45.176.81", "kass.org.kp"), third);
        second.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        gate.Tell(new AddressGateProtocol.Release("127.45.176.81", "cooks.org.kp"), first);
        second.ExpectMsg<AddressGateProtocol.Granted>();
        third.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        gate.Tell(new AddressGateProtocol.Release("127.45.176.81", "friend.com.kp"), second);
        third.ExpectMsg<AddressGateProtocol.Granted>();
    }

    [Fact]
    public void Different_addresses_do_not_wait_for_each_other()
    {
        var gate = Gate();
        var a = CreateTestProbe();
        var b = CreateTestProbe();
        gate.Tell(new AddressGateProtocol.Acquire("127.45.176.71", "kcna.kp"), a);
        gate.Tell(new AddressGateProtocol.Acquire("127.45.176.68", "rodong.rep.kp"), b);
        a.ExpectMsg<AddressGateProtocol.Granted>();
        b.ExpectMsg<AddressGateProtocol.Granted>();
    }

    [Fact]
    public void A_holder_that_dies_releases_its_address()
    {
        var gate = Gate();
        var doomed = CreateTestProbe();
        var next = CreateTestProbe();
        gate.Tell(new AddressGateProtocol.Acquire("127.45.176.81", "a.kp"), doomed);
        doomed.ExpectMsg<AddressGateProtocol.Granted>();
        gate.Tell(new AddressGateProtocol.Acquire("127.45.176.81", "b.kp"), next);
        next.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        Sys.Stop(doomed.Ref);
        next.ExpectMsg<AddressGateProtocol.Granted>();
    }

    [Fact]
    public void A_release_by_a_site_that_does_not_hold_the_address_is_ignored()
    {
        var gate = Gate();
        var holder = CreateTestProbe();
        var waiting = CreateTestProbe();
        gate.Tell(new AddressGateProtocol.Acquire("127.45.176.81", "a.kp"), holder);
        holder.ExpectMsg<AddressGateProtocol.Granted>();
        gate.Tell(new AddressGateProtocol.Acquire("127.45.176.81", "b.kp"), waiting);
        gate.Tell(new AddressGateProtocol.Release("127.45.176.81", "b.kp"), waiting);
        waiting.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }
}
