using Akka.Actor;
using Crawler.Net;

namespace Crawler.Actors.Dns;

/// <summary>
/// The protocol of <see cref="DnsResolver"/>, the node's resolver and DNS recorder. Node-local (every node has
/// its own resolver and asks only it), so never serialized: <see cref="Resolved"/> carries IP addresses.
/// </summary>
public static class DnsResolverProtocol
{
    /// <summary>Resolve <paramref name="Host"/>; the answer comes back to the sender as <see cref="Resolved"/>.</summary>
    public sealed record Resolve(string Host) : INoSerializationVerificationNeeded;

    /// <summary>The answer to <see cref="Resolve"/>: the addresses to connect to, and the records they came with.</summary>
    public sealed record Resolved(ResolvedHost Answer) : INoSerializationVerificationNeeded;
}
