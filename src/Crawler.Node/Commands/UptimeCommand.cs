using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Crawler.Core.Uptime;
using Crawler.Node.Configuration;
using Crawler.Node.Hosting;
using Crawler.Storage;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace Crawler.Node.Commands;

/// <summary>
/// <c>crawler uptime [--site HOST] [--json]</c>: each site's state, since when, time-based uptime over
/// 24 h and 30 d, median response time over 24 h and its last probe, as the node stored them (works
/// while a node runs), like Uptime Kuma's dashboard list.
/// </summary>
internal static class UptimeCommand
{
    internal const string NoDataMessage = "no uptime data yet: run `crawler run` with Crawler:Uptime:Enabled=true";


    public static Command Create()
    {
        var site = new Option<string?>("--site") { Description = "Show only this site (e.g. kcna.kp), with its last 10 outages." };
        var json = new Option<bool>("--json") { Description = "Print the same data as JSON (for scripts)." };
        var command = new Command(
            "uptime",
            "Uptime per site: state, since when, uptime over 24 h and 30 d (outage time), median response time over 24 h, last probe. Times are UTC.")
        {
            CrawlerCli.DataOption, site, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var options = NodeHost.BuildConfiguration(CrawlerCli.Overrides(parse)).GetSection(NodeOptions.Section).Get<NodeOptions>() ?? new NodeOptions();
            var now = TimeProvider.System.GetUtcNow();
            var asJson = parse.GetValue(json);
            var wanted = parse.GetValue(site);

            UptimeReport report;
            try
            {
                report = await ReadAsync(options, now, wanted, ct).ConfigureAwait(false);
            }
            catch (StoreUnavailableException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return 1;
            }
            catch (StoreLocationException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return 2;
            }

            if (report.Sites.Count == 0)
            {
                var message = wanted is null ? NoDataMessage : $"no uptime data for {wanted}: it has no probe result or state change stored";
                if (asJson)
                {
                    Console.Error.WriteLine(message);
                    Console.WriteLine(JsonSerializer.Serialize(UptimeJson.From(report), UptimeJsonContext.Default.UptimeReportJson));
                }
                else
                {
                    Console.WriteLine(message);
                }

                return wanted is null ? 0 : 1;
            }

            if (asJson)
            {
                Console.WriteLine(JsonSerializer.Serialize(UptimeJson.From(report), UptimeJsonContext.Default.UptimeReportJson));
            }
            else
            {
                var console = AnsiConsole.Console;
                if (Console.IsOutputRedirected && int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), NumberStyles.None, CultureInfo.InvariantCulture, out var columns) && columns > 0)
                {
                    // Redirected output has no width of its own: honour COLUMNS as other Unix tools do.
                    console.Profile.Width = columns;
                }

                UptimeTable.Write(console, report, single: wanted is not null);
            }

            return 0;
        });
        return command;
    }

    /// <summary>Reads what the report needs from the node's store; an absent database reads as empty (and is not created).</summary>
    private static async Task<UptimeReport> ReadAsync(NodeOptions options, DateTimeOffset now, string? wanted, CancellationToken ct)
    {
        if (StoreLocation.From(options) is { MayHoldArchive: false })
        {
            return UptimeReport.Build(now, [], [], [], [], null);
        }

        await using var store = NodeHost.OpenUptimeStore(options);
        await store.InitializeAsync(ct).ConfigureAwait(false);
        return await UptimeReport.ReadAsync(store, now, wanted, ct).ConfigureAwait(false);
    }
}

/// <summary>One site's line of the report. Uptimes are fractions in [0, 1], null when the window holds no data of the site.</summary>
internal sealed record UptimeRow(
    string Site,
    SiteState State,
    DateTimeOffset? Since,
    double? Uptime24h,
    double? Uptime30d,
    TimeSpan? Median24h,
    ProbeResult? LastProbe);

