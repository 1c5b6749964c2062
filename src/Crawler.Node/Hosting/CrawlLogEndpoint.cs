using System.Globalization;
using Crawler.Core.Policies;
using Crawler.Storage;
using Microsoft.AspNetCore.Http;

namespace Crawler.Node.Hosting;

/// <summary>
/// The crawl log (issue 10): <c>GET /api/crawllog?site=H&amp;epoch=N&amp;reason=R&amp;limit=N</c> lists the URLs the crawl
/// declined or could not archive, each with its reason, so that "not archived" can be told from "did not exist". Every
/// filter is optional; rows come by epoch, site and URL, at most <c>limit</c> of them (1,000 unless given, 100,000 at most).
/// </summary>
public static class CrawlLogEndpoint
{
    public const int DefaultLimit = 1_000;

    public const int MaxLimit = 100_000;

    public static async Task AnswerAsync(HttpContext http, ICrawlStore store)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(store);
        var q = http.Request.Query;
        var site = q["site"].ToString() is { Length: > 0 } s ? s.ToLowerInvariant() : null;
        var reason = q["reason"].ToString() is { Length: > 0 } r ? r : null;
        int? epoch = null;
        var limit = DefaultLimit;
        if (q["epoch"].ToString() is { Length: > 0 } e)
        {
            if (!int.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                await Problem(http, StatusCodes.Status400BadRequest, "epoch must be a whole number, e.g. epoch=3").ConfigureAwait(false);
                return;
            }

            epoch = n;
        }

        if (q["limit"].ToString() is { Length: > 0 } l && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            await Problem(http, StatusCodes.Status400BadRequest, $"limit must be a whole number from 1 to {MaxLimit}, e.g. limit=500").ConfigureAwait(false);
            return;
        }

        if (reason is not null && !DeclineReason.All.Contains(reason))
        {
            await Problem(http, StatusCodes.Status400BadRequest, $"reason must be one of {string.Join(", ", DeclineReason.All)}").ConfigureAwait(false);
            return;
        }

        try
        {
            var rows = new List<object>();
            var more = false;
            await foreach (var row in store.GetCrawlLogAsync(new CrawlLogQuery(site, epoch, reason) { Limit = limit + 1 }, http.RequestAborted).ConfigureAwait(false))
            {
                if (rows.Count == limit)
                {
                    more = true;
                    break;
                }

                rows.Add(new { url = row.Url, site = row.Host, epoch = row.Epoch, reason = row.Reason, detail = row.Detail, via = row.Via, depth = row.Depth, at = row.At });
            }

            await http.Response.WriteAsJsonAsync(new { rows, truncated = more }, http.RequestAborted).ConfigureAwait(false);
        }
        catch (StoreUnavailableException ex)
        {
            http.Response.Headers.RetryAfter = "30";
            await Problem(http, StatusCodes.Status503ServiceUnavailable, $"The archive's store is unavailable: {ex.Message}").ConfigureAwait(false);
        }
    }

    private static Task Problem(HttpContext http, int status, string detail)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(new { status, detail }, http.RequestAborted);
    }
}
