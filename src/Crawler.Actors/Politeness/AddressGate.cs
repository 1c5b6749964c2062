using Akka.Actor;
using Crawler.Core.Policies;
using Microsoft.Extensions.Logging;

namespace Crawler.Actors.Politeness;

/// <summary>
/// Grants IP addresses to one request at a time (<see cref="AddressSlot{TRef}"/> holds the rule). In the
/// cluster it is a sharded entity per address, so every node's sites and probes ask the same gate for
/// one address; alone it can serve many addresses. Holders are watched (a dead holder's node releases
/// its claims once the cluster removes it) and every claim is a lease that runs out without news.
/// </summary>
internal sealed class AddressGate : ReceiveActor, IWithTimers
{
    private const string ExpiryTimer = "expiry";
    private readonly Dictionary<string, AddressSlot<IActorRef>> _slots = new(StringComparer.Ordinal);
    private readonly AddressGateOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger? _logger;
    private readonly bool? _mayHaveMoved;

    public AddressGate()
        : this(new AddressGateOptions(), TimeProvider.System, null)
    {
    }

    /// <param name="mayHaveMoved">
    /// Whether this gate may be starting on another node than before, so that holders elsewhere may have a request in
    /// flight it does not know of. Null: when other cluster members are up (alone, it cannot have moved).
    /// </param>
    public AddressGate(AddressGateOptions options, TimeProvider clock, ILogger? logger, bool? mayHaveMoved = null)
    {
        _options = options;
        _clock = clock;
        _logger = logger;
        _mayHaveMoved = mayHaveMoved;
        Receive<AddressGateProtocol.Acquire>(a =>
        {
            Watch(Sender);
            Apply(a.Address, s => s.Acquire(a.Holder, Sender, a.Purpose, Now, a.Lease ?? _options.DefaultLease, a.Ticket));
        });
        // Only the sender's own claims: a late message of a holder's earlier incarnation (same name) changes nothing.
        Receive<AddressGateProtocol.RequestDone>(d =>
        {
            var sender = Sender;
            Apply(d.Address, s => s.RequestDone(d.Holder, Now, d.Pause, FromSender(sender)));
        });
        Receive<AddressGateProtocol.Renew>(r =>
        {
            Watch(Sender);
            Apply(r.Address, s =>
            {
                s.Renew(r.Holder, Sender, r.Purpose, Now, r.Lease);
                return [];
            });
        });
        Receive<AddressGateProtocol.Release>(r =>
        {
            var sender = Sender;
            Apply(r.Address, s => s.Release(r.Holder, Now, FromSender(sender)));
        });
        Receive<AddressGateProtocol.GetState>(g => Sender.Tell(StateOf(g.Address)));
        Receive<Terminated>(t =>
        {
            foreach (var address in _slots.Keys.ToList())
            {
                Apply(address, s => s.Forget(t.ActorRef, Now));
            }
        });
        Receive<ExpireTick>(_ =>
        {
            foreach (var address in _slots.Keys.ToList())
            {
                Apply(address, s =>
                {
                    var granted = s.Expire(Now, out var expired);
                    foreach (var claim in expired)
                    {
                        if (_logger is not null)
                        {
                            Log.AddressLeaseExpired(_logger, address, claim.Holder, claim.Purpose.ToString());
                        }
                    }

                    return granted;
                });
            }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private DateTimeOffset Now => _clock.GetUtcNow();

    /// <summary>Until when this gate grants nothing new: it may have just moved, and holders with a request in flight renew first.</summary>
    private DateTimeOffset _quietUntil = DateTimeOffset.MinValue;

    protected override void PreStart()
    {
        if (_options.RecoveryPeriod > TimeSpan.Zero && (_mayHaveMoved ?? OtherMembersUp(Context.System)))
        {
            _quietUntil = Now + _options.RecoveryPeriod;
            if (_logger is not null)
            {
                Log.AddressGateQuiet(_logger, Self.Path.Name, _options.RecoveryPeriod.TotalSeconds);
            }
        }
    }

    // Alone (no other node), this gate cannot have moved: nobody elsewhere holds an address it does not know of.
    private static bool OtherMembersUp(ActorSystem system) =>
        system is ExtendedActorSystem { Provider: Akka.Cluster.IClusterActorRefProvider } && Akka.Cluster.Cluster.Get(system).State.Members.Count > 1;

    /// <summary>Claims made by <paramref name="sender"/>; any claim when the message has no sender (a test, a tool).</summary>
    private static Func<IActorRef, bool>? FromSender(IActorRef sender) =>
        sender.IsNobody() ? null : replyTo => replyTo.Equals(sender);

    private void Watch(IActorRef holder)
    {
        if (!holder.IsNobody())
        {
            Context.Watch(holder);
        }
    }

    private void Apply(string address, Func<AddressSlot<IActorRef>, IReadOnlyList<AddressClaim<IActorRef>>> change)
    {
        if (!_slots.TryGetValue(address, out var slot))
        {
            slot = new AddressSlot<IActorRef>();
            if (_quietUntil > Now)
            {
                slot.QuietUntil(_quietUntil);
            }

            _slots[address] = slot;
        }

        foreach (var claim in change(slot))
        {
            claim.ReplyTo.Tell(new AddressGateProtocol.Granted(address, claim.Ticket));
        }

        if (slot.IsEmpty)
        {
            _slots.Remove(address);
        }

        ScheduleExpiry();
    }

    private void ScheduleExpiry()
    {
        var next = _slots.Values.Select(s => s.NextExpiry).Where(e => e is not null).DefaultIfEmpty(null).Min();
        if (next is not { } due)
        {
            Timers.Cancel(ExpiryTimer);
            return;
        }

        var delay = due - Now;
        Timers.StartSingleTimer(ExpiryTimer, ExpireTick.Instance, delay > TimeSpan.FromMilliseconds(1) ? delay : TimeSpan.FromMilliseconds(1));
    }

    private AddressGateProtocol.State StateOf(string address) =>
        _slots.TryGetValue(address, out var slot)
            ? new AddressGateProtocol.State(address, slot.Owner?.Holder, slot.InFlight?.Holder, [.. slot.Waiting.Select(w => w.Holder)])
            : new AddressGateProtocol.State(address, null, null, []);

    private sealed record ExpireTick : INoSerializationVerificationNeeded
    {
        public static ExpireTick Instance { get; } = new();
    }
}

/// <summary>Settings of the address gate.</summary>
public sealed record AddressGateOptions
{
    /// <summary>How long a request may hold an address when its holder names no lease (a fetch: its time-outs plus a margin).</summary>
    public TimeSpan DefaultLease { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long a gate that starts while other nodes are up grants nothing new (it may have moved and lost who has a
    /// request in flight; holders renew every <see cref="RenewInterval"/>, so three renewals have had their chance).
    /// Zero: grants at once.
    /// </summary>
    public TimeSpan RecoveryPeriod { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How often a holder with a request in flight renews it, and a holder waiting for its turn asks again.</summary>
    public TimeSpan RenewInterval { get; init; } = TimeSpan.FromSeconds(1);
}
