using System.Net;
using Crawler.Net.Tests.Probing;

namespace Crawler.Net.Tests;

public sealed class DnsClientResolverTests
{
    private static DnsClientResolver Resolver(TinyDnsServer server, TimeProvider? time = null) =>
        new(new DnsResolverOptions { Servers = [server.Endpoint], Timeout = TimeSpan.FromSeconds(5), Retries = 0 }, time);

    [Fact]
    public async Task Names_resolve_to_a_and_aaaa_addresses_with_ttl_and_server()
    {
        using var dns = new TinyDnsServer(new()
        {
            ["kcna.kp"] = ([IPAddress.Parse("127.0.0.7"), IPAddress.Parse("::1")], 300),
        });
        var resolver = Resolver(dns);

        var result = await resolver.ResolveAsync("KCNA.kp.", CancellationToken.None);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("kcna.kp", result.Host);
        Assert.Equal([IPAddress.Parse("127.0.0.7"), IPAddress.IPv6Loopback], result.Addresses);
        Assert.Equal(TimeSpan.FromSeconds(300), result.Ttl);
        Assert.Equal(dns.Endpoint, result.Server);
    }

    [Fact]
    public async Task Unknown_names_are_nxdomain()
    {
        using var dns = new TinyDnsServer([]);
        var resolver = Resolver(dns);

        var result = await resolver.ResolveAsync("nowhere.kp", CancellationToken.None);

        Assert.Equal("NXDOMAIN", result.Error);
        Assert.Empty(result.Addresses);
    }

    [Fact]
    public async Task Answers_are_cached_for_their_ttl_then_asked_again()
    {
        using var dns = new TinyDnsServer(new() { ["a.kp"] = ([IPAddress.Parse("127.0.0.8")], 60) });
        var time = new ManualTime();
        var resolver = Resolver(dns, time);

        await resolver.ResolveAsync("a.kp", CancellationToken.None);
        var afterFirst = resolver.QueriesSent;
        time.Advance(TimeSpan.FromSeconds(59));
        var cached = await resolver.ResolveAsync("a.kp", CancellationToken.None);
        var afterCached = resolver.QueriesSent;
        time.Advance(TimeSpan.FromSeconds(2));
        await resolver.ResolveAsync("a.kp", CancellationToken.None);

        Assert.Equal(2, afterFirst); // A and AAAA
        Assert.Equal(afterFirst, afterCached);
        Assert.Equal(IPAddress.Parse("127.0.0.8"), Assert.Single(cached.Addresses));
        Assert.Equal(4, resolver.QueriesSent);
        Assert.Equal(4, dns.Queries);
    }

    [Fact]
    public async Task Concurrent_lookups_of_one_name_share_one_query()
    {
        using var dns = new TinyDnsServer(new() { ["b.kp"] = ([IPAddress.Parse("127.0.0.9")], 60) });
        var resolver = Resolver(dns);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => resolver.ResolveAsync("b.kp", CancellationToken.None).AsTask()));

        Assert.All(results, r => Assert.Equal(IPAddress.Parse("127.0.0.9"), Assert.Single(r.Addresses)));
        Assert.Equal(2, resolver.QueriesSent);
    }

    [Fact]
    public async Task A_silent_server_is_a_timeout_and_is_not_cached()
    {
        using var dns = new TinyDnsServer([], silent: true);
        var resolver = LoopbackResolvers.Impatient(dns, queryAaaa: false);

        var first = await resolver.ResolveAsync("slow.kp", CancellationToken.None);
        await resolver.ResolveAsync("slow.kp", CancellationToken.None);

        Assert.Equal("timeout", first.Error);
        Assert.Equal(2, resolver.QueriesSent);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]")]
    [InlineData("175.45.176.71")]
    public async Task Ip_literals_are_returned_without_a_query(string host)
    {
        using var dns = new TinyDnsServer([]);
        var resolver = Resolver(dns);

        var result = await resolver.ResolveAsync(host, CancellationToken.None);

        Assert.Null(result.Error);
        Assert.Equal(IPAddress.Parse(host.Trim('[', ']')), Assert.Single(result.Addresses));
        Assert.Null(result.Server);
        Assert.Equal(0, resolver.QueriesSent);
        Assert.Equal(0, dns.Queries);
    }

    [Fact]
    public void Configured_servers_accept_ports_brackets_and_the_default_port()
    {
        var resolver = new DnsClientResolver(new DnsResolverOptions { Servers = ["127.0.0.1:5353", "[::1]:5300", "127.0.0.2"] });

        Assert.Equal(
            [new IPEndPoint(IPAddress.Loopback, 5353), new IPEndPoint(IPAddress.IPv6Loopback, 5300), new IPEndPoint(IPAddress.Parse("127.0.0.2"), 53)],
            resolver.NameServers);
    }

    [Theory]
    [InlineData("dns.example")]
    [InlineData("127.0.0.1:port")]
    public void Malformed_servers_are_rejected(string server)
    {
        var error = Assert.Throws<FormatException>(() => new DnsClientResolver(new DnsResolverOptions { Servers = [server] }));

        Assert.Contains(server, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_have_the_documented_defaults()
    {
        var options = new DnsResolverOptions();

        Assert.Empty(options.Servers);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Timeout);
        Assert.Equal(1, options.Retries);
        Assert.True(options.UseTcpFallback);
        Assert.True(options.MinCacheTtl <= options.MaxCacheTtl);
    }

    private sealed class ManualTime : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
