using Akka.Actor;
using Akka.Cluster;
using Crawler.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Crawler.Node.Hosting;

/// <summary>
/// The node's health checks, as a container orchestrator probes them (Kubernetes' liveness and readiness probes):
/// <c>GET /health/live</c> answers 200 while the actor system runs; <c>GET /health/ready</c> answers 200 once this node
/// is an Up member of the cluster and its store answers, else 503 with the reason as text.
/// </summary>
public static partial class HealthEndpoint
{
    /// <summary>The liveness path: a node that does not answer here is restarted.</summary>
    public const string LivePath = "/health/live";

    /// <summary>The readiness path: a node that does not answer 200 here gets no traffic and holds a rollout back.</summary>
    public const string ReadyPath = "/health/ready";

    /// <summary>How long the store may take to answer a readiness check.</summary>
    public static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(3);

    /// <summary>200 "alive" while the actor system has not terminated, else 503.</summary>
    public static IResult Live(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return system.WhenTerminated.IsCompleted
            ? Results.Text("the actor system has terminated", statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Text("alive");
    }

    /// <summary>200 "ready" when this node is Up in the cluster and the store answers within <see cref="StoreTimeout"/>, else 503 naming what is missing.</summary>
    public static async Task<IResult> ReadyAsync(ActorSystem system, ICrawlStore store, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(loggers);
        var status = Cluster.Get(system).SelfMember.Status;
        if (status != MemberStatus.Up)
        {
            return Results.Text($"not ready: this node is {status} in the cluster, not Up", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StoreTimeout);
        try
        {
            // A read of one setting: the cheapest question every store answers.
            _ = await store.GetSettingAsync("health", timeout.Token).WaitAsync(timeout.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Any failure of the store means not ready; the probe reports it and the node goes on.
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            var reason = e is OperationCanceledException ? $"no answer within {StoreTimeout.TotalSeconds:0} s" : e.Message;
            StoreUnreachable(loggers.CreateLogger(typeof(HealthEndpoint).FullName!), reason);
            return Results.Text($"not ready: the store does not answer ({reason})", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return Results.Text("ready");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not ready: the store does not answer ({Reason})")]
    private static partial void StoreUnreachable(ILogger logger, string reason);
}