/// <summary>Everything <c>crawler uptime</c> shows, computed without I/O from what the store returned.</summary>
internal sealed record UptimeReport(
    DateTimeOffset Now,
    IReadOnlyList<UptimeRow> Sites,
    CountryOutage? OpenCountryOutage,
    IReadOnlyList<Outage>? Outages)
{
    /// <summary>The report over <paramref name="store"/> at <paramref name="now"/>: every site, or only <paramref name="wanted"/> with its outages.</summary>
    public static async Task<UptimeReport> ReadAsync(IUptimeStore store, DateTimeOffset now, string? wanted, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        var latest = await store.GetLatestAsync(ct).ConfigureAwait(false);
        if (wanted is not null)
        {
            var name = wanted.Trim().TrimEnd('.');
            latest = [.. latest.Where(s => string.Equals(s.Site, name, StringComparison.OrdinalIgnoreCase)).Take(1)];
        }

        if (latest.Count == 0)
        {
            return Build(now, [], [], [], [], null);
        }

        var monthStart = now - Month;
        var single = wanted is null ? null : latest[0].Site;

        // For the 24 h median: the hours starting within the day (UptimeMath.Percentiles counts those).
        var hours = await store.GetHourlyAsync(single, now - Day, now, ct).ConfigureAwait(false);
        var outages = await store.GetOutagesAsync(single, monthStart, now, ct).ConfigureAwait(false);
        var country = await store.GetCountryOutagesAsync(monthStart, now, ct).ConfigureAwait(false);

        IReadOnlyList<Outage> history = [];
        if (single is not null)
        {
            var all = await store.GetOutagesAsync(single, DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue, ct).ConfigureAwait(false);
            history = [.. all.OrderByDescending(o => o.Start).Take(OutagesShown)];
        }

        return Build(now, latest, hours, outages, country, single is null ? null : history);
    }

    /// <summary>A single site's report lists this many of its latest outages.</summary>
    public const int OutagesShown = 10;

    public static readonly TimeSpan Day = TimeSpan.FromHours(24);

    public static readonly TimeSpan Month = TimeSpan.FromDays(30);

    public int Count(SiteState state) => Sites.Count(s => s.State == state);

    /// <summary>
    /// Builds the rows. Uptime is <see cref="UptimeMath.MonitoredUptime"/>: over the window, started no earlier
    /// than the site's first evidence (<see cref="SiteUptimeStatus.MonitoredSince"/>), as the metrics count it.
    /// </summary>
    public static UptimeReport Build(
        DateTimeOffset now,
        IReadOnlyList<SiteUptimeStatus> latest,
        IReadOnlyList<HourlyAggregate> hours,
        IReadOnlyList<Outage> outages,
        IReadOnlyList<CountryOutage> countryOutages,
        IReadOnlyList<Outage>? history)
    {
        var hoursBySite = hours.ToLookup(h => h.Site, StringComparer.Ordinal);
        var outagesBySite = outages.ToLookup(o => o.Site, StringComparer.Ordinal);
        var rows = latest.Select(s =>
        {
            var siteHours = hoursBySite[s.Site].ToList();
            var siteOutages = outagesBySite[s.Site].ToList();
            return new UptimeRow(
                s.Site,
                s.State,
                s.Since,
                UptimeMath.MonitoredUptime(siteOutages, s.MonitoredSince, s.LastProbed, now - Day, now),
                UptimeMath.MonitoredUptime(siteOutages, s.MonitoredSince, s.LastProbed, now - Month, now),
                UptimeMath.Percentiles(siteHours, now - Day, now)?.P50,
                s.LastResult);
        })
        .OrderBy(r => Rank(r.State))
        .ThenBy(r => r.Site, StringComparer.Ordinal)
        .ToList();

        var open = countryOutages.Where(c => c.End is null && c.Start <= now).MaxBy(c => c.Start);
        return new UptimeReport(now, rows, open, history);
    }

    /// <summary>Down first, then degraded, unknown, up.</summary>
    public static int Rank(SiteState state) => state switch
    {
        SiteState.Down => 0,
        SiteState.Degraded => 1,
        SiteState.Unknown => 2,
        _ => 3,
    };
}

/// <summary>Text forms shared by the table and its tests.</summary>
internal static class UptimeText
{
    public static string State(SiteState state) => state switch
    {
        SiteState.Up => "up",
        SiteState.Degraded => "degraded",
        SiteState.Down => "down",
        _ => "unknown",
    };

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>"3d 4h", "4h 5m", "5m", "<1m": the two largest units.</summary>
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.FromMinutes(1))
        {
            return "<1m";
        }

        var c = CultureInfo.InvariantCulture;
        return span.TotalDays >= 1 ? string.Create(c, $"{(int)span.TotalDays}d {span.Hours}h")
            : span.TotalHours >= 1 ? string.Create(c, $"{span.Hours}h {span.Minutes}m")
            : string.Create(c, $"{span.Minutes}m");
    }

    public static string Percent(double? fraction) =>
        fraction is { } f ? (f * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%" : "—";

    public static string Milliseconds(TimeSpan? span) =>
        span is { } s ? s.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms" : "—";

    public static string Outcome(ProbeResult result)
    {
        if (result.Success)
        {
            return result.Total is { } t ? "ok " + Milliseconds(t) : "ok";
        }

        var reason = Reason(result.Failure);
        if (result.Failure == ProbeFailure.HttpStatus && result.HttpStatus is { } status)
        {
            reason += " " + status.ToString(CultureInfo.InvariantCulture);
        }

        return string.IsNullOrWhiteSpace(result.Detail) ? reason : $"{reason}: {Shorten(result.Detail, 60)}";
    }

    /// <summary>A failure in a few short words (the JSON keeps the enum names), so that narrow cells wrap between words.</summary>
    public static string Reason(ProbeFailure failure) => failure switch
    {
        ProbeFailure.None => "ok",
        ProbeFailure.DnsNxDomain => "DNS NXDOMAIN",
        ProbeFailure.DnsTimeout => "DNS timeout",
        ProbeFailure.DnsError => "DNS error",
        ProbeFailure.ConnectionRefused => "refused",
        ProbeFailure.ConnectTimeout => "connect timeout",
        ProbeFailure.TlsError => "TLS error",
        ProbeFailure.HttpStatus => "HTTP",
        ProbeFailure.BodyCheckFailed => "body check failed",
        ProbeFailure.TooSlow => "too slow",
        _ => "error",
    };

    private static string Shorten(string text, int max)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= max ? line : line[..(max - 1)] + "…";
    }
}

