using Crawler.Actors.Serialization;

namespace Crawler.Actors.Sites;

/// <summary>Every message for a site entity carries its host: the entity id and shard key.</summary>
public interface ISiteMessage
{
    string Host { get; }
}

/// <summary>
/// The protocol of <see cref="SiteActor"/>, one actor per host owning that site's frontier. Every message is a
/// plain record of strings, numbers, times, enums and lists of those: what a cluster serializer carries.
/// </summary>
public static class SiteProtocol
{
    /// <summary>Crawl the host in this epoch: load its frontier from the store and work through it.</summary>
    public sealed record Crawl(string Host, int Epoch) : ISiteMessage, ICrawlerMessage;

    /// <summary>URLs of this host found elsewhere (already persisted as pending by the finder's commit).</summary>
    public sealed record Discovered(string Host, int Epoch, IReadOnlyList<DiscoveredUrl> Urls) : ISiteMessage, ICrawlerMessage;

    /// <summary>One URL of <see cref="Discovered"/>: how deep, from where and how it was found ("a@href", "redirect", ...).</summary>
    public sealed record DiscoveredUrl(string Url, int Depth, string? Via, string Kind);

    /// <summary>
    /// Hand the site off (the sharding hand-off stop message, also used to passivate): it asks for nothing new,
    /// lets a fetch in flight finish, waits until the store acknowledged every write it handed to the archive
    /// writer, releases its address slot and stops. Its state is in the store: it resumes wherever it starts next.
    /// </summary>
    /// <remarks>Sent by the shard to each entity it hands off, so it names no host.</remarks>
    public sealed record Stop : ICrawlerMessage
    {
        public static Stop Instance { get; } = new();
    }

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
        /// <summary>URLs settled without a request in this epoch: their recrawl schedule was not due (not among <see cref="Skipped"/>).
        /// Added after the first release: a report of an older node reads as 0.</summary>
        public long NotDue { get; init; }

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
