using System.Globalization;
using System.Net;
using System.Text;
using Crawler.Core.Diff;
using Crawler.Core.Replay;

namespace Crawler.Node.Ui;

/// <summary>A site's line on the sites page.</summary>
public sealed record SiteLine(string Host, string State, double? Uptime24hPercent, long Captures, long Pending, long Errors, DateTimeOffset? LastCapture);

/// <summary>One day's share of successful probes (null: no probe that day).</summary>
public sealed record DayUptime(DateOnly Day, double? Percent);

/// <summary>A capture on a URL's timeline: whether it brought a new version, and the timestamp of the version before it.</summary>
public sealed record TimelineEntry(DateTimeOffset At, int? Status, string? ContentType, bool NewVersion, DateTimeOffset? PreviousVersion);

/// <summary>A DNS observation as the site page lists it.</summary>
public sealed record DnsLine(DateTimeOffset At, string Outcome, string Addresses, IReadOnlyList<string> Changes);

/// <summary>
/// The web UI's pages, server-rendered as plain HTML with one stylesheet (<c>/ui/style.css</c>) and no script: sites,
/// a site (uptime bars, capture calendar, events, DNS), a day's captures, a URL's timeline, a diff. Every text from the
/// archive is HTML-encoded; links to archived pages go to the sandboxed replay under <c>/web/</c>. Pure: the endpoints
/// read the stores and hand these functions what to show.
/// </summary>
public static class UiPages
{
    public const string Stylesheet = """
        :root { color-scheme: light; --fg: #1b1b1b; --muted: #5a5a5a; --line: #d8d8d8; --up: #1a7f37; --down: #b42318; --unknown: #8a8a8a; --accent: #0b57d0; }
        body { font: 15px/1.45 system-ui, sans-serif; color: var(--fg); margin: 0 auto; max-width: 72rem; padding: 0 1rem 3rem; }
        header { display: flex; gap: 1.5rem; align-items: baseline; border-bottom: 1px solid var(--line); padding: .75rem 0; margin-bottom: 1rem; }
        header a.brand { font-weight: 700; color: var(--fg); text-decoration: none; }
        a { color: var(--accent); }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        .state { font-weight: 600; text-transform: uppercase; font-size: .8rem; }
        .state-up { color: var(--up); } .state-down { color: var(--down); } .state-unknown, .state-degraded { color: var(--unknown); }
        .muted { color: var(--muted); }
        .calendar { display: flex; flex-wrap: wrap; gap: 1.5rem; }
        .month table { width: auto; } .month td { text-align: center; min-width: 2rem; border: 1px solid var(--line); }
        .month td.has { background: #e8f0fe; font-weight: 600; }
        del { background: #fde7e9; text-decoration: line-through; display: block; padding: .2rem .4rem; margin: .2rem 0; }
        ins { background: #e6f4ea; text-decoration: none; display: block; padding: .2rem .4rem; margin: .2rem 0; }
        p.same { margin: .2rem 0; padding: .2rem .4rem; color: var(--muted); }
        form.search input[type=search] { width: 24rem; max-width: 100%; }
        svg.bars rect.up { fill: var(--up); } svg.bars rect.down { fill: var(--down); } svg.bars rect.none { fill: var(--line); }
        """;

    public static string Sites(IReadOnlyList<SiteLine> sites, int epoch)
    {
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"<h1>Sites</h1><p class=\"muted\">Epoch {epoch}; {sites.Count} sites.</p>");
        body.Append("<table><thead><tr><th>Site</th><th>State</th><th class=\"num\">Uptime 24 h</th><th class=\"num\">Captures</th><th class=\"num\">Pending</th><th class=\"num\">Errors</th><th>Last capture</th></tr></thead><tbody>");
        foreach (var s in sites)
        {
            body.Append("<tr><td><a href=\"/ui/site/").Append(Attr(s.Host)).Append("\">").Append(Text(s.Host)).Append("</a></td>")
                .Append("<td>").Append(State(s.State)).Append("</td>")
                .Append("<td class=\"num\">").Append(s.Uptime24hPercent is { } u ? u.ToString("F1", CultureInfo.InvariantCulture) + " %" : "–").Append("</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{s.Captures}</td><td class=\"num\">{s.Pending}</td><td class=\"num\">{s.Errors}</td>")
                .Append("<td>").Append(When(s.LastCapture)).Append("</td></tr>");
        }

