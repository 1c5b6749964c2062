using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;

namespace Crawler.Net.Discovery;

/// <summary>A name found by discovery, with the zone it was listed in, how it was found and the server that answered.</summary>
public sealed record DiscoveredName(string Name, string Zone, string How, string Server, DateTimeOffset At);

/// <summary>Why one server did not give a zone's transfer.</summary>
public enum ZoneTransferFailureKind
{
    /// <summary>The server answered REFUSED (transfers not allowed to us).</summary>
    Refused,

    /// <summary>No answer within <see cref="ZoneTransferOptions.Timeout"/>.</summary>
    TimedOut,

    /// <summary>NOTAUTH, no AA flag, or an answer that is not the zone (no SOA of the zone).</summary>
    NotAuthoritative,

    /// <summary>The connection was refused or the address could not be reached.</summary>
    Unreachable,

    /// <summary>A name server of the delegation had no glue and the configured servers gave no address for it.</summary>
    NoAddress,

    /// <summary>Any other DNS error (SERVFAIL, FORMERR, malformed answer...).</summary>
    Error,
}

/// <summary>One server that did not give a zone's transfer (refused, timed out, not authoritative...).</summary>
public sealed record ZoneTransferFailure(string Zone, string Server, ZoneTransferFailureKind Kind, string Error);

/// <summary>
/// What a discovery run found. <see cref="Failures"/> holds one entry per server that failed, also for zones that
/// another server then transferred; <see cref="TransferServers"/> says which server answered each transferred zone.
/// </summary>
public sealed record ZoneTransferResult(
    IReadOnlyList<DiscoveredName> Names,
    IReadOnlyList<string> TransferredZones,
    IReadOnlyList<ZoneTransferFailure> Failures,
    IReadOnlyDictionary<string, string> TransferServers);

public sealed record ZoneTransferOptions
{
    /// <summary>
    /// The configured name servers ("address" or "address:port", port 53 by default): the root zone is transferred
    /// from them, name servers without glue are resolved through them, and they are the fallback for delegated zones.
    /// </summary>
    public List<string> Servers { get; init; } = [];

    /// <summary>Time allowed to each server for one transfer or look-up.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Zones tried at most per run (a bound against hostile data).</summary>
    public int MaxZones { get; init; } = 500;

    /// <summary>
    /// Ask each delegated zone's own authoritative servers (the delegation's NS records, at their glue addresses or
    /// else resolved through <see cref="Servers"/>), in turn. When false every zone is asked of <see cref="Servers"/>.
    /// </summary>
    public bool UseZoneServers { get; init; } = true;

    /// <summary>The port used when connecting to a zone's own servers (53; tests point it at a simulated server).</summary>
    public int NameServerPort { get; init; } = 53;

    /// <summary>When all of a delegated zone's own servers fail, ask <see cref="Servers"/> for it.</summary>
    public bool FallbackToConfiguredServers { get; init; } = true;
}

/// <summary>
/// Discovers registered names the way the 2016 .kp leak happened: a zone transfer (AXFR) of a zone lists its
/// delegations, and each delegated zone is asked for its own transfer in turn, breadth first. Every delegation (an NS
/// record below the zone's apex) is a discovered name. The root zone is asked of the configured servers; each delegated
/// zone of its own servers (the delegation's NS, at the glue addresses from the parent's transfer, or resolved through
/// the configured servers with DnsClient, never the system resolver), each tried in turn, then, if allowed, of the
/// configured servers.
/// </summary>
public sealed class ZoneTransferDiscovery
{
    private readonly ZoneTransferOptions _options;
    private readonly TimeProvider _clock;
    private readonly IReadOnlyList<IPEndPoint> _servers;
    private readonly LookupClient _resolver;

    public ZoneTransferDiscovery(ZoneTransferOptions options, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.NameServerPort, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.NameServerPort, IPEndPoint.MaxPort, nameof(options));
        _options = options;
        _clock = clock ?? TimeProvider.System;
        _servers = options.Servers.Select(ParseServer).ToList();
        if (_servers.Count == 0)
        {
            throw new ArgumentException("ZoneTransferOptions.Servers is empty: name the servers to ask for zone transfers, e.g. 127.0.0.1:5353.", nameof(options));
        }

