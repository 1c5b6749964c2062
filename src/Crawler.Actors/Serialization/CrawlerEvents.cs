using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;

namespace Crawler.Actors.Serialization;

/// <summary>
/// Events that concern the whole crawl (probe results, state changes, country outages, discovery runs,
/// completed epochs). In a cluster they go through Distributed Pub-Sub, one topic per message type, so a
/// singleton on any node sees what every node's actors publish; they also go to the publishing node's own
/// event stream, which local observers (the live view, tests) read. Without a cluster the event stream is all.
/// </summary>
public static class CrawlerEvents
{
    public static bool InCluster(ActorSystem system) =>
        system is ExtendedActorSystem { Provider: IClusterActorRefProvider };

    /// <summary>The topic of a message type: its wire manifest, stable across versions.</summary>
    public static string Topic(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return CrawlerMessageSerializer.Manifests.TryGetValue(type, out var manifest) ? manifest : type.FullName!;
    }

    public static void Publish(IActorContext context, object message)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(message);
        context.System.EventStream.Publish(message);
        if (InCluster(context.System))
        {
            DistributedPubSub.Get(context.System).Mediator.Tell(new Publish(Topic(message.GetType()), message));
        }
    }

    /// <summary>Subscribes <c>context.Self</c> to every <paramref name="type"/> published in the cluster (or on this node alone).</summary>
    public static void Subscribe(IActorContext context, Type type)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (InCluster(context.System))
        {
            DistributedPubSub.Get(context.System).Mediator.Tell(new Subscribe(Topic(type), context.Self));
        }
        else
        {
            context.System.EventStream.Subscribe(context.Self, type);
        }
    }

    public static void Unsubscribe(IActorContext context, Type type)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (InCluster(context.System))
        {
            DistributedPubSub.Get(context.System).Mediator.Tell(new Unsubscribe(Topic(type), context.Self));
        }
        else
        {
            context.System.EventStream.Unsubscribe(context.Self, type);
        }
    }
}
