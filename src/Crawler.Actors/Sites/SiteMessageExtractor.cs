using Akka.Cluster.Sharding;

namespace Crawler.Actors.Sites;

/// <summary>
/// Routes site messages by host. Used by the local region on one node and, unchanged, by
/// Cluster.Sharding in the cluster (its hash of the entity id is stable across processes).
/// </summary>
public sealed class SiteMessageExtractor : HashCodeMessageExtractor
{
    public SiteMessageExtractor(int maxNumberOfShards = 100)
        : base(maxNumberOfShards)
    {
    }

    public override string? EntityId(object message) => message is ISiteMessage m ? m.Host : null;
}
