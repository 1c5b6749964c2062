using System.Collections.Concurrent;

namespace Crawler.Simulation.Dns;

/// <summary>
/// Settings of a <see cref="SimulatedDnsServer"/>. The server keeps a reference to this instance, so
/// <see cref="AllowAxfr"/>, <see cref="Silent"/> and the silenced zones can be changed while it runs (thread-safe).
/// </summary>
public sealed class SimulatedDnsOptions
{
    private readonly ConcurrentDictionary<string, byte> _silencedZones = new(StringComparer.Ordinal);
    private volatile bool _allowAxfr = true;
    private volatile bool _silent;

    /// <summary>Port on 127.0.0.1 for both UDP and TCP; 0 picks a port that is free for both.</summary>
    public int Port { get; init; }

    /// <summary>
    /// When true the server also listens (UDP and TCP, on the same port) on every name-server glue address of its zones
    /// as they are at start (A/AAAA records of NS targets, e.g. ns1.co.kp at 127.45.176.15), so a client can ask each
    /// zone's own servers. Binding any 127/8 address needs no configuration on Linux. Default false: 127.0.0.1 only.
    /// </summary>
    public bool ListenOnNameServerAddresses { get; init; }

    /// <summary>Whether AXFR over TCP is answered (as ns2.kptc.kp did in 2016); otherwise REFUSED.</summary>
    public bool AllowAxfr
    {
        get => _allowAxfr;
        set => _allowAxfr = value;
    }

    /// <summary>When true every query is dropped without an answer (clients time out). Queries are still counted.</summary>
    public bool Silent
    {
        get => _silent;
        set => _silent = value;
    }

    /// <summary>The silenced zone names (normalised).</summary>
    public IReadOnlyCollection<string> SilencedZones => [.. _silencedZones.Keys];

    /// <summary>Drops queries for <paramref name="zone"/> and every name below it (e.g. "kp" silences all of .kp).</summary>
    public void SilenceZone(string zone) => _silencedZones[DnsNames.Normalize(zone)] = 0;

    public void UnsilenceZone(string zone) => _silencedZones.TryRemove(DnsNames.Normalize(zone), out _);

    /// <summary>True if queries for <paramref name="name"/> are currently dropped (globally or by a silenced zone).</summary>
    public bool IsSilenced(string name)
    {
        if (_silent)
        {
            return true;
        }

        if (_silencedZones.IsEmpty)
        {
            return false;
        }

        var normalized = DnsNames.Normalize(name);
        return _silencedZones.Keys.Any(zone => DnsNames.IsEqualOrBelow(normalized, zone));
    }
}
