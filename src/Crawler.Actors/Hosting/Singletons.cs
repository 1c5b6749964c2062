using Akka.Actor;
using Akka.Cluster.Tools.Singleton;

namespace Crawler.Actors.Hosting;

/// <summary>Starts an actor once per cluster (a cluster singleton on the oldest node) and returns this node's proxy to it.</summary>
internal static class Singletons
{
    public static IActorRef Start(ActorSystem system, string name, Props props)
    {
        system.ActorOf(
            ClusterSingletonManager.Props(props, PoisonPill.Instance, ClusterSingletonManagerSettings.Create(system).WithRole(CrawlerActorsHosting.Role)),
            name);
        return system.ActorOf(
            ClusterSingletonProxy.Props("/user/" + name, ClusterSingletonProxySettings.Create(system).WithRole(CrawlerActorsHosting.Role)),
            name + "-proxy");
    }
}
