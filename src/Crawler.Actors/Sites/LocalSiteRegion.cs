using Akka.Actor;

namespace Crawler.Actors.Sites;

/// <summary>
/// One node's stand-in for a shard region: creates a child per entity id (host) on first
/// message and forwards by the same extractor sharding uses. The cluster replaces it with
/// a real ShardRegion; senders only ever see "the site region".
/// </summary>
internal sealed class LocalSiteRegion : ReceiveActor
{
    private readonly Func<string, Props> _entityProps;
    private readonly SiteMessageExtractor _extractor = new();

    public LocalSiteRegion(Func<string, Props> entityProps)
    {
        _entityProps = entityProps;
        ReceiveAny(Route);
    }

    private void Route(object message)
    {
        var id = _extractor.EntityId(message);
        if (id is null)
        {
            Unhandled(message);
            return;
        }

        var name = Uri.EscapeDataString(id);
        var child = Context.Child(name);
        if (child.IsNobody())
        {
            child = Context.ActorOf(_entityProps(id), name);
        }

        child.Forward(_extractor.EntityMessage(message));
    }
}
