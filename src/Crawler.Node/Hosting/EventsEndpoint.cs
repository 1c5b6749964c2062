using System.Globalization;
using System.Text;
using System.Xml;
using Crawler.Actors.Coordination;
using Crawler.Core.Diff;
using Crawler.Core.Replay;
using Crawler.Storage;
using Microsoft.AspNetCore.Http;

namespace Crawler.Node.Hosting;

/// <summary>
/// A site's removal and change events, from its captures (<see cref="ChangeEvents"/>): <c>GET /api/events?site=HOST</c>
/// (JSON) and <c>GET /api/events.atom?site=HOST</c> (an Atom feed for feed readers), newest first, optionally only
/// <c>kind=removed,changed,restored</c>. A removed page links to the replay of its last good capture, a changed one to
/// the diff of its two versions. A page is removed by its answer (404/410, a redirect elsewhere) or by the site's links:
/// a finished crawl round of the site no longer found it (<see cref="ChangeEvents.DetectUnlisted"/>, <c>unlisted</c>).
/// </summary>
public static class EventsEndpoint
{
    private const string Atom = "http://www.w3.org/2005/Atom";

    public static async Task<IResult> JsonAsync(HttpContext http, ICrawlStore store)
    {
        ArgumentNullException.ThrowIfNull(http);
        var found = await EventsAsync(http, store).ConfigureAwait(false);
        if (found.Problem is { } problem)
        {
            return problem;
        }

        return Results.Json(new
        {
            site = found.Site,
            events = found.Events.Select(e => new
            {
                kind = e.Kind.ToString().ToLowerInvariant(),
                url = e.Url,
                timestamp = ReplayPath.Timestamp(e.At),
                status = e.Status,
                lastGood = e.LastGood is { } good ? ReplayPath.Timestamp(good) : null,
                redirectTo = e.RedirectTo,
                unlisted = e.Unlisted,
                link = Link(e),
            }),
        });
    }

    public static async Task<IResult> AtomAsync(HttpContext http, ICrawlStore store)
    {
        ArgumentNullException.ThrowIfNull(http);
        var found = await EventsAsync(http, store).ConfigureAwait(false);
        if (found.Problem is { } problem)
        {
            return problem;
        }

        var origin = $"{http.Request.Scheme}://{http.Request.Host}";
        var text = new StringBuilder();
        using (var xml = XmlWriter.Create(text, new XmlWriterSettings { Indent = true, OmitXmlDeclaration = false }))
        {
            xml.WriteStartElement("feed", Atom);
            xml.WriteElementString("id", Atom, $"{origin}/api/events.atom?site={Uri.EscapeDataString(found.Site)}");
            xml.WriteElementString("title", Atom, $"{found.Site}: pages removed, changed and restored");
            xml.WriteElementString("updated", Atom, Iso(found.Events.Count > 0 ? found.Events[0].At : DateTimeOffset.UnixEpoch));
            xml.WriteStartElement("author", Atom);
            xml.WriteElementString("name", Atom, "Crawler");
            xml.WriteEndElement();
            xml.WriteStartElement("link", Atom);
            xml.WriteAttributeString("rel", "self");
            xml.WriteAttributeString("href", $"{origin}{http.Request.Path}{http.Request.QueryString}");
            xml.WriteEndElement();
            foreach (var e in found.Events)
            {
                var kind = e.Kind.ToString().ToLowerInvariant();
                xml.WriteStartElement("entry", Atom);
                xml.WriteElementString("id", Atom, $"tag:crawler,2026:{kind}/{ReplayPath.Timestamp(e.At)}/{Uri.EscapeDataString(e.Url)}");
                xml.WriteElementString("title", Atom, $"{kind}: {e.Url}");
                xml.WriteElementString("updated", Atom, Iso(e.At));
                xml.WriteStartElement("link", Atom);
                xml.WriteAttributeString("href", origin + Link(e));
                xml.WriteEndElement();
                xml.WriteElementString("summary", Atom, Summary(e));
                xml.WriteEndElement();
            }

            xml.WriteEndElement();
        }

        return Results.Text(text.ToString().Replace("encoding=\"utf-16\"", "encoding=\"utf-8\"", StringComparison.Ordinal), "application/atom+xml; charset=utf-8");
    }

    private static string Link(ChangeEvent e) => e.Kind switch
    {
        ChangeKind.Changed when e.LastGood is { } good =>
            $"/api/diff?url={Uri.EscapeDataString(e.Url)}&from={ReplayPath.Timestamp(good)}&to={ReplayPath.Timestamp(e.At)}",
        ChangeKind.Removed when e.LastGood is { } good => ReplayPath.For(good, e.Url),
        _ => ReplayPath.For(e.At, e.Url),
    };

