using Akka.Actor;
using Crawler.Core.Policies;
using Crawler.Net;
using Crawler.Storage;
using Microsoft.Extensions.Logging;

namespace Crawler.Actors.Sites;

/// <summary>What every site actor of a node shares: services and the actors it talks to.</summary>
public sealed record SiteContext(
    ICrawlStore Store,
    HttpFetcher Fetcher,
    CrawlOptions Options,
    CrawlScope Scope,
    long MaxDecompressedBytes,
    TimeProvider Clock,
    IActorRef Writer,
    IActorRef AddressGate,
    IActorRef Coordinator,
    ILogger Logger)
{
    /// <summary>The node's <see cref="Dns.DnsResolver"/>: sites connect to the addresses it answers, and it records them.</summary>
    public IActorRef Resolver { get; init; } = ActorRefs.Nobody;

    /// <summary>How often a site waiting for its address asks the gate again, and a site fetching renews its claim.</summary>
    public TimeSpan GateRenewInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Whether the node is leaving (its coordinated shutdown has begun). Then a site asks its gate for nothing new and does
    /// not release what it holds: the gate's region may be handing its shards over, and a message to a shard without a
    /// home is held until the region gives up (20 s more of every shutdown). The gate watches its holders, so a claim is
    /// dropped when the site stops; the site's work stays pending in the store for its next incarnation.
    /// </summary>
    public Func<bool> Leaving { get; init; } = static () => false;

    /// <summary>The site region, set once the region exists (sites send each other discovered links through it).</summary>
    public IActorRef Region { get; init; } = ActorRefs.Nobody;
}
