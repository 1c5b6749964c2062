namespace Crawler.Core.Policies;

/// <summary>Why an address is wanted: a crawl fetch keeps it through its politeness pause, a probe only for its request.</summary>
public enum AddressPurpose
{
    Fetch,
    Probe,
}

/// <summary>What holders of an address do around their requests, beyond what the gate enforces.</summary>
public static class AddressUse
{
    /// <summary>
    /// How long a request the client gave up on (a time-out, a body too large) still counts as in flight after it:
    /// the server may be at it until it notices the client left, and must not meet the next request meanwhile.
    /// Short, because probes of sites sharing an address take turns on it at intervals down to a second.
    /// </summary>
    public static readonly TimeSpan SettleAfterGivingUp = TimeSpan.FromMilliseconds(500);
}

/// <summary>
/// One holder's claim on an address: who, how to answer it, why, how long a request may take
/// (<paramref name="Lease"/>) and, once granted, until when it counts without news from the holder.
/// </summary>
public sealed record AddressClaim<TRef>(string Holder, TRef ReplyTo, AddressPurpose Purpose, TimeSpan Lease)
{
    public DateTimeOffset Expires { get; init; } = DateTimeOffset.MaxValue;

    /// <summary>The holder's number for this request, told back with the grant (a late grant of an earlier request is then recognised).</summary>
    public long Ticket { get; init; }
}

