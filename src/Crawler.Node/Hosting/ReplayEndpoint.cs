using System.Globalization;
using System.Net;
using System.Text;
using Crawler.Archive.Replay;
using Crawler.Core.Replay;
using Crawler.Core.Text;
using Crawler.Net;
using Crawler.Storage;
using Microsoft.AspNetCore.Http;

namespace Crawler.Node.Hosting;

/// <summary>
/// <c>GET /web/{timestamp}{modifier}/{url}</c>: the capture of the URL closest to the timestamp, as the Wayback
/// Machine and pywb replay it: pages and stylesheets rewritten into the archive (<see cref="ReplayRewriter"/>), a
/// banner with the capture time and its neighbours, redirects replayed to the archived target. Archived pages are
/// hostile content: every replay answer carries a sandboxing Content-Security-Policy that keeps every request the page
/// makes under <c>/web/</c> (no live web, no API), gives the page an opaque origin (no cookies, no storage of the UI's
/// origin), and no archived Set-Cookie or other response header is passed on.
/// </summary>
public static class ReplayEndpoint
{
    public static async Task AnswerAsync(HttpContext http, ICrawlStore store)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(store);
        var ct = http.RequestAborted;
        var request = http.Request;
        var target = request.Path.Value + request.QueryString.Value;
        Protect(http);
        if (!ReplayPath.TryParse(target, out var at, out var mode, out var url))
        {
            await Answer(http, StatusCodes.Status400BadRequest,
                "Not a replay URL. Expected /web/{timestamp}/{url}, the timestamp 1-14 digits of yyyyMMddHHmmss, e.g. /web/20261207/http://kcna.kp/", ct).ConfigureAwait(false);
            return;
        }

