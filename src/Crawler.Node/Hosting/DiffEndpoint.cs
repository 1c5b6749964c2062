using System.Globalization;
using Crawler.Archive.Replay;
using Crawler.Core.Diff;
using Crawler.Core.Replay;
using Crawler.Core.Urls;
using Crawler.Storage;
using Microsoft.AspNetCore.Http;

namespace Crawler.Node.Hosting;

/// <summary>
/// What changed in a page over time: <c>GET /api/changes?url=U</c> lists the URL's captures with whether each brought a
/// new version (another payload digest than the capture before it), and <c>GET /api/diff?url=U&amp;from=T1&amp;to=T2</c>
/// compares the text of the captures closest to the two timestamps, block by block (<see cref="TextDiff"/>).
/// </summary>
public static class DiffEndpoint
{
    public static async Task ChangesAsync(HttpContext http, ICrawlStore store)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(store);
        if (await CapturesAsync(http, store) is not { } found)
        {
            return;
        }

        string? previous = null;
        var versions = new List<object>();
        foreach (var c in found.Captures.Where(c => c.Status is not null).OrderBy(c => c.FetchedAt))
        {
            // A 304 confirmed the version before it: not a change.
            var digest = c.Status == 304 ? previous : c.PayloadDigest;
            versions.Add(new
            {
                timestamp = ReplayPath.Timestamp(c.FetchedAt),
                status = c.Status,
                digest,
                changed = c.Status != 304 && digest != previous,
                replay = ReplayPath.For(c.FetchedAt, c.Url),
            });
            previous = digest;
        }

        await http.Response.WriteAsJsonAsync(new { url = found.Url, captures = versions }, http.RequestAborted).ConfigureAwait(false);
    }

    public static async Task DiffAsync(HttpContext http, ICrawlStore store)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(store);
        var query = http.Request.Query;
        if (!ReplayPath.TryReadTimestamp(query["from"].ToString(), out var from) || !ReplayPath.TryReadTimestamp(query["to"].ToString(), out var to))
        {
            await Problem(http, StatusCodes.Status400BadRequest, "from and to must be timestamps of 1-14 digits (yyyyMMddHHmmss), e.g. from=20261201&to=20261207").ConfigureAwait(false);
            return;
        }

        if (await CapturesAsync(http, store) is not { } found)
        {
            return;
        }

        if (ReplaySelection.Closest(found.Captures, from) is not { } older || ReplaySelection.Closest(found.Captures, to) is not { } newer)
        {
            await Problem(http, StatusCodes.Status404NotFound, $"{found.Url} has no capture with an answer.").ConfigureAwait(false);
            return;
        }

        if (older.FetchedAt > newer.FetchedAt)
        {
            (older, newer) = (newer, older);
        }

        var blocks = TextDiff.Compare(await ArchivedBody.TextBlocksAsync(store, older, http.RequestAborted).ConfigureAwait(false), await ArchivedBody.TextBlocksAsync(store, newer, http.RequestAborted).ConfigureAwait(false));
        await http.Response.WriteAsJsonAsync(
            new
            {
                url = found.Url,
                from = new { timestamp = ReplayPath.Timestamp(older.FetchedAt), status = older.Status, digest = older.PayloadDigest },
                to = new { timestamp = ReplayPath.Timestamp(newer.FetchedAt), status = newer.Status, digest = newer.PayloadDigest },
                added = blocks.Count(b => b.Kind == DiffKind.Added),
                removed = blocks.Count(b => b.Kind == DiffKind.Removed),
                blocks = blocks.Select(b => new { kind = b.Kind.ToString().ToLowerInvariant(), text = b.Text }),
            },
            http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The canonical form of the request's <c>url</c> parameter (a scheme-less one taken as http), or null.</summary>
    internal static string? RequestedUrl(HttpContext http)
    {
        var raw = http.Request.Query["url"].ToString();
        return raw.Length == 0 ? null : UrlCanonicalizer.Canonicalize(raw.Contains("://", StringComparison.Ordinal) ? raw : "http://" + raw);
    }

    /// <summary>Every capture of <paramref name="url"/>.</summary>
    internal static async Task<List<CaptureRecord>> CapturesOfAsync(ICrawlStore store, string url, CancellationToken ct)
    {
        var captures = new List<CaptureRecord>();
        await foreach (var c in store.GetCapturesAsync(new CaptureQuery { Url = url }, ct).ConfigureAwait(false))
        {
            captures.Add(c);
        }

        return captures;
    }

    private static async Task<(string Url, List<CaptureRecord> Captures)?> CapturesAsync(HttpContext http, ICrawlStore store)
    {
        if (RequestedUrl(http) is not { } url)
        {
            await Problem(http, StatusCodes.Status400BadRequest, "url must be an http(s) URL, e.g. url=http://kcna.kp/").ConfigureAwait(false);
            return null;
        }

        try
        {
            var captures = await CapturesOfAsync(store, url, http.RequestAborted).ConfigureAwait(false);
            if (captures.Count == 0)
            {
                await Problem(http, StatusCodes.Status404NotFound, $"Not archived: {url}.").ConfigureAwait(false);
                return null;
            }

            return (url, captures);
        }
        catch (StoreUnavailableException e)
        {
            http.Response.Headers.RetryAfter = "30";
            await Problem(http, StatusCodes.Status503ServiceUnavailable, $"The archive's store is unavailable: {e.Message}").ConfigureAwait(false);
            return null;
        }
    }

    private static Task Problem(HttpContext http, int status, string detail)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(new { status, detail = detail.ToString(CultureInfo.InvariantCulture) }, http.RequestAborted);
    }
}
