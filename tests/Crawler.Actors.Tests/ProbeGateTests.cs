using System.Collections.Concurrent;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Crawler.Actors.Politeness;
using Crawler.Actors.Uptime;
using Crawler.Core.Policies;
using Crawler.Core.Uptime;
using Crawler.Net.Probing;
using Crawler.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Crawler.Actors.Tests;

/// <summary>
/// A probe asks the address gate (a test probe here) before its request, like a crawl fetch. The probe itself is
/// scripted; time is the test's: a fake clock and Akka's test scheduler move together.
/// </summary>
public sealed class ProbeGateTests : TestKit, IAsyncLifetime
{
    private const string Site = "a.kp";
    private const string Address = "127.0.0.1";
    private static readonly DateTimeOffset T0 = new(2026, 8, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private readonly string _path = Path.Combine(Path.GetTempPath(), "probe-gate-" + Guid.NewGuid().ToString("N") + ".db");
    private readonly FakeTimeProvider _clock = new(T0);
    private readonly TestProbe _gate;
    private readonly ConcurrentQueue<DateTimeOffset> _runs = new();
    private readonly UptimeMetrics _metrics = new();
    private SqliteUptimeStore _store = null!;

    public ProbeGateTests()
        : base(ManualTime.SchedulerConfig)
    {
        _gate = CreateTestProbe("gate");
    }

    private static UptimeOptions Options { get; } = new() { Interval = Minute, Timeout = TimeSpan.FromSeconds(5) };

    private static ProbeTarget Target { get; } = new(Site, new Uri("http://a.kp/"));

    public async Task InitializeAsync()
    {
        _store = new SqliteUptimeStore(new SqliteStoreOptions { Path = _path }, Options.Thresholds);
        await _store.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _metrics.Dispose();
        File.Delete(_path);
    }

    private IActorRef StartProbe(ProbeFailure failure = ProbeFailure.None, Func<bool>? leaving = null)
    {
        var runs = _runs;
        ProbeRunner runner = (target, scheduledAt, _) =>
        {
            runs.Enqueue(scheduledAt);
            return Task.FromResult(failure == ProbeFailure.None
                ? ProbeResult.Up(target.Site, scheduledAt, TimeSpan.FromMilliseconds(50))
                : ProbeResult.Failed(target.Site, scheduledAt, failure, "scripted (test)"));
        };
        var context = new ProbeContext(runner, _store, _metrics, Options, _clock, NullLogger.Instance)
        {
            Gate = _gate.Ref,
            PickAddress = (_, _) => Task.FromResult<string?>(Address),
            Leaving = leaving ?? (static () => false),
        };
        var actor = Sys.ActorOf(Props.Create(() => new ProbeActor(Site, context)));
        actor.Tell(new ProbeProtocol.Watch(Site, Target, Minute));
        Sync(actor);
        return actor;
    }

    /// <summary>Asked, so that everything told before has been handled.</summary>
    private void Sync(IActorRef actor)
    {
        var probe = CreateTestProbe();
        actor.Tell(new ProbeProtocol.GetStatus(Site), probe);
        probe.ExpectMsg<ProbeProtocol.SiteStatus>();
    }

    private void Advance(TimeSpan by)
    {
        _clock.Advance(by);
        ((TestScheduler)Sys.Scheduler).Advance(by);
    }

    /// <summary>Moves time to the site's next probe slot and returns it.</summary>
    private DateTimeOffset AdvanceToNextSlot()
    {
        var due = ProbeSchedule.NextDue(Site, Minute, _clock.GetUtcNow());
        Advance(due - _clock.GetUtcNow());
        return due;
    }

    [Fact]
    public void A_probe_asks_the_gate_for_its_address_runs_only_once_granted_and_then_releases()
    {
        var actor = StartProbe();
        Sys.EventStream.Subscribe(TestActor, typeof(ProbeProtocol.ProbeCompleted));

        var slot = AdvanceToNextSlot();
        var acquire = _gate.ExpectMsg<AddressGateProtocol.Acquire>();
        Assert.Equal(actor, _gate.LastSender);
        Assert.Equal(new AddressGateProtocol.Acquire(Address, "probe:" + Site, AddressPurpose.Probe, Options.Timeout + TimeSpan.FromSeconds(5), acquire.Ticket), acquire);
        Assert.True(acquire.Ticket > 0);
        Sync(actor);
        _gate.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Empty(_runs);

        actor.Tell(new AddressGateProtocol.Granted(Address, acquire.Ticket), _gate.Ref);
        Assert.Equal(new AddressGateProtocol.Release(Address, "probe:" + Site), _gate.ExpectMsg<AddressGateProtocol.Release>());
        Assert.Equal([slot], _runs);
        Assert.Equal(slot, ExpectMsg<ProbeProtocol.ProbeCompleted>().Result.At);
    }

    [Fact]
    public void On_a_leaving_node_a_probe_tells_the_gate_nothing_and_starts_no_new_probe()
    {
        var leaving = false;
        var actor = StartProbe(leaving: () => Volatile.Read(ref leaving));
        Sys.EventStream.Subscribe(TestActor, typeof(ProbeProtocol.ProbeCompleted));
        AdvanceToNextSlot();
        var acquire = _gate.ExpectMsg<AddressGateProtocol.Acquire>();

        // The node's shutdown begins while the probe waits: granted, it runs, and its end sends no Release (the gate's
        // region may be handing its shards over; the gate drops the claim when the probe actor stops).
        Volatile.Write(ref leaving, true);
        actor.Tell(new AddressGateProtocol.Granted(Address, acquire.Ticket), _gate.Ref);
        ExpectMsg<ProbeProtocol.ProbeCompleted>();
        Assert.False(_gate.HasMessages);

        AdvanceToNextSlot();
        Sync(actor);
        Assert.False(_gate.HasMessages);
        Assert.Single(_runs);
    }

    [Fact]
    public void A_probe_that_timed_out_keeps_its_address_half_a_second_while_the_server_notices()
    {
        const ProbeFailure failure = ProbeFailure.TooSlow;
        var actor = StartProbe(failure);
        Sys.EventStream.Subscribe(TestActor, typeof(ProbeProtocol.ProbeCompleted));
        AdvanceToNextSlot();
        var acquire = _gate.ExpectMsg<AddressGateProtocol.Acquire>();

        actor.Tell(new AddressGateProtocol.Granted(Address, acquire.Ticket), _gate.Ref);
        Assert.Equal(failure, ExpectMsg<ProbeProtocol.ProbeCompleted>().Result.Failure);
        Sync(actor);
        Assert.False(_gate.HasMessages);
        Advance(TimeSpan.FromMilliseconds(499));
        Sync(actor);
        Assert.False(_gate.HasMessages);
        Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(new AddressGateProtocol.Release(Address, "probe:" + Site), _gate.ExpectMsg<AddressGateProtocol.Release>());
    }

    [Fact]
    public void A_probe_the_server_hung_up_on_gives_its_address_back_at_once()
    {
        var actor = StartProbe(ProbeFailure.Other);
        AdvanceToNextSlot();
        actor.Tell(new AddressGateProtocol.Granted(Address, _gate.ExpectMsg<AddressGateProtocol.Acquire>().Ticket), _gate.Ref);
        Assert.Equal(new AddressGateProtocol.Release(Address, "probe:" + Site), _gate.ExpectMsg<AddressGateProtocol.Release>());
    }

    [Fact]
    public void A_stopped_probe_no_longer_exports_its_sites_series_from_this_node()
    {
        var actor = StartProbe();
        AdvanceToNextSlot();
        actor.Tell(new AddressGateProtocol.Granted(Address, _gate.ExpectMsg<AddressGateProtocol.Acquire>().Ticket), _gate.Ref);
        _gate.ExpectMsg<AddressGateProtocol.Release>();
        Sync(actor);
        Assert.True(_metrics.Exports(Site));

        // Handed off (a rebalance, the node leaving): the node it moves to exports the site from now on.
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
        Assert.False(_metrics.Exports(Site));
    }

    [Fact]
    public void A_grant_for_another_address_is_handed_back_and_does_not_start_the_probe()
    {
        var actor = StartProbe();
        AdvanceToNextSlot();
        var acquire = _gate.ExpectMsg<AddressGateProtocol.Acquire>();

        _gate.Reply(new AddressGateProtocol.Granted("127.0.0.2", acquire.Ticket));
        Assert.Equal(new AddressGateProtocol.Release("127.0.0.2", "probe:" + Site), _gate.ExpectMsg<AddressGateProtocol.Release>());
        Sync(actor);
        Assert.Empty(_runs);
    }

    [Fact]
    public void When_the_gate_never_answers_the_slot_is_skipped_and_the_next_slot_asks_again()
    {
        var actor = StartProbe();
        var first = AdvanceToNextSlot();
        _gate.ExpectMsg<AddressGateProtocol.Acquire>();

        // The probe waits for its turn up to an interval less a second, then gives the slot up (and its place in the queue).
        Advance(Minute - TimeSpan.FromSeconds(2));
        Sync(actor);
        _gate.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(new AddressGateProtocol.Release(Address, "probe:" + Site), _gate.ExpectMsg<AddressGateProtocol.Release>());
        Sync(actor);
        Assert.Empty(_runs);

        // The next slot is not stuck behind the lost one.
        var second = AdvanceToNextSlot();
        Assert.Equal(first + Minute, second);
        var again = _gate.ExpectMsg<AddressGateProtocol.Acquire>();
        _gate.Reply(new AddressGateProtocol.Granted(Address, again.Ticket));
        _gate.ExpectMsg<AddressGateProtocol.Release>();
        Assert.Equal([second], _runs);
    }

    [Fact]
    public void A_grant_that_comes_after_the_slot_was_given_up_is_not_taken_for_the_next_slots_request()
    {
        var actor = StartProbe();
        AdvanceToNextSlot();
        var lost = _gate.ExpectMsg<AddressGateProtocol.Acquire>();
        Advance(Minute - TimeSpan.FromSeconds(1));
        _gate.ExpectMsg<AddressGateProtocol.Release>(); // giving up released the first request

        // The next slot asks again; the first request's grant comes late, before the second's.
        var next = AdvanceToNextSlot();
        var current = _gate.ExpectMsg<AddressGateProtocol.Acquire>();
        Assert.True(current.Ticket > lost.Ticket);
        actor.Tell(new AddressGateProtocol.Granted(Address, lost.Ticket), _gate.Ref);
        Sync(actor);
        Assert.Empty(_runs); // not this request's turn: the gate may have given the address to another
        _gate.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // and nothing to release: it was released already

        actor.Tell(new AddressGateProtocol.Granted(Address, current.Ticket), _gate.Ref);
        _gate.ExpectMsg<AddressGateProtocol.Release>();
        Assert.Equal([next], _runs);
    }

    [Fact]
    public void Without_an_address_the_probe_runs_ungated_and_records_what_it_found()
    {
        var runs = _runs;
        ProbeRunner runner = (target, scheduledAt, _) =>
        {
            runs.Enqueue(scheduledAt);
            return Task.FromResult(ProbeResult.Failed(target.Site, scheduledAt, ProbeFailure.DnsNxDomain, "no such name"));
        };
        var context = new ProbeContext(runner, _store, new UptimeMetrics(), Options, _clock, NullLogger.Instance)
        {
            Gate = _gate.Ref,
            PickAddress = (_, _) => Task.FromResult<string?>(null),
        };
        var actor = Sys.ActorOf(Props.Create(() => new ProbeActor(Site, context)));
        actor.Tell(new ProbeProtocol.Watch(Site, Target, Minute));
        Sync(actor);
        Sys.EventStream.Subscribe(TestActor, typeof(ProbeProtocol.ProbeCompleted));

        var slot = AdvanceToNextSlot();
        Assert.Equal(ProbeFailure.DnsNxDomain, ExpectMsg<ProbeProtocol.ProbeCompleted>().Result.Failure);
        Assert.Equal([slot], _runs);
        _gate.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }
}
