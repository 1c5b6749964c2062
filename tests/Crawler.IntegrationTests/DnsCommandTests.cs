using Crawler.Simulation.Dns;
using Xunit;

namespace Crawler.IntegrationTests;

/// <summary><c>crawler dns discover</c> and <c>crawler dns history</c> as processes, against the simulated name server.</summary>
public sealed class DnsCommandTests
{
    [Fact]
    public async Task Discover_records_what_axfr_and_the_ptr_sweep_found_once()
    {
        var data = Path.Combine(Path.GetTempPath(), "crawler-dns-" + Guid.NewGuid().ToString("N"));
        await using var server = await SimulatedDnsServer.StartAsync(ZoneCatalog.Load2016(), new SimulatedDnsOptions());
        var environment = new Dictionary<string, string>
        {
            ["Crawler__DataDirectory"] = data,
            ["Crawler__Dns__Servers__0"] = server.EndPoint.ToString(),
        };

        using (var discover = CrawlerProcess.Start(environment, "dns", "discover", "--ptr", "127.45.176.64/28", "--rate", "500"))
        {
            Assert.True(await discover.WaitForExitAsync(TimeSpan.FromMinutes(1)) == 0, discover.Output);
            Assert.Contains("airkoryo.com.kp\taxfr\tcom.kp", discover.Output, StringComparison.Ordinal);
            Assert.Contains("naenara.com.kp\tptr\t127.45.176.67", discover.Output, StringComparison.Ordinal);
        }

        // A second run finds the same names and records none anew.
        using (var again = CrawlerProcess.Start(environment, "dns", "discover"))
        {
            Assert.True(await again.WaitForExitAsync(TimeSpan.FromMinutes(1)) == 0, again.Output);
            Assert.Contains("(0 new)", again.Output, StringComparison.Ordinal);
        }

        using (var history = CrawlerProcess.Start(environment, "dns", "history", "kcna.kp"))
        {
            // Nothing crawled yet: no observation, and the message says when one is made.
            Assert.Equal(1, await history.WaitForExitAsync(TimeSpan.FromMinutes(1)));
            Assert.Contains("recorded when the crawl resolves", history.Output, StringComparison.Ordinal);
        }

        Directory.Delete(data, recursive: true);
    }
}
