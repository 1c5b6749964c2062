using Akka.Actor;

namespace Crawler.Actors.Politeness;

/// <summary>
/// Grants each IP address to one site actor at a time, first come first served; a holder
/// that dies releases its address.
/// </summary>
internal sealed class AddressGate : ReceiveActor
{
    private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);

    public AddressGate()
    {
        Receive<AddressGateProtocol.Acquire>(OnAcquire);
        Receive<AddressGateProtocol.Release>(OnRelease);
        Receive<Terminated>(t => ReleaseAllOf(t.ActorRef));
    }

    private void OnAcquire(AddressGateProtocol.Acquire acquire)
    {
        if (!_slots.TryGetValue(acquire.Address, out var slot))
        {
            slot = new Slot();
            _slots[acquire.Address] = slot;
        }

        if (slot.Holder is null)
        {
            Grant(slot, acquire.Address, Sender);
        }
        else if (slot.Holder.Equals(Sender))
        {
            Sender.Tell(new AddressGateProtocol.Granted(acquire.Address));
        }
        else if (!slot.Waiting.Contains(Sender))
        {
            slot.Waiting.Enqueue(Sender);
        }
    }

    private void OnRelease(AddressGateProtocol.Release release)
    {
        if (_slots.TryGetValue(release.Address, out var slot) && Sender.Equals(slot.Holder))
        {
            Next(release.Address, slot);
        }
    }

    private void Grant(Slot slot, string address, IActorRef holder)
    {
        slot.Holder = holder;
        Context.Watch(holder);
        holder.Tell(new AddressGateProtocol.Granted(address));
    }

    private void Next(string address, Slot slot)
    {
        var previous = slot.Holder;
        slot.Holder = null;
        if (previous is not null && !HoldsAny(previous))
        {
            Context.Unwatch(previous);
        }

        if (slot.Waiting.Count > 0)
        {
            Grant(slot, address, slot.Waiting.Dequeue());
        }
        else
        {
            _slots.Remove(address);
        }
    }

    private bool HoldsAny(IActorRef actor) => _slots.Values.Any(s => actor.Equals(s.Holder));

    private void ReleaseAllOf(IActorRef dead)
    {
        foreach (var (address, slot) in _slots.ToList())
        {
            if (slot.Waiting.Contains(dead))
            {
                var rest = slot.Waiting.Where(w => !w.Equals(dead)).ToList();
                slot.Waiting.Clear();
                rest.ForEach(slot.Waiting.Enqueue);
            }

            if (dead.Equals(slot.Holder))
            {
                Next(address, slot);
            }
        }
    }

    private sealed class Slot
    {
        public IActorRef? Holder { get; set; }

        public Queue<IActorRef> Waiting { get; } = new();
    }
}
