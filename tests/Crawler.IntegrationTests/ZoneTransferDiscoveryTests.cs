using Crawler.Net.Discovery;
using Crawler.Simulation.Dns;
using Xunit;

namespace Crawler.IntegrationTests;

/// <summary>Discovery by zone transfer against the simulated .kp name server serving the 2016 zones.</summary>
public sealed class ZoneTransferDiscoveryTests
{
    private static readonly string LeakFolder = Path.Combine(RepositoryPaths.Root, "datasets", "kp", "dns-leak-2016");

    [Fact]
    public async Task Axfr_discovery_finds_every_domain_of_the_2016_leak()
    {
        await using var server = await SimulatedDnsServer.StartAsync(ZoneCatalog.Load2016(), new SimulatedDnsOptions());
        var discovery = new ZoneTransferDiscovery(new ZoneTransferOptions { Servers = [server.EndPoint.ToString()] });

        var result = await discovery.DiscoverAsync("kp");

        var found = result.Names.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var delegatedInZoneFiles = DelegationsInZoneFiles();
        var leakedDomains = LeakedDomainsInCsv();
        Assert.Equal(28, leakedDomains.Count);
        Assert.All(delegatedInZoneFiles, d => Assert.Contains(d, found));
        Assert.All(leakedDomains, d => Assert.Contains(d, found));
        Assert.All(result.Names, n => Assert.Equal("axfr", n.How));
        Assert.Contains("kp", result.TransferredZones);
        Assert.Contains("com.kp", result.TransferredZones);
        Assert.Contains(result.Names, n => n.Name == "airkoryo.com.kp" && n.Zone == "com.kp");
    }

    [Fact]
    public async Task A_server_that_refuses_transfers_yields_failures_and_no_names()
    {
        await using var server = await SimulatedDnsServer.StartAsync(ZoneCatalog.Load2016(), new SimulatedDnsOptions { AllowAxfr = false });
        var discovery = new ZoneTransferDiscovery(new ZoneTransferOptions { Servers = [server.EndPoint.ToString()] });

        var result = await discovery.DiscoverAsync("kp");

        Assert.Empty(result.Names);
        var failure = Assert.Single(result.Failures);
        Assert.Equal("kp", failure.Zone);
    }

    /// <summary>Every NS owner below its zone's apex in the leaked AXFR files: the delegations.</summary>
    private static HashSet<string> DelegationsInZoneFiles()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(LeakFolder, "*.zone"))
        {
            var apex = Path.GetFileNameWithoutExtension(file);
            foreach (var line in File.ReadLines(file))
            {
                var fields = line.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
                if (line.StartsWith(';') || fields.Length < 5 || fields[3] != "NS")
                {
                    continue;
                }

                var owner = fields[0].TrimEnd('.').ToLowerInvariant();
                if (owner != apex)
                {
                    names.Add(owner);
                }
            }
        }

        Assert.NotEmpty(names);
        return names;
    }

    private static HashSet<string> LeakedDomainsInCsv() =>
        File.ReadLines(Path.Combine(RepositoryPaths.Root, "datasets", "kp", "kp-domains.csv"))
            .Skip(1)
            .Select(l => l.Split(','))
            .Where(c => c.Length > 1 && c[1] == "yes")
            .Select(c => c[0])
            .ToHashSet(StringComparer.Ordinal);
}
