using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DnsClient;
using Crawler.Core.Dns;
using DnsClient.Protocol;

namespace Crawler.Net;

/// <summary>The outcome of resolving one host name.</summary>
/// <param name="Host">The name asked for (lower case, no trailing dot).</param>
/// <param name="Addresses">A addresses first, then AAAA; empty on error.</param>
/// <param name="Error">Null on success; "NXDOMAIN", "NODATA", "SERVFAIL", "REFUSED", "timeout", ... otherwise.</param>
/// <param name="Ttl">The smallest record TTL of the answer (for IP literals: the maximum cache time).</param>
/// <param name="Server">The name server that answered ("127.0.0.1:5353"), null for literals.</param>
public sealed record ResolvedHost(string Host, IReadOnlyList<IPAddress> Addresses, string? Error, TimeSpan Ttl, string? Server)
{
    public bool Succeeded => Error is null && Addresses.Count > 0;

    /// <summary>When the answer was received (null for literals and names never sent to a server).</summary>
    public DateTimeOffset? At { get; init; }

    /// <summary>The answer's records as received: the CNAME chain and the A / AAAA records, with their TTLs.
    /// This is the evidence recorded for the fetches that used <see cref="Addresses"/>.</summary>
    public IReadOnlyList<DnsRecordData> Records { get; init; } = [];
}

public interface IHostResolver
{
    ValueTask<ResolvedHost> ResolveAsync(string host, CancellationToken ct);
}

/// <summary>Configuration of <see cref="DnsClientResolver"/>.</summary>
public sealed record DnsResolverOptions
{
    /// <summary>"127.0.0.1:5353", "[::1]:53", "192.0.2.1" (port 53). Empty = the system's name servers as
    /// DnsClient reads them (never a public fallback).</summary>
    public List<string> Servers { get; init; } = [];

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    public int Retries { get; init; } = 1;

    public bool UseTcpFallback { get; init; } = true;

    /// <summary>Also ask for AAAA records.</summary>
    public bool QueryAaaa { get; init; } = true;

