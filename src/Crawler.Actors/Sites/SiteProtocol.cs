using Crawler.Actors.Serialization;
using Crawler.Storage;

namespace Crawler.Actors.Sites;

/// <summary>Every message for a site entity carries its host: the entity id and shard key.</summary>
public interface ISiteMessage
{
    string Host { get; }
}

/// <summary>The protocol of <see cref="SiteActor"/>, one actor per host owning that site's frontier.</summary>
public static class SiteProtocol
{
    /// <summary>Crawl the host in this epoch: load its frontier from the store and work through it.</summary>
    public sealed record Crawl(string Host, int Epoch) : ISiteMessage, ICrawlerMessage;

    /// <summary>URLs of this host found elsewhere (already persisted as pending by the finder's commit).</summary>
    public sealed record Discovered(string Host, int Epoch, IReadOnlyList<FrontierEntry> Entries) : ISiteMessage, ICrawlerMessage;

    /// <summary>Ask for a <see cref="SiteReport"/>.</summary>
    public sealed record GetReport(string Host) : ISiteMessage, ICrawlerMessage;

    /// <summary>What a site tells the coordinator whenever its state changes notably.</summary>
    public sealed record SiteReport(
        string Host,
        int Epoch,
        SitePhase Phase,
        int Pending,
        int Waiting,
        bool InFlight,
        long Fetched,
        long Errors,
        long Skipped,
        string? IpAddress,
        string? LastError,
        DateTimeOffset? LastFetchAt) : ICrawlerMessage
    {
        /// <summary>Nothing left to do in this epoch and everything acknowledged by the store.</summary>
        public bool Idle => Phase == SitePhase.Idle;
    }
}

public enum SitePhase
{
    Loading,
    Resolving,
    Crawling,
    Waiting,
    Idle,
}
