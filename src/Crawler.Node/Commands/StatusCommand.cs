using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Crawler.Node.Configuration;
using Crawler.Node.Hosting;
using Crawler.Storage;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace Crawler.Node.Commands;

/// <summary>
/// <c>crawler status [--site HOST] [--json]</c>: what the store holds (works while a crawl runs): per site, the current
/// epoch's counts and its job (the crawl round: URLs due and fetched, new, changed, unchanged, not due); with
/// <c>--site</c>, that site's job in every epoch and its recrawl schedules per page class. Both count the crawl log: the URLs
/// not archived, by reason.
/// </summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var site = new Option<string?>("--site") { Description = "Show this site's job in every epoch and its recrawl schedules (e.g. kcna.kp)." };
        var json = new Option<bool>("--json") { Description = "Print the jobs (and, with --site, the schedules) as JSON (for scripts)." };
        var command = new Command("status", "Show what the archive holds: captures, payloads, frontier, per-site counts and each site's crawl job (round) statistics.")
        {
            CrawlerCli.DataOption, site, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var options = NodeHost.BuildConfiguration(CrawlerCli.Overrides(parse)).GetSection(NodeOptions.Section).Get<NodeOptions>() ?? new NodeOptions();
            if (CrawlerCli.Archive(options) is not { } location)
            {
                return 1;
            }

            await using var store = NodeHost.OpenStore(options);
            await store.InitializeAsync(ct).ConfigureAwait(false);
            var epochText = await store.GetSettingAsync("epoch", ct).ConfigureAwait(false);
            var epoch = epochText is null ? 1 : int.Parse(epochText, CultureInfo.InvariantCulture);
            var wanted = parse.GetValue(site);
            if (wanted is not null)
            {
                return await SiteAsync(store, wanted, epoch, parse.GetValue(json), ct).ConfigureAwait(false);
            }

            var jobs = await store.GetJobsAsync(new JobQuery(Epoch: epoch), ct).ConfigureAwait(false);
            var notArchived = await store.GetCrawlLogCountsAsync(epoch, ct).ConfigureAwait(false);
            var stats = await store.GetStatsAsync(ct).ConfigureAwait(false);
            var hosts = await store.GetHostStatsAsync(epoch, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                // What the tables show, for scripts: the archive's totals, each site's counts, the jobs, what was not archived.
                var status = new StatusJson(epoch, [.. jobs.Select(JobJson.From)], null, [.. notArchived.Select(NotArchivedJson.From)])
                {
                    Archive = stats,
                    Sites = [.. hosts.OrderBy(h => h.Host, StringComparer.Ordinal)],
                };
                Console.WriteLine(JsonSerializer.Serialize(status, StatusJsonContext.Default.StatusJson));
                return 0;
            }

            var console = FittedTable.Console();
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"[bold]Archive[/] {Markup.Escape(location.Display)}"));
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}, captures {stats.Captures}, distinct payloads {stats.Payloads} ({stats.PayloadBytesRaw / 1024.0 / 1024:F1} MiB raw, {stats.PayloadBytesStored / 1024.0 / 1024:F1} MiB stored), last capture {stats.LastCaptureAt:u}"));
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"frontier: {stats.FrontierPending} pending, {stats.FrontierDone} done, {stats.FrontierFailed} failed, {stats.Hosts} hosts"));
            var table = new FittedTable("site", "captures", "pending", "done", "failed", "errors", "last capture") { LeftAligned = ["last capture"] };
            foreach (var h in hosts.OrderBy(h => h.Host, StringComparer.Ordinal))
            {
                table.AddRow(h.Host, N(h.Captures), N(h.Pending), N(h.Done), N(h.Failed), N(h.Errors), h.LastCaptureAt?.ToString("u", CultureInfo.InvariantCulture) ?? "-");
            }

            table.Write(console);
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"[bold]Jobs of epoch {epoch}[/] (URLs due and fetched: new, changed, unchanged; not due: settled without a request)"));
            JobTable(jobs, bySite: true).Write(console);
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"[bold]Not archived in epoch {epoch}[/] (crawl log by reason; URLs: /api/crawllog)"));
            var reasons = new FittedTable("reason", "URLs", "sites");
            foreach (var reason in notArchived.GroupBy(c => c.Reason).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                reasons.AddRow(reason.Key, N(reason.Sum(c => c.Count)), N(reason.Count()));
            }

            reasons.Write(console);
            return 0;
        });
        return command;
    }

    private static async Task<int> SiteAsync(ICrawlStore store, string host, int epoch, bool asJson, CancellationToken ct)
    {
        var jobs = await store.GetJobsAsync(new JobQuery(host), ct).ConfigureAwait(false);
        var schedules = await store.GetSchedulesAsync(host, ct).ConfigureAwait(false);
        var notArchived = (await store.GetCrawlLogCountsAsync(null, ct).ConfigureAwait(false)).Where(c => c.Host == host).ToList();
        if (jobs.Count == 0 && schedules.Count == 0)
        {
            Console.Error.WriteLine($"Nothing stored for {host}: no job and no recrawl schedule (the name as crawled, e.g. kcna.kp).");
            return 1;
        }

        var classes = schedules.GroupBy(s => s.PageClass).OrderBy(g => g.Key).Select(g =>
        {
            var intervals = g.Select(s => s.Interval).Order().ToList();
            return new ScheduleClassJson(g.Key.ToString(), intervals.Count, intervals[0].TotalHours, intervals[intervals.Count / 2].TotalHours, intervals[^1].TotalHours, g.Min(s => s.DueAt));
        }).ToList();
        if (asJson)
        {
            Console.WriteLine(JsonSerializer.Serialize(new StatusJson(epoch, [.. jobs.Select(JobJson.From)], classes, [.. notArchived.Select(NotArchivedJson.From)]), StatusJsonContext.Default.StatusJson));
            return 0;
        }

        var console = FittedTable.Console();
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"[bold]{Markup.Escape(host)}[/]: its job in each epoch (the current one is {epoch})"));
        JobTable(jobs, bySite: false).Write(console);
        var table = new FittedTable("page class", "URLs", "min interval", "median", "max", "next due") { LeftAligned = ["next due"] };
        foreach (var c in classes)
        {
            table.AddRow(c.PageClass, N(c.Urls), Hours(c.MinIntervalHours), Hours(c.MedianIntervalHours), Hours(c.MaxIntervalHours), c.NextDue.ToString("u", CultureInfo.InvariantCulture));
        }

        console.MarkupLine("[bold]Recrawl schedules[/] (intervals in hours)");
        table.Write(console);
        console.MarkupLine("[bold]Not archived[/] (the crawl log by reason)");
        var reasons = new FittedTable("epoch", "reason", "URLs");
        foreach (var c in notArchived)
        {
            reasons.AddRow("epoch " + N(c.Epoch), c.Reason, N(c.Count));
        }

        reasons.Write(console);
        return 0;
    }

    private static FittedTable JobTable(IReadOnlyList<CrawlJob> jobs, bool bySite)
    {
        var table = new FittedTable(bySite ? "site" : "epoch", "started", "finished", "due", "new", "changed", "unchanged", "not due", "skipped", "pending", "captures", "errors")
        {
            LeftAligned = ["started", "finished"],
        };
        foreach (var j in jobs)
        {
            table.AddRow(
                bySite ? j.Host : "epoch " + N(j.Epoch),
                j.StartedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "-",
                j.FinishedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "-",
                N(j.Due), N(j.New), N(j.Changed), N(j.Unchanged), N(j.NotDue), N(j.Skipped), N(j.Pending), N(j.Captures), N(j.Errors));
        }

        return table;
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Hours(double value) => value.ToString("F2", CultureInfo.InvariantCulture);
}