/// <summary>
/// The table form. Spectre.Console wraps cells to the console's width (80 columns when output is
/// redirected, or COLUMNS then); below <see cref="TableWidth"/> a table would only show "…", so each
/// site is printed as a short block of lines instead.
/// </summary>
internal static class UptimeTable
{
    // Simple border: two edges and six inner separators, one space each, plus one space of padding
    // right of each of the seven columns.
    private const int Chrome = 2 + 6 + 7;

    /// <summary>
    /// Narrowest console the table is printed on: the columns that do not wrap (site, state, both uptimes,
    /// median) at full width, Since and Last probe at 10 (a date). A site name is never split over two lines.
    /// </summary>
    public static int TableWidth(UptimeReport report) =>
        Chrome + "degraded".Length + (3 * "100.00%".Length) + 10 + 10 + Math.Max("Site".Length, report.Sites.Max(r => r.Site.Length));

    public static void Write(IAnsiConsole console, UptimeReport report, bool single)
    {
        var c = CultureInfo.InvariantCulture;
        if (!single)
        {
            console.MarkupLine(string.Create(c,
                $"[bold]Uptime[/] at {UptimeText.Time(report.Now)} UTC: {report.Sites.Count} sites, [red]{report.Count(SiteState.Down)} down[/], [yellow]{report.Count(SiteState.Degraded)} degraded[/], [grey]{report.Count(SiteState.Unknown)} unknown[/], [green]{report.Count(SiteState.Up)} up[/]"));
        }

        if (report.OpenCountryOutage is { } country)
        {
            console.MarkupLine(string.Create(c,
                $"[bold red]Country-wide outage[/] since {UptimeText.Time(country.Start)} UTC ({UptimeText.Duration(report.Now - country.Start)}): {country.FailedTargets}/{country.Targets} targets failed"));
        }

        var narrow = console.Profile.Width < TableWidth(report);
        if (narrow)
        {
            WriteBlocks(console, report);
        }
        else
        {
            WriteTable(console, report);
        }

        if (report.Outages is { } outages)
        {
            WriteOutages(console, report.Now, outages, narrow);
        }
    }

    private static void WriteTable(IAnsiConsole console, UptimeReport report)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn(Column("Site").NoWrap())
            .AddColumn(Column("State").NoWrap())
            .AddColumn(Column("Since (UTC)"))
            .AddColumn(Column("Uptime\n24h").RightAligned().NoWrap())
            .AddColumn(Column("Uptime\n30d").RightAligned().NoWrap())
            .AddColumn(Column("Median").RightAligned().NoWrap())
            .AddColumn(Column("Last probe (UTC)"));
        foreach (var row in report.Sites)
        {
            var since = row.Since is { } s ? $"{UptimeText.Time(s)}\nfor {UptimeText.Duration(report.Now - s)}" : "—";
            var last = row.LastProbe is { } p ? $"{UptimeText.Time(p.At)}\n{UptimeText.Outcome(p)}" : "—";
            table.AddRow(
                new Text(row.Site),
                new Markup(StateMarkup(row.State)),
                new Text(since),
                new Text(UptimeText.Percent(row.Uptime24h)),
                new Text(UptimeText.Percent(row.Uptime30d)),
                new Text(UptimeText.Milliseconds(row.Median24h)),
                row.LastProbe is { Success: false } ? new Text(last, new Style(Color.Red)) : new Text(last));
        }

