using System.CommandLine;
using System.Globalization;
using System.Net.Http.Json;
using Crawler.Node.Configuration;
using Crawler.Node.Hosting;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace Crawler.Node.Commands;

/// <summary><c>crawler cluster</c>: members, shard placement per node, where the singletons run, and the schedule, as a running node sees them.</summary>
internal static class ClusterCommand
{
    public static Command Create()
    {
        var node = new Option<string?>("--node") { Description = "The HTTP endpoint of any running node (default: the first of Crawler:Http:Urls, http://127.0.0.1:9464)." };
        var json = new Option<bool>("--json") { Description = "Print the node's answer as JSON." };
        var command = new Command("cluster", "Show the cluster as a running node sees it: members, site shards per node, the singletons' node and the crawl schedule.") { node, json };
        command.SetAction(async (parse, ct) =>
        {
            var options = NodeHost.BuildConfiguration().GetSection(NodeOptions.Section).Get<NodeOptions>() ?? new NodeOptions();
            var baseUrl = parse.GetValue(node) ?? options.Http.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
            if (string.IsNullOrEmpty(baseUrl) || !Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri))
            {
                Console.Error.WriteLine("No node to ask: pass --node http://HOST:PORT (a node's Crawler:Http:Urls).");
                return 2;
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
            ClusterView? view;
            try
            {
                view = await http.GetFromJsonAsync<ClusterView>(new Uri(uri, "/cluster"), NodeHost.ClusterJson, ct).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                Console.Error.WriteLine($"No node answered at {uri}: {ex.Message}. Is 'crawler run' running there with Crawler:Http:Urls = {uri}?");
                return 1;
            }

            if (view is null)
            {
                Console.Error.WriteLine($"The node at {uri} answered nothing.");
                return 1;
            }

            if (parse.GetValue(json))
            {
                Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(view, NodeHost.ClusterJson));
                return 0;
            }

            AnsiConsole.MarkupLine($"[bold]Cluster[/] as seen by {Markup.Escape(view.Self)}; singletons (coordinator, discovery, uptime) on {Markup.Escape(view.SingletonsOn ?? "-")}");
            // An address is never split over two lines (output piped to grep has only 80 columns).
            var table = new Table().Border(TableBorder.Simple).AddColumn(new TableColumn("member").NoWrap()).AddColumn("status").AddColumn("reachable")
                .AddColumn(new TableColumn("site shards").RightAligned()).AddColumn(new TableColumn("sites").RightAligned()).AddColumn("singletons");
            foreach (var m in view.Members)
            {
                table.AddRow(Markup.Escape(m.Address), m.Status, m.Reachable ? "yes" : "[red]no[/]", N(m.Shards), N(m.Entities), m.Oldest ? "here" : string.Empty);
            }

            AnsiConsole.Write(table);
            if (view.Schedule is { } s)
            {
                AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                    $"epoch {s.Epoch} {(s.EpochComplete ? "complete" : "running")} since {s.EpochStartedAt:u}; next epoch {(s.NextEpochAt is { } next ? next.ToString("u", CultureInfo.InvariantCulture) : "when this one completes")}; {s.Sites} sites, {s.Fetched} fetched, {s.Pending} pending"));
            }

            if (view.Error is not null)
            {
                AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(view.Error)}[/]");
            }

            return 0;
        });
        return command;
    }

    private static string N(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "-";
}
