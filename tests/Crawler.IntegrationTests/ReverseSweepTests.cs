using System.Net;
using Crawler.Net.Discovery;
using Crawler.Simulation.Dns;
using Xunit;

namespace Crawler.IntegrationTests;

/// <summary>The PTR sweep against the simulated name server (2016 addresses mapped 175.45.x → 127.45.x).</summary>
public sealed class ReverseSweepTests
{
    [Fact]
    public async Task A_sweep_of_the_mapped_star_jv_block_names_the_known_sites()
    {
        await using var server = await SimulatedDnsServer.StartAsync(ZoneCatalog.Load2016(), new SimulatedDnsOptions());
        var sweep = new ReverseSweep(new ReverseSweepOptions
        {
            Servers = [server.EndPoint.ToString()],
            Ranges = ["127.45.176.0/24"],
            QueriesPerSecond = 2000,
        });

        var found = await sweep.SweepAsync();

        var pairs = found.Select(f => (f.Address.ToString(), f.Name)).ToHashSet();
        var expected = File.ReadLines(Path.Combine(RepositoryPaths.Root, "datasets", "kp", "kp-domains.csv"))
            .Skip(1)
            .Select(l => l.Split(','))
            .Where(c => c.Length > 2 && c[2].Length > 0)
            .SelectMany(c => c[2].Split('|').Select(a => ("127" + a[a.IndexOf('.', StringComparison.Ordinal)..], c[0])))
            .ToList();
        Assert.NotEmpty(expected);
        Assert.All(expected, e => Assert.Contains(e, pairs));
        Assert.True(server.QueryCount >= 256, $"{server.QueryCount} queries for 256 addresses");
    }

    [Fact]
    public void Ranges_expand_to_every_address_in_order_and_stop_at_the_bound()
    {
        var all = ReverseSweep.Addresses(["175.45.176.0/22"], int.MaxValue).ToList();
        Assert.Equal(1024, all.Count);
        Assert.Equal(IPAddress.Parse("175.45.176.0"), all[0]);
        Assert.Equal(IPAddress.Parse("175.45.179.255"), all[^1]);
        Assert.Equal(10, ReverseSweep.Addresses(["175.45.176.0/22"], 10).Count());
        Assert.Throws<FormatException>(() => ReverseSweep.Addresses(["2001:db8::/120"], 10).ToList());
    }
}