    private static string Summary(ChangeEvent e) => e.Kind switch
    {
        ChangeKind.Removed when e.Unlisted =>
            $"No longer linked from the site: the crawl round that finished {Iso(e.At)} did not find it; last archived {Iso(e.LastGood!.Value)}.",
        ChangeKind.Restored when e.Unlisted => $"Linked from the site again (the crawl round that finished {Iso(e.At)} found it).",
        ChangeKind.Removed when e.RedirectTo is { } to => $"Redirected to {to} (HTTP {e.Status}) on {Iso(e.At)}; last archived {Iso(e.LastGood!.Value)}.",
        ChangeKind.Removed => $"Answered HTTP {e.Status} on {Iso(e.At)}; last archived {Iso(e.LastGood!.Value)}.",
        ChangeKind.Changed => $"A new version on {Iso(e.At)} (the previous one was archived {Iso(e.LastGood!.Value)}).",
        _ => $"Back on {Iso(e.At)} (HTTP {e.Status}).",
    };

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>Every event of the site's URLs, newest first; null when nothing of the site is archived.</summary>
    internal static async Task<IReadOnlyList<ChangeEvent>?> ForSiteAsync(ICrawlStore store, string site, CancellationToken ct)
    {
        var byUrl = new Dictionary<string, List<CaptureState>>(StringComparer.Ordinal);
        await foreach (var capture in store.GetCapturesAsync(new CaptureQuery { Host = site }, ct).ConfigureAwait(false))
        {
            if (capture.Status is not { } status)
            {
                continue; // no answer: tells nothing about the page
            }

            if (!byUrl.TryGetValue(capture.Url, out var states))
            {
                byUrl[capture.Url] = states = [];
            }

            states.Add(new CaptureState(capture.FetchedAt, status, capture.PayloadDigest, capture.RedirectTo));
        }

        if (byUrl.Count == 0)
        {
            return null;
        }

        // The site's finished rounds (of epochs that are over), each with the URLs it found by following links: what
        // dropped out of them.
        var rounds = new List<CrawlRound>();
        var over = await EpochRecords.CompletedAsync(store, ct).ConfigureAwait(false);
        foreach (var job in (await store.GetJobsAsync(new JobQuery(Host: site), ct).ConfigureAwait(false)).Where(j => j.FinishedAt is not null && over(j.Epoch)))
        {
            var found = await store.GetFrontierAsync(site, job.Epoch, ct).ConfigureAwait(false);
            rounds.Add(new CrawlRound(job.Epoch, job.FinishedAt!.Value, found.Select(f => f.Url).ToHashSet(StringComparer.Ordinal)));
        }

        return [.. byUrl.SelectMany(u => ChangeEvents.Detect(u.Key, u.Value))
            .Concat(rounds.Count > 1 ? ChangeEvents.DetectUnlisted(rounds, byUrl) : [])
            .OrderByDescending(e => e.At).ThenBy(e => e.Url, StringComparer.Ordinal)];
    }

    private sealed record Found(string Site, IReadOnlyList<ChangeEvent> Events, IResult? Problem);

    /// <summary>The site's events, newest first; <see cref="Found.Problem"/> says what is wrong with the request, if anything.</summary>
    private static async Task<Found> EventsAsync(HttpContext http, ICrawlStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var site = http.Request.Query["site"].ToString().Trim();
        if (site.Length == 0)
        {
            return new Found(site, [], Results.BadRequest("site is required, e.g. /api/events?site=kcna.kp (the name as crawled)."));
        }

        var kinds = new HashSet<ChangeKind>();
        foreach (var name in http.Request.Query["kind"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Enum.TryParse<ChangeKind>(name, ignoreCase: true, out var kind) || !Enum.IsDefined(kind))
            {
                return new Found(site, [], Results.BadRequest($"kind '{name}' is not one of removed, changed, restored."));
            }

            kinds.Add(kind);
        }

        var all = await ForSiteAsync(store, site, http.RequestAborted).ConfigureAwait(false);
        if (all is null)
        {
            return new Found(site, [], Results.NotFound($"Nothing archived for {site} (the name as crawled, e.g. kcna.kp)."));
        }

        var events = all.Where(e => kinds.Count == 0 || kinds.Contains(e.Kind)).ToList();
        return new Found(site, events, null);
    }
}
