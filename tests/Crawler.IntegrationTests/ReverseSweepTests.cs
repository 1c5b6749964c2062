using System.Net;
using Crawler.Net.Discovery;
using Crawler.Simulation.Dns;
using Microsoft.Extensions.Time.Testing;
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
    public async Task The_sweep_never_asks_faster_than_its_rate()
    {
        await using var server = await SimulatedDnsServer.StartAsync(ZoneCatalog.Load2016(), new SimulatedDnsOptions());
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero));
        var start = clock.GetUtcNow();
        var sweep = new ReverseSweep(
            new ReverseSweepOptions { Servers = [server.EndPoint.ToString()], Ranges = ["127.45.176.0/29"], QueriesPerSecond = 2 },
            clock);

        var sweeping = sweep.SweepAsync();
        var samples = new List<(TimeSpan Elapsed, long Queries)>();
        while (!sweeping.IsCompleted)
        {
            // Let whatever the sweep may send at this instant arrive, then look, then move time on by 100 ms.
            var before = server.QueryCount;
            for (var i = 0; i < 20 && !sweeping.IsCompleted && server.QueryCount == before; i++)
            {
                await Task.Delay(5);
            }

            samples.Add((clock.GetUtcNow() - start, server.QueryCount));
            clock.Advance(TimeSpan.FromMilliseconds(100));
        }

        await sweeping;
        Assert.Equal(8, server.QueryCount);
        Assert.All(samples, s => Assert.True(
            s.Queries <= 1 + (long)(s.Elapsed.TotalMilliseconds / 500),
            $"{s.Queries} queries after {s.Elapsed.TotalMilliseconds} ms at 2 per second"));
        Assert.True(clock.GetUtcNow() - start >= TimeSpan.FromMilliseconds(3500), "8 queries at 2/s take at least 3.5 s");
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
