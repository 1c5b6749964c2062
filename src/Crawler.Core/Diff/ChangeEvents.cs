namespace Crawler.Core.Diff;

/// <summary>What happened to a URL between two of its captures.</summary>
public enum ChangeKind
{
    /// <summary>A new version: a 2xx answer with another payload than the URL's previous good capture.</summary>
    Changed,

    /// <summary>Gone: after a good capture, 404 or 410, or a redirect to another page.</summary>
    Removed,

    /// <summary>Back: a good capture after a removal.</summary>
    Restored,
}

/// <summary>One capture of a URL as change detection sees it. A 304 confirmed the version before it.</summary>
public sealed record CaptureState(DateTimeOffset At, int Status, string? PayloadDigest, string? RedirectTo);

/// <summary>
/// A change of a URL: <see cref="At"/> is the capture that showed it; <see cref="LastGood"/> is the last good capture
/// before it (the version a reader wants to see of a removed page).
/// </summary>
public sealed record ChangeEvent(ChangeKind Kind, string Url, DateTimeOffset At, int Status, DateTimeOffset? LastGood, string? RedirectTo)
{
    /// <summary>
    /// Removed (or restored) by the site's links rather than by an answer: a crawl round of the site no longer found the
    /// URL by following them (it dropped out of its listings), or found it again. <see cref="Status"/> is then 0.
    /// </summary>
    public bool Unlisted { get; init; }
}

/// <summary>One finished crawl round (epoch) of a site: the URLs it found by following the site's links.</summary>
public sealed record CrawlRound(int Epoch, DateTimeOffset FinishedAt, IReadOnlySet<string> Urls);

/// <summary>
/// Turns a URL's captures, oldest first, into its change events: removals (404/410, or a redirect to another page after a
/// good capture; later failures of a removed URL add nothing), restorations, and changes (a good capture whose payload
/// differs from the previous good one's; a 304 or a revisit with the same digest is no change). A transient failure
/// (5xx, no answer) is neither: the page may still be there. Pure.
/// </summary>
public static class ChangeEvents
{
    public static IReadOnlyList<ChangeEvent> Detect(string url, IEnumerable<CaptureState> captures)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(captures);
        var events = new List<ChangeEvent>();
        CaptureState? lastGood = null;
        var removed = false;
        foreach (var capture in captures.OrderBy(c => c.At))
        {
            if (capture.Status is >= 200 and < 300)
            {
                if (removed)
                {
                    events.Add(new ChangeEvent(ChangeKind.Restored, url, capture.At, capture.Status, lastGood?.At, null));
                    removed = false;
                }
                else if (lastGood is not null && capture.PayloadDigest != lastGood.PayloadDigest)
                {
                    events.Add(new ChangeEvent(ChangeKind.Changed, url, capture.At, capture.Status, lastGood.At, null));
                }

                lastGood = capture;
            }
            else if (capture.Status == 304 && lastGood is not null && !removed)
            {
                lastGood = lastGood with { At = capture.At }; // confirmed unchanged
            }
            else if (lastGood is not null && !removed && IsRemoval(url, capture))
            {
                events.Add(new ChangeEvent(ChangeKind.Removed, url, capture.At, capture.Status, lastGood.At, capture.RedirectTo));
                removed = true;
            }
        }

        return events;
    }

    /// <summary>
    /// Removals by the site's links: a URL one finished round of the site found and the next did not (it dropped out of
    /// the site's listings and every other page of it), while its last answer was good, is removed when that round
    /// finished, with its last good capture; found again by a later round, it is restored. A round that found nothing
    /// (the site was down) says nothing. Captures are each URL's, as for <see cref="Detect"/>. Pure.
    /// </summary>
    public static IReadOnlyList<ChangeEvent> DetectUnlisted(IEnumerable<CrawlRound> rounds, IReadOnlyDictionary<string, List<CaptureState>> captures)
    {
        ArgumentNullException.ThrowIfNull(rounds);
        ArgumentNullException.ThrowIfNull(captures);
        var events = new List<ChangeEvent>();
        var unlisted = new HashSet<string>(StringComparer.Ordinal);
        CrawlRound? previous = null;
        foreach (var round in rounds.Where(r => r.Urls.Count > 0).OrderBy(r => r.Epoch))
        {
            if (previous is not null)
            {
                foreach (var url in previous.Urls.Where(u => !round.Urls.Contains(u) && !unlisted.Contains(u)).Order(StringComparer.Ordinal))
                {
                    if (LastGood(url, captures, round.FinishedAt) is { } good)
                    {
                        events.Add(new ChangeEvent(ChangeKind.Removed, url, round.FinishedAt, 0, good, null) { Unlisted = true });
                        unlisted.Add(url);
                    }
                }
            }

            foreach (var url in unlisted.Where(round.Urls.Contains).Order(StringComparer.Ordinal).ToList())
            {
                events.Add(new ChangeEvent(ChangeKind.Restored, url, round.FinishedAt, 0, LastGood(url, captures, round.FinishedAt), null) { Unlisted = true });
                unlisted.Remove(url);
            }

            previous = round;
        }

        return events;
    }

    /// <summary>When the URL's last capture before <paramref name="before"/> was good (2xx, or a 304 confirming one), its time; otherwise null.</summary>
    private static DateTimeOffset? LastGood(string url, IReadOnlyDictionary<string, List<CaptureState>> captures, DateTimeOffset before)
    {
        if (!captures.TryGetValue(url, out var states))
        {
            return null;
        }

        DateTimeOffset? good = null;
        foreach (var capture in states.Where(c => c.At <= before).OrderBy(c => c.At))
        {
            if (capture.Status is >= 200 and < 300 || (capture.Status == 304 && good is not null))
            {
                good = capture.At;
            }
            else if (IsRemoval(url, capture))
            {
                good = null; // its answer already says it is gone
            }
        }

        return good;
    }

    /// <summary>404 or 410, or a redirect to another page: not to the same page under https or www., nor with a slash added.</summary>
    public static bool IsRemoval(string url, CaptureState capture)
    {
        ArgumentNullException.ThrowIfNull(capture);
        return capture.Status switch
        {
            404 or 410 => true,
            >= 300 and < 400 => capture.RedirectTo is { } to && !SamePage(url, to),
            _ => false,
        };
    }

    private static bool SamePage(string a, string b) =>
        Uri.TryCreate(a, UriKind.Absolute, out var x) && Uri.TryCreate(b, UriKind.Absolute, out var y)
        && string.Equals(Bare(x.Host), Bare(y.Host), StringComparison.OrdinalIgnoreCase)
        && string.Equals(x.AbsolutePath.TrimEnd('/'), y.AbsolutePath.TrimEnd('/'), StringComparison.Ordinal)
        && string.Equals(x.Query, y.Query, StringComparison.Ordinal);

    private static string Bare(string host) => host.StartsWith("www.", StringComparison.OrdinalIgnoreCase) ? host[4..] : host;
}
