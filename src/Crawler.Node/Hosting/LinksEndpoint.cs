using System.Globalization;
using System.Text;
using Crawler.Core.Links;
using Crawler.Storage;
using Microsoft.AspNetCore.Http;

namespace Crawler.Node.Hosting;

/// <summary>
/// The link graph between the crawled sites over time (<see cref="LinkGraph"/>), from the outlinks the crawl recorded:
/// <c>GET /api/links[?site=FROM][&amp;target=TO][&amp;epoch=N][&amp;format=csv]</c>, one edge per site pair and epoch with the
/// number of links, of pages holding them, and when they were first and last seen. Only links to sites in the crawl's
/// scope count (the .kp web and the seed list's other sites). Without <c>site</c> it reads every capture.
/// </summary>
public static class LinksEndpoint
{
    public static async Task<IResult> AnswerAsync(HttpContext http, ICrawlStore store)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(store);
        var query = http.Request.Query;
        var site = query["site"].ToString().Trim();
        var target = query["target"].ToString().Trim().ToLowerInvariant();
        int? epoch = null;
        if (query["epoch"].ToString() is { Length: > 0 } text)
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var e) || e < 1)
            {
                return Results.BadRequest($"epoch must be a crawl epoch number (1, 2, ...), not '{text}'.");
            }

            epoch = e;
        }

        var format = query["format"].ToString();
        if (format is not ("" or "json" or "csv"))
        {
            return Results.BadRequest($"format must be json or csv, not '{format}'.");
        }

        var pages = new List<PageLinks>();
        await foreach (var capture in store.GetCapturesAsync(new CaptureQuery { Host = site.Length > 0 ? site : null, Epoch = epoch }, http.RequestAborted).ConfigureAwait(false))
        {
            if (capture.Outlinks.Count > 0)
            {
                pages.Add(new PageLinks(capture.Host, capture.Epoch, capture.FetchedAt, capture.Url, capture.Outlinks.Where(o => o.InScope).Select(o => o.Url).ToList()));
            }
        }

        var edges = LinkGraph.Build(pages).Where(e => target.Length == 0 || e.To == target || e.To == target.Replace("www.", string.Empty, StringComparison.Ordinal)).ToList();
        if (format == "csv")
        {
            var csv = new StringBuilder("from,to,epoch,links,pages,first_seen,last_seen\n");
            foreach (var e in edges)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{e.From},{e.To},{e.Epoch},{e.Links},{e.Pages},{e.FirstSeen.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ},{e.LastSeen.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}\n");
            }

            return Results.Text(csv.ToString(), "text/csv; charset=utf-8");
        }

        return Results.Json(new
        {
            edges = edges.Select(e => new { from = e.From, to = e.To, epoch = e.Epoch, links = e.Links, pages = e.Pages, firstSeen = e.FirstSeen, lastSeen = e.LastSeen }),
        });
    }
}
