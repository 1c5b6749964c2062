using System.Globalization;
using Crawler.Storage;

namespace Crawler.Actors.Coordination;

/// <summary>What the store says of the coordinator's epochs, for readers outside the actors (the HTTP API).</summary>
public static class EpochRecords
{
    /// <summary>
    /// Which epochs are over, as the store says now: one before the epoch started last, or that one once it completed (the
    /// coordinator stored the next one's due time). A site that ran out of work in an epoch still running may get more of
    /// it from other sites' links. Read once; ask the predicate for as many epochs as needed.
    /// </summary>
    public static async Task<Func<int, bool>> CompletedAsync(ICrawlStore store, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var current = await store.GetSettingAsync(CrawlCoordinator.EpochSetting, ct).ConfigureAwait(false);
        var started = int.TryParse(current, NumberStyles.None, CultureInfo.InvariantCulture, out var e) ? e : 0;
        var next = await store.GetSettingAsync(CrawlCoordinator.NextEpochSetting, ct).ConfigureAwait(false);
        return epoch => epoch < started || CrawlCoordinator.ParseNext(next, epoch) is not null;
    }

    /// <summary>Whether <paramref name="epoch"/> is over (<see cref="CompletedAsync"/>).</summary>
    public static async Task<bool> IsCompleteAsync(ICrawlStore store, int epoch, CancellationToken ct = default) =>
        (await CompletedAsync(store, ct).ConfigureAwait(false))(epoch);
}
