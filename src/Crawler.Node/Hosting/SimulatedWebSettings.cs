using System.Globalization;
using Crawler.Simulation;

namespace Crawler.Node.Hosting;

/// <summary>
/// The configuration that points a node at the simulated .kp web: its DNS server, its seeds,
/// connect-to rules for its ports and an address guard admitting loopback only. The demo,
/// the tests and the benchmarks use exactly these settings (as overrides or environment
/// variables) with the unchanged <c>crawler run</c> code path.
/// </summary>
public static class SimulatedWebSettings
{
    public static List<KeyValuePair<string, string?>> For(SimulatedWeb web, string dataDirectory, bool polite = true)
    {
        ArgumentNullException.ThrowIfNull(web);
        var settings = new List<KeyValuePair<string, string?>>
        {
            new("Crawler:DataDirectory", dataDirectory),
            new("Crawler:Seeds:File", string.Empty),
            new("Crawler:Dns:Servers:0", web.DnsEndPoint.ToString()),
            new("Crawler:Dns:Timeout", "00:00:01"),
            new("Crawler:Dns:Retries", "0"),
            new("Crawler:AddressGuard:Allow:0", "127.0.0.0/8"),
            new("Crawler:AddressGuard:AllowPublic", "false"),
            new("Crawler:Fetcher:AcceptInvalidCertificates", "true"),
            new("Crawler:Fetcher:ConnectTimeout", "00:00:02"),
            new("Crawler:Fetcher:HeadersTimeout", "00:00:05"),
            new("Crawler:Fetcher:BodyTimeout", "00:00:02"),
            new("Crawler:Crawl:Retry:BaseDelay", "00:00:00.200"),
            new("Crawler:Crawl:Retry:MaxDelay", "00:00:02"),
            new("Crawler:Crawl:Retry:MaxAttempts", "4"),
            new("Crawler:Crawl:Politeness:MinDelay", polite ? "00:00:00.005" : "00:00:00"),
            new("Crawler:Crawl:Politeness:DelayFactor", polite ? "1" : "0"),
            new("Crawler:Crawl:Politeness:RespectCrawlDelay", polite ? "true" : "false"),
            new("Crawler:Crawl:Traps:MaxDepth", "40"),
            new("Crawler:Crawl:ScopeDomains:0", "kp"),

            // The simulation's zones list more names than its web serves: discovery is switched on by the tests that want it.
            new("Crawler:Discovery:Enabled", "false"),

            // Crawl tests count every request the sites see: the uptime probes and the HTTP endpoint are switched on by those that want them.
            new("Crawler:Uptime:Enabled", "false"),
            new("Crawler:Uptime:NameServerPort", web.DnsEndPoint.Port.ToString(CultureInfo.InvariantCulture)),
            new("Crawler:Discovery:NameServerPort", web.DnsEndPoint.Port.ToString(CultureInfo.InvariantCulture)),
            new("Crawler:Http:Urls", string.Empty),
        };
        for (var i = 0; i < web.SeedUrls.Count; i++)
        {
            settings.Add(new(Key("Crawler:Seeds:Urls", i), web.SeedUrls[i]));
        }

        for (var i = 0; i < web.ExtraScopeDomains.Count; i++)
        {
            settings.Add(new(Key("Crawler:Crawl:ScopeDomains", i + 1), web.ExtraScopeDomains[i]));
        }

        for (var i = 0; i < web.ConnectToRules.Count; i++)
        {
            settings.Add(new(Key("Crawler:Fetcher:ConnectTo", i), web.ConnectToRules[i]));
        }

        return settings;
    }

    /// <summary>The same settings as environment variables (Crawler__Dns__Servers__0=...).</summary>
    public static Dictionary<string, string> AsEnvironment(IEnumerable<KeyValuePair<string, string?>> settings) =>
        settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value ?? string.Empty, StringComparer.Ordinal);

    private static string Key(string prefix, int index) => prefix + ":" + index.ToString(CultureInfo.InvariantCulture);
}
