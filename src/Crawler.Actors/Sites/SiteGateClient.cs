using Akka.Actor;
using Crawler.Actors.Politeness;
using Crawler.Core.Policies;
using Crawler.Net;
using static Crawler.Actors.Sites.SiteSelf;

namespace Crawler.Actors.Sites;

/// <summary>
/// A site's side of its address's <see cref="AddressGate"/>: asks for the slot (and again every renew interval
/// while waiting: the gate may have moved), renews it while the request runs, keeps it through the politeness pause
/// and gives it back. The slot's bookkeeping is <see cref="AddressLease"/>; this adds the messages and the timers
/// (which the site actor owns and routes back here: <see cref="GateTick"/>, <see cref="SettleTick"/>,
/// <see cref="ReleaseTick"/>).
/// </summary>
internal sealed class SiteGateClient(string host, SiteContext context, ITimerScheduler timers)
{
    private const string GateTimer = "gate";
    private const string ReleaseTimer = "release";
    private const string SettleTimer = "settle";

    private readonly AddressLease _lease = new();
    private long _ticket; // the number of the latest Ask: its re-asks carry it too, and only a grant with it answers it

    /// <summary>
    /// How long a site may keep its address across consecutive requests with no pause between them (politeness off, or
    /// several requests at once): then it lets go and asks again, behind whoever waits (an uptime probe, another site on
    /// the same server). Asking the gate before every request put a round trip on every page; this bounds the wait of the others.
    /// </summary>
    public static readonly TimeSpan MaxHold = TimeSpan.FromSeconds(1);

    /// <summary>Neither holding nor waiting: the site may ask for a slot.</summary>
    public bool IsFree => _lease.IsFree;

    /// <summary>The slot is held for requests (not through a pause): another request may start on it now.</summary>
    public bool InRequest => _lease.InRequest;

    /// <summary>Whether the slot, held for requests, may be kept for the next one (no pause, not held for <see cref="MaxHold"/> yet).</summary>
    public bool MayKeep => _lease.InRequest && _lease.HeldSince is { } since && Now - since < MaxHold;

    /// <summary>How much longer the slot may be kept (<see cref="MayKeep"/>), at least a millisecond.</summary>
    public TimeSpan HoldLeft => _lease.HeldSince is { } since && MaxHold - (Now - since) is var left && left > TimeSpan.FromMilliseconds(1)
        ? left
        : TimeSpan.FromMilliseconds(1);

    /// <summary>The address whose slot the site holds, or null.</summary>
    public string? Held => _lease.Held;

    /// <summary>
    /// Whether <paramref name="granted"/> is the grant the site waits for: its address and the ticket of the latest Ask. A grant
    /// with an older ticket answers a re-ask of an earlier request (the gate answers each Acquire of its holder): taken for the
    /// new one, the site would fetch while the gate, told of the earlier request's end, lets another holder in.
    /// </summary>
    public bool Awaits(AddressGateProtocol.Granted granted) => _lease.Awaiting?.Address == granted.Address && granted.Ticket == _ticket;

    /// <summary>The longest one request may hold an address: the fetcher's time-outs and a margin (should the site's node die mid-fetch, the address is free after it).</summary>
    private TimeSpan FetchLease => context.Fetcher.MaxFetchDuration + TimeSpan.FromSeconds(10);

    private DateTimeOffset Now => context.Clock.GetUtcNow();

    /// <summary>Asks the slot of <paramref name="address"/> for <paramref name="job"/>.</summary>
    public void Ask(FetchJob job, string address)
    {
        _lease.Ask(job with { Address = address });
        if (context.Leaving())
        {
            return; // the node is leaving: the site waits for its stop, and its next incarnation fetches the job
        }

        context.AddressGate.Tell(new AddressGateProtocol.Acquire(address, host, AddressPurpose.Fetch, FetchLease, ++_ticket));
        timers.StartPeriodicTimer(GateTimer, GateTick.Instance, context.GateRenewInterval);
    }

    /// <summary>The awaited grant came: the job to fetch now (its request renewed while it lasts, so a gate that moved meanwhile learns it is under way).</summary>
    public FetchJob Granted(string address)
    {
        var job = _lease.Grant(address) ?? throw new InvalidOperationException($"No job awaits {address}.");
        _lease.GrantedAt(Now);
        timers.StartPeriodicTimer(GateTimer, GateTick.Instance, context.GateRenewInterval);
        return job;
    }

