using System.CommandLine;
using System.Globalization;
using Crawler.Node.Configuration;
using Crawler.Node.Hosting;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace Crawler.Node.Commands;

/// <summary><c>crawler status</c>: what the store holds (works while a crawl runs).</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var command = new Command("status", "Show what the archive holds: captures, payloads, frontier and per-site counts.") { CrawlerCli.DataOption };
        command.SetAction(async (parse, ct) =>
        {
            var options = NodeHost.BuildConfiguration(CrawlerCli.Overrides(parse)).GetSection(NodeOptions.Section).Get<NodeOptions>() ?? new NodeOptions();
            if (CrawlerCli.Archive(options) is not { } location)
            {
                return 1;
            }

            await using var store = NodeHost.OpenStore(options);
            await store.InitializeAsync(ct).ConfigureAwait(false);
            var stats = await store.GetStatsAsync(ct).ConfigureAwait(false);
            var epochText = await store.GetSettingAsync("epoch", ct).ConfigureAwait(false);
            var epoch = epochText is null ? 1 : int.Parse(epochText, CultureInfo.InvariantCulture);
            var hosts = await store.GetHostStatsAsync(epoch, ct).ConfigureAwait(false);

            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"[bold]Archive[/] {Markup.Escape(location.Display)}"));
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}, captures {stats.Captures}, distinct payloads {stats.Payloads} ({stats.PayloadBytesRaw / 1024.0 / 1024:F1} MiB raw, {stats.PayloadBytesStored / 1024.0 / 1024:F1} MiB stored), last capture {stats.LastCaptureAt:u}"));
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"frontier: {stats.FrontierPending} pending, {stats.FrontierDone} done, {stats.FrontierFailed} failed, {stats.Hosts} hosts"));
            var table = new Table().Border(TableBorder.Simple).AddColumn("site").AddColumn(new TableColumn("captures").RightAligned())
                .AddColumn(new TableColumn("pending").RightAligned()).AddColumn(new TableColumn("done").RightAligned())
                .AddColumn(new TableColumn("failed").RightAligned()).AddColumn(new TableColumn("errors").RightAligned()).AddColumn("last capture");
            foreach (var h in hosts.OrderBy(h => h.Host, StringComparer.Ordinal))
            {
                table.AddRow(Markup.Escape(h.Host), N(h.Captures), N(h.Pending), N(h.Done), N(h.Failed), N(h.Errors), h.LastCaptureAt?.ToString("u", CultureInfo.InvariantCulture) ?? "-");
            }

            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
