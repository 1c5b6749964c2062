using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Crawler.Node.Hosting;
using Crawler.Simulation.Web;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Crawler.IntegrationTests;

/// <summary>The node's Prometheus endpoint: blackbox_exporter's names, valid for promtool, scraped by a real Prometheus.</summary>
public sealed class MetricsEndpointTests() : SimulatedWebTest(new SimulationOptions { Seed = 8, SiteCount = 6, PagesPerSite = 3 })
{
    private static readonly string[] BlackboxNames =
    [
        "probe_success", "probe_duration_seconds", "probe_http_status_code", "probe_dns_lookup_time_seconds", "probe_ssl_earliest_cert_expiry",
    ];

    [SkippableFact]
    public async Task Metrics_carry_the_blackbox_names_per_site_and_pass_promtool()
    {
        var promtool = Tool("promtool");
        await using var node = await StartNodeAsync();
        var https = Web.Sites.First(s => s.Scheme == "https");
        var text = await node.MetricsWhenAsync(t =>
            Web.Sites.All(s => Series(t, "probe_success", s.Host) is not null)
            && Series(t, "probe_success", "dns:ns1.kptc.kp") is not null
            && Series(t, "probe_ssl_earliest_cert_expiry", https.Host) is not null
            && t.Contains("crawler_uptime_ratio{", StringComparison.Ordinal));

        Assert.All(BlackboxNames, name => Assert.NotNull(Series(text, name, https.Host)));
        Assert.All(Web.Sites.Select(s => s.Host).Append("dns:ns1.kptc.kp"), s => Assert.Equal("1", Series(text, "probe_success", s)!.Split(' ')[^1]));
        Assert.Contains("crawler_site_state{", text, StringComparison.Ordinal);
        var expiry = Series(text, "probe_ssl_earliest_cert_expiry", https.Host)!;
        Assert.Equal(Web.Certificate.NotAfter.ToUniversalTime(), DateTimeOffset.FromUnixTimeSeconds((long)double.Parse(expiry.Split(' ')[^1], CultureInfo.InvariantCulture)).UtcDateTime, TimeSpan.FromSeconds(1));

        var (code, output) = await RunAsync(promtool, ["check", "metrics"], text);
        Assert.True(code == 0, $"promtool check metrics failed ({code}):\n{output}");
    }

    [SkippableFact]
    public async Task A_real_prometheus_scrapes_the_node_and_sees_every_sites_series()
    {
        var prometheus = Tool("prometheus");
        await using var node = await StartNodeAsync();
        await node.MetricsWhenAsync(t => Web.Sites.All(s => Series(t, "probe_success", s.Host) is not null));

        var folder = Directory.CreateDirectory(Path.Combine(Data, "prometheus")).FullName;
        var port = LoopbackPorts.Free();
        var target = new Uri(node.Address).Authority;
        await File.WriteAllTextAsync(Path.Combine(folder, "prometheus.yml"), $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: crawler
                static_configs:
                  - targets: ['{target}']
            """);
        using var server = Process.Start(new ProcessStartInfo(prometheus)
        {
            ArgumentList =
            {
                "--config.file=" + Path.Combine(folder, "prometheus.yml"), "--storage.tsdb.path=" + Path.Combine(folder, "tsdb"),
                $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
            },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            var sites = new HashSet<string>(StringComparer.Ordinal);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            // Prometheus is another process with no event to wait on: its query API is polled until the series
            // appear (bounded; nothing is asserted on elapsed time).
            while (sites.Count < Web.Sites.Count + 2)
            {
                await Task.Delay(250, timeout.Token);
                if (server.HasExited)
                {
                    Assert.Fail("prometheus exited: " + await server.StandardError.ReadToEndAsync());
                }

                try
                {
                    using var json = JsonDocument.Parse(await http.GetStringAsync("api/v1/query?query=probe_success", timeout.Token));
                    sites = json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
                        .Select(r => r.GetProperty("metric").GetProperty("site").GetString()!)
                        .ToHashSet(StringComparer.Ordinal);
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }
            }

            // Every site, and the .kp name servers (ns1/ns2.kptc.kp, answered by the simulated server on their own addresses).
            Assert.Equal(
                Web.Sites.Select(s => s.Host).Append("dns:ns1.kptc.kp").Append("dns:ns2.kptc.kp").Order(StringComparer.Ordinal),
                sites.Order(StringComparer.Ordinal));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    private async Task<RunningNode> StartNodeAsync()
    {
        var settings = SimulatedWebSettings.For(Web, Data);
        var https = Web.Sites.First(s => s.Scheme == "https");
        settings.Add(new("Crawler:Uptime:Enabled", "true"));
        settings.Add(new("Crawler:Uptime:Interval", "00:00:01"));
        settings.Add(new("Crawler:Uptime:Timeout", "00:00:01"));
        settings.Add(new("Crawler:Uptime:Sites:0:Site", https.Host));
        settings.Add(new("Crawler:Uptime:Sites:0:Url", https.RootUrl));
        settings.Add(new("Crawler:Http:Urls", "http://127.0.0.1:0"));
        var host = NodeHost.BuildRunHost(NodeHost.BuildConfiguration(settings), logging => logging.AddFilter(level => level >= LogLevel.Warning).AddSimpleConsole());
        await host.StartAsync();
        return new RunningNode(host, NodeHost.HttpAddresses(host).Single());
    }

    /// <summary>The tool's path; CI installs it (.ci/run), elsewhere the test is skipped with the reason.</summary>
    private static string Tool(string name)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':')
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
        if (path is null && Environment.GetEnvironmentVariable("CI") is null)
        {
            Skip.If(true, $"{name} is not installed (Debian package 'prometheus'; .ci/run installs it)");
        }

        return path ?? throw new InvalidOperationException($"{name} is not installed; .ci/run should have installed the Debian package 'prometheus'.");
    }

    /// <summary>The exposition line of <paramref name="name"/> for a site, null when there is none.</summary>
    private static string? Series(string text, string name, string site) =>
        text.Split('\n').FirstOrDefault(l => l.StartsWith(name + "{", StringComparison.Ordinal) && l.Contains($"site=\"{site}\"", StringComparison.Ordinal));

    private static async Task<(int Code, string Output)> RunAsync(string file, string[] arguments, string input)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }

    private sealed class RunningNode(IHost host, string address) : IAsyncDisposable
    {
        private readonly HttpClient _http = new();

        public string Address { get; } = address;

        /// <summary>The /metrics text once it satisfies <paramref name="ready"/> (the first probes take a moment). The
        /// endpoint is what is under test, so it is polled over HTTP as a scraper would (bounded; no time asserted).</summary>
        public async Task<string> MetricsWhenAsync(Func<string, bool> ready)
        {
            var until = Stopwatch.StartNew();
            var text = string.Empty;
            while (until.Elapsed < TimeSpan.FromSeconds(60))
            {
                text = await _http.GetStringAsync(new Uri(new Uri(Address), "/metrics"));
                if (ready(text))
                {
                    return text;
                }

                await Task.Delay(200);
            }

            throw new TimeoutException("/metrics never had what the test waits for; last answer:\n" + text);
        }

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            await host.StopAsync();
            host.Dispose();
        }
    }
}
