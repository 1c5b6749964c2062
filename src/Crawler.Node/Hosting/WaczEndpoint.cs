using System.Globalization;
using Crawler.Archive;
using Crawler.Storage;
using Microsoft.AspNetCore.Http;

namespace Crawler.Node.Hosting;

/// <summary>
/// <c>GET /api/wacz?site=HOST[&amp;epoch=N]</c>: one site's archive (or one epoch of it) as a WACZ package, as
/// <c>crawler export wacz</c> writes it, built in a temporary file and streamed with Range support.
/// </summary>
public static class WaczEndpoint
{
    public static async Task<IResult> AnswerAsync(HttpContext http, ICrawlStore store)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(store);
        var site = http.Request.Query["site"].ToString();
        if (string.IsNullOrWhiteSpace(site))
        {
            return Results.BadRequest("site is required: /api/wacz?site=kcna.kp (optionally &epoch=N); the whole archive is `crawler export wacz`.");
        }

        int? epoch = null;
        if (http.Request.Query["epoch"].ToString() is { Length: > 0 } text)
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var e) || e < 1)
            {
                return Results.BadRequest($"epoch must be a crawl epoch number (1, 2, ...), not '{text}'.");
            }

            epoch = e;
        }

        var path = Path.Combine(Path.GetTempPath(), "crawler-api-" + Guid.NewGuid().ToString("N") + ".wacz");
        var result = await WaczExporter.ExportAsync(
            store, null, new WaczExportOptions { OutputPath = path, Host = site.Trim(), Epoch = epoch, Title = epoch is { } n ? $"{site}, epoch {n}" : site }, http.RequestAborted).ConfigureAwait(false);
        if (result.Warc.Captures == 0)
        {
            File.Delete(path);
            return Results.NotFound($"Nothing archived for {site}{(epoch is { } ep ? $" in epoch {ep}" : string.Empty)} (the name as crawled, e.g. kcna.kp).");
        }

        // Deleted once sent: the file is opened with DeleteOnClose.
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        return Results.File(stream, "application/wacz", $"{site}{(epoch is { } x ? "-epoch" + x.ToString(CultureInfo.InvariantCulture) : string.Empty)}.wacz", enableRangeProcessing: true);
    }
}
