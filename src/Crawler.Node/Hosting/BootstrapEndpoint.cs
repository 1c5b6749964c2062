using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Management.Dsl;
using Akka.Management.Cluster.Bootstrap;
using Akka.Management.Cluster.Bootstrap.ContactPoint;
using Microsoft.AspNetCore.Http;
using Newtonsoft.Json;

namespace Crawler.Node.Hosting;

/// <summary>
/// Cluster bootstrap's contact point on the node's own HTTP endpoint. Akka.Management serves <c>/bootstrap/seed-nodes</c>
/// from an HTTP server of its own (Akka.Http.Shim on Ceen.Httpd), which cannot start here: the Ceen.Httpd it was built
/// against (0.9.9) is not served and 0.9.10 lacks the method it calls (MissingMethodException at start). So the node
/// answers the same path with the same JSON (Akka.Management's own <see cref="HttpBootstrapJsonProtocol"/> types and
/// serializer) on Kestrel, and bootstrap runs with this endpoint as the node's contact point.
/// </summary>
public static class BootstrapEndpoint
{
    public const string Path = "/bootstrap/seed-nodes";

    /// <summary>Starts cluster bootstrap with <paramref name="selfBaseUri"/> (http://POD_IP:PORT/) as this node's contact point.</summary>
    public static Task StartAsync(ActorSystem system, Uri selfBaseUri)
    {
        ArgumentNullException.ThrowIfNull(system);
        var bootstrap = ClusterBootstrap.Get(system);

        // Routes() is how Akka.Management hands a route provider its base URI; the routes themselves (Ceen) are not used.
        _ = bootstrap.Routes(ManagementRouteProviderSettings.Create(selfBaseUri, readOnly: true));
        return bootstrap.Start();
    }

    /// <summary>What Akka.Management's HttpClusterBootstrapRoutes answers: this node and the members it may offer as seeds.</summary>
    public static IResult Answer(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        var cluster = Cluster.Get(system);

        // Leaving or gone: no seeds from here. (A node that has not joined yet reads as Removed too: it answers, with no members.)
        if (cluster.SelfMember.Status is MemberStatus.Down or MemberStatus.Exiting or MemberStatus.Leaving || cluster.IsTerminated)
        {
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }

        var limit = system.Settings.Config.GetInt("akka.management.cluster.bootstrap.contact-point.max-seed-nodes-to-expose", 5);
        var state = cluster.State;
        var members = state.Members
            .Where(m => !state.Unreachable.Contains(m))
            .Where(m => m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Joining)
            .Take(limit)
            .Select(m => new HttpBootstrapJsonProtocol.ClusterMember(m.UniqueAddress.Address, m.UniqueAddress.Uid, m.Status, m.Roles))
            .ToImmutableList();
        var json = JsonConvert.SerializeObject(new HttpBootstrapJsonProtocol.SeedNodes(cluster.SelfMember.UniqueAddress.Address, members));
        return Results.Content(json, "application/json");
    }
}
