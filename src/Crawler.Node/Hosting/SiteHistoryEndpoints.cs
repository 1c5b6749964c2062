using System.Text.Json;
using Crawler.Core.Dns;
using Crawler.Node.Commands;
using Crawler.Storage;
using Microsoft.AspNetCore.Http;

namespace Crawler.Node.Hosting;

/// <summary>
/// A site's DNS history and uptime on the API, from the store, as <c>crawler dns history</c> and <c>crawler uptime --json</c>
/// show them: <c>GET /api/dns?name=kcna.kp</c> (every observation, oldest first, with what changed since the one before)
/// and <c>GET /api/uptime[?site=kcna.kp]</c> (state, since when, uptime 24 h / 30 d, latest probe; with a site, its outages).
/// </summary>
public static class SiteHistoryEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<IResult> DnsAsync(HttpContext http, IDnsStore store)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(store);
        var name = http.Request.Query["name"].ToString().Trim().TrimEnd('.').ToLowerInvariant();
        if (name.Length == 0)
        {
            return Results.BadRequest("name is required, e.g. /api/dns?name=kcna.kp");
        }

        var observations = await store.GetObservationsAsync(name, http.RequestAborted).ConfigureAwait(false);
        if (observations.Count == 0)
        {
            return Results.NotFound($"No DNS recorded for {name}: it is recorded when the crawl resolves a site.");
        }

        DnsObservation? previous = null;
        var list = new List<object>();
        foreach (var observation in observations)
        {
            list.Add(new
            {
                at = observation.At,
                server = observation.Server,
                outcome = observation.Outcome,
                records = observation.Records.Select(r => new { type = r.Type, value = r.Value, ttl = r.Ttl }),
                changes = DnsHistory.Compare(previous, observation).Select(c => new { kind = c.Kind.ToString(), before = c.Before, after = c.After }),
            });
            previous = observation;
        }

        return Results.Json(new { name, observations = list }, Json);
    }

    public static async Task<IResult> UptimeAsync(HttpContext http, IUptimeStore store, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(clock);
        var site = http.Request.Query["site"].ToString();
        var report = await UptimeReport.ReadAsync(store, clock.GetUtcNow(), site.Length == 0 ? null : site, http.RequestAborted).ConfigureAwait(false);
        if (site.Length > 0 && report.Sites.Count == 0)
        {
            return Results.NotFound($"No uptime recorded for {site}: sites are probed while uptime monitoring runs (Crawler:Uptime:Enabled).");
        }

        return Results.Json(UptimeJson.From(report), UptimeJsonContext.Default.UptimeReportJson);
    }
}
