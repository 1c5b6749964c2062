using Crawler.Actors.Serialization;
using Crawler.Actors.Sites;

namespace Crawler.Actors.Coordination;

/// <summary>The protocol of <see cref="CrawlCoordinator"/> (the cluster singleton later).</summary>
public static class CoordinatorProtocol
{
    /// <summary>Ask for the crawl's state; answered with <see cref="CrawlStatus"/>.</summary>
    public sealed record GetStatus : ICrawlerMessage;

    public sealed record CrawlStatus(
        int Epoch,
        bool EpochComplete,
        DateTimeOffset? EpochStartedAt,
        DateTimeOffset? NextEpochAt,
        IReadOnlyList<SiteProtocol.SiteReport> Sites) : ICrawlerMessage
    {
        public long Fetched => Sites.Sum(s => s.Fetched);

        public long Errors => Sites.Sum(s => s.Errors);

        public long Pending => Sites.Sum(s => s.Pending + s.Waiting);
    }

    /// <summary>Published on the event stream when an epoch has no pending URL left.</summary>
    public sealed record EpochCompleted(int Epoch, long Fetched) : ICrawlerMessage;

    /// <summary>
    /// New seeds found while crawling (names discovery found: <paramref name="Kind"/> says how). They join the
    /// current epoch (reopening it if it was complete) and every later one; answered with <see cref="SeedsAdded"/>.
    /// </summary>
    public sealed record AddSeeds(IReadOnlyList<string> Urls, string Kind) : ICrawlerMessage;

    /// <summary>
    /// Seeds are on their way (discovery's first run): the epoch is not declared complete until the sender
    /// says <c>Awaiting = false</c>, so a crawl that exits when done does not exit before them.
    /// </summary>
    public sealed record AwaitSeeds(bool Awaiting) : ICrawlerMessage;

    /// <summary>How many of the seeds were new to the current epoch's frontier.</summary>
    public sealed record SeedsAdded(int Epoch, int Added) : ICrawlerMessage;

    /// <summary>Subscribe the sender to <see cref="EpochCompleted"/> (answered at once if the epoch is already complete).</summary>
    public sealed record WatchCompletion : ICrawlerMessage;
}
