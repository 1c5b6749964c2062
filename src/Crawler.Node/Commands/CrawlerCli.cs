using System.CommandLine;

namespace Crawler.Node.Commands;

/// <summary>The <c>crawler</c> command line: run, demo, status, export.</summary>
public static class CrawlerCli
{
    internal static readonly Option<string?> DataOption = new("--data")
    {
        Description = "Data folder of the embedded store (default: Crawler:DataDirectory, ./data).",
    };

    /// <summary>How long a command may take to stop after SIGTERM or Ctrl+C (the longest ShutdownTimeout it allows, plus a margin).</summary>
    public static readonly TimeSpan TerminationTimeout = TimeSpan.FromMinutes(3);

    public static RootCommand Build()
    {
        var root = new RootCommand("Crawler: archives North Korea's (.kp) web into WARC files, politely, one node or a cluster.");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(CrawlLogCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(SimulateCommand.Create());
        root.Subcommands.Add(DnsCommand.Create());
        root.Subcommands.Add(UptimeCommand.Create());
        root.Subcommands.Add(ClusterCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(MigrateCommand.Create());
        return root;
    }

    /// <summary>Command-line values as configuration overrides (they win over files and environment).</summary>
    internal static List<KeyValuePair<string, string?>> Overrides(ParseResult parse)
    {
        var overrides = new List<KeyValuePair<string, string?>>();
        if (parse.GetValue(DataOption) is { Length: > 0 } data)
        {
            overrides.Add(new("Crawler:DataDirectory", data));
        }

        return overrides;
    }

    /// <summary>
    /// The archive a reading command opens (<c>Crawler:Store</c>), or null after saying on stderr why there is none:
    /// the setting is wrong, or the SQLite file does not exist yet.
    /// </summary>
    internal static Configuration.StoreLocation? Archive(Configuration.NodeOptions options, bool mustExist = true)
    {
        try
        {
            var store = Configuration.StoreLocation.From(options);
            if (mustExist && !store.MayHoldArchive)
            {
                Console.Error.WriteLine($"No archive at {store.Display}. Crawl first ('crawler run' or 'crawler demo'), or pass --data FOLDER (or set Crawler:Store).");
                return null;
            }

            return store;
        }
        catch (Configuration.StoreLocationException e)
        {
            Console.Error.WriteLine(e.Message);
            return null;
        }
    }
}