    /// <summary>Every renew interval: still waiting, ask again (the request may have gone to a gate that moved since); fetching, renew.</summary>
    public void Tick()
    {
        if (_lease.Awaiting is { } awaiting)
        {
            if (context.Leaving())
            {
                return;
            }

            context.AddressGate.Tell(new AddressGateProtocol.Acquire(awaiting.Address, host, AddressPurpose.Fetch, FetchLease, _ticket));
        }
        else if (_lease is { Held: { } held, ReleaseAt: null })
        {
            context.AddressGate.Tell(new AddressGateProtocol.Renew(held, host, AddressPurpose.Fetch, FetchLease));
        }
    }

    /// <summary>The site stops waiting (it is handed off): a late grant is handed back at once.</summary>
    public void StopWaiting()
    {
        timers.Cancel(GateTimer);
        _lease.Forget();
    }

    /// <summary>
    /// The request is over: the address stays this site's until its politeness pause (<paramref name="pause"/>) is
    /// over, so the server behind it (often shared by several sites) gets the pause too and never sees a request from
    /// another site while it may still be finishing this one. <paramref name="serverDone"/>: the server's side of the
    /// request is over (it answered whole, closed the connection, or never got the request), so an uptime probe may
    /// use the address during the pause. When the site gave up on the request (a time-out, a body too large) the server
    /// may still be at it until it notices the client left: the address stays in flight a moment longer
    /// (<see cref="AddressUse.SettleAfterGivingUp"/>), probes included.
    /// </summary>
    public void RequestEnded(TimeSpan pause, bool serverDone)
    {
        timers.Cancel(GateTimer);
        if (!_lease.HoldUntil(Now + pause))
        {
            return;
        }

        if (serverDone)
        {
            Settled();
        }
        else if (pause > AddressUse.SettleAfterGivingUp)
        {
            timers.StartSingleTimer(SettleTimer, SettleTick.Instance, AddressUse.SettleAfterGivingUp);
        }

        if (pause <= TimeSpan.Zero)
        {
            Release();
        }
        else
        {
            timers.StartSingleTimer(ReleaseTimer, ReleaseTick.Instance, pause);
        }
    }

    /// <summary>The request is over for the server: the gate keeps the address this site's for the rest of the pause (an uptime probe may use it meanwhile).</summary>
    public void Settled()
    {
        if (_lease is { Held: { } held, ReleaseAt: { } releaseAt })
        {
            var pause = releaseAt - Now;
            context.AddressGate.Tell(new AddressGateProtocol.RequestDone(held, host, pause > TimeSpan.Zero ? pause : TimeSpan.Zero));
        }
    }

    /// <summary>Gives the slot back (the pause is over, the site stops or restarts); nothing when none is held.</summary>
    public void Release()
    {
        if (_lease.Release() is { } address)
        {
            timers.Cancel(ReleaseTimer);
            timers.Cancel(SettleTimer);
            if (!context.Leaving())
            {
                context.AddressGate.Tell(new AddressGateProtocol.Release(address, host));
            }
        }
    }

    /// <summary>
    /// A grant the site does not wait for. For the address it holds, or the one it waits for under a newer ticket, it is
    /// the answer to an Acquire asked again while the first grant was on its way: ignored (releasing it would free the
    /// address mid-request, or drop the claim now waiting). Any other is handed back, so the gate does not keep an address
    /// for a site that no longer wants it.
    /// </summary>
    public void StaleGrant(AddressGateProtocol.Granted granted, IActorRef gate)
    {
        if (granted.Address != _lease.Held && granted.Address != _lease.Awaiting?.Address)
        {
            gate.Tell(new AddressGateProtocol.Release(granted.Address, host));
        }
    }

    /// <summary>The fetch errors where the client left first (the server may not have noticed yet).</summary>
    public static bool GaveUp(string? error) =>
        error is nameof(FetchErrorKind.HeadersTimeout) or nameof(FetchErrorKind.BodyTimeout) or nameof(FetchErrorKind.TooLarge) or nameof(FetchErrorKind.Cancelled);
}