        body.Append("</tbody></table>");
        return Page("Sites", body.ToString());
    }

    public static string Site(
        string host, string state, double? uptime24h, IReadOnlyList<DayUptime> days, IReadOnlyDictionary<DateOnly, int> capturesPerDay,
        IReadOnlyList<ChangeEvent> events, IReadOnlyList<DnsLine> dns)
    {
        ArgumentNullException.ThrowIfNull(days);
        ArgumentNullException.ThrowIfNull(capturesPerDay);
        var body = new StringBuilder();
        body.Append("<h1>").Append(Text(host)).Append("</h1><p>").Append(State(state))
            .Append(uptime24h is { } u ? string.Create(CultureInfo.InvariantCulture, $" · uptime 24 h {u:F1} %") : string.Empty)
            .Append(" · <a href=\"/api/events.atom?site=").Append(Attr(Uri.EscapeDataString(host))).Append("\">Atom feed</a>")
            .Append(" · <a href=\"/api/wacz?site=").Append(Attr(Uri.EscapeDataString(host))).Append("\">WACZ</a>")
            .Append(" · <a href=\"/cdx?url=").Append(Attr(Uri.EscapeDataString(host))).Append("&amp;matchType=host&amp;output=json\">CDX</a></p>");

        body.Append("<h2>Uptime, last 30 days</h2>").Append(Bars(days));

        body.Append("<h2>Captures</h2><div class=\"calendar\">");
        foreach (var month in capturesPerDay.Keys.Select(d => new DateOnly(d.Year, d.Month, 1)).Distinct().OrderDescending().Take(12))
        {
            body.Append(Month(host, month, capturesPerDay));
        }

        body.Append("</div>");
        if (capturesPerDay.Count == 0)
        {
            body.Append("<p class=\"muted\">Nothing archived yet.</p>");
        }

        body.Append("<h2>Removed and changed pages</h2>");
        if (events.Count == 0)
        {
            body.Append("<p class=\"muted\">No page removed or changed.</p>");
        }
        else
        {
            body.Append("<table><thead><tr><th>When</th><th>What</th><th>Page</th><th></th></tr></thead><tbody>");
            foreach (var e in events.Take(50))
            {
                var kind = e.Kind.ToString().ToLowerInvariant();
                body.Append("<tr><td>").Append(When(e.At)).Append("</td><td>").Append(kind).Append(e.Unlisted ? " (no longer linked)" : string.Create(CultureInfo.InvariantCulture, $" (HTTP {e.Status})"))
                    .Append("</td><td><a href=\"/ui/url?url=").Append(Attr(Uri.EscapeDataString(e.Url))).Append("\">").Append(Text(e.Url)).Append("</a></td><td>");
                if (e.Kind == ChangeKind.Changed && e.LastGood is { } previous)
                {
                    body.Append("<a href=\"").Append(Attr(DiffLink(e.Url, previous, e.At))).Append("\">diff</a>");
                }
                else if (e.LastGood is { } good)
                {
                    body.Append("<a href=\"").Append(Attr(ReplayPath.For(good, e.Url))).Append("\">last good capture</a>");
                }

                body.Append("</td></tr>");
            }

            body.Append("</tbody></table>");
        }

        body.Append("<h2>DNS</h2>");
        if (dns.Count == 0)
        {
            body.Append("<p class=\"muted\">No DNS recorded.</p>");
        }
        else
        {
            body.Append("<table><thead><tr><th>When</th><th>Answer</th><th>Addresses</th><th>Changes</th></tr></thead><tbody>");
            foreach (var d in dns)
            {
                body.Append("<tr><td>").Append(When(d.At)).Append("</td><td>").Append(Text(d.Outcome)).Append("</td><td>").Append(Text(d.Addresses))
                    .Append("</td><td>").Append(Text(string.Join("; ", d.Changes))).Append("</td></tr>");
            }

            body.Append("</tbody></table>");
        }

        return Page(host, body.ToString());
    }

    public static string Day(string host, DateOnly day, IReadOnlyList<(string Url, DateTimeOffset At, int? Status)> captures)
    {
        var body = new StringBuilder();
        body.Append("<h1>").Append(Text(host)).Append(CultureInfo.InvariantCulture, $" on {day:yyyy-MM-dd}</h1><p class=\"muted\">{captures.Count} captures.</p>");
        body.Append("<table><thead><tr><th>Time (UTC)</th><th>Status</th><th>URL</th><th></th></tr></thead><tbody>");
        foreach (var (url, at, status) in captures)
        {
            body.Append("<tr><td>").Append(at.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)).Append("</td><td>").Append(status?.ToString(CultureInfo.InvariantCulture) ?? "–")
                .Append("</td><td><a href=\"/ui/url?url=").Append(Attr(Uri.EscapeDataString(url))).Append("\">").Append(Text(url)).Append("</a></td><td><a href=\"")
                .Append(Attr(ReplayPath.For(at, url))).Append("\">replay</a></td></tr>");
        }

        body.Append("</tbody></table>");
        return Page($"{host} {day:yyyy-MM-dd}", body.ToString());
    }

    public static string Timeline(string url, IReadOnlyList<TimelineEntry> captures)
    {
        var body = new StringBuilder();
        body.Append("<h1>").Append(Text(url)).Append(CultureInfo.InvariantCulture, $"</h1><p class=\"muted\">{captures.Count} captures, {captures.Count(c => c.NewVersion)} versions.</p>");
        body.Append("<table><thead><tr><th>Captured (UTC)</th><th>Status</th><th>Type</th><th>Version</th><th></th></tr></thead><tbody>");
        foreach (var c in captures)
        {
            body.Append("<tr><td><a href=\"").Append(Attr(ReplayPath.For(c.At, url))).Append("\">").Append(When(c.At)).Append("</a></td><td>")
                .Append(c.Status?.ToString(CultureInfo.InvariantCulture) ?? "no answer").Append("</td><td>").Append(Text(c.ContentType ?? string.Empty)).Append("</td><td>")
                .Append(c.NewVersion ? "new" : "same").Append("</td><td>");
            if (c.NewVersion && c.PreviousVersion is { } previous)
            {
                body.Append("<a href=\"").Append(Attr(DiffLink(url, previous, c.At))).Append("\">what changed</a>");
            }

            body.Append("</td></tr>");
        }

        body.Append("</tbody></table>");
        return Page(url, body.ToString());
    }

    public static string Diff(string url, DateTimeOffset from, DateTimeOffset to, IReadOnlyList<DiffBlock> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        var body = new StringBuilder();
        body.Append("<h1>What changed</h1><p><a href=\"/ui/url?url=").Append(Attr(Uri.EscapeDataString(url))).Append("\">").Append(Text(url)).Append("</a></p><p>")
            .Append("<a href=\"").Append(Attr(ReplayPath.For(from, url))).Append("\">").Append(When(from)).Append("</a> → ")
            .Append("<a href=\"").Append(Attr(ReplayPath.For(to, url))).Append("\">").Append(When(to)).Append("</a>")
            .Append(CultureInfo.InvariantCulture, $" · <span class=\"muted\">{blocks.Count(b => b.Kind == DiffKind.Removed)} blocks removed, {blocks.Count(b => b.Kind == DiffKind.Added)} added</span></p>");
        body.Append("<div class=\"diff\">");
        foreach (var b in blocks)
        {
            body.Append(b.Kind switch
            {
                DiffKind.Removed => "<del>" + Text(b.Text) + "</del>",
                DiffKind.Added => "<ins>" + Text(b.Text) + "</ins>",
                _ => "<p class=\"same\">" + Text(b.Text) + "</p>",
            });
        }

        body.Append("</div>");
        return Page("Diff of " + url, body.ToString());
    }

    /// <summary>Search results; <paramref name="hits"/> null when nothing was asked yet. Snippets are the index's HTML (text escaped, matches in &lt;b&gt;).</summary>
    public static string Search(string query, string? site, IReadOnlyList<Crawler.Storage.SearchHit>? hits, string? error)
    {
        var body = new StringBuilder();
        body.Append("<h1>Search</h1><form class=\"search\" role=\"search\" action=\"/ui/search\" method=\"get\"><input type=\"search\" name=\"q\" aria-label=\"Words to find\" value=\"")
            .Append(Attr(query)).Append("\"> <input type=\"text\" name=\"site\" aria-label=\"Only this site\" placeholder=\"site, e.g. kcna.kp\" value=\"").Append(Attr(site ?? string.Empty))
            .Append("\"> <button>Search</button></form><p class=\"muted\">All words must match; \"a phrase\", -excluded, prefix*. A Korean word also finds it with a particle (조선 → 조선의).</p>");
        if (error is not null)
        {
            body.Append("<p role=\"alert\">").Append(Text(error)).Append("</p>");
        }
        else if (hits is not null)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">{hits.Count} results shown.</p><ol class=\"hits\">");
            foreach (var h in hits)
            {
                body.Append("<li><a href=\"").Append(Attr(ReplayPath.For(h.CapturedAt, h.Url))).Append("\">").Append(Text(h.Title.Length > 0 ? h.Title : h.Url)).Append("</a> ")
                    .Append("<span class=\"muted\">").Append(Text(h.Url)).Append(" · ").Append(When(h.CapturedAt)).Append(" · <a href=\"/ui/url?url=").Append(Attr(Uri.EscapeDataString(h.Url))).Append("\">timeline</a></span>")
                    .Append("<p>").Append(h.Snippet).Append("</p></li>");
            }

            body.Append("</ol>");
        }

        return Page("Search", body.ToString());
    }

    public static string Message(string title, string message) => Page(title, "<h1>" + Text(title) + "</h1><p>" + Text(message) + "</p>");

    public static string DiffLink(string url, DateTimeOffset from, DateTimeOffset to) =>
        $"/ui/diff?url={Uri.EscapeDataString(url)}&from={ReplayPath.Timestamp(from)}&to={ReplayPath.Timestamp(to)}";

    private static string Month(string host, DateOnly month, IReadOnlyDictionary<DateOnly, int> counts)
    {
        var html = new StringBuilder();
        html.Append("<div class=\"month\"><table aria-label=\"").Append(Attr(month.ToString("MMMM yyyy", CultureInfo.InvariantCulture))).Append("\"><caption>")
            .Append(month.ToString("MMMM yyyy", CultureInfo.InvariantCulture)).Append("</caption><thead><tr>");
        foreach (var d in new[] { "Mo", "Tu", "We", "Th", "Fr", "Sa", "Su" })
        {
            html.Append("<th>").Append(d).Append("</th>");
        }

        html.Append("</tr></thead><tbody><tr>");
        var offset = ((int)month.DayOfWeek + 6) % 7;
        html.Append(string.Concat(Enumerable.Repeat("<td></td>", offset)));
        var days = DateTime.DaysInMonth(month.Year, month.Month);
        for (var day = 1; day <= days; day++)
        {
            var date = new DateOnly(month.Year, month.Month, day);
            if ((offset + day - 1) % 7 == 0 && day > 1)
            {
                html.Append("</tr><tr>");
            }

            if (counts.TryGetValue(date, out var n))
            {
                html.Append(CultureInfo.InvariantCulture, $"<td class=\"has\"><a href=\"/ui/site/{Attr(host)}/{date:yyyyMMdd}\" title=\"{n} captures\">{day}</a></td>");
            }
            else
            {
                html.Append(CultureInfo.InvariantCulture, $"<td>{day}</td>");
            }
        }

        html.Append("</tr></tbody></table></div>");
        return html.ToString();
    }

    private static string Bars(IReadOnlyList<DayUptime> days)
    {
        const int width = 14;
        const int height = 40;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"bars\" role=\"img\" aria-label=\"daily uptime\" width=\"{days.Count * width}\" height=\"{height}\" viewBox=\"0 0 {days.Count * width} {height}\">");
        for (var i = 0; i < days.Count; i++)
        {
            var d = days[i];
            var h = d.Percent is { } p ? Math.Max(2, (int)Math.Round(p / 100 * height)) : height;
            var css = d.Percent is null ? "none" : d.Percent >= 99 ? "up" : "down";
            var label = d.Percent is { } q ? q.ToString("F1", CultureInfo.InvariantCulture) + " %" : "no probe";
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"{css}\" x=\"{i * width}\" y=\"{height - h}\" width=\"{width - 2}\" height=\"{h}\"><title>{d.Day:yyyy-MM-dd}: {label}</title></rect>");
        }

        return svg.Append("</svg>").ToString();
    }

    private static string Page(string title, string body) =>
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<title>" + Text(title) + " · Crawler</title><link rel=\"icon\" href=\"data:,\"><link rel=\"stylesheet\" href=\"/ui/style.css\"></head><body>"
        + "<header><a class=\"brand\" href=\"/ui/\">Crawler</a><nav><a href=\"/ui/\">Sites</a></nav>"
        + "<form class=\"search\" role=\"search\" action=\"/ui/search\" method=\"get\"><input type=\"search\" name=\"q\" aria-label=\"Search the archive\" placeholder=\"Search the archive\"> <button>Search</button></form></header>"
        + "<main>" + body + "</main></body></html>";

    private static string State(string state) => $"<span class=\"state state-{Attr(state.ToLowerInvariant())}\">{Text(state.ToLowerInvariant())}</span>";

    private static string When(DateTimeOffset? at) => at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "–";

    private static string Text(string text) => WebUtility.HtmlEncode(text);

    private static string Attr(string text) => WebUtility.HtmlEncode(text);
}
