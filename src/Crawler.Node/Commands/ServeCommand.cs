using System.CommandLine;
using Crawler.Node.Configuration;
using Crawler.Node.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Crawler.Node.Commands;

/// <summary><c>crawler serve</c>: the archive's HTTP API over an existing store, without crawling (a crawl may run meanwhile).</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string?>("--urls") { Description = "Where to listen, ';'-separated (default: Crawler:Http:Urls, http://127.0.0.1:9464)." };
        var command = new Command("serve", "Serve the archive's HTTP API (GET /cdx) over an existing store without crawling. Ctrl+C stops.")
        {
            CrawlerCli.DataOption,
            urls,
        };
        command.SetAction(async (parse, ct) =>
        {
            var options = NodeHost.BuildConfiguration(CrawlerCli.Overrides(parse)).GetSection(NodeOptions.Section).Get<NodeOptions>() ?? new NodeOptions();
            if (CrawlerCli.Archive(options) is not { } store)
            {
                return 1;
            }

            var listen = parse.GetValue(urls) ?? options.Http.Urls;
            if (string.IsNullOrWhiteSpace(listen))
            {
                Console.Error.WriteLine("Nowhere to listen: Crawler:Http:Urls is empty. Pass --urls http://127.0.0.1:9464 (or set the setting).");
                return 2;
            }

            await using var host = NodeHost.BuildServeHost(store, listen, logging => logging
                .AddSimpleConsole(o => o.SingleLine = true)
                .AddFilter(level => level >= LogLevel.Warning)
                .AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical), options.Http);
            try
            {
                await host.StartAsync(ct).ConfigureAwait(false);
            }
            catch (Storage.StoreUnavailableException e)
            {
                Console.Error.WriteLine($"Store unavailable ({StoreLocation.Setting}): {e.Message}");
                return 2;
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"Cannot listen on {listen}: {e.Message} Pass other --urls.");
                return 2;
            }
            catch (OperationCanceledException)
            {
                return 130;
            }

            Console.WriteLine($"Serving {store.Display} on {string.Join(", ", NodeHost.HttpAddresses(host))}: GET /cdx?url=...");
            try
            {
                await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C or SIGTERM: stop below.
            }

            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
