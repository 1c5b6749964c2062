using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace Crawler.Net.Discovery;

/// <summary>A name found by discovery, with the zone it was listed in and how it was found.</summary>
public sealed record DiscoveredName(string Name, string Zone, string How, string Server, DateTimeOffset At);

/// <summary>A zone whose transfer failed (refused, timed out, not authoritative).</summary>
public sealed record ZoneTransferFailure(string Zone, string Server, string Error);

public sealed record ZoneTransferResult(
    IReadOnlyList<DiscoveredName> Names,
    IReadOnlyList<string> TransferredZones,
    IReadOnlyList<ZoneTransferFailure> Failures);

public sealed record ZoneTransferOptions
{
    /// <summary>Name servers to ask for transfers ("address:port"); the zone's own servers come with the DNS issue's resolver.</summary>
    public List<string> Servers { get; init; } = [];

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Zones transferred at most per run (a bound against hostile data).</summary>
    public int MaxZones { get; init; } = 500;
}

/// <summary>
/// Discovers registered names the way the 2016 .kp leak happened: a zone transfer (AXFR) of a
/// zone lists its delegations, and each delegated zone is asked for its own transfer in turn.
/// Every delegation (an NS record below the zone's apex) is a discovered name.
/// </summary>
public sealed class ZoneTransferDiscovery
{
    private readonly ZoneTransferOptions _options;
    private readonly TimeProvider _clock;
    private readonly IReadOnlyList<IPEndPoint> _servers;

    public ZoneTransferDiscovery(ZoneTransferOptions options, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _clock = clock ?? TimeProvider.System;
        _servers = options.Servers.Select(ParseServer).ToList();
        if (_servers.Count == 0)
        {
            throw new ArgumentException("ZoneTransferOptions.Servers is empty: name the servers to ask for zone transfers, e.g. 127.0.0.1:5353.", nameof(options));
        }
    }

    /// <summary>Transfers <paramref name="rootZone"/> and, breadth first, every zone delegated below it.</summary>
    public async Task<ZoneTransferResult> DiscoverAsync(string rootZone, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootZone);
        var names = new List<DiscoveredName>();
        var transferred = new List<string>();
        var failures = new List<ZoneTransferFailure>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { Normalize(rootZone) };
        var queue = new Queue<string>([Normalize(rootZone)]);
        while (queue.Count > 0 && transferred.Count + failures.Count < _options.MaxZones)
        {
            var zone = queue.Dequeue();
            var (records, server, error) = await TransferAsync(zone, ct).ConfigureAwait(false);
            if (records is null)
            {
                failures.Add(new ZoneTransferFailure(zone, server, error ?? "no answer"));
                continue;
            }

            transferred.Add(zone);
            var now = _clock.GetUtcNow();
            foreach (var delegated in records.OfType<NsRecord>()
                         .Select(ns => Normalize(ns.DomainName.Value))
                         .Where(owner => owner != zone && owner.EndsWith("." + zone, StringComparison.OrdinalIgnoreCase))
                         .Distinct(StringComparer.OrdinalIgnoreCase))
            {
                names.Add(new DiscoveredName(delegated, zone, "axfr", server, now));
                if (seen.Add(delegated))
                {
                    queue.Enqueue(delegated);
                }
            }
        }

        return new ZoneTransferResult(names, transferred, failures);
    }

    private async Task<(IReadOnlyList<DnsResourceRecord>? Records, string Server, string? Error)> TransferAsync(string zone, CancellationToken ct)
    {
        string? lastError = null;
        var lastServer = string.Empty;
        foreach (var server in _servers)
        {
            lastServer = server.ToString();
            var client = new LookupClient(new LookupClientOptions(server)
            {
                UseTcpOnly = true, // AXFR is a TCP exchange
                UseCache = false,
                Retries = 0,
                Timeout = _options.Timeout,
                ThrowDnsErrors = false,
                ContinueOnDnsError = false,
            });
            try
            {
                var response = await client.QueryAsync(zone, QueryType.AXFR, cancellationToken: ct).ConfigureAwait(false);
                if (response.HasError)
                {
                    lastError = response.ErrorMessage;
                    continue;
                }

                if (response.Answers.SoaRecords().Any())
                {
                    return (response.Answers, lastServer, null);
                }

                lastError = "the answer held no SOA: not a zone transfer";
            }
            catch (DnsResponseException ex)
            {
                lastError = ex.Message;
            }
        }

        return (null, lastServer, lastError);
    }

    private static string Normalize(string name) => name.Trim().TrimEnd('.').ToLowerInvariant();

    private static IPEndPoint ParseServer(string server) =>
        IPEndPoint.TryParse(server, out var endpoint)
            ? endpoint.Port == 0 ? new IPEndPoint(endpoint.Address, 53) : endpoint
            : throw new FormatException($"'{server}' is not an address or address:port.");
}
