using Crawler.Actors.Serialization;
namespace Crawler.Actors.Discovery;

/// <summary>The protocol of <see cref="DiscoveryRunner"/>.</summary>
public static class DiscoveryProtocol
{
    /// <summary>Run discovery now (it also runs at start and every <see cref="DiscoveryOptions.Interval"/>).</summary>
    public sealed record RunNow : ICrawlerMessage
    {
        public static RunNow Instance { get; } = new();
    }

    /// <summary>Published on the event stream after each run: names found, names new to the store, zones transferred,
    /// transfer failures, and the in-scope names handed to the coordinator as sites.</summary>
    public sealed record Completed(int Found, int New, int ZonesTransferred, int Failures, IReadOnlyList<string> Sites) : ICrawlerMessage;
}