/// <summary>
/// The politeness rule of one IP address, whoever asks and on whatever node: at most one request in
/// flight, and a crawl fetch keeps the address through its politeness pause (so several sites on one
/// fragile server share one pause). An uptime probe may use the address during a site's pause (it is
/// one request a minute, and no other request is in flight then) but never while a request is. Waiters
/// are served in arrival order, a probe may pass a fetch that must wait for the pause anyway.
/// </summary>
/// <remarks>
/// Claims are leases: each expires unless renewed by news from its holder (the request done, the
/// address released). A holder whose node died without a word loses its claim when the lease runs out
/// (or at once when death watch reports it), so no address stays blocked forever. Pure and
/// single-threaded: the gate actor owns one per address. Hand-written: a politeness policy, not a
/// generic lock (a fetch and a probe hold it differently).
/// </remarks>
/// <typeparam name="TRef">How a holder is answered (an actor reference in the gate).</typeparam>
public sealed class AddressSlot<TRef>
    where TRef : notnull
{
    private readonly List<AddressClaim<TRef>> _waiting = [];
    private DateTimeOffset _quietUntil = DateTimeOffset.MinValue;

    /// <summary>The fetch that holds the address (during its request and its pause), or null.</summary>
    public AddressClaim<TRef>? Owner { get; private set; }

    /// <summary>The claim whose request is in flight now (the owner's or a probe's), or null.</summary>
    public AddressClaim<TRef>? InFlight { get; private set; }

    public IReadOnlyList<AddressClaim<TRef>> Waiting => _waiting;

    /// <summary>Nothing held and nobody waiting: the slot can be forgotten.</summary>
    public bool IsEmpty => Owner is null && InFlight is null && _waiting.Count == 0;

    /// <summary>When the next claim runs out, or a quiet slot with waiters may grant (null when nothing is held or due).</summary>
    public DateTimeOffset? NextExpiry =>
        _waiting.Count > 0 && _quietUntil > DateTimeOffset.MinValue && InFlight is null && Owner is null ? _quietUntil
        : Owner is null && InFlight is null ? null
        : Owner is null ? InFlight!.Expires
        : InFlight is null ? Owner.Expires
        : Owner.Expires < InFlight.Expires ? Owner.Expires : InFlight.Expires;

    /// <summary>
    /// A holder asks for the address for one request that may take up to <paramref name="lease"/>.
    /// Returns the claims granted now (to be told so), possibly this one. Asking again while holding
    /// (a restarted or moved holder) grants again to the new <paramref name="replyTo"/>.
    /// </summary>
    public IReadOnlyList<AddressClaim<TRef>> Acquire(string holder, TRef replyTo, AddressPurpose purpose, DateTimeOffset now, TimeSpan lease, long ticket = 0)
    {
        ArgumentNullException.ThrowIfNull(holder);
        var claim = new AddressClaim<TRef>(holder, replyTo, purpose, lease) { Ticket = ticket };
        if (Holds(Owner, holder, purpose) && (InFlight is null || Holds(InFlight, holder, purpose)))
        {
            // The owner starts its next request without letting go (or asks again after a restart).
            claim = claim with { Expires = now + lease };
            Owner = claim;
            InFlight = claim;
            return [claim];
        }

        if (Holds(InFlight, holder, purpose))
        {
            claim = claim with { Expires = now + lease };
            InFlight = claim;
            return [claim];
        }

        var queued = _waiting.FindIndex(w => w.Holder == holder && w.Purpose == purpose);
        if (queued >= 0)
        {
            _waiting[queued] = claim;
        }
        else
        {
            _waiting.Add(claim);
        }

        return GrantWaiting(now);
    }

    /// <summary>How long past its pause a fetch's claim lasts without its Release (the Release is on its way when the pause ends).</summary>
    public static readonly TimeSpan PauseGrace = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Grants nothing before <paramref name="until"/> (a gate that just moved to another node does not know who
    /// has a request in flight until the holders renew): claims queue, renewals are taken, <see cref="Expire"/>
    /// grants once the time has come.
    /// </summary>
    public void QuietUntil(DateTimeOffset until) => _quietUntil = until;

    /// <summary>
    /// A holder whose request is under way says so (every few seconds): its claim is extended, or taken up when
    /// this slot did not know it (the gate moved). A renewal never takes the address from another request in flight.
    /// </summary>
    public void Renew(string holder, TRef replyTo, AddressPurpose purpose, DateTimeOffset now, TimeSpan lease, long ticket = 0)
    {
        ArgumentNullException.ThrowIfNull(holder);
        var claim = new AddressClaim<TRef>(holder, replyTo, purpose, lease) { Ticket = ticket, Expires = now + lease };
        if (InFlight is { } flight && flight.Holder != holder)
        {
            return;
        }

        InFlight = claim;
        if (purpose == AddressPurpose.Fetch && (Owner is null || Owner.Holder == holder))
        {
            Owner = claim;
        }

        _waiting.RemoveAll(w => w.Holder == holder && w.Purpose == purpose);
    }

    /// <summary>The holder's request is over; a fetch keeps the address for its <paramref name="pause"/> (and <see cref="PauseGrace"/>).</summary>
    public IReadOnlyList<AddressClaim<TRef>> RequestDone(string holder, DateTimeOffset now, TimeSpan pause, Func<TRef, bool>? from = null)
    {
        if (InFlight is { } flight && flight.Holder == holder && (from is null || from(flight.ReplyTo)))
        {
            InFlight = null;
            if (Owner is { } owner && owner.Holder == holder)
            {
                Owner = owner with { Expires = now + (pause > TimeSpan.Zero ? pause : TimeSpan.Zero) + PauseGrace };
            }
        }

        return GrantWaiting(now);
    }

    /// <summary>
    /// The holder lets go of the address (and of any place in the queue). <paramref name="from"/>: only the claims made
    /// by the one letting go count: a late Release of a holder's earlier incarnation (a site that moved; the message
    /// was held up while the gate moved too) must not free the address in the middle of its new incarnation's request.
    /// </summary>
    public IReadOnlyList<AddressClaim<TRef>> Release(string holder, DateTimeOffset now, Func<TRef, bool>? from = null)
    {
        bool Mine(AddressClaim<TRef>? c) => c is not null && c.Holder == holder && (from is null || from(c.ReplyTo));
        if (Mine(InFlight))
        {
            InFlight = null;
        }

        if (Mine(Owner))
        {
            Owner = null;
        }

        _waiting.RemoveAll(w => Mine(w));
        return GrantWaiting(now);
    }

    /// <summary>A holder is known dead (death watch): everything it held or waited for is dropped.</summary>
    public IReadOnlyList<AddressClaim<TRef>> Forget(TRef replyTo, DateTimeOffset now)
    {
        if (InFlight is { } flight && flight.ReplyTo.Equals(replyTo))
        {
            InFlight = null;
        }

        if (Owner is { } owner && owner.ReplyTo.Equals(replyTo))
        {
            Owner = null;
        }

        _waiting.RemoveAll(w => w.ReplyTo.Equals(replyTo));
        return GrantWaiting(now);
    }

    /// <summary>Drops the claims whose lease ran out (returned in <paramref name="expired"/>) and grants what can go next.</summary>
    public IReadOnlyList<AddressClaim<TRef>> Expire(DateTimeOffset now, out IReadOnlyList<AddressClaim<TRef>> expired)
    {
        var dropped = new List<AddressClaim<TRef>>();
        if (InFlight is { } flight && flight.Expires <= now)
        {
            dropped.Add(flight);
            InFlight = null;
            if (Owner is { } o && o.Holder == flight.Holder && o.Purpose == flight.Purpose)
            {
                Owner = null;
            }
        }

        if (Owner is { } owner && owner.Expires <= now && InFlight?.Holder != owner.Holder)
        {
            dropped.Add(owner);
            Owner = null;
        }

        expired = dropped;
        return GrantWaiting(now);
    }

    private static bool Holds(AddressClaim<TRef>? claim, string holder, AddressPurpose purpose) =>
        claim is not null && claim.Holder == holder && claim.Purpose == purpose;

    private List<AddressClaim<TRef>> GrantWaiting(DateTimeOffset now)
    {
        var granted = new List<AddressClaim<TRef>>();
        if (now < _quietUntil)
        {
            return granted;
        }

        for (var i = 0; i < _waiting.Count && InFlight is null;)
        {
            var next = _waiting[i];
            if (next.Purpose == AddressPurpose.Probe || Owner is null || Owner.Holder == next.Holder)
            {
                // A claim's lease counts from its grant.
                var claim = next with { Expires = now + next.Lease };
                _waiting.RemoveAt(i);
                InFlight = claim;
                if (claim.Purpose == AddressPurpose.Fetch)
                {
                    Owner = claim;
                }

                granted.Add(claim);
            }
            else
            {
                i++;
            }
        }

        return granted;
    }
}
