using System.CommandLine;
using Crawler.Archive;
using Crawler.Node.Configuration;
using Crawler.Node.Hosting;
using Crawler.Simulation;
using Crawler.Simulation.Web;
using Microsoft.Extensions.Configuration;

namespace Crawler.Node.Commands;

/// <summary><c>crawler demo</c>: the simulated .kp web on loopback, crawled offline, then a summary.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var sites = new Option<int>("--sites") { Description = "Simulated sites.", DefaultValueFactory = _ => 24 };
        var pages = new Option<int>("--pages") { Description = "Articles per simulated site.", DefaultValueFactory = _ => 60 };
        var seed = new Option<int>("--seed") { Description = "Seed of the generated web (same seed, same web).", DefaultValueFactory = _ => 1 };
        var data = new Option<string>("--data") { Description = "Data folder of the demo archive.", DefaultValueFactory = _ => Path.Combine("data", "demo") };
        var command = new Command("demo", "Start the simulated .kp web (HTTP, HTTPS and DNS on loopback), crawl it offline, print a summary and where the archive is.")
        {
            sites, pages, seed, data,
        };
        command.SetAction(async (parse, ct) =>
        {
            var dataDir = parse.GetValue(data)!;
            Console.WriteLine("Starting the simulated .kp web on loopback…");
            await using var web = await SimulatedWeb.StartAsync(new SimulationOptions
            {
                Seed = parse.GetValue(seed),
                SiteCount = parse.GetValue(sites),
                PagesPerSite = parse.GetValue(pages),
            }, ct).ConfigureAwait(false);
            Console.WriteLine($"{web.Sites.Count} sites, DNS at {web.DnsEndPoint}, HTTP port {web.HttpPort}, HTTPS port {web.HttpsPort}; {web.Manifest.Entries.Count} reachable URLs in the manifest.");

            var settings = SimulatedWebSettings.For(web, dataDir);
            settings.Add(new("Crawler:Crawl:ExitWhenDone", "true"));
            var configuration = NodeHost.BuildConfiguration(settings);
            var (code, status) = await CrawlSession.RunAsync(configuration, ct).ConfigureAwait(false);
            if (code != 0)
            {
                return code;
            }

            var options = configuration.GetSection(NodeOptions.Section).Get<NodeOptions>() ?? new NodeOptions();
            await using var store = NodeHost.OpenStore(options);
            await store.InitializeAsync(ct).ConfigureAwait(false);
            var stats = await store.GetStatsAsync(ct).ConfigureAwait(false);
            var warcDir = Path.Combine(dataDir, "warc");
            await using var dns = NodeHost.OpenDnsStore(options);
            await dns.InitializeAsync(ct).ConfigureAwait(false);
            var export = await WarcExporter.ExportAsync(store, dns, new WarcExportOptions { OutputDirectory = warcDir }, ct).ConfigureAwait(false);

            Console.WriteLine();
            Console.WriteLine($"Crawl {(status?.EpochComplete == true ? "complete" : "stopped")}: {stats.Captures} captures of {stats.Hosts} sites, {stats.Payloads} distinct payloads ({stats.PayloadBytesRaw / 1024.0 / 1024:F1} MiB, {stats.PayloadBytesStored / 1024.0 / 1024:F1} MiB stored).");
            Console.WriteLine($"Server saw {web.Log.RequestCount} requests; at most {web.Log.MaxConcurrentRequestsPerHost()} at once per host and {web.Log.MaxConcurrentRequestsPerIp()} per IP address.");
            Console.WriteLine($"Archive: {StoreLocation.From(options).Display}");
            Console.WriteLine($"WARC:    {Path.GetFullPath(warcDir)} ({export.Files.Count} file(s), {export.Responses} responses, {export.Revisits} revisits; index {export.CdxjPath})");
            Console.WriteLine($"Inspect: crawler status --data {dataDir}");
            return 0;
        });
        return command;
    }
}
