using Crawler.Actors.Sites;

namespace Crawler.Actors.Coordination;

/// <summary>The protocol of <see cref="CrawlCoordinator"/> (the cluster singleton later).</summary>
public static class CoordinatorProtocol
{
    /// <summary>Ask for the crawl's state; answered with <see cref="CrawlStatus"/>.</summary>
    public sealed record GetStatus;

    public sealed record CrawlStatus(
        int Epoch,
        bool EpochComplete,
        DateTimeOffset? EpochStartedAt,
        DateTimeOffset? NextEpochAt,
        IReadOnlyList<SiteProtocol.SiteReport> Sites)
    {
        public long Fetched => Sites.Sum(s => s.Fetched);

        public long Errors => Sites.Sum(s => s.Errors);

        public long Pending => Sites.Sum(s => s.Pending + s.Waiting);
    }

    /// <summary>Published on the event stream when an epoch has no pending URL left.</summary>
    public sealed record EpochCompleted(int Epoch, long Fetched);

    /// <summary>Subscribe the sender to <see cref="EpochCompleted"/> (answered at once if the epoch is already complete).</summary>
    public sealed record WatchCompletion;
}
