using Crawler.Core.Replay;
using Crawler.Storage;

namespace Crawler.Archive.Replay;

/// <summary>Which of a URL's captures a replay shows, and its neighbours in time. Pure.</summary>
public static class ReplaySelection
{
    /// <summary>
    /// The capture closest in time to <paramref name="at"/> among those that got an answer (a fetch that failed has
    /// nothing to show); a tie goes to the earlier one. A 304 stands for the page it confirmed: the latest 2xx capture
    /// before it is shown instead (with the 304's time kept by the caller if it wants). Null when none answered.
    /// </summary>
    public static CaptureRecord? Closest(IReadOnlyList<CaptureRecord> captures, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(captures);
        CaptureRecord? best = null;
        foreach (var capture in captures)
        {
            if (capture.Status is null)
            {
                continue;
            }

            if (best is null || Distance(capture, at) < Distance(best, at)
                || (Distance(capture, at) == Distance(best, at) && capture.FetchedAt < best.FetchedAt))
            {
                best = capture;
            }
        }

        if (best is { Status: 304 })
        {
            var confirmed = captures.Where(c => c.Status is >= 200 and < 300 && c.FetchedAt <= best.FetchedAt).MaxBy(c => c.FetchedAt);
            return confirmed ?? best;
        }

        return best;
    }

    /// <summary>The answered captures just before and just after <paramref name="shown"/>, for the banner.</summary>
    public static (CaptureRecord? Previous, CaptureRecord? Next) Neighbours(IReadOnlyList<CaptureRecord> captures, CaptureRecord shown)
    {
        ArgumentNullException.ThrowIfNull(captures);
        ArgumentNullException.ThrowIfNull(shown);
        var answered = captures.Where(c => c.Status is not null and not 304).OrderBy(c => c.FetchedAt).ThenBy(c => c.Id, StringComparer.Ordinal).ToList();
        var index = answered.FindIndex(c => c.Id == shown.Id);
        return index < 0
            ? (answered.LastOrDefault(c => c.FetchedAt < shown.FetchedAt), answered.FirstOrDefault(c => c.FetchedAt > shown.FetchedAt))
            : (index > 0 ? answered[index - 1] : null, index + 1 < answered.Count ? answered[index + 1] : null);
    }

    private static TimeSpan Distance(CaptureRecord capture, DateTimeOffset at) => (capture.FetchedAt - at).Duration();
}