        console.Write(table);
    }

    private static void WriteBlocks(IAnsiConsole console, UptimeReport report)
    {
        foreach (var row in report.Sites)
        {
            console.WriteLine();
            console.MarkupLine($"[bold]{Markup.Escape(row.Site)}[/] {StateMarkup(row.State)}");
            if (row.Since is { } s)
            {
                console.WriteLine($"  since {UptimeText.Time(s)} UTC, for {UptimeText.Duration(report.Now - s)}");
            }

            console.WriteLine($"  uptime 24h {UptimeText.Percent(row.Uptime24h)}, 30d {UptimeText.Percent(row.Uptime30d)}");
            console.WriteLine($"  median {UptimeText.Milliseconds(row.Median24h)}");
            if (row.LastProbe is { } p)
            {
                console.WriteLine($"  last probe {UptimeText.Time(p.At)} UTC: {UptimeText.Outcome(p)}");
            }
        }
    }

    private static void WriteOutages(IAnsiConsole console, DateTimeOffset now, IReadOnlyList<Outage> outages, bool narrow)
    {
        console.WriteLine();
        if (outages.Count == 0)
        {
            console.WriteLine("No outages recorded.");
            return;
        }

        console.MarkupLine(outages.Count == 1 ? "[bold]Last outage[/]" : string.Create(CultureInfo.InvariantCulture, $"[bold]Last {outages.Count} outages[/] (newest first)"));
        if (narrow)
        {
            foreach (var o in outages)
            {
                var end = o.End is { } e ? UptimeText.Time(e) : "ongoing";
                console.WriteLine($"  {UptimeText.Time(o.Start)} – {end} ({UptimeText.Duration((o.End ?? now) - o.Start)}): {UptimeText.Reason(o.Reason)}");
            }

            return;
        }

        var list = new Table().Border(TableBorder.Simple)
            .AddColumn("Start (UTC)")
            .AddColumn("End (UTC)")
            .AddColumn(new TableColumn("Duration").RightAligned())
            .AddColumn("Reason");
        foreach (var o in outages)
        {
            list.AddRow(
                new Text(UptimeText.Time(o.Start)),
                o.End is { } end ? new Text(UptimeText.Time(end)) : new Markup("[red]ongoing[/]"),
                new Text(UptimeText.Duration((o.End ?? now) - o.Start)),
                new Text(UptimeText.Reason(o.Reason)));
        }

        console.Write(list);
    }

    private static TableColumn Column(string header) => new TableColumn(header).Padding(0, 0, 1, 0);

    private static string StateMarkup(SiteState state) => state switch
    {
        SiteState.Up => "[green]up[/]",
        SiteState.Degraded => "[yellow]degraded[/]",
        SiteState.Down => "[bold red]down[/]",
        _ => "[grey]unknown[/]",
    };
}

/// <summary>The JSON form: percentages, milliseconds and seconds as numbers, times as ISO 8601 UTC, states in lower case.</summary>
internal static class UptimeJson
{
    public static UptimeReportJson From(UptimeReport report) => new(
        report.Now,
        new StateCountsJson(report.Count(SiteState.Down), report.Count(SiteState.Degraded), report.Count(SiteState.Unknown), report.Count(SiteState.Up)),
        report.OpenCountryOutage is { } c ? new CountryOutageJson(c.Start, c.ConfirmedAt, (report.Now - c.Start).TotalSeconds, c.FailedTargets, c.Targets) : null,
        [.. report.Sites.Select(r => new SiteJson(
            r.Site,
            UptimeText.State(r.State),
            r.Since,
            r.Since is { } s ? (report.Now - s).TotalSeconds : null,
            r.Uptime24h * 100,
            r.Uptime30d * 100,
            r.Median24h?.TotalMilliseconds,
            r.LastProbe is { } p ? new LastProbeJson(p.At, p.Success, p.Success ? null : p.Failure.ToString(), p.HttpStatus, p.Total?.TotalMilliseconds, p.Detail) : null,
            report.Outages is { } outages && report.Sites.Count == 1
                ? [.. outages.Select(o => new OutageJson(o.Start, o.End, ((o.End ?? report.Now) - o.Start).TotalSeconds, o.Reason.ToString()))]
                : null))]);
}

internal sealed record UptimeReportJson(DateTimeOffset Now, StateCountsJson Counts, CountryOutageJson? CountryOutage, IReadOnlyList<SiteJson> Sites);

internal sealed record StateCountsJson(int Down, int Degraded, int Unknown, int Up);

internal sealed record CountryOutageJson(DateTimeOffset Start, DateTimeOffset ConfirmedAt, double ForSeconds, int FailedTargets, int Targets);

internal sealed record SiteJson(
    string Site,
    string State,
    DateTimeOffset? Since,
    double? ForSeconds,
    double? Uptime24hPercent,
    double? Uptime30dPercent,
    double? MedianMs,
    LastProbeJson? LastProbe,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<OutageJson>? Outages);

internal sealed record LastProbeJson(DateTimeOffset At, bool Ok, string? Failure, int? HttpStatus, double? TotalMs, string? Detail);

internal sealed record OutageJson(DateTimeOffset Start, DateTimeOffset? End, double DurationSeconds, string Reason);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(UptimeReportJson))]
internal sealed partial class UptimeJsonContext : JsonSerializerContext;
