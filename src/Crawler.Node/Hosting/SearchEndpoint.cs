using System.Globalization;
using System.Net;
using System.Text;
using Crawler.Archive;
using Crawler.Core.Replay;
using Crawler.Core.Search;
using Crawler.Storage;
using Microsoft.AspNetCore.Http;

namespace Crawler.Node.Hosting;

/// <summary>
/// Full-text search over the archived pages (issue 10): <c>GET /api/search?q=…&amp;site=…&amp;lang=…&amp;from=…&amp;to=…&amp;limit=…&amp;offset=…</c>
/// answers JSON hits (URL, capture time, site, language, title, snippet, replay link), <c>&amp;format=csv</c> the same
/// as CSV, and <c>GET /api/search.warc?q=…</c> a WARC.gz of the matching captures (<see cref="WarcExporter"/>).
/// </summary>
public static class SearchEndpoint
{
    /// <summary>The most hits one JSON page holds.</summary>
    public const int MaxPage = 100;

    /// <summary>The most hits an export (CSV, WARC) holds.</summary>
    public const int MaxExport = 10_000;

    /// <summary>How deep results can be paged.</summary>
    public const int MaxOffset = 100_000;

    public static async Task AnswerAsync(HttpContext http, ISearchIndex index, SearchIndexer indexer)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(indexer);
        var format = http.Request.Query["format"].ToString();
        if (format is not ("" or "json" or "csv"))
        {
            await Problem(http, StatusCodes.Status400BadRequest, $"format must be json or csv, not '{format}'.").ConfigureAwait(false);
            return;
        }

        var csv = format == "csv";
        if (await RequestAsync(http, csv ? 1000 : 20, csv ? MaxExport : MaxPage) is not { } request || await HitsAsync(http, index, indexer, request) is not { } hits)
        {
            return;
        }

        if (csv)
        {
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = "attachment; filename=\"search.csv\"";
            var sb = new StringBuilder(Csv.Line("timestamp", "url", "site", "lang", "title", "snippet", "replay", "digest"));
            foreach (var h in hits)
            {
                sb.Append(Csv.Line(ReplayPath.Timestamp(h.CapturedAt), h.Url, h.Site, h.Language, h.Title, PlainSnippet(h.Snippet), ReplayPath.For(h.CapturedAt, h.Url), h.PayloadDigest));
            }

            await http.Response.WriteAsync(sb.ToString(), http.RequestAborted).ConfigureAwait(false);
            return;
        }

