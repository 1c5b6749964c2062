using System.CommandLine;
using System.Text.Json;
using Crawler.Node.Hosting;
using Crawler.Simulation;
using Crawler.Simulation.Web;

namespace Crawler.Node.Commands;

/// <summary>
/// <c>crawler simulate</c>: serves the simulated .kp web on loopback until stopped, and writes
/// the settings that point a node at it — for benchmarks, manual runs and other tools (wget
/// reaches it as an HTTP proxy, so no name is ever resolved through the system).
/// </summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var sites = new Option<int>("--sites") { Description = "Simulated sites.", DefaultValueFactory = _ => 24 };
        var pages = new Option<int>("--pages") { Description = "Articles per simulated site.", DefaultValueFactory = _ => 150 };
        var seed = new Option<int>("--seed") { Description = "Seed of the generated web.", DefaultValueFactory = _ => 1 };
        var info = new Option<FileInfo?>("--info") { Description = "Write the endpoints, seeds and node settings to this JSON file once serving." };
        var command = new Command("simulate", "Serve the simulated .kp web (DNS, HTTP, HTTPS on loopback) until Ctrl+C or SIGTERM.")
        {
            sites, pages, seed, info,
        };
        command.SetAction(async (parse, ct) =>
        {
            await using var web = await SimulatedWeb.StartAsync(new SimulationOptions
            {
                Seed = parse.GetValue(seed),
                SiteCount = parse.GetValue(sites),
                PagesPerSite = parse.GetValue(pages),
            }, ct).ConfigureAwait(false);

            var description = new
            {
                dns = web.DnsEndPoint.ToString(),
                httpPort = web.HttpPort,
                httpsPort = web.HttpsPort,
                httpProxy = $"{web.Sites[0].Address}:{web.HttpPort}",
                seeds = web.SeedUrls,
                manifestEntries = web.Manifest.Entries.Count,
                hosts = web.Sites.Select(s => s.Host).ToList(),
                environment = SimulatedWebSettings.AsEnvironment(SimulatedWebSettings.For(web, "data")),
            };
            var json = JsonSerializer.Serialize(description, new JsonSerializerOptions { WriteIndented = true });
            if (parse.GetValue(info) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, json, ct).ConfigureAwait(false);
            }

            Console.WriteLine(json);
            Console.WriteLine("Serving; Ctrl+C (or SIGTERM) stops.");
            try
            {
                await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            Console.WriteLine($"Served {web.Log.RequestCount} requests.");
            return 0;
        });
        return command;
    }
}
