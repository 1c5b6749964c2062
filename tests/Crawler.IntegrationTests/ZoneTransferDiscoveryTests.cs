using System.Net;
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
    public async Task Of_the_names_a_transfer_finds_only_those_with_an_address_become_sites()
    {
        await using var server = await SimulatedDnsServer.StartAsync(ZoneCatalog.Load2016(), new SimulatedDnsOptions());
        var discovery = new ZoneTransferDiscovery(new ZoneTransferOptions { Servers = [server.EndPoint.ToString()] });
        var scope = new Crawler.Core.Policies.CrawlScope(["kp"]);
        var result = await discovery.DiscoverAsync("kp");
        var names = result.Names.Select(n => new Crawler.Storage.DiscoveredNameRecord(n.Name, n.How, n.Zone, n.Server, n.At)).ToList();

        var candidates = Crawler.Actors.Discovery.DiscoveredSites.Candidates(names, includePtrNames: false, scope.IsInScope);
        var (sites, without) = await Crawler.Actors.Discovery.DiscoveredSites.SplitAsync(candidates, discovery.HasAddressAsync, scope.IsInScope);

        string[] registryZones = ["co.kp", "com.kp", "edu.kp", "gov.kp", "net.kp", "org.kp", "rep.kp"];
        Assert.All(registryZones, z => Assert.Contains(z, candidates));
        Assert.All(registryZones, z => Assert.Contains(z, without));
        Assert.All(registryZones, z => Assert.DoesNotContain(z, sites));
        Assert.Contains("masikryong.com.kp", without); // no A record in 2016
        Assert.Contains("kcna.kp", sites);
        Assert.Contains("airkoryo.com.kp", sites);
        Assert.False(await discovery.HasAddressAsync("com.kp"));
        Assert.True(await discovery.HasAddressAsync("kcna.kp."));
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

    [Fact]
    public async Task Each_delegated_zone_is_transferred_from_one_of_its_own_name_servers()
    {
        await using var server = await SimulatedDnsServer.StartAsync(ZoneCatalog.Load2016(), new SimulatedDnsOptions { ListenOnNameServerAddresses = true });
        var discovery = new ZoneTransferDiscovery(new ZoneTransferOptions
        {
            Servers = [server.EndPoint.ToString()],
            NameServerPort = server.EndPoint.Port,
        });

        var result = await discovery.DiscoverAsync("kp");

        Assert.Empty(result.Failures);
        var expected = NameServerAddressesInZoneFiles();
        var delegated = DelegationsInZoneFiles();
        Assert.Equal([.. delegated.Append("kp").Order(StringComparer.Ordinal)], result.TransferredZones.Order(StringComparer.Ordinal));
        var answered = server.ZoneTransfers.Where(t => t.Answered).ToList();
        Assert.Equal(result.TransferredZones.Count, answered.Count);

        // The root zone comes from the configured server; every other zone from an address of its own NS records.
        Assert.Equal(server.EndPoint, Assert.Single(answered, t => t.Zone == "kp").LocalEndPoint);
        Assert.All(delegated, zone =>
        {
            var transfer = Assert.Single(answered, t => t.Zone == zone);
            Assert.Contains(transfer.LocalEndPoint.Address, expected[zone]);
            Assert.Equal(server.EndPoint.Port, transfer.LocalEndPoint.Port);
            Assert.Equal(transfer.LocalEndPoint.ToString(), result.TransferServers[zone]);
        });

        // A name's Server is the server that answered the transfer of the zone it was listed in.
        Assert.All(result.Names, n => Assert.Equal(result.TransferServers[n.Zone], n.Server));
        var airkoryo = Assert.Single(result.Names, n => n.Name == "airkoryo.com.kp");
        Assert.Contains(IPEndPoint.Parse(airkoryo.Server).Address, expected["com.kp"]);
        Assert.All(LeakedDomainsInCsv(), d => Assert.Contains(result.Names, n => n.Name == d));
    }

    [Fact]
    public async Task Zones_whose_own_servers_refuse_are_reported_per_server_then_transferred_from_the_configured_server()
    {
        await using var configured = await SimulatedDnsServer.StartAsync(ZoneCatalog.Load2016(), new SimulatedDnsOptions());
        await using var own = await SimulatedDnsServer.StartAsync(ZoneCatalog.Load2016(), new SimulatedDnsOptions { ListenOnNameServerAddresses = true, AllowAxfr = false });
        var discovery = new ZoneTransferDiscovery(new ZoneTransferOptions
        {
            Servers = [configured.EndPoint.ToString()],
            NameServerPort = own.EndPoint.Port,
        });

        var result = await discovery.DiscoverAsync("kp");

        var expected = NameServerAddressesInZoneFiles();
        var delegated = DelegationsInZoneFiles();
        Assert.Equal(delegated.Count + 1, result.TransferredZones.Count);
        Assert.All(delegated, zone =>
        {
            var failures = result.Failures.Where(f => f.Zone == zone).ToList();
            Assert.All(failures, f => Assert.Equal(ZoneTransferFailureKind.Refused, f.Kind));
            Assert.Equal(
                expected[zone].Select(a => new IPEndPoint(a, own.EndPoint.Port).ToString()).Order(StringComparer.Ordinal),
                failures.Select(f => f.Server).Order(StringComparer.Ordinal));
            Assert.Equal(configured.EndPoint.ToString(), result.TransferServers[zone]);
        });
        Assert.DoesNotContain(result.Failures, f => f.Zone == "kp");
        Assert.Equal(configured.EndPoint.ToString(), Assert.Single(result.Names, n => n.Name == "airkoryo.com.kp").Server);
        Assert.Equal(result.Failures.Count, own.ZoneTransfers.Count(t => !t.Answered));
        Assert.Equal(result.TransferredZones.Count, configured.ZoneTransfers.Count(t => t.Answered));
        Assert.All(LeakedDomainsInCsv(), d => Assert.Contains(result.Names, n => n.Name == d));
    }

    [Fact]
    public async Task Without_fallback_a_zone_whose_own_servers_refuse_is_not_transferred()
    {
        await using var configured = await SimulatedDnsServer.StartAsync(ZoneCatalog.Load2016(), new SimulatedDnsOptions());
        await using var own = await SimulatedDnsServer.StartAsync(ZoneCatalog.Load2016(), new SimulatedDnsOptions { ListenOnNameServerAddresses = true, AllowAxfr = false });
        var discovery = new ZoneTransferDiscovery(new ZoneTransferOptions
        {
            Servers = [configured.EndPoint.ToString()],
            NameServerPort = own.EndPoint.Port,
            FallbackToConfiguredServers = false,
        });

        var result = await discovery.DiscoverAsync("kp");

        Assert.Equal(["kp"], result.TransferredZones);
        Assert.Equal("kp", Assert.Single(configured.ZoneTransfers).Zone);
        Assert.Equal(2, result.Failures.Count(f => f.Zone == "com.kp" && f.Kind == ZoneTransferFailureKind.Refused));
        Assert.DoesNotContain(result.Names, n => n.Name == "airkoryo.com.kp"); // listed only in com.kp
        Assert.Contains(result.Names, n => n.Name == "com.kp" && n.Zone == "kp");
    }

    [Fact]
    public async Task A_zone_whose_own_servers_time_out_is_reported_per_server_then_transferred_from_the_configured_server()
    {
        await using var configured = await SimulatedDnsServer.StartAsync(ZoneCatalog.Load2016(), new SimulatedDnsOptions());
        var ownOptions = new SimulatedDnsOptions { ListenOnNameServerAddresses = true };
        ownOptions.SilenceZone("kcna.kp");
        await using var own = await SimulatedDnsServer.StartAsync(ZoneCatalog.Load2016(), ownOptions);
        var discovery = new ZoneTransferDiscovery(new ZoneTransferOptions
        {
            Servers = [configured.EndPoint.ToString()],
            NameServerPort = own.EndPoint.Port,
            Timeout = TimeSpan.FromSeconds(2), // long enough that only the silenced zone can time out on a loaded machine
        });

        var result = await discovery.DiscoverAsync("kp");

        var kcnaServers = NameServerAddressesInZoneFiles()["kcna.kp"].Select(a => new IPEndPoint(a, own.EndPoint.Port).ToString());
        var failures = Assert.Single(result.Failures.GroupBy(f => f.Zone));
        Assert.Equal("kcna.kp", failures.Key);
        Assert.All(failures, f => Assert.Equal(ZoneTransferFailureKind.TimedOut, f.Kind));
        Assert.Equal(kcnaServers.Order(StringComparer.Ordinal), failures.Select(f => f.Server).Order(StringComparer.Ordinal));
        Assert.Contains("kcna.kp", result.TransferredZones);
        Assert.Equal(configured.EndPoint.ToString(), result.TransferServers["kcna.kp"]);
        Assert.Contains(configured.ZoneTransfers, t => t.Zone == "kcna.kp" && t.Answered);
        Assert.NotEqual(configured.EndPoint.ToString(), result.TransferServers["com.kp"]); // the others still came from their own servers
    }

    [Fact]
    public async Task A_name_server_without_glue_is_resolved_through_the_configured_server()
    {
        // kcna.kp's delegation in kp keeps NS ns1/ns2.kcna.kp but loses their glue; ns2.kcna.kp gets an address in
        // kcna.kp itself (reachable by asking the configured server), ns1.kcna.kp none at all.
        var catalog = ZoneCatalog.Load2016();
        catalog.Remove("ns1.kcna.kp");
        catalog.Remove("ns2.kcna.kp");
        catalog.AddHost("ns2.kcna.kp", IPAddress.Parse("175.45.176.9"));
        await using var server = await SimulatedDnsServer.StartAsync(catalog, new SimulatedDnsOptions { ListenOnNameServerAddresses = true });
        var discovery = new ZoneTransferDiscovery(new ZoneTransferOptions
        {
            Servers = [server.EndPoint.ToString()],
            NameServerPort = server.EndPoint.Port,
        });

        var result = await discovery.DiscoverAsync("kp");

        var failure = Assert.Single(result.Failures);
        Assert.Equal(("kcna.kp", "ns1.kcna.kp", ZoneTransferFailureKind.NoAddress), (failure.Zone, failure.Server, failure.Kind));
        var resolvedAt = new IPEndPoint(catalog.GetAddresses("ns2.kcna.kp").Single(), server.EndPoint.Port);
        Assert.Equal(resolvedAt, Assert.Single(server.ZoneTransfers, t => t.Zone == "kcna.kp").LocalEndPoint);
        Assert.Equal(resolvedAt.ToString(), result.TransferServers["kcna.kp"]);
        Assert.True(server.GetQueryCount("ns2.kcna.kp") > 0);
    }

    [Fact]
    public async Task Without_zone_servers_every_zone_comes_from_the_configured_server()
    {
        await using var server = await SimulatedDnsServer.StartAsync(ZoneCatalog.Load2016(), new SimulatedDnsOptions { ListenOnNameServerAddresses = true });
        var discovery = new ZoneTransferDiscovery(new ZoneTransferOptions
        {
            Servers = [server.EndPoint.ToString()],
            NameServerPort = server.EndPoint.Port,
            UseZoneServers = false,
        });

        var result = await discovery.DiscoverAsync("kp");

        Assert.Equal(DelegationsInZoneFiles().Count + 1, result.TransferredZones.Count);
        Assert.All(server.ZoneTransfers, t => Assert.Equal(server.EndPoint, t.LocalEndPoint));
    }

    [Fact]
    public async Task Dns_discover_takes_the_zone_server_settings_from_Crawler_Discovery()
    {
        var data = Path.Combine(Path.GetTempPath(), "crawler-axfr-" + Guid.NewGuid().ToString("N"));
        await using var server = await SimulatedDnsServer.StartAsync(ZoneCatalog.Load2016(), new SimulatedDnsOptions { ListenOnNameServerAddresses = true });
        var environment = new Dictionary<string, string>
        {
            ["Crawler__DataDirectory"] = data,
            ["Crawler__Dns__Servers__0"] = server.EndPoint.ToString(),
            ["Crawler__Discovery__NameServerPort"] = server.EndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Crawler__Discovery__FallbackToConfiguredServers"] = "false",
        };

        try
        {
            using var discover = CrawlerProcess.Start(environment, "dns", "discover");
            Assert.True(await discover.WaitForExitAsync(TimeSpan.FromMinutes(1)) == 0, discover.Output);

            Assert.DoesNotContain("failed", discover.Output, StringComparison.Ordinal);
            Assert.Contains("airkoryo.com.kp\taxfr\tcom.kp", discover.Output, StringComparison.Ordinal);
            var expected = NameServerAddressesInZoneFiles();
            var delegated = server.ZoneTransfers.Where(t => t.Zone != "kp").ToList();
            Assert.Equal(DelegationsInZoneFiles().Count, delegated.Count);
            Assert.All(delegated, t => Assert.Contains(t.LocalEndPoint.Address, expected[t.Zone]));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
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

    /// <summary>
    /// For each zone with an NS record in the leaked AXFR files, the addresses of its name servers there (their A
    /// records), moved onto loopback as the simulation does (first octet 127).
    /// </summary>
    private static Dictionary<string, HashSet<IPAddress>> NameServerAddressesInZoneFiles()
    {
        var nameServers = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var addresses = new Dictionary<string, HashSet<IPAddress>>(StringComparer.Ordinal);
        foreach (var line in Directory.GetFiles(LeakFolder, "*.zone").SelectMany(File.ReadLines))
        {
            var fields = line.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            if (line.StartsWith(';') || fields.Length < 5)
            {
                continue;
            }

            var owner = fields[0].TrimEnd('.').ToLowerInvariant();
            if (fields[3] == "NS")
            {
                Add(nameServers, owner, fields[4].TrimEnd('.').ToLowerInvariant());
            }
            else if (fields[3] == "A")
            {
                var octets = IPAddress.Parse(fields[4]).GetAddressBytes();
                octets[0] = 127;
                Add(addresses, owner, new IPAddress(octets));
            }
        }

        return nameServers.ToDictionary(
            z => z.Key,
            z => z.Value.SelectMany(ns => addresses.GetValueOrDefault(ns) ?? []).ToHashSet(),
            StringComparer.Ordinal);

        static void Add<T>(Dictionary<string, HashSet<T>> map, string key, T value)
        {
            if (!map.TryGetValue(key, out var set))
            {
                set = [];
                map[key] = set;
            }

            set.Add(value);
        }
    }

    internal static HashSet<string> LeakedDomainsInCsv() =>
        File.ReadLines(Path.Combine(RepositoryPaths.Root, "datasets", "kp", "kp-domains.csv"))
            .Skip(1)
            .Select(l => l.Split(','))
            .Where(c => c.Length > 1 && c[1] == "yes")
            .Select(c => c[0])
            .ToHashSet(StringComparer.Ordinal);
}