    /// <summary>Answers are cached at least this long, whatever their TTL.</summary>
    public TimeSpan MinCacheTtl { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Answers are cached at most this long, whatever their TTL.</summary>
    public TimeSpan MaxCacheTtl { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long NXDOMAIN / NODATA answers are cached. Timeouts and server failures are not cached.</summary>
    public TimeSpan NegativeCacheTtl { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The cache is emptied of expired entries (or entirely) when it grows beyond this.</summary>
    public int MaxCacheEntries { get; init; } = 100_000;
}

/// <summary>
/// Resolves host names with DnsClient against the configured servers (never System.Net.Dns/getaddrinfo),
/// caches answers per TTL, coalesces concurrent lookups of one name, and returns IP literals unqueried.
/// </summary>
public sealed class DnsClientResolver : IHostResolver
{
    private readonly DnsResolverOptions _options;
    private readonly LookupClient _client;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, CacheEntry> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<ResolvedHost>>> _inflight = new(StringComparer.Ordinal);

    public DnsClientResolver(DnsResolverOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        var servers = ParseServers(options.Servers);
        var lookup = new LookupClientOptions(servers)
        {
            Timeout = options.Timeout,
            Retries = options.Retries,
            UseTcpFallback = options.UseTcpFallback,
            UseCache = false,
            ThrowDnsErrors = false,
            EnableAuditTrail = false,
            AutoResolveNameServers = false,
        };
        _client = new LookupClient(lookup);
        NameServers = [.. servers.Select(s => new IPEndPoint(IPAddress.Parse(s.Address), s.Port))];
        _servers = [.. servers.Select(FormatServer)];
    }

    /// <summary>The servers queried.</summary>
    public IReadOnlyList<IPEndPoint> NameServers { get; }

    /// <summary>How many queries were sent (A and AAAA counted separately). For tests and metrics.</summary>
    public long QueriesSent => Interlocked.Read(ref _queriesSent);

    private long _queriesSent;
    private readonly string[] _servers;

    /// <summary>Parses the configured server list; empty = the system's name servers.</summary>
    /// <exception cref="FormatException">A server is not "address" or "address:port".</exception>
    /// <exception cref="InvalidOperationException">No servers configured and the system has none.</exception>
    internal static NameServer[] ParseServers(IReadOnlyList<string> servers)
    {
        if (servers.Count == 0)
        {
            // Never fall back to a public resolver: all traffic must go where it is configured.
            var system = NameServer.ResolveNameServers(skipIPv6SiteLocal: true, fallbackToGooglePublicDns: false);
            if (system.Count == 0)
            {
                throw new InvalidOperationException("No DNS servers configured and none found on this system.");
            }

            return [.. system];
        }

        return [.. servers.Select(ParseServer)];
    }

    internal static NameServer ParseServer(string text)
    {
        var s = text.Trim();
        if (IPAddress.TryParse(s, out var bare) && !s.StartsWith('['))
        {
            return new NameServer(bare, NameServer.DefaultPort);
        }

        if (IPEndPoint.TryParse(s, out var endPoint))
        {
            return new NameServer(endPoint.Address, endPoint.Port == 0 ? NameServer.DefaultPort : endPoint.Port);
        }

        throw new FormatException($"DNS server '{text}' must be an IP address with an optional port, e.g. \"127.0.0.1:5353\" or \"[::1]:53\".");
    }

    public ValueTask<ResolvedHost> ResolveAsync(string host, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(host);
        var name = host.Trim().TrimEnd('.').ToLowerInvariant();
        var literal = name.StartsWith('[') && name.EndsWith(']') ? name[1..^1] : name;
        if (IPAddress.TryParse(literal, out var address))
        {
            return ValueTask.FromResult(new ResolvedHost(name, [address], null, _options.MaxCacheTtl, null));
        }

        if (name.Length == 0)
        {
            return ValueTask.FromResult(new ResolvedHost(name, [], "empty host name", TimeSpan.Zero, null));
        }

        if (name == "localhost" || name.EndsWith(".localhost", StringComparison.Ordinal))
        {
            // RFC 6761 6.3: localhost names are loopback and never asked of a name server, so a
            // hostile link or redirect to them meets the address guard as the loopback address.
            return ValueTask.FromResult(new ResolvedHost(name, [IPAddress.Loopback, IPAddress.IPv6Loopback], null, _options.MaxCacheTtl, null));
        }

        var now = _time.GetTimestamp();
        if (_cache.TryGetValue(name, out var cached) && cached.ExpiresAt > now)
        {
            return ValueTask.FromResult(cached.Result);
        }

        return new ValueTask<ResolvedHost>(ResolveSharedAsync(name, ct));
    }

    private async Task<ResolvedHost> ResolveSharedAsync(string name, CancellationToken ct)
    {
        var lazy = _inflight.GetOrAdd(name, n => new Lazy<Task<ResolvedHost>>(() => QueryAndCacheAsync(n)));

        // The shared lookup is bounded by the DNS timeout; a caller's cancellation only stops its own wait.
        return await lazy.Value.WaitAsync(ct).ConfigureAwait(false);
    }

    private async Task<ResolvedHost> QueryAndCacheAsync(string name)
    {
        ResolvedHost result;
        try
        {
            result = await QueryAsync(name).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A resolver failure of any kind is an answer, not a crash.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            result = new ResolvedHost(name, [], ex.Message, TimeSpan.Zero, null);
        }

        var cacheFor = result.Succeeded
            ? Clamp(result.Ttl)
            : result.Error is "NXDOMAIN" or "NODATA" ? _options.NegativeCacheTtl : TimeSpan.Zero;
        if (cacheFor > TimeSpan.Zero)
        {
            var now = _time.GetTimestamp();
            if (_cache.Count >= _options.MaxCacheEntries)
            {
                Trim(now);
            }

            _cache[name] = new CacheEntry(result, now + (long)(cacheFor.TotalSeconds * _time.TimestampFrequency));
        }

        _inflight.TryRemove(name, out _);
        return result;
    }

    private async Task<ResolvedHost> QueryAsync(string name)
    {
        Interlocked.Increment(ref _queriesSent);
        var aTask = QueryOneAsync(name, QueryType.A);
        Task<(IDnsQueryResponse? Response, string? Error)>? aaaaTask = null;
        if (_options.QueryAaaa)
        {
            Interlocked.Increment(ref _queriesSent);
            aaaaTask = QueryOneAsync(name, QueryType.AAAA);
        }

        var (a, aError) = await aTask.ConfigureAwait(false);
        var (aaaa, aaaaError) = aaaaTask is null ? (null, null) : await aaaaTask.ConfigureAwait(false);

        var at = _time.GetUtcNow();
        var addresses = new List<IPAddress>();
        var records = new List<DnsRecordData>();
        var minTtl = int.MaxValue;
        foreach (var response in new[] { a, aaaa })
        {
            if (response is null || response.HasError)
            {
                continue;
            }

            foreach (var record in response.Answers)
            {
                if (record is CNameRecord cname)
                {
                    var data = new DnsRecordData("CNAME", cname.CanonicalName.Value, cname.InitialTimeToLive);
                    if (!records.Contains(data))
                    {
                        records.Add(data);
                    }
                }

                IPAddress? address = record switch
                {
                    ARecord r when r.Address.AddressFamily == AddressFamily.InterNetwork => r.Address,
                    AaaaRecord r when r.Address.AddressFamily == AddressFamily.InterNetworkV6 => r.Address,
                    _ => null,
                };
                if (address is not null && !addresses.Contains(address))
                {
                    addresses.Add(address);
                    records.Add(new DnsRecordData(record is ARecord ? "A" : "AAAA", address.ToString(), record.InitialTimeToLive));
                    minTtl = Math.Min(minTtl, record.InitialTimeToLive);
                }
            }
        }

        // A server that never answered is still named: the time-out is evidence about it.
        var server = (a ?? aaaa)?.NameServer is { } ns ? FormatServer(ns) : _servers[0];
        if (addresses.Count > 0)
        {
            return new ResolvedHost(name, addresses, null, TimeSpan.FromSeconds(minTtl), server) { At = at, Records = records };
        }

        var error = aError ?? aaaaError ?? "NODATA";
        return new ResolvedHost(name, [], error, TimeSpan.Zero, server) { At = at, Records = records };
    }

    private async Task<(IDnsQueryResponse? Response, string? Error)> QueryOneAsync(string name, QueryType type)
    {
        try
        {
            var response = await _client.QueryAsync(name, type, QueryClass.IN, CancellationToken.None).ConfigureAwait(false);
            if (!response.HasError)
            {
                return (response, null);
            }

            return (response, response.Header.ResponseCode switch
            {
                DnsHeaderResponseCode.NotExistentDomain => "NXDOMAIN",
                DnsHeaderResponseCode.ServerFailure => "SERVFAIL",
                DnsHeaderResponseCode.Refused => "REFUSED",
                DnsHeaderResponseCode.FormatError => "FORMERR",
                DnsHeaderResponseCode.NotImplemented => "NOTIMP",
                var code => code.ToString().ToUpperInvariant(),
            });
        }
        catch (DnsResponseException ex) when (ex.Code == DnsResponseCode.ConnectionTimeout)
        {
            return (null, "timeout");
        }
        catch (DnsResponseException ex)
        {
            return (null, ex.DnsError ?? ex.Message);
        }
    }

    private static string FormatServer(NameServer ns) =>
        ns.Address is { } text && IPAddress.TryParse(text, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{text}]:{ns.Port.ToString(CultureInfo.InvariantCulture)}"
            : $"{ns.Address}:{ns.Port.ToString(CultureInfo.InvariantCulture)}";

    private TimeSpan Clamp(TimeSpan ttl) =>
        ttl < _options.MinCacheTtl ? _options.MinCacheTtl : ttl > _options.MaxCacheTtl ? _options.MaxCacheTtl : ttl;

    private void Trim(long now)
    {
        foreach (var (key, entry) in _cache)
        {
            if (entry.ExpiresAt <= now)
            {
                _cache.TryRemove(key, out _);
            }
        }

        if (_cache.Count >= _options.MaxCacheEntries)
        {
            _cache.Clear();
        }
    }

    private sealed record CacheEntry(ResolvedHost Result, long ExpiresAt);
}
