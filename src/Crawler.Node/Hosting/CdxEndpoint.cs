using System.Text;
using Crawler.Archive.Cdx;
using Crawler.Core.Cdx;
using Crawler.Storage;
using Microsoft.AspNetCore.Http;

namespace Crawler.Node.Hosting;

/// <summary>
/// <c>GET /cdx</c>: the archive's captures through pywb's CDXJ server API (see <see cref="CdxQuery"/>), so the
/// tools researchers script against the Wayback Machine and pywb work here unchanged. A wrong parameter is a 400
/// whose body names it and what it accepts; a store that is away, a 503.
/// </summary>
public static class CdxEndpoint
{
    public static async Task AnswerAsync(HttpContext http, ICrawlStore store)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(store);
        var ct = http.RequestAborted;
        CdxQuery query;
        try
        {
            query = CdxQuery.Parse(http.Request.Query.SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string>(p.Key, v ?? string.Empty))));
        }
        catch (CdxQueryException e)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            await http.Response.WriteAsync(e.Message + "\n", ct).ConfigureAwait(false);
            return;
        }

        IReadOnlyList<CdxRow> answer;
        try
        {
            if (query.ShowNumPages)
            {
                var (captures, pages) = await StoreCdx.PageCountAsync(store, query, ct).ConfigureAwait(false);
                await http.Response.WriteAsJsonAsync(new { blocks = captures, pages, pageSize = query.PageSize }, ct).ConfigureAwait(false);
                return;
            }

            answer = await StoreCdx.AnswerAsync(store, query, ct).ConfigureAwait(false);
        }
        catch (StoreUnavailableException e)
        {
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            http.Response.Headers.RetryAfter = "30";
            await http.Response.WriteAsync($"The archive's store is unavailable: {e.Message}\n", ct).ConfigureAwait(false);
            return;
        }

        http.Response.ContentType = query.Output == CdxOutput.Json ? "application/x-ndjson; charset=utf-8" : "text/plain; charset=utf-8";
        var text = new StringBuilder();
        foreach (var row in answer)
        {
            text.Append(CdxEngine.Line(row, query)).Append('\n');
        }

        await http.Response.WriteAsync(text.ToString(), ct).ConfigureAwait(false);
    }
}
