using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;

namespace Crawler.Net.Discovery;

public sealed record ReverseSweepOptions
{
    /// <summary>Name servers to ask ("address:port").</summary>
    public List<string> Servers { get; init; } = [];

    /// <summary>IPv4 ranges to sweep, e.g. 175.45.176.0/22 (North Korea's own block).</summary>
    public List<string> Ranges { get; init; } = [];

    /// <summary>Queries per second at most: a sweep must not look like an attack on a small country's name servers.</summary>
    public double QueriesPerSecond { get; init; } = 5;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Addresses swept per run at most.</summary>
    public int MaxAddresses { get; init; } = 65_536;
}

/// <summary>A PTR answer: the address and the names it points to.</summary>
public sealed record ReverseName(IPAddress Address, string Name, string Server, DateTimeOffset At);

/// <summary>
/// Sweeps reverse DNS (PTR) over address ranges at a bounded rate and records the names found;
/// the reverse zones name servers (mail, web) that no forward zone lists.
/// </summary>
public sealed class ReverseSweep
{
    private readonly ReverseSweepOptions _options;
    private readonly TimeProvider _clock;
    private readonly LookupClient _client;
    private readonly string _server;

    public ReverseSweep(ReverseSweepOptions options, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Servers.Count == 0)
        {
            throw new ArgumentException("ReverseSweepOptions.Servers is empty: name the servers to ask, e.g. 127.0.0.1:5353.", nameof(options));
        }

        if (options.QueriesPerSecond <= 0)
        {
            throw new ArgumentException($"ReverseSweepOptions.QueriesPerSecond = {options.QueriesPerSecond} must be positive.", nameof(options));
        }

        _options = options;
        _clock = clock ?? TimeProvider.System;
        var servers = options.Servers.Select(s => IPEndPoint.Parse(s) is { Port: 0 } e ? new IPEndPoint(e.Address, 53) : IPEndPoint.Parse(s)).ToArray();
        _server = servers[0].ToString();
        _client = new LookupClient(new LookupClientOptions(servers)
        {
            UseCache = false,
            Retries = 0,
            Timeout = options.Timeout,
            ThrowDnsErrors = false,
        });
    }

    /// <summary>Every IPv4 address of the ranges, in order, bounded by MaxAddresses.</summary>
    public static IEnumerable<IPAddress> Addresses(IEnumerable<string> ranges, int max)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        var count = 0;
        foreach (var range in ranges)
        {
            var network = IPNetwork.Parse(range);
            if (network.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
            {
                throw new FormatException($"'{range}' is not an IPv4 range: the sweep covers IPv4 only.");
            }

            var start = ToUInt(network.BaseAddress);
            var size = 1UL << (32 - network.PrefixLength);
            for (ulong i = 0; i < size; i++)
            {
                if (count++ >= max)
                {
                    yield break;
                }

                yield return FromUInt((uint)(start + i));
            }
        }
    }

    /// <summary>Sweeps the configured ranges; waits between queries so the rate stays at or under QueriesPerSecond.</summary>
    public async Task<IReadOnlyList<ReverseName>> SweepAsync(CancellationToken ct = default)
    {
        var found = new List<ReverseName>();
        var interval = TimeSpan.FromSeconds(1 / _options.QueriesPerSecond);
        var next = _clock.GetUtcNow();
        foreach (var address in Addresses(_options.Ranges, _options.MaxAddresses))
        {
            var wait = next - _clock.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _clock, ct).ConfigureAwait(false);
            }

            next = _clock.GetUtcNow() + interval;
            IDnsQueryResponse response;
            try
            {
                response = await _client.QueryReverseAsync(address, ct).ConfigureAwait(false);
            }
            catch (DnsResponseException)
            {
                continue; // a time-out is no name; the sweep goes on
            }

            var at = _clock.GetUtcNow();
            found.AddRange(response.Answers.OfType<PtrRecord>()
                .Select(p => new ReverseName(address, p.PtrDomainName.Value.TrimEnd('.').ToLowerInvariant(), _server, at)));
        }

        return found;
    }

    private static uint ToUInt(IPAddress address)
    {
        var b = address.GetAddressBytes();
        return ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
    }

    private static IPAddress FromUInt(uint value) =>
        new([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
}