        List<CaptureRecord> captures = [];
        try
        {
            await foreach (var capture in store.GetCapturesAsync(new CaptureQuery { Url = url }, ct).ConfigureAwait(false))
            {
                captures.Add(capture);
            }

            if (ReplaySelection.Closest(captures, at) is not { } shown)
            {
                await Answer(http, StatusCodes.Status404NotFound, $"Not archived: {url} has no capture with an answer.", ct).ConfigureAwait(false);
                return;
            }

            await Replay(http, store, captures, shown, mode, ct).ConfigureAwait(false);
        }
        catch (StoreUnavailableException e)
        {
            http.Response.Headers.RetryAfter = "30";
            await Answer(http, StatusCodes.Status503ServiceUnavailable, $"The archive's store is unavailable: {e.Message}", ct).ConfigureAwait(false);
        }
    }

    private static async Task Replay(HttpContext http, ICrawlStore store, List<CaptureRecord> captures, CaptureRecord shown, ReplayMode mode, CancellationToken ct)
    {
        var response = http.Response;
        response.Headers["Memento-Datetime"] = shown.FetchedAt.UtcDateTime.ToString("r", CultureInfo.InvariantCulture);
        response.Headers.Link = $"<{shown.Url}>; rel=\"original\"";
        var modifier = mode switch { ReplayMode.Identity => "id_", ReplayMode.Resource => "if_", _ => "" };
        if (shown.Status is >= 300 and < 400 && shown.RedirectTo is { } redirect)
        {
            // The archived redirect, replayed inside the archive at its own time (the target's closest capture answers it).
            response.StatusCode = shown.Status.Value;
            response.Headers.Location = ReplayPath.For(shown.FetchedAt, redirect, mode == ReplayMode.Page ? "" : modifier);
            return;
        }

        var body = shown.PayloadDigest is { } digest ? await store.GetPayloadAsync(digest, ct).ConfigureAwait(false) ?? [] : [];
        response.StatusCode = shown.Status ?? StatusCodes.Status200OK;
        if (mode == ReplayMode.Identity)
        {
            if (ArchivedBody.HeaderValue(shown.ResponseHeaders, "Content-Encoding") is { } encoding)
            {
                response.Headers.ContentEncoding = encoding;
            }

            response.ContentType = shown.ContentType ?? "application/octet-stream";
            await response.Body.WriteAsync(body, ct).ConfigureAwait(false);
            return;
        }

        var decoded = ArchivedBody.Decoded(shown, body);
        var type = (shown.ContentType ?? string.Empty).Split(';')[0].Trim().ToLowerInvariant();
        if (type is "text/html" or "application/xhtml+xml")
        {
            var html = EncodingSniffer.Decode(decoded, ArchivedBody.HeaderValue(shown.ResponseHeaders, "Content-Type"), out _);
            var banner = mode == ReplayMode.Page ? Banner(captures, shown) : null;
            response.ContentType = "text/html; charset=utf-8";
            await response.WriteAsync(ReplayRewriter.RewriteHtml(html, shown.Url, shown.FetchedAt, banner), ct).ConfigureAwait(false);
        }
        else if (type == "text/css")
        {
            var css = EncodingSniffer.Decode(decoded, ArchivedBody.HeaderValue(shown.ResponseHeaders, "Content-Type"), "utf-8", guess: false, out _);
            response.ContentType = "text/css; charset=utf-8";
            await response.WriteAsync(ReplayRewriter.RewriteCss(css, shown.Url, shown.FetchedAt), ct).ConfigureAwait(false);
        }
        else
        {
            response.ContentType = shown.ContentType ?? "application/octet-stream";
            await response.Body.WriteAsync(decoded, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The banner: when this was archived, the captures before and after it, and the original URL (not a link: replay never leads to the live web).</summary>
    private static string Banner(IReadOnlyList<CaptureRecord> captures, CaptureRecord shown)
    {
        var (previous, next) = ReplaySelection.Neighbours(captures, shown);
        var count = captures.Count(c => c.Status is not null and not 304);
        string Link(CaptureRecord? c, string text) => c is null
            ? $"<span style=\"opacity:.5\">{text}</span>"
            : $"<a href=\"{WebUtility.HtmlEncode(ReplayPath.For(c.FetchedAt, c.Url))}\" style=\"color:#9cf\">{text}</a>";
        return "<div id=\"crawler-replay-banner\" role=\"banner\" style=\"all:initial;display:block;font:13px/1.6 sans-serif;background:#223;color:#fff;padding:6px 10px\">"
            + $"Archived <time datetime=\"{shown.FetchedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}\">{shown.FetchedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC</time>"
            + $" · {Link(previous, "← previous capture")} · {Link(next, "next capture →")}"
            + $" · {count.ToString(CultureInfo.InvariantCulture)} capture{(count == 1 ? "" : "s")} of <code style=\"color:#fff\">{WebUtility.HtmlEncode(shown.Url)}</code>"
            + "</div>";
    }

    /// <summary>Every replay answer, errors included: what the archived page may load, and nothing of the UI's origin.</summary>
    private static void Protect(HttpContext http)
    {
        var replay = $"{http.Request.Scheme}://{http.Request.Host}{ReplayPath.Prefix}";
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy =
            $"default-src {replay} data: blob: 'unsafe-inline' 'unsafe-eval'; form-action {replay}; base-uri 'none'; "
            + "sandbox allow-scripts allow-forms allow-popups";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        // The sandboxed page has an opaque origin: with same-origin here Chromium refuses it its own images and styles
        // (ERR_BLOCKED_BY_RESPONSE.NotSameOrigin). The CSP above keeps what it loads under /web/.
        headers["Cross-Origin-Resource-Policy"] = "cross-origin";

        // Fonts (and scripts' fetches) are CORS requests, from that opaque origin: "null". No frame-ancestors either: a
        // replayed frame's parent is that origin too, which no source expression matches.
        headers.AccessControlAllowOrigin = "*";
        headers.CacheControl = "public, max-age=3600";
    }

    private static async Task Answer(HttpContext http, int status, string message, CancellationToken ct)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        await http.Response.WriteAsync(message + "\n", ct).ConfigureAwait(false);
    }
}
