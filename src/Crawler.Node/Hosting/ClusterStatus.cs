using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Crawler.Actors.Coordination;
using Crawler.Actors.Hosting;

namespace Crawler.Node.Hosting;

/// <summary>One member as this node sees it.</summary>
public sealed record ClusterMemberView(string Address, string Status, bool Reachable, bool Oldest, int? Shards, int? Entities);

/// <summary>The crawl's schedule as the coordinator (a singleton somewhere in the cluster) tells it.</summary>
public sealed record ClusterScheduleView(int Epoch, bool EpochComplete, DateTimeOffset? EpochStartedAt, DateTimeOffset? NextEpochAt, int Sites, long Fetched, long Pending);

/// <summary>
/// What <c>GET /cluster</c> answers and <c>crawler cluster</c> shows: the members, where the site shards are,
/// where the singletons run (the oldest member), this node's own sites, and the schedule.
/// </summary>
public sealed record ClusterView(
    string Self,
    string? Leader,
    string? SingletonsOn,
    IReadOnlyList<ClusterMemberView> Members,
    IReadOnlyList<string> LocalSites,
    ClusterScheduleView? Schedule,
    string? Error);

public static class ClusterStatus
{
    /// <summary>Gathers the view from the node's actor system (each part bounded by <paramref name="timeout"/>; a part that does not answer is left out and named in Error).</summary>
    public static async Task<ClusterView> GatherAsync(ActorSystem system, ActorRegistry registry, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(registry);
        var cluster = Cluster.Get(system);
        var state = cluster.State;
        var up = state.Members.Where(m => m.Status == MemberStatus.Up).ToList();
        var oldest = up.Count > 0 ? up.Aggregate((a, b) => a.IsOlderThan(b) ? a : b) : null;
        var errors = new List<string>();

        ClusterShardingStats? stats = null;
        CurrentShardRegionState? local = null;
        ClusterScheduleView? schedule = null;
        try
        {
            var region = registry.Get<SiteRegionKey>();
            stats = await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(timeout), timeout + TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            local = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, timeout).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AskTimeoutException or TaskCanceledException)
        {
            errors.Add("the shard placement did not come in time");
        }

        try
        {
            var status = await registry.Get<CoordinatorKey>().Ask<CoordinatorProtocol.CrawlStatus>(new CoordinatorProtocol.GetStatus(), timeout).ConfigureAwait(false);
            schedule = new ClusterScheduleView(status.Epoch, status.EpochComplete, status.EpochStartedAt, status.NextEpochAt, status.Sites.Count, status.Fetched, status.Pending);
        }
        catch (Exception ex) when (ex is AskTimeoutException or TaskCanceledException)
        {
            errors.Add("the coordinator did not answer in time (it may be moving to another node)");
        }

        var members = state.Members
            .OrderBy(m => m.Address.ToString(), StringComparer.Ordinal)
            .Select(m =>
            {
                ShardRegionStats? regionStats = null;
                stats?.Regions.TryGetValue(m.Address, out regionStats);
                return new ClusterMemberView(
                    m.Address.ToString(),
                    m.Status.ToString(),
                    !state.Unreachable.Contains(m),
                    oldest is not null && m.Equals(oldest),
                    regionStats?.Stats.Count,
                    regionStats?.Stats.Values.Sum());
            })
            .ToList();
        return new ClusterView(
            cluster.SelfAddress.ToString(),
            state.Leader?.ToString(),
            oldest?.Address.ToString(),
            members,
            local?.Shards.SelectMany(s => s.EntityIds).Order(StringComparer.Ordinal).ToList() ?? [],
            schedule,
            errors.Count > 0 ? string.Join("; ", errors) : null);
    }
}
