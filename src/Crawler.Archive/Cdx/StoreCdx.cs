using System.Runtime.CompilerServices;
using Crawler.Core.Cdx;
using Crawler.Storage;

namespace Crawler.Archive.Cdx;

/// <summary>
/// The store's captures as a CDX server lists them: every capture with an HTTP response (a failed fetch has no
/// record to replay and is not listed), keyed by SURT and second. A 304 is listed as <c>warc/revisit</c>, as the
/// WARC export writes it.
/// </summary>
public static class StoreCdx
{
    /// <summary>A capture as a CDX row, or null when it has no response to list.</summary>
    public static CdxRow? Row(CaptureRecord capture)
    {
        ArgumentNullException.ThrowIfNull(capture);
        if (capture.Status is not { } status)
        {
            return null;
        }

        var mime = status == 304 ? "warc/revisit" : capture.ContentType?.Split(';', 2)[0].Trim().ToLowerInvariant();
        return new CdxRow(Surt.Key(capture.Url), Surt.Timestamp14(capture.FetchedAt), capture.Url, mime is { Length: > 0 } ? mime : null,
            status, capture.PayloadDigest, capture.PayloadDigest is null ? null : capture.PayloadLength, capture.RedirectTo);
    }

    /// <summary>
    /// The captures the query can select, read from the store as narrowly as it allows: for exact and prefix matches
    /// the URLs whose key can match (<see cref="CdxUrlPlan"/>: each scheme and <c>www.</c> variant in any case, and
    /// the URLs with an escape where the key has a plain character, through the URL index); for host matches by host
    /// (with and without <c>www.</c>, which the SURT key ignores); every capture for a domain match.
    /// The caller answers the query over them with <see cref="CdxEngine"/>.
    /// </summary>
    public static async IAsyncEnumerable<CdxRow> CandidatesAsync(ICrawlStore store, CdxQuery query, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(query);
        string[] hosts = [query.Host, "www." + query.Host];
        IEnumerable<CaptureQuery> reads = query.MatchType == CdxMatchType.Domain
            ? [new CaptureQuery()]
            : [.. hosts.Select(h => new CaptureQuery { Host = h })];
        var byUrl = false;
        if (CdxUrlPlan.For(query) is { } plan)
        {
            // The spellings, and every URL beginning with a deviation (an escape where the key has a plain character).
            reads = [new CaptureQuery { Urls = [.. plan.Reads.Select(r => new UrlMatch(r.Url, Prefix: !r.Exact)), .. plan.Deviations.Select(d => new UrlMatch(d, Prefix: true))] }];
            byUrl = true;
        }

        foreach (var read in reads)
        {
            await foreach (var capture in store.GetCapturesAsync(read, ct).ConfigureAwait(false))
            {
                // Read by URL: only the captures the host reads would have found.
                if ((!byUrl || hosts.Contains(capture.Host, StringComparer.Ordinal)) && Row(capture) is { } row && query.Selects(row.UrlKey))
                {
                    yield return row;
                }
            }
        }
    }
}
