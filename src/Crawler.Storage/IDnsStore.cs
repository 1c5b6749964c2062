using Crawler.Core.Dns;

namespace Crawler.Storage;

/// <summary>A name found by discovery (zone transfer, reverse sweep), with how it was found.</summary>
public sealed record DiscoveredNameRecord(string Name, string How, string Source, string Server, DateTimeOffset At);

/// <summary>
/// DNS as evidence: every observation of a name (its history), and the names discovery found.
/// One contract for every store, tested by the same contract suite as <see cref="ICrawlStore"/>.
/// </summary>
public interface IDnsStore : IAsyncDisposable
{
    Task InitializeAsync(CancellationToken ct = default);

    Task AddObservationsAsync(IReadOnlyList<DnsObservation> observations, CancellationToken ct = default);

    /// <summary>All observations of a name, oldest first: its DNS history.</summary>
    Task<IReadOnlyList<DnsObservation>> GetObservationsAsync(string name, CancellationToken ct = default);

    /// <summary>Names whose latest answer holds the address (sites sharing a server).</summary>
    Task<IReadOnlyList<string>> GetNamesWithAddressAsync(string address, CancellationToken ct = default);

    /// <summary>Adds names unless the same (name, how, source) is already recorded. Returns how many were new.</summary>
    Task<int> AddDiscoveredNamesAsync(IReadOnlyList<DiscoveredNameRecord> names, CancellationToken ct = default);

    Task<IReadOnlyList<DiscoveredNameRecord>> GetDiscoveredNamesAsync(CancellationToken ct = default);

    /// <summary>Every observation of every name, ordered by name (ordinal), then time, streamed (crawler migrate).</summary>
    IAsyncEnumerable<DnsObservation> ExportObservationsAsync(CancellationToken ct = default);
}