        _resolver = new LookupClient(new LookupClientOptions([.. _servers])
        {
            UseCache = false,
            Retries = 0,
            Timeout = options.Timeout,
            ThrowDnsErrors = false,
            ContinueOnDnsError = true,
            ContinueOnEmptyResponse = false,
        });
    }

    /// <summary>Transfers <paramref name="rootZone"/> and, breadth first, every zone delegated below it.</summary>
    public async Task<ZoneTransferResult> DiscoverAsync(string rootZone, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootZone);
        var names = new List<DiscoveredName>();
        var transferred = new List<string>();
        var transferServers = new Dictionary<string, string>(StringComparer.Ordinal);
        var failures = new List<ZoneTransferFailure>();
        var root = Normalize(rootZone);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { root };
        var queue = new Queue<(string Zone, IReadOnlyList<Delegation.NameServer>? NameServers)>([(root, null)]);
        var resolved = new Dictionary<string, (IReadOnlyList<IPAddress> Addresses, string Error)>(StringComparer.Ordinal);
        var tried = 0;
        while (queue.Count > 0 && tried < _options.MaxZones)
        {
            var (zone, nameServers) = queue.Dequeue();
            tried++;
            var transfer = await TransferAsync(zone, nameServers, resolved, failures, ct).ConfigureAwait(false);
            if (transfer is not { } answered)
            {
                continue;
            }

            transferred.Add(zone);
            transferServers[zone] = answered.Server;
            var now = _clock.GetUtcNow();
            foreach (var delegation in Delegation.Below(zone, answered.Records))
            {
                names.Add(new DiscoveredName(delegation.Zone, zone, "axfr", answered.Server, now));
                if (seen.Add(delegation.Zone))
                {
                    queue.Enqueue((delegation.Zone, delegation.NameServers));
                }
            }
        }

        return new ZoneTransferResult(names, transferred, failures, transferServers);
    }

    /// <summary>
    /// Whether <paramref name="name"/> has an address (an A or AAAA answer from the configured servers): discovery
    /// makes a site only of a name that can be fetched.
    /// </summary>
    public async Task<bool> HasAddressAsync(string name, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var (addresses, _) = await ResolveAsync(Normalize(name), ct).ConfigureAwait(false);
        return addresses.Count > 0;
    }

    /// <summary>
    /// The zone's records and the server that gave them: its own servers first (when it is a delegation and
    /// <see cref="ZoneTransferOptions.UseZoneServers"/>), then the configured ones if allowed. Each failure is recorded.
    /// </summary>
    private async Task<(IReadOnlyList<DnsResourceRecord> Records, string Server)?> TransferAsync(
        string zone,
        IReadOnlyList<Delegation.NameServer>? nameServers,
        Dictionary<string, (IReadOnlyList<IPAddress> Addresses, string Error)> resolved,
        List<ZoneTransferFailure> failures,
        CancellationToken ct)
    {
        var asked = new HashSet<IPEndPoint>();
        var askZoneServers = _options.UseZoneServers && nameServers is not null;
        if (askZoneServers)
        {
            foreach (var nameServer in nameServers!)
            {
                var addresses = nameServer.Glue;
                if (addresses.Count == 0)
                {
                    if (!resolved.TryGetValue(nameServer.Host, out var lookup))
                    {
                        lookup = await ResolveAsync(nameServer.Host, ct).ConfigureAwait(false);
                        resolved[nameServer.Host] = lookup;
                    }

                    var (found, error) = lookup;
                    if (found.Count == 0)
                    {
                        failures.Add(new ZoneTransferFailure(zone, nameServer.Host, ZoneTransferFailureKind.NoAddress,
                            $"no glue for {nameServer.Host}, and the configured servers gave no address for it: {error}"));
                        continue;
                    }

                    addresses = found;
                }

                foreach (var address in addresses)
                {
                    var answer = await TryAsync(zone, new IPEndPoint(address, _options.NameServerPort), asked, failures, ct).ConfigureAwait(false);
                    if (answer is not null)
                    {
                        return answer;
                    }
                }
            }
        }

        if (askZoneServers && !_options.FallbackToConfiguredServers)
        {
            return null;
        }

        foreach (var server in _servers)
        {
            var answer = await TryAsync(zone, server, asked, failures, ct).ConfigureAwait(false);
            if (answer is not null)
            {
                return answer;
            }
        }

        return null;
    }

    private async Task<(IReadOnlyList<DnsResourceRecord> Records, string Server)?> TryAsync(
        string zone, IPEndPoint server, HashSet<IPEndPoint> asked, List<ZoneTransferFailure> failures, CancellationToken ct)
    {
        if (!asked.Add(server))
        {
            return null; // already failed for this zone
        }

        var (records, kind, error) = await TransferFromAsync(zone, server, ct).ConfigureAwait(false);
        if (records is not null)
        {
            return (records, server.ToString());
        }

        failures.Add(new ZoneTransferFailure(zone, server.ToString(), kind, error));
        return null;
    }

    private async Task<(IReadOnlyList<DnsResourceRecord>? Records, ZoneTransferFailureKind Kind, string Error)> TransferFromAsync(
        string zone, IPEndPoint server, CancellationToken ct)
    {
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
                var kind = response.Header.ResponseCode switch
                {
                    DnsHeaderResponseCode.Refused => ZoneTransferFailureKind.Refused,
                    DnsHeaderResponseCode.NotAuthorized => ZoneTransferFailureKind.NotAuthoritative,
                    _ => ZoneTransferFailureKind.Error,
                };
                return (null, kind, response.ErrorMessage);
            }

            if (!response.Answers.SoaRecords().Any(soa => Normalize(soa.DomainName.Value) == zone))
            {
                return (null, ZoneTransferFailureKind.NotAuthoritative, $"the answer held no SOA of {zone}: not a zone transfer");
            }

            if (!response.Header.HasAuthorityAnswer)
            {
                return (null, ZoneTransferFailureKind.NotAuthoritative, "the transfer came without the AA flag: the server is not authoritative");
            }

            return (response.Answers, ZoneTransferFailureKind.Error, string.Empty);
        }
        catch (DnsResponseException ex)
        {
            return (null, Classify(ex), Describe(ex));
        }
        catch (SocketException ex)
        {
            return (null, ZoneTransferFailureKind.Unreachable, ex.Message);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            return (null, ZoneTransferFailureKind.TimedOut, ex.Message);
        }
    }

    private static ZoneTransferFailureKind Classify(DnsResponseException ex)
    {
        for (Exception? inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket && socket.SocketErrorCode is SocketError.ConnectionRefused
                    or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.AddressNotAvailable)
            {
                return ZoneTransferFailureKind.Unreachable;
            }
        }

        return ex.Code switch
        {
            DnsResponseCode.ConnectionTimeout => ZoneTransferFailureKind.TimedOut,
            DnsResponseCode.Refused => ZoneTransferFailureKind.Refused,
            DnsResponseCode.NotAuthorized => ZoneTransferFailureKind.NotAuthoritative,
            _ => ZoneTransferFailureKind.Error,
        };
    }

    /// <summary>DnsClient's message, with the innermost cause ("Connection refused") when it has one.</summary>
    private static string Describe(Exception ex)
    {
        var innermost = ex;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        return ReferenceEquals(innermost, ex) ? ex.Message : $"{ex.Message} ({innermost.Message})";
    }

    /// <summary>A name server's addresses (A then AAAA) from the configured servers (asked once per host and run).</summary>
    private async Task<(IReadOnlyList<IPAddress> Addresses, string Error)> ResolveAsync(string host, CancellationToken ct)
    {
        var addresses = new List<IPAddress>();
        var errors = new List<string>();
        foreach (var type in (QueryType[])[QueryType.A, QueryType.AAAA])
        {
            try
            {
                var response = await _resolver.QueryAsync(host, type, cancellationToken: ct).ConfigureAwait(false);
                if (response.HasError)
                {
                    errors.Add($"{type}: {response.ErrorMessage}");
                    continue;
                }

                addresses.AddRange(response.Answers.AddressRecords().Select(r => r.Address));
            }
            catch (DnsResponseException ex)
            {
                errors.Add($"{type}: {Describe(ex)}");
            }
        }

        return ([.. addresses.Distinct()], errors.Count == 0 ? "no A or AAAA record" : string.Join("; ", errors));
    }

    private static string Normalize(string name) => name.Trim().TrimEnd('.').ToLowerInvariant();

    private static IPEndPoint ParseServer(string server) =>
        IPEndPoint.TryParse(server, out var endpoint)
            ? endpoint.Port == 0 ? new IPEndPoint(endpoint.Address, 53) : endpoint
            : throw new FormatException($"'{server}' is not an address or address:port.");

    /// <summary>A zone delegated in a transfer: its NS hosts in transfer order, each with the glue the transfer gave.</summary>
    internal sealed record Delegation(string Zone, IReadOnlyList<Delegation.NameServer> NameServers)
    {
        internal sealed record NameServer(string Host, IReadOnlyList<IPAddress> Glue);

        /// <summary>Every delegation below <paramref name="zone"/> in its transfer, in order of first appearance.</summary>
        public static IReadOnlyList<Delegation> Below(string zone, IReadOnlyList<DnsResourceRecord> records)
        {
            var glue = records.AddressRecords()
                .GroupBy(r => Normalize(r.DomainName.Value), StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => (IReadOnlyList<IPAddress>)[.. g.Select(r => r.Address).Distinct()], StringComparer.Ordinal);
            return [.. records.OfType<NsRecord>()
                .Select(ns => (Owner: Normalize(ns.DomainName.Value), Host: Normalize(ns.NSDName.Value)))
                .Where(ns => ns.Owner != zone && ns.Owner.EndsWith("." + zone, StringComparison.Ordinal))
                .GroupBy(ns => ns.Owner, StringComparer.Ordinal)
                .Select(g => new Delegation(g.Key, [.. g
                    .Select(ns => ns.Host)
                    .Distinct(StringComparer.Ordinal)
                    .Select(host => new NameServer(host, glue.GetValueOrDefault(host) ?? []))]))];
        }
    }
}
