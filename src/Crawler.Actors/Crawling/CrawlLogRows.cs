using Crawler.Core.Policies;
using Crawler.Net;
using Crawler.Storage;

namespace Crawler.Actors.Crawling;

/// <summary>The crawl log rows the crawl writes: links declined, and a URL's own verdict when it is not archived.</summary>
public static class CrawlLogRows
{
    /// <summary>A link of <paramref name="page"/> not followed, for <paramref name="verdict"/>.</summary>
    public static CrawlLogEntry Declined(FrontierEntry page, string url, string? host, DateTimeOffset at, TrapVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(verdict);
        return new()
        {
            Url = url,
            Host = host ?? string.Empty,
            Epoch = page.Epoch,
            Reason = verdict.Reason,
            Detail = verdict.Detail,
            Via = page.Url,
            Depth = page.Depth + 1,
            At = at,
        };
    }

    /// <summary>The URL's own verdict: settled without a fetch (robots.txt, the page budget...) or not archived.</summary>
    public static CrawlLogEntry Own(FrontierEntry entry, string reason, string detail, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new() { Url = entry.Url, Host = entry.Host, Epoch = entry.Epoch, Reason = reason, Detail = detail, Depth = entry.Depth, At = at };
    }

    /// <summary>
    /// The URL's own verdict after its final fetch in the epoch when that fetch archived no response: given up after its
    /// retries (<see cref="FrontierState.Failed"/>: a 503 to the last, time-outs, no address) or an error not retried.
    /// Null when a response was archived or a retry is to come.
    /// </summary>
    public static CrawlLogEntry? NotArchived(FrontierEntry entry, CaptureRecord capture, FrontierState state)
    {
        ArgumentNullException.ThrowIfNull(capture);
        if (state == FrontierState.Pending || (state != FrontierState.Failed && capture.Status is not null))
        {
            return null;
        }

        var reason = capture.Error switch
        {
            nameof(FetchErrorKind.DnsFailure) => DeclineReason.DnsFailure,
            nameof(FetchErrorKind.AddressRefused) => DeclineReason.RefusedAddress,
            _ => DeclineReason.Error,
        };
        var what = capture.Error is { } error ? $"{error}: {capture.ErrorDetail}" : $"HTTP {capture.Status}";
        return Own(entry, reason, $"{what} (attempt {capture.Attempt})", capture.FetchedAt);
    }
}
