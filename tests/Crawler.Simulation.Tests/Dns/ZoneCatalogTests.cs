using System.Net;
using Crawler.Simulation.Dns;
using Xunit;

namespace Crawler.Simulation.Tests.Dns;

public sealed class ZoneCatalogTests
{
    [Fact]
    public void Load2016_serves_the_eight_transferred_zones_and_a_zone_per_delegated_domain()
    {
        var catalog = ZoneCatalog.Load2016();

        Assert.Subset(catalog.ZoneNames.ToHashSet(), DnsTestSupport.LeakedZones.ToHashSet());
        Assert.Contains("kcna.kp", catalog.ZoneNames);
        Assert.Contains("airkoryo.com.kp", catalog.ZoneNames);
        Assert.Equal(8 + 27, catalog.ZoneNames.Count);
    }

    [Fact]
    public void Registered_domains_are_the_csv_2016_rows_except_the_rep_kp_registry_zone()
    {
        var fromCsv = DnsTestSupport.ReadResource("kp-domains.csv")
            .Split('\n')
            .Skip(1)
            .Select(l => l.Split(','))
            .Where(f => f.Length > 1 && f[1] == "yes")
            .Select(f => f[0])
            .ToHashSet();
        var derived = ZoneCatalog.Load2016().RegisteredDomains();

        Assert.Equal(28, fromCsv.Count);
        Assert.Equal(27, derived.Count);
        Assert.Empty(derived.Except(fromCsv));
        // rep.kp is the apex of a transferred registry zone, like co.kp or com.kp; the leak's published list of
        // 28 domains (copied into the csv) counts it, the owner names of the zones make it infrastructure.
        Assert.Equal(["rep.kp"], fromCsv.Except(derived));
    }

    [Fact]
    public void Registered_domains_exclude_name_servers_and_zone_apexes()
    {
        var derived = ZoneCatalog.Load2016().RegisteredDomains();

        Assert.DoesNotContain("ns1.kcna.kp", derived);
        Assert.DoesNotContain("com.kp", derived);
        Assert.Contains("kcna.kp", derived);
        Assert.Contains("star.edu.kp", derived);
    }

    [Fact]
    public void Addresses_come_from_the_csv_mapped_to_loopback()
    {
        var catalog = ZoneCatalog.Load2016();

        Assert.Equal([IPAddress.Parse("127.45.176.71"), IPAddress.Parse("127.45.176.74")], catalog.GetAddresses("KCNA.kp."));
        Assert.Equal([IPAddress.Parse("127.45.176.7")], catalog.GetAddresses("www.star.co.kp"));
        Assert.Empty(catalog.GetAddresses("masikryong.com.kp"));
    }

    [Fact]
    public void Host_addresses_list_sites_but_not_name_servers()
    {
        var hosts = ZoneCatalog.Load2016().HostAddresses();

        Assert.Contains(new HostAddress("kcna.kp", IPAddress.Parse("127.45.176.71")), hosts);
        Assert.Equal(10, hosts.Count(h => h.Address.Equals(IPAddress.Parse("127.45.176.81"))));
        Assert.DoesNotContain(hosts, h => h.Name.StartsWith("ns", StringComparison.Ordinal));
        Assert.All(hosts, h => Assert.Equal(127, h.Address.GetAddressBytes()[0]));
    }

    [Fact]
    public void AddHost_outside_every_zone_creates_a_zone()
    {
        var catalog = ZoneCatalog.CreateEmpty();

        catalog.AddHost("www.dprktoday.com", IPAddress.Parse("10.1.2.3"));

        Assert.Equal(["dprktoday.com"], catalog.ZoneNames);
        Assert.Equal([IPAddress.Parse("127.1.2.3")], catalog.GetAddresses("www.dprktoday.com"));
    }

    [Fact]
    public void Remove_of_a_delegated_domain_drops_its_zone_and_the_delegation()
    {
        var catalog = ZoneCatalog.Load2016();

        Assert.True(catalog.Remove("kcna.kp"));

        Assert.DoesNotContain("kcna.kp", catalog.ZoneNames);
        Assert.Empty(catalog.GetAddresses("kcna.kp"));
        Assert.Empty(catalog.GetAddresses("ns1.kcna.kp"));
        Assert.False(catalog.Remove("kcna.kp"));
    }

    [Fact]
    public void Mutators_are_safe_under_concurrency()
    {
        var catalog = ZoneCatalog.Load2016();

        Parallel.For(0, 200, i => catalog.AddHost($"site{i:000}.sim.kp", IPAddress.Parse($"10.9.{i / 250}.{i % 250}")));

        Assert.All(Enumerable.Range(0, 200), i => Assert.Single(catalog.GetAddresses($"site{i:000}.sim.kp")));
    }
}
