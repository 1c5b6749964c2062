using System.Globalization;
using Crawler.Storage;

namespace Crawler.Actors.Coordination;

/// <summary>What the store says of the coordinator's epochs, for readers outside the actors (the HTTP API).</summary>
public static class EpochRecords
{
    /// <summary>
    /// Whether <paramref name="epoch"/> is over: a later one has started, or it completed (the coordinator stored the next
    /// one's due time). A site that ran out of work in an epoch still running may get more of it from other sites' links.
    /// </summary>
    public static async Task<bool> IsCompleteAsync(ICrawlStore store, int epoch, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var current = await store.GetSettingAsync(CrawlCoordinator.EpochSetting, ct).ConfigureAwait(false);
        if (int.TryParse(current, NumberStyles.None, CultureInfo.InvariantCulture, out var started) && started > epoch)
        {
            return true;
        }

        return CrawlCoordinator.ParseNext(await store.GetSettingAsync(CrawlCoordinator.NextEpochSetting, ct).ConfigureAwait(false), epoch) is not null;
    }
}