        await http.Response.WriteAsJsonAsync(
            new
            {
                query = http.Request.Query["q"].ToString(),
                offset = request.Offset,
                limit = request.Limit,
                hits = hits.Select(h => new
                {
                    url = h.Url,
                    timestamp = ReplayPath.Timestamp(h.CapturedAt),
                    site = h.Site,
                    lang = h.Language,
                    title = h.Title,
                    snippet = h.Snippet,
                    digest = h.PayloadDigest,
                    replay = ReplayPath.For(h.CapturedAt, h.Url),
                }),
            },
            http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary><c>GET /api/search.warc</c>: the captures of the matching page versions (up to limit, default 1,000) as one WARC.gz.</summary>
    public static async Task WarcAsync(HttpContext http, ICrawlStore store, ISearchIndex index, SearchIndexer indexer)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(store);
        if (await RequestAsync(http, 1000, MaxExport) is not { } request || await HitsAsync(http, index, indexer, request) is not { } hits)
        {
            return;
        }

        var versions = hits.Select(h => SearchDocument.SearchKey(h.Url, h.PayloadDigest)).ToHashSet(StringComparer.Ordinal);
        var folder = Path.Combine(Path.GetTempPath(), "crawler-search-" + Guid.NewGuid().ToString("N"));
        var result = await WarcExporter.ExportAsync(
            store,
            new WarcExportOptions
            {
                OutputDirectory = folder,
                Prefix = "search",
                MaxFileBytes = long.MaxValue,
                Host = request.Site,
                Filter = c => c.PayloadDigest is { } d && SearchIndexer.IsPage(c) && versions.Contains(SearchDocument.SearchKey(c.Url, d)),
            },
            http.RequestAborted).ConfigureAwait(false);
        File.Delete(result.CdxjPath);
        if (result.Files.Count == 0)
        {
            Directory.Delete(folder, recursive: true);
            await Problem(http, StatusCodes.Status404NotFound, "No archived page matches this search: nothing to export.").ConfigureAwait(false);
            return;
        }

        // Deleted once sent: the file is opened with DeleteOnClose, the folder after the response.
        var stream = new FileStream(result.Files[0], FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await using var _ = stream.ConfigureAwait(false);
        http.Response.OnCompleted(() =>
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }

            return Task.CompletedTask;
        });
        http.Response.ContentType = "application/warc";
        http.Response.Headers.ContentDisposition = "attachment; filename=\"search.warc.gz\"";
        await stream.CopyToAsync(http.Response.Body, http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The request's parameters; null after answering 400 naming the one that was wrong.</summary>
    private static async Task<SearchRequest?> RequestAsync(HttpContext http, int defaultLimit, int maxLimit)
    {
        var query = http.Request.Query;
        string? error = null;
        if (!SearchExpression.TryParse(query["q"].ToString(), out var expression, out var qError))
        {
            error = qError;
        }

        var site = query["site"].ToString().Trim().TrimEnd('.').ToLowerInvariant();
        var langText = query["lang"].ToString();
        var lang = langText.Length == 0 ? null : PageLanguage.Primary(langText);
        if (error is null && langText.Length > 0 && lang is null)
        {
            error = $"lang must be a language code such as ko or en, not '{langText}'.";
        }

        DateTimeOffset? from = null, to = null;
        foreach (var name in new[] { "from", "to" })
        {
            var text = query[name].ToString();
            if (error is not null || text.Length == 0)
            {
                continue;
            }

            if (!ReplayPath.TryReadTimestamp(text, out var at))
            {
                error = $"{name} must be a timestamp of 1-14 digits (yyyyMMddHHmmss, UTC), e.g. {name}=20261201, not '{text}'.";
            }
            else if (name == "from")
            {
                from = at;
            }
            else
            {
                to = at;
            }
        }

        var limit = error is null ? Number(query["limit"].ToString(), "limit", defaultLimit, 1, maxLimit, ref error) : 0;
        var offset = error is null ? Number(query["offset"].ToString(), "offset", 0, 0, MaxOffset, ref error) : 0;
        if (error is not null)
        {
            await Problem(http, StatusCodes.Status400BadRequest, error).ConfigureAwait(false);
            return null;
        }

        return new SearchRequest(expression)
        {
            Site = site.Length == 0 ? null : site,
            Language = lang,
            From = from,
            To = to,
            Limit = limit,
            Offset = offset,
        };
    }

    private static int Number(string text, string name, int fallback, int min, int max, ref string? error)
    {
        if (text.Length == 0)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max)
        {
            return n;
        }

        error = $"{name} must be a whole number from {min} to {max}, not '{text}'.";
        return 0;
    }

    private static async Task<IReadOnlyList<SearchHit>?> HitsAsync(HttpContext http, ISearchIndex index, SearchIndexer indexer, SearchRequest request)
    {
        try
        {
            // After a start, the archive that was there is searched once its first pass is done.
            await indexer.FirstPass.WaitAsync(http.RequestAborted).ConfigureAwait(false);
            return await index.SearchAsync(request, http.RequestAborted).ConfigureAwait(false);
        }
        catch (StoreUnavailableException e)
        {
            http.Response.Headers.RetryAfter = "30";
            await Problem(http, StatusCodes.Status503ServiceUnavailable, $"The search index is unavailable: {e.Message}").ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>A snippet as plain text (the CSV's): its marks dropped, its text unescaped.</summary>
    private static string PlainSnippet(string html) =>
        WebUtility.HtmlDecode(html.Replace(Snippet.Open, string.Empty, StringComparison.Ordinal).Replace(Snippet.Close, string.Empty, StringComparison.Ordinal));

    private static Task Problem(HttpContext http, int status, string detail)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(new { status, detail }, http.RequestAborted);
    }
}
