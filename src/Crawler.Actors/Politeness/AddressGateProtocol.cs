using Crawler.Actors.Serialization;
using Crawler.Core.Policies;

namespace Crawler.Actors.Politeness;

/// <summary>Every message for an address gate carries its address: the entity id and shard key of the gate.</summary>
public interface IAddressMessage
{
    string Address { get; }
}

/// <summary>
/// The protocol of <see cref="AddressGate"/>: at most one request at a time per IP address across the
/// cluster, crawl fetches and uptime probes alike, so several small sites sharing one fragile server
/// are never hit in parallel. A holder is named by a string (the site's host, <c>probe:</c> + host for
/// its probe) so that a holder that moved to another node is still the same holder.
/// </summary>
public static class AddressGateProtocol
{
    /// <summary>
    /// Ask for the address for one request that takes at most <paramref name="Lease"/> (the gate's
    /// default when null); answered with <see cref="Granted"/> when it is the sender's turn.
    /// </summary>
    /// <remarks><paramref name="Ticket"/> comes back in <see cref="Granted"/>: a holder that gave up waiting can tell a late grant from a new one.</remarks>
    public sealed record Acquire(string Address, string Holder, AddressPurpose Purpose = AddressPurpose.Fetch, TimeSpan? Lease = null, long Ticket = 0)
        : IAddressMessage, ICrawlerMessage;

    public sealed record Granted(string Address, long Ticket = 0) : ICrawlerMessage;

    /// <summary>
    /// The holder's request is still under way (sent every few seconds while it lasts, no answer): the gate extends
    /// the claim, or takes it up if it did not know it (it moved to another node and lost its state).
    /// </summary>
    public sealed record Renew(string Address, string Holder, AddressPurpose Purpose, TimeSpan Lease) : IAddressMessage, ICrawlerMessage;

    /// <summary>The holder's request is over; a fetch keeps the address for its politeness <paramref name="Pause"/>.</summary>
    public sealed record RequestDone(string Address, string Holder, TimeSpan Pause) : IAddressMessage, ICrawlerMessage;

    /// <summary>The holder lets go of the address.</summary>
    public sealed record Release(string Address, string Holder) : IAddressMessage, ICrawlerMessage;

    /// <summary>Ask who holds the address; answered with <see cref="State"/>.</summary>
    public sealed record GetState(string Address) : IAddressMessage, ICrawlerMessage;

    public sealed record State(string Address, string? Owner, string? InFlight, IReadOnlyList<string> Waiting) : ICrawlerMessage;
}
