using System.Globalization;
using Crawler.Actors.Coordination;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Crawler.Node.Commands;

/// <summary>The terminal view of a running crawl: totals, rate, and the state of every site.</summary>
internal static class LiveView
{
    public static IRenderable Render(CoordinatorProtocol.CrawlStatus? status, string dataDirectory, DateTimeOffset started)
    {
        if (status is null)
        {
            return new Markup("[grey]starting…[/]");
        }

        var elapsed = DateTimeOffset.UtcNow - started;
        var rate = elapsed.TotalSeconds > 0 ? status.Fetched / elapsed.TotalSeconds : 0;
        var header = new Markup(string.Create(
            CultureInfo.InvariantCulture,
            $"[bold]Epoch {status.Epoch}[/]{(status.EpochComplete ? " [green](complete)[/]" : string.Empty)}   fetched [bold]{status.Fetched}[/]   {rate:F1}/s   pending {status.Pending}   errors [red]{status.Errors}[/]   sites {status.Sites.Count}   store {Markup.Escape(dataDirectory)}   (Ctrl+C stops gracefully)"));

        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("site").AddColumn("state").AddColumn(new TableColumn("fetched").RightAligned())
            .AddColumn(new TableColumn("pending").RightAligned()).AddColumn(new TableColumn("errors").RightAligned())
            .AddColumn("address").AddColumn("last error");
        foreach (var site in status.Sites.OrderByDescending(s => s.Pending + s.Waiting).ThenBy(s => s.Host, StringComparer.Ordinal).Take(40))
        {
            var state = site.Phase switch
            {
                Actors.Sites.SitePhase.Idle => "[grey]idle[/]",
                Actors.Sites.SitePhase.Crawling => "[green]crawling[/]",
                Actors.Sites.SitePhase.Waiting => "[yellow]waiting[/]",
                _ => site.Phase.ToString().ToLowerInvariant(),
            };
            table.AddRow(
                Markup.Escape(site.Host),
                state,
                site.Fetched.ToString(CultureInfo.InvariantCulture),
                (site.Pending + site.Waiting).ToString(CultureInfo.InvariantCulture),
                site.Errors.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(site.IpAddress ?? "-"),
                Markup.Escape(Truncate(site.LastError ?? string.Empty, 50)));
        }

        return new Rows(header, table);
    }

    public static string Line(CoordinatorProtocol.CrawlStatus status, DateTimeOffset started)
    {
        var elapsed = DateTimeOffset.UtcNow - started;
        var rate = elapsed.TotalSeconds >= 1 ? string.Create(CultureInfo.InvariantCulture, $" ({status.Fetched / elapsed.TotalSeconds:F1}/s)") : string.Empty;
        var active = status.Sites.Count(s => !s.Idle);
        return string.Create(CultureInfo.InvariantCulture, $"epoch {status.Epoch}{(status.EpochComplete ? " complete" : string.Empty)}: fetched {status.Fetched}{rate}, pending {status.Pending}, errors {status.Errors}, sites {active} active / {status.Sites.Count}");
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
