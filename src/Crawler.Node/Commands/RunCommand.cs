using System.CommandLine;
using Crawler.Node.Hosting;

namespace Crawler.Node.Commands;

/// <summary><c>crawler run</c>: one node, the embedded store, the known .kp sites, crawling continuously.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var exitWhenDone = new Option<bool>("--exit-when-done")
        {
            Description = "Stop after one complete epoch instead of recrawling on schedule.",
        };
        var noLive = new Option<bool>("--no-live") { Description = "Print a status line every 10 s instead of the live view." };
        var command = new Command("run", "Crawl the known North Korean sites continuously with the embedded store in ./data. Ctrl+C stops gracefully; a restart resumes where it stopped.")
        {
            CrawlerCli.DataOption,
            exitWhenDone,
            noLive,
        };
        command.SetAction(async (parse, ct) =>
        {
            var overrides = CrawlerCli.Overrides(parse);
            if (parse.GetValue(exitWhenDone))
            {
                overrides.Add(new("Crawler:Crawl:ExitWhenDone", "true"));
            }

            if (parse.GetValue(noLive))
            {
                overrides.Add(new("Crawler:LiveView", "false"));
            }

            var (code, status) = await CrawlSession.RunAsync(NodeHost.BuildConfiguration(overrides), ct).ConfigureAwait(false);
            if (status is not null)
            {
                Console.WriteLine(LiveView.Line(status, DateTimeOffset.UtcNow));
            }

            return code;
        });
        return command;
    }
}
