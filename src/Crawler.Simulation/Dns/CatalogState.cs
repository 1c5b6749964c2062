using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;

namespace Crawler.Simulation.Dns;

/// <summary>An immutable snapshot of all zones; <see cref="ZoneCatalog"/> swaps snapshots on every change.</summary>
internal sealed class CatalogState
{
    public const string ReverseZone = "127.in-addr.arpa";

    private readonly Lazy<ZoneData> _reverse;

    public CatalogState(ImmutableDictionary<string, ZoneData> zones, long version)
    {
        Zones = zones;
        Version = version;
        _reverse = new Lazy<ZoneData>(BuildReverseZone, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public ImmutableDictionary<string, ZoneData> Zones { get; }

    /// <summary>Incremented on every change; the serial of the generated reverse zone.</summary>
    public long Version { get; }

    public ZoneData Reverse => _reverse.Value;

    /// <summary>The closest enclosing zone (forward zones and the generated reverse zone), or null.</summary>
    public ZoneData? FindZone(string name)
    {
        if (DnsNames.IsEqualOrBelow(name, ReverseZone))
        {
            return Reverse;
        }

        for (var candidate = name; candidate is not null; candidate = DnsNames.Parent(candidate))
        {
            if (Zones.TryGetValue(candidate, out var zone))
            {
                return zone;
            }
        }

        return null;
    }

    public ZoneData? GetZone(string origin) =>
        string.Equals(origin, ReverseZone, StringComparison.Ordinal) ? Reverse : Zones.GetValueOrDefault(origin);

    /// <summary>Every (owner, address) pair of A/AAAA records in the forward zones, without duplicates (glue repeats owners).</summary>
    public IEnumerable<AddressRr> AllAddressRecords() =>
        Zones.Values
            .SelectMany(z => z.Records.OfType<AddressRr>())
            .DistinctBy(r => (r.Name, r.Address));

    /// <summary>Names that are the target of some NS record: name servers rather than sites.</summary>
    public HashSet<string> NameServerHosts() =>
        Zones.Values
            .SelectMany(z => z.Records.OfType<NameRr>())
            .Where(r => r.Type == RrType.NS)
            .Select(r => r.Target)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The distinct addresses of name-server hosts (A/AAAA records of NS targets, glue included), sorted.</summary>
    public IReadOnlyList<IPAddress> NameServerAddresses()
    {
        var nameServers = NameServerHosts();
        return [.. AllAddressRecords()
            .Where(r => nameServers.Contains(r.Name))
            .Select(r => r.Address)
            .Distinct()
            .OrderBy(a => a.AddressFamily)
            .ThenBy(a => a.GetAddressBytes(), Comparer<byte[]>.Create(static (x, y) => x.AsSpan().SequenceCompareTo(y)))];
    }

    public static string ReverseName(IPAddress address)
    {
        var b = address.GetAddressBytes();
        return $"{b[3]}.{b[2]}.{b[1]}.{b[0]}.in-addr.arpa";
    }

    private ZoneData BuildReverseZone()
    {
        const int ttl = 300;
        var soa = new SoaRr(ReverseZone, ttl, "ns2.kptc.kp", "root.kptc.kp", unchecked((uint)Version), 28800, 86400, 1209600, ttl);
        var records = new List<ZoneRecord> { soa, new NameRr(ReverseZone, ttl, RrType.NS, "ns2.kptc.kp") };
        var pointers = AllAddressRecords()
            .Where(r => r.Address.AddressFamily == AddressFamily.InterNetwork && r.Address.GetAddressBytes()[0] == 127)
            .Select(r => (Owner: ReverseName(r.Address), Bytes: r.Address.GetAddressBytes(), r.Name))
            .OrderBy(p => p.Bytes[1])
            .ThenBy(p => p.Bytes[2])
            .ThenBy(p => p.Bytes[3])
            .ThenBy(p => p.Name, StringComparer.Ordinal);
        foreach (var pointer in pointers)
        {
            records.Add(new NameRr(pointer.Owner, ttl, RrType.PTR, pointer.Name));
        }

        return new ZoneData(ReverseZone, records);
    }
}
