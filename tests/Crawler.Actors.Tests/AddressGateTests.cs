using Xunit;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Crawler.Actors.Politeness;

namespace Crawler.Actors.Tests;

public sealed class AddressGateTests : TestKit
{
    [Fact]
    public void An_address_is_granted_to_one_site_at_a_time_in_arrival_order()
    {
        var gate = Sys.ActorOf(Props.Create(() => new AddressGate()));
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
        var gate = Sys.ActorOf(Props.Create(() => new AddressGate()));
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
        var gate = Sys.ActorOf(Props.Create(() => new AddressGate()));
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
        var gate = Sys.ActorOf(Props.Create(() => new AddressGate()));
        var holder = CreateTestProbe();
        var waiting = CreateTestProbe();
        gate.Tell(new AddressGateProtocol.Acquire("127.45.176.81", "a.kp"), holder);
        holder.ExpectMsg<AddressGateProtocol.Granted>();
        gate.Tell(new AddressGateProtocol.Acquire("127.45.176.81", "b.kp"), waiting);
        gate.Tell(new AddressGateProtocol.Release("127.45.176.81", "b.kp"), waiting);
        waiting.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }
}
