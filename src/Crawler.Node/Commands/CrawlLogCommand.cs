using System.CommandLine;
using Crawler.Core.Policies;
using Crawler.Node.Configuration;
using Crawler.Node.Hosting;
using Crawler.Storage;
using Microsoft.Extensions.Configuration;

namespace Crawler.Node.Commands;

/// <summary>
/// <c>crawler crawllog [--site H] [--epoch N] [--reason R]</c>: the URLs the crawl declined or could not archive, one a line,
/// tab-separated (epoch, site, reason, URL, the page that linked it or -, detail), for grep and awk; the same rows as
/// <c>GET /api/crawllog</c>, without a limit.
/// </summary>
internal static class CrawlLogCommand
{
    public static Command Create()
    {
        var site = new Option<string?>("--site") { Description = "Only this site's URLs (e.g. kcna.kp)." };
        var epoch = new Option<int?>("--epoch") { Description = "Only this epoch's." };
        var reason = new Option<string?>("--reason") { Description = "Only this reason: " + string.Join(", ", DeclineReason.All) + "." };
        var command = new Command("crawllog", "List the URLs not archived and why (tab-separated: epoch, site, reason, URL, via, detail).")
        {
            CrawlerCli.DataOption, site, epoch, reason,
        };
        command.SetAction(async (parse, ct) =>
        {
            var wanted = parse.GetValue(reason);
            if (wanted is not null && !DeclineReason.All.Contains(wanted))
            {
                Console.Error.WriteLine($"--reason must be one of {string.Join(", ", DeclineReason.All)}.");
                return 2;
            }

            var options = NodeHost.BuildConfiguration(CrawlerCli.Overrides(parse)).GetSection(NodeOptions.Section).Get<NodeOptions>() ?? new NodeOptions();
            if (CrawlerCli.Archive(options) is null)
            {
                return 1;
            }

            await using var store = NodeHost.OpenStore(options);
            await store.InitializeAsync(ct).ConfigureAwait(false);
            var query = new CrawlLogQuery(parse.GetValue(site)?.ToLowerInvariant(), parse.GetValue(epoch), wanted);
            await foreach (var row in store.GetCrawlLogAsync(query, ct).ConfigureAwait(false))
            {
                Console.WriteLine(string.Join('\t', row.Epoch, row.Host, row.Reason, row.Url, row.Via ?? "-", Clean(row.Detail)));
            }

            return 0;
        });
        return command;
    }

    private static string Clean(string? text) => text is null ? "-" : text.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');
}