internal sealed record StatusJson(int Epoch, IReadOnlyList<JobJson> Jobs, IReadOnlyList<ScheduleClassJson>? Schedules, IReadOnlyList<NotArchivedJson> NotArchived)
{
    /// <summary>The archive's totals (without --site).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public StoreStats? Archive { get; init; }

    /// <summary>Each site's counts in the epoch (without --site), as the sites table shows them.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<HostStats>? Sites { get; init; }
}

/// <summary>URLs of a site not archived in an epoch for one reason (the crawl log counted).</summary>
internal sealed record NotArchivedJson(string Site, int Epoch, string Reason, long Urls)
{
    public static NotArchivedJson From(CrawlLogCount c) => new(c.Host, c.Epoch, c.Reason, c.Count);
}

internal sealed record JobJson(
    string Site, int Epoch, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, long Due, long New, long Changed, long Unchanged,
    long Failed, long NotDue, long Skipped, long Pending, long Captures, long Errors)
{
    public static JobJson From(CrawlJob j) =>
        new(j.Host, j.Epoch, j.StartedAt, j.FinishedAt, j.Due, j.New, j.Changed, j.Unchanged, j.Failed, j.NotDue, j.Skipped, j.Pending, j.Captures, j.Errors);
}

internal sealed record ScheduleClassJson(string PageClass, int Urls, double MinIntervalHours, double MedianIntervalHours, double MaxIntervalHours, DateTimeOffset NextDue);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StatusJson))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;
