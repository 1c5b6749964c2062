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

    public override string? EntityId(object message) => message switch
    {
        ISiteMessage m => m.Host,
        ShardingEnvelope e => e.EntityId,
        _ => null,
    };

    public override object EntityMessage(object message) => message switch
    {
        ShardingEnvelope e => e.Message,
        _ => message,
    };
}
