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
    /// The query's answer (<see cref="CdxEngine.Answer"/> over <see cref="CandidatesAsync"/>). A host or domain match in
    /// index order with no limit or a positive one (<see cref="CdxOrderedAnswer.Streams"/>) reads the store in key order
    /// and stops when the answer is complete: its first lines, or its page, cost what they hold, not the site.
    /// </summary>
    public static async Task<IReadOnlyList<CdxRow>> AnswerAsync(ICrawlStore store, CdxQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(query);
        if (KeyRead(query) is { } read && CdxOrderedAnswer.Streams(query))
        {
            if (query is { Page: > 0, ShowNumPages: false } && CdxOrderedAnswer.SkipsByCount(query)
                && await PageAsync(store, query, read, ct).ConfigureAwait(false) is { } page)
            {
                return page;
            }

            var answer = new CdxOrderedAnswer(query);
            await foreach (var row in RowsAsync(store, read, ct).ConfigureAwait(false))
            {
                answer.Add(row);
                if (answer.Done)
                {
                    break;
                }
            }

            return answer.Finish();
        }

        return CdxEngine.Answer(await CandidatesAsync(store, query, ct).ToListAsync(ct).ConfigureAwait(false), query);
    }

    /// <summary>
    /// pywb's <c>showNumPages</c> answer (<see cref="CdxEngine.PageCount"/>). A host or domain match that only selects
    /// by key (no time bounds, filters nor collapsing) is counted by the store from its key index without reading a
    /// capture; the others read their captures.
    /// </summary>
    public static async Task<(int Captures, int Pages)> PageCountAsync(ICrawlStore store, CdxQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(query);
        if (KeyRead(query) is { } read && query is { From: null, To: null, Filters.Count: 0, Collapse.Count: 0 })
        {
            // Every capture in the key ranges is a line (it has a response and its key is selected); the limit caps them.
            var count = (int)Math.Min(await store.CountCapturesAsync(read, ct).ConfigureAwait(false), int.MaxValue);
            count = query.Limit is { } limit ? Math.Min(count, limit >= 0 ? limit : limit == int.MinValue ? int.MaxValue : -limit) : count;
            return (count, Math.Max(1, (count + query.PageSize - 1) / query.PageSize));
        }

        if (KeyRead(query) is { } ordered && CdxOrderedAnswer.Streams(query))
        {
            var answer = new CdxOrderedAnswer(query);
            await foreach (var row in RowsAsync(store, ordered, ct).ConfigureAwait(false))
            {
                answer.Add(row);
                if (answer.Done)
                {
                    break;
                }
            }

            answer.Finish();
            return (answer.Count, Math.Max(1, (answer.Count + query.PageSize - 1) / query.PageSize));
        }

        return CdxEngine.PageCount(await CandidatesAsync(store, query, ct).ToListAsync(ct).ConfigureAwait(false), query);
    }

    /// <summary>
    /// A page of a query whose captures are its lines (<see cref="CdxOrderedAnswer.SkipsByCount"/>), read from its first
    /// line rather than from the first capture: the capture at that place of the store's order (key, time, id) is found
    /// with an offset (its index is counted, the captures are not read), and the read starts at the beginning of its key
    /// and second, the group whose lines the index order sorts by URL: the captures of the group before it in the
    /// store's order are the lines between. Null when that capture is not met again (the store changed in between):
    /// the caller reads from the first capture.
    /// </summary>
    private static async Task<IReadOnlyList<CdxRow>?> PageAsync(ICrawlStore store, CdxQuery query, CaptureQuery read, CancellationToken ct)
    {
        var first = new CdxOrderedAnswer(query).FirstLine;
        if (first == 0)
        {
            return null;
        }

        CaptureRecord? at = null;
        await foreach (var capture in store.GetCapturesAsync(read with { Offset = first, Limit = 1 }, ct).ConfigureAwait(false))
        {
            at = capture;
        }

        if (at is null)
        {
            return []; // the page begins after the last line
        }

        var key = Surt.Key(at.Url);
        var second = DateTimeOffset.FromUnixTimeSeconds(at.FetchedAt.ToUnixTimeSeconds());
        var group = new List<CdxRow>();
        CdxOrderedAnswer? answer = null;
        await foreach (var capture in store.GetCapturesAsync(read with { UrlKeysFrom = new UrlKeyPosition(key, second) }, ct).ConfigureAwait(false))
        {
            if (Row(capture) is not { } row)
            {
                continue;
            }

            if (answer is null)
            {
                if (capture.Id == at.Id)
                {
                    answer = new CdxOrderedAnswer(query, first - group.Count);
                    group.ForEach(answer.Add);
                }
                else if (row.UrlKey != key || CdxQuery.TimeOf(row.Timestamp) != second)
                {
                    return null; // past the group without meeting it
                }
                else
                {
                    group.Add(row);
                    continue;
                }
            }

            answer.Add(row);
            if (answer.Done)
            {
                break;
            }
        }

        return answer?.Finish();
    }

    /// <summary>For a host or domain match, the store read of the keys it selects (<see cref="CdxQuery.KeyPrefixes"/>), in key order.</summary>
    public static CaptureQuery? KeyRead(CdxQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return query.KeyPrefixes is { } prefixes ? new CaptureQuery { UrlKeys = [.. prefixes.Select(UrlKeyRange.Prefix)] } : null;
    }

    private static async IAsyncEnumerable<CdxRow> RowsAsync(ICrawlStore store, CaptureQuery read, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var capture in store.GetCapturesAsync(read, ct).ConfigureAwait(false))
        {
            if (Row(capture) is { } row)
            {
                yield return row;
            }
        }
    }

    /// <summary>
    /// The captures the query can select, read from the store as narrowly as it allows: for exact and prefix matches
    /// the URLs whose key can match (<see cref="CdxUrlPlan"/>: each scheme and <c>www.</c> variant in any case, and
    /// the URLs with an escape where the key has a plain character, through the URL index; by host, with and without
    /// <c>www.</c>, for a key the plan cannot invert); for host and domain matches the key ranges they select
    /// (<see cref="KeyRead"/>), in key order.
    /// The caller answers the query over them with <see cref="CdxEngine"/>.
    /// </summary>
    public static async IAsyncEnumerable<CdxRow> CandidatesAsync(ICrawlStore store, CdxQuery query, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(query);
        if (KeyRead(query) is { } keys)
        {
            await foreach (var row in RowsAsync(store, keys, ct).ConfigureAwait(false))
            {
                if (query.Selects(row.UrlKey))
                {
                    yield return row;
                }
            }

            yield break;
        }

        string[] hosts = [query.Host, "www." + query.Host];
        IEnumerable<CaptureQuery> reads = [.. hosts.Select(h => new CaptureQuery { Host = h })];
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
