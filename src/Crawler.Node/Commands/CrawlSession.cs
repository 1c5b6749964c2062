using Akka.Actor;
using Akka.Hosting;
using Crawler.Actors.Coordination;
using Crawler.Actors.Hosting;
using Crawler.Node.Configuration;
using Crawler.Node.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace Crawler.Node.Commands;

/// <summary>Runs one node's crawl until cancelled (Ctrl+C) or, if asked, until the epoch is complete.</summary>
internal static class CrawlSession
{
    public static async Task<(int ExitCode, CoordinatorProtocol.CrawlStatus? Status)> RunAsync(IConfiguration configuration, CancellationToken ct)
    {
        var liveWanted = configuration.GetValue("Crawler:LiveView", true);
        var live = liveWanted && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        var json = string.Equals(configuration["Logging:Console:FormatterName"], "json", StringComparison.OrdinalIgnoreCase);
        using var host = NodeHost.BuildRunHost(configuration, logging =>
        {
            if (json)
            {
                // One JSON object per line, as log collectors read a pod's output (Logging__Console__FormatterName=json).
                logging.AddJsonConsole(o =>
                {
                    o.UseUtcTimestamp = true;
                    o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
                });
            }
            else
            {
                logging.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "HH:mm:ss ";
                });
            }

            if (live)
            {
                logging.SetMinimumLevel(LogLevel.Warning);
            }

            // A start that fails is told below in one line (configuration, store): not again as the host's stack trace.
            logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        });

        try
        {
            await host.StartAsync(ct).ConfigureAwait(false);
        }
        catch (OptionsValidationException ex)
        {
            ConfigurationErrors.Print(ex);
            return (2, null);
        }
        catch (Storage.StoreUnavailableException ex)
        {
            // The node cannot start without its store (unreachable, refused credentials, a wrong connection string):
            // one line naming the setting, as for any configuration error.
            Console.Error.WriteLine($"Store unavailable ({Configuration.StoreLocation.Setting}): {ex.Message}");
            return (2, null);
        }
        catch (OperationCanceledException)
        {
            return (130, null);
        }

        var options = host.Services.GetRequiredService<IOptions<NodeOptions>>().Value;
        var coordinator = await host.Services.GetRequiredService<IRequiredActor<CoordinatorKey>>().GetAsync(ct).ConfigureAwait(false);
        var exitWhenDone = configuration.GetValue("Crawler:Crawl:ExitWhenDone", false);
        CoordinatorProtocol.CrawlStatus? status = null;
        var started = DateTimeOffset.UtcNow;
        try
        {
            if (live)
            {
                await AnsiConsole.Live(LiveView.Render(null, options.DataDirectory, started)).StartAsync(async ctx =>
                {
                    while (!ct.IsCancellationRequested)
                    {
                        status = await Poll(coordinator).ConfigureAwait(false);
                        ctx.UpdateTarget(LiveView.Render(status, options.DataDirectory, started));
                        if (exitWhenDone && status?.EpochComplete == true)
                        {
                            break;
                        }

                        await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
                    }
                }).ConfigureAwait(false);
            }
            else
            {
                var lastLine = DateTimeOffset.MinValue;
                while (!ct.IsCancellationRequested)
                {
                    status = await Poll(coordinator).ConfigureAwait(false);
                    if (exitWhenDone && status?.EpochComplete == true)
                    {
                        break;
                    }

                    if (status is { Epoch: > 0 } && DateTimeOffset.UtcNow - lastLine >= TimeSpan.FromSeconds(10))
                    {
                        lastLine = DateTimeOffset.UtcNow;
                        Console.WriteLine(LiveView.Line(status, started));
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: stop gracefully below.
        }

        // Graceful stop: the archive writer flushes before the actor system terminates.
        using var stopTimeout = new CancellationTokenSource(options.Cluster.ShutdownTimeout);
        await host.StopAsync(stopTimeout.Token).ConfigureAwait(false);
        return (0, status);
    }

    private static async Task<CoordinatorProtocol.CrawlStatus?> Poll(IActorRef coordinator)
    {
        try
        {
            return await coordinator.Ask<CoordinatorProtocol.CrawlStatus>(new CoordinatorProtocol.GetStatus(), TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }
}

internal static partial class ConfigurationErrors
{
    /// <summary>
    /// One line for a configuration error anywhere in <paramref name="error"/>'s chain: a setting whose value does not
    /// convert (named, its value not repeated: it may be a secret) or a failed validation; null for any other error.
    /// </summary>
    public static string? Describe(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is OptionsValidationException validation)
            {
                return "Configuration error — the crawler did not start: " + string.Join("; ", validation.Failures);
            }

            if (e is InvalidOperationException && ConversionFailure().Match(e.Message) is { Success: true } m)
            {
                var type = m.Groups["type"].Value switch
                {
                    "System.Int32" or "System.Int64" => "a whole number",
                    "System.Double" => "a number",
                    "System.Boolean" => "true or false",
                    "System.TimeSpan" => "a duration such as 00:05:00",
                    var other => "a " + other[(other.LastIndexOf('.') + 1)..],
                };
                return $"Configuration error — the crawler did not start: {m.Groups["path"].Value} must be {type}.";
            }
        }

        return null;
    }

    [System.Text.RegularExpressions.GeneratedRegex("^Failed to convert configuration value .* at '(?<path>[^']+)' to type '(?<type>[^']+)'", System.Text.RegularExpressions.RegexOptions.Singleline)]
    private static partial System.Text.RegularExpressions.Regex ConversionFailure();

    public static void Print(OptionsValidationException ex)
    {
        Console.Error.WriteLine("Configuration error — the crawler did not start:");
        foreach (var failure in ex.Failures)
        {
            Console.Error.WriteLine($"  - {failure}");
        }

        Console.Error.WriteLine("Settings come from appsettings.json, ./crawler.json and environment variables such as Crawler__Dns__Servers__0=127.0.0.1:5353.");
    }
}
