using System.Globalization;
using Crawler.Archive.Replay;
using Crawler.Core.Diff;
using Crawler.Core.Dns;
using Crawler.Core.Replay;
using Crawler.Node.Commands;
using Crawler.Node.Hosting;
using Crawler.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Crawler.Node.Ui;

/// <summary>
/// The web UI on the node's HTTP endpoint (<c>crawler run</c> and <c>crawler serve</c>): reads the stores and renders
/// <see cref="UiPages"/>. Its pages run no script and load nothing but their stylesheet (a Content-Security-Policy says
/// so); archived pages open in the sandboxed replay under <c>/web/</c>, never inside the UI.
/// </summary>
public static class UiEndpoints
{
    private const string Policy = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/", () => Results.Redirect("/ui/"));
        app.MapGet("/ui/style.css", () => Results.Text(UiPages.Stylesheet, "text/css; charset=utf-8"));
        app.MapGet("/ui/", (HttpContext http, ICrawlStore store, IUptimeStore uptime, TimeProvider clock) => SitesAsync(http, store, uptime, clock));
        app.MapGet("/ui/site/{host}", (HttpContext http, string host, ICrawlStore store, IUptimeStore uptime, IDnsStore dns, TimeProvider clock) => SiteAsync(http, host, store, uptime, dns, clock));
        app.MapGet("/ui/site/{host}/{day}", (HttpContext http, string host, string day, ICrawlStore store) => DayAsync(http, host, day, store));
        app.MapGet("/ui/url", (HttpContext http, ICrawlStore store) => TimelineAsync(http, store));
        app.MapGet("/ui/diff", (HttpContext http, ICrawlStore store) => DiffAsync(http, store));
        app.MapGet("/ui/search", (HttpContext http, ISearchIndex index, SearchIndexer indexer) => SearchAsync(http, index, indexer));
    }

    private static IResult Html(HttpContext http, string html, int status = StatusCodes.Status200OK)
    {
        http.Response.Headers.ContentSecurityPolicy = Policy;
        http.Response.Headers.XContentTypeOptions = "nosniff";
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }

    private static async Task<IResult> SitesAsync(HttpContext http, ICrawlStore store, IUptimeStore uptime, TimeProvider clock)
    {
        var epochText = await store.GetSettingAsync("epoch", http.RequestAborted).ConfigureAwait(false);
        var epoch = epochText is null ? 1 : int.Parse(epochText, CultureInfo.InvariantCulture);
        var hosts = await store.GetHostStatsAsync(epoch, http.RequestAborted).ConfigureAwait(false);
        var report = await UptimeReport.ReadAsync(uptime, clock.GetUtcNow(), null, http.RequestAborted).ConfigureAwait(false);
        var rows = report.Sites.ToDictionary(r => r.Site, StringComparer.OrdinalIgnoreCase);
        var lines = hosts.OrderBy(h => h.Host, StringComparer.Ordinal).Select(h =>
        {
            var row = rows.GetValueOrDefault(h.Host);
            return new SiteLine(h.Host, row?.State.ToString() ?? "Unknown", row?.Uptime24h * 100, h.Captures, h.Pending, h.Errors, h.LastCaptureAt);
        }).ToList();
        return Html(http, UiPages.Sites(lines, epoch));
    }

    private static async Task<IResult> SiteAsync(HttpContext http, string host, ICrawlStore store, IUptimeStore uptime, IDnsStore dns, TimeProvider clock)
    {
        var perDay = new Dictionary<DateOnly, int>();
        await foreach (var capture in store.GetCapturesAsync(new CaptureQuery { Host = host }, http.RequestAborted).ConfigureAwait(false))
        {
            var day = DateOnly.FromDateTime(capture.FetchedAt.UtcDateTime);
            perDay[day] = perDay.GetValueOrDefault(day) + 1;
        }

        var now = clock.GetUtcNow();
        var report = await UptimeReport.ReadAsync(uptime, now, host, http.RequestAborted).ConfigureAwait(false);
        if (perDay.Count == 0 && report.Sites.Count == 0)
        {
            return Html(http, UiPages.Message("Not archived", $"Nothing is archived or monitored for {host} (the name as crawled, e.g. kcna.kp)."), StatusCodes.Status404NotFound);
        }

        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var hours = await uptime.GetHourlyAsync(host, now.AddDays(-30), now, http.RequestAborted).ConfigureAwait(false);
        var days = Enumerable.Range(0, 30).Select(i => today.AddDays(i - 29)).Select(d =>
        {
            var of = hours.Where(h => DateOnly.FromDateTime(h.HourStart.UtcDateTime) == d).ToList();
            var probes = of.Sum(h => h.Probes);
            return new DayUptime(d, probes == 0 ? null : 100.0 * of.Sum(h => h.Successes) / probes);
        }).ToList();

        var events = await EventsEndpoint.ForSiteAsync(store, host, http.RequestAborted).ConfigureAwait(false) ?? [];
        DnsObservation? previous = null;
        var dnsLines = new List<DnsLine>();
        foreach (var o in await dns.GetObservationsAsync(host, http.RequestAborted).ConfigureAwait(false))
        {
            dnsLines.Add(new DnsLine(o.At, o.Outcome, string.Join(", ", o.Addresses), [.. DnsHistory.Compare(previous, o).Select(c => $"{c.Kind}: {c.Before} → {c.After}")]));
            previous = o;
        }

        dnsLines.Reverse();
        var row = report.Sites.FirstOrDefault();
        return Html(http, UiPages.Site(host, row?.State.ToString() ?? "Unknown", row?.Uptime24h * 100, days, perDay, events, [.. dnsLines.Take(20)]));
    }

    private static async Task<IResult> DayAsync(HttpContext http, string host, string day, ICrawlStore store)
    {
        if (!DateOnly.TryParseExact(day, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return Html(http, UiPages.Message("Not a day", $"'{day}' is not a day: write it as yyyyMMdd, e.g. 20261207."), StatusCodes.Status400BadRequest);
        }

        var captures = new List<(string, DateTimeOffset, int?)>();
        await foreach (var capture in store.GetCapturesAsync(new CaptureQuery { Host = host }, http.RequestAborted).ConfigureAwait(false))
        {
            if (DateOnly.FromDateTime(capture.FetchedAt.UtcDateTime) == date)
            {
                captures.Add((capture.Url, capture.FetchedAt, capture.Status));
            }
        }

        return Html(http, UiPages.Day(host, date, [.. captures.OrderBy(c => c.Item2)]));
    }

    private static async Task<IResult> TimelineAsync(HttpContext http, ICrawlStore store)
    {
        if (await CapturesOf(http, store).ConfigureAwait(false) is not { } found)
        {
            return Html(http, UiPages.Message("Not archived", "Give a URL the crawl archived, e.g. /ui/url?url=http://kcna.kp/"), StatusCodes.Status404NotFound);
        }

        // Oldest first to tell versions apart (a 304 confirms the version before it), then newest first on the page.
        var entries = new List<TimelineEntry>();
        string? digest = null;
        DateTimeOffset? versionAt = null;
        foreach (var c in found.Captures.OrderBy(c => c.FetchedAt))
        {
            var isNew = c.Status is >= 200 and < 300 && c.PayloadDigest != digest;
            entries.Add(new TimelineEntry(c.FetchedAt, c.Status, c.ContentType, isNew, isNew ? versionAt : null));
            if (isNew)
            {
                digest = c.PayloadDigest;
                versionAt = c.FetchedAt;
            }
        }

        entries.Reverse();
        return Html(http, UiPages.Timeline(found.Url, entries));
    }

    private static async Task<IResult> DiffAsync(HttpContext http, ICrawlStore store)
    {
        var query = http.Request.Query;
        if (!ReplayPath.TryReadTimestamp(query["from"].ToString(), out var from) || !ReplayPath.TryReadTimestamp(query["to"].ToString(), out var to))
        {
            return Html(http, UiPages.Message("Which captures?", "from and to must be timestamps (yyyyMMddHHmmss), e.g. from=20261201&to=20261207."), StatusCodes.Status400BadRequest);
        }

        if (await CapturesOf(http, store).ConfigureAwait(false) is not { } found
            || ReplaySelection.Closest(found.Captures, from) is not { } older || ReplaySelection.Closest(found.Captures, to) is not { } newer)
        {
            return Html(http, UiPages.Message("Not archived", "This URL has no capture with an answer."), StatusCodes.Status404NotFound);
        }

        if (older.FetchedAt > newer.FetchedAt)
        {
            (older, newer) = (newer, older);
        }

        var blocks = TextDiff.Compare(
            await ArchivedBody.TextBlocksAsync(store, older, http.RequestAborted).ConfigureAwait(false),
            await ArchivedBody.TextBlocksAsync(store, newer, http.RequestAborted).ConfigureAwait(false));
        return Html(http, UiPages.Diff(found.Url, older.FetchedAt, newer.FetchedAt, blocks));
    }

    private static async Task<IResult> SearchAsync(HttpContext http, ISearchIndex index, SearchIndexer indexer)
    {
        var q = http.Request.Query["q"].ToString();
        var site = http.Request.Query["site"].ToString().Trim().ToLowerInvariant();
        if (q.Trim().Length == 0)
        {
            return Html(http, UiPages.Search(q, site, null, null));
        }

        if (!Core.Search.SearchExpression.TryParse(q, out var expression, out var error))
        {
            return Html(http, UiPages.Search(q, site, null, error), StatusCodes.Status400BadRequest);
        }

        // After a start, the archive that was there is searched once the indexer's first pass is done (as /api/search).
        await indexer.FirstPass.WaitAsync(http.RequestAborted).ConfigureAwait(false);
        var hits = await index.SearchAsync(new SearchRequest(expression) { Site = site.Length > 0 ? site : null, Limit = 50 }, http.RequestAborted).ConfigureAwait(false);
        return Html(http, UiPages.Search(q, site, hits, null));
    }

    private static async Task<(string Url, List<CaptureRecord> Captures)?> CapturesOf(HttpContext http, ICrawlStore store)
    {
        if (DiffEndpoint.RequestedUrl(http) is not { } url)
        {
            return null;
        }

        var captures = await DiffEndpoint.CapturesOfAsync(store, url, http.RequestAborted).ConfigureAwait(false);
        return captures.Count == 0 ? null : (url, captures);
    }
}
