using System.Collections.Immutable;
using System.Net;
using System.Reflection;
using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Crawler.Simulation.Tests")]

namespace Crawler.Simulation.Dns;

/// <summary>An (owner name, address) pair of an A or AAAA record.</summary>
public sealed record HostAddress(string Name, IPAddress Address);

/// <summary>
/// The zones the simulated .kp name server is authoritative for. <see cref="Load2016"/> replays the 2016 leak:
/// the eight zones transferred from ns2.kptc.kp (kp, co.kp, com.kp, edu.kp, gov.kp, net.kp, org.kp, rep.kp) exactly
/// as dig printed them, plus one zone per domain delegated from them (kcna.kp, airkoryo.com.kp, ...) built from the
/// delegation's NS and glue and the 2016 A/MX/TXT data in kp-domains.csv. Every address is mapped onto loopback
/// (<see cref="LoopbackAddressMap"/>), including those given to the mutators. Names are case-insensitive and may
/// carry a trailing dot. All members are thread-safe; readers see a consistent snapshot, and changes are visible to a
/// running <see cref="SimulatedDnsServer"/> at its next query. Mutators do not change SOA serials
/// (use <see cref="SetSoaSerial"/>). PTR records under <see cref="ReverseZoneName"/> are generated from all A records
/// in 127.0.0.0/8 and follow every change.
/// </summary>
public sealed class ZoneCatalog
{
    /// <summary>The generated reverse zone for the loopback-mapped addresses.</summary>
    public const string ReverseZoneName = CatalogState.ReverseZone;

    /// <summary>TTL used by <see cref="SetAddresses"/> for a name that has no address records yet.</summary>
    public const int DefaultHostTtl = 300;

    private const string ResourcePrefix = "Crawler.Simulation.Data.";

    private readonly Lock _gate = new();
    private readonly IReadOnlyList<string> _registeredDomains;
    private volatile CatalogState _state;

    private ZoneCatalog(ImmutableDictionary<string, ZoneData> zones, IReadOnlyList<string> registeredDomains)
    {
        _state = new CatalogState(zones, 1);
        _registeredDomains = registeredDomains;
    }

    /// <summary>The forward zones currently served, sorted by name (the reverse zone is <see cref="ReverseZoneName"/>).</summary>
    public IReadOnlyList<string> ZoneNames => [.. _state.Zones.Keys.Order(StringComparer.Ordinal)];

    internal CatalogState State => _state;

    /// <summary>An empty catalog: every name is outside its zones until <see cref="AddHost"/> creates one.</summary>
    public static ZoneCatalog CreateEmpty() => new(ImmutableDictionary.Create<string, ZoneData>(StringComparer.Ordinal), []);

    /// <summary>The 2016 .kp zones from the embedded AXFR output and kp-domains.csv.</summary>
    public static ZoneCatalog Load2016()
    {
        var assembly = typeof(ZoneCatalog).Assembly;
        var zoneResources = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix + "dns-leak-2016.", StringComparison.Ordinal) && n.EndsWith(".zone", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (zoneResources.Count == 0)
        {
            throw new InvalidOperationException("no embedded zone files found");
        }

        var transfers = zoneResources.Select(n => DigZoneParser.Parse(ReadResource(assembly, n))).ToList();
        var rows = KpDomainsCsv.Parse(ReadResource(assembly, ResourcePrefix + "kp-domains.csv"));
        return Build(transfers, rows);
    }

    internal static ZoneCatalog Build(IReadOnlyList<DigTransfer> transfers, IReadOnlyList<KpDomainRow> rows)
    {
        var zones = ImmutableDictionary.CreateBuilder<string, ZoneData>(StringComparer.Ordinal);
        foreach (var transfer in transfers)
        {
            var records = transfer.Records.ToList();
            var soa = records.OfType<SoaRr>().First();
            if (records.Count > 1 && records[^1] is SoaRr)
            {
                records.RemoveAt(records.Count - 1); // the closing SOA of the transfer
            }

            zones[soa.Name] = new ZoneData(soa.Name, records);
        }

        var leaked = zones.ToImmutable();
        var registered = DeriveRegisteredDomains(leaked);

        foreach (var row in rows.Where(r => r.InAxfr2016))
        {
            var extra = KpDomainsCsv.RecordsFor(row);
            if (zones.TryGetValue(row.Domain, out var own))
            {
                zones[row.Domain] = own.WithRecords(own.Records.Concat(extra));
                continue;
            }

            var parent = FindEnclosing(leaked, row.Domain);
            zones[row.Domain] = parent is null
                ? NewZone(row.Domain, extra)
                : ChildZone(parent, row.Domain, extra);
        }

        return new ZoneCatalog(zones.ToImmutable(), registered);
    }

    /// <summary>
    /// The domains registered under .kp in the 2016 transfer: every owner name in the transferred zones except
    /// infrastructure, that is the zone apexes themselves (kp, co.kp, ..., rep.kp) and name-server hosts (targets of NS
    /// records, e.g. ns1.kcna.kp). Computed from the 2016 data at load time; unaffected by the mutators.
    /// </summary>
    public IReadOnlyList<string> RegisteredDomains() => _registeredDomains;

    /// <summary>
    /// The addresses a query for <paramref name="name"/> returns (A then AAAA, following CNAMEs); empty if none.
    /// </summary>
    public IReadOnlyList<IPAddress> GetAddresses(string name)
    {
        var state = _state;
        return [.. new[] { RrType.A, RrType.AAAA }
            .SelectMany(t => ZoneResolver.Resolve(state, name, (ushort)t).Answer)
            .OfType<AddressRr>()
            .Select(r => r.Address)
            .Distinct()];
    }

    /// <summary>
    /// All A/AAAA owner/address pairs of the forward zones except name-server hosts (targets of NS records),
    /// sorted by name: the web hosts the simulated HTTP sites should listen for.
    /// </summary>
    public IReadOnlyList<HostAddress> HostAddresses()
    {
        var state = _state;
        var nameServers = state.NameServerHosts();
        return [.. state.AllAddressRecords()
            .Where(r => !nameServers.Contains(r.Name))
            .OrderBy(r => r.Name, StringComparer.Ordinal)
            .ThenBy(r => r.Address.ToString(), StringComparer.Ordinal)
            .Select(r => new HostAddress(r.Name, r.Address))];
    }

    /// <summary>The SOA serial of a zone (forward zones or <see cref="ReverseZoneName"/>).</summary>
    public uint GetSoaSerial(string zone) =>
        (_state.GetZone(DnsNames.Normalize(zone)) ?? throw new ArgumentException($"no zone {zone}", nameof(zone))).Soa.Serial;

    /// <summary>
    /// Replaces the A/AAAA records of <paramref name="name"/> with <paramref name="addresses"/> (mapped to loopback),
    /// keeping the TTL of the existing address records (else <see cref="DefaultHostTtl"/>). No addresses removes them.
    /// A name outside every zone gets a new zone as in <see cref="AddHost"/>.
    /// </summary>
    public void SetAddresses(string name, params IPAddress[] addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var owner = CheckedName(name);
        lock (_gate)
        {
            var state = _state;
            var zone = ZoneFor(state, owner, out var zones);
            var existing = zone.At(owner).OfType<AddressRr>().ToList();
            var ttl = existing.Count > 0 ? existing[0].Ttl : DefaultHostTtl;
            var kept = zone.Records.Where(r => !(r is AddressRr && string.Equals(r.Name, owner, StringComparison.Ordinal)));
            var added = addresses.Select(LoopbackAddressMap.Map).Distinct().Select(a => new AddressRr(owner, ttl, a));
            Publish(zones.SetItem(zone.Origin, zone.WithRecords(kept.Concat(added))), state);
        }
    }

    /// <summary>
    /// Adds an A (or AAAA) record, mapped to loopback, in the closest enclosing zone (e.g. site07.sim.kp goes into kp).
    /// Outside every zone a new zone is created: the name's parent if the name has three or more labels, else the name
    /// itself, with SOA "ns2.kptc.kp. root.kptc.kp. 1" and NS ns2.kptc.kp. Adding an existing address is a no-op.
    /// </summary>
    /// <param name="mapToLoopback">False serves <paramref name="address"/> as given: for tests of what the crawler
    /// does with an answer it must not connect to (10.0.0.5) or one routed to loopback by a connect-to rule.</param>
    public void AddHost(string name, IPAddress address, int ttl = 300, bool mapToLoopback = true)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfNegative(ttl);
        var owner = CheckedName(name);
        var mapped = mapToLoopback ? LoopbackAddressMap.Map(address) : address;
        lock (_gate)
        {
            var state = _state;
            var zone = ZoneFor(state, owner, out var zones);
            if (zone.At(owner).OfType<AddressRr>().Any(r => r.Address.Equals(mapped)))
            {
                if (!ReferenceEquals(zones, state.Zones))
                {
                    Publish(zones, state);
                }

                return;
            }

            Publish(zones.SetItem(zone.Origin, zone.WithRecords([.. zone.Records, new AddressRr(owner, ttl, mapped)])), state);
        }
    }

    /// <summary>Makes <paramref name="name"/> a CNAME for <paramref name="target"/>, replacing any records it had.</summary>
    public void AddCname(string name, string target, int ttl = 300)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ttl);
        var owner = CheckedName(name);
        var canonical = CheckedName(target);
        lock (_gate)
        {
            var state = _state;
            var zone = ZoneFor(state, owner, out var zones);
            if (string.Equals(owner, zone.Origin, StringComparison.Ordinal))
            {
                throw new ArgumentException("a zone apex cannot be a CNAME", nameof(name));
            }

            var kept = zone.Records.Where(r => !string.Equals(r.Name, owner, StringComparison.Ordinal));
            Publish(zones.SetItem(zone.Origin, zone.WithRecords([.. kept, new NameRr(owner, ttl, RrType.CNAME, canonical)])), state);
        }
    }

    /// <summary>Sets the SOA serial of a forward zone (<see cref="ArgumentException"/> if there is no such zone).</summary>
    public void SetSoaSerial(string zone, uint serial)
    {
        var origin = CheckedName(zone);
        lock (_gate)
        {
            var state = _state;
            if (!state.Zones.TryGetValue(origin, out var data))
            {
                throw new ArgumentException($"no zone {zone}", nameof(zone));
            }

            var soa = data.Soa with { Serial = serial };
            Publish(state.Zones.SetItem(origin, data.WithRecords(data.Records.Select(r => r is SoaRr ? soa : r))), state);
        }
    }

    /// <summary>
    /// Removes <paramref name="name"/> and everything below it: zones at or below it disappear (with their delegation
    /// and glue in the parent), and records owned by it or its subdomains are removed from other zones. Queries then get
    /// NXDOMAIN from the enclosing zone. Returns false if nothing was removed.
    /// </summary>
    public bool Remove(string name)
    {
        var target = CheckedName(name);
        lock (_gate)
        {
            var state = _state;
            var zones = state.Zones;
            var changed = false;
            foreach (var (origin, zone) in state.Zones)
            {
                if (DnsNames.IsEqualOrBelow(origin, target))
                {
                    zones = zones.Remove(origin);
                    changed = true;
                    continue;
                }

                if (zone.Records.Any(r => DnsNames.IsEqualOrBelow(r.Name, target)))
                {
                    zones = zones.SetItem(origin, zone.WithRecords(zone.Records.Where(r => !DnsNames.IsEqualOrBelow(r.Name, target))));
                    changed = true;
                }
            }

            if (changed)
            {
                Publish(zones, state);
            }

            return changed;
        }
    }

    private static string CheckedName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var normalized = DnsNames.Normalize(name);
        if (normalized.Length == 0 || normalized.Contains("..", StringComparison.Ordinal) || normalized.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"not a domain name: '{name}'", nameof(name));
        }

        return normalized;
    }

    /// <summary>The zone a new record at <paramref name="owner"/> belongs to, creating one if none encloses it.</summary>
    private static ZoneData ZoneFor(CatalogState state, string owner, out ImmutableDictionary<string, ZoneData> zones)
    {
        zones = state.Zones;
        var existing = FindEnclosing(zones, owner);
        if (existing is not null)
        {
            return existing;
        }

        var origin = DnsNames.LabelCount(owner) >= 3 ? DnsNames.Parent(owner)! : owner;
        var created = NewZone(origin, []);
        zones = zones.SetItem(origin, created);
        return created;
    }

    private static ZoneData? FindEnclosing(IReadOnlyDictionary<string, ZoneData> zones, string name)
    {
        for (var candidate = name; candidate is not null; candidate = DnsNames.Parent(candidate))
        {
            if (zones.TryGetValue(candidate, out var zone))
            {
                return zone;
            }
        }

        return null;
    }

    private static ZoneData NewZone(string origin, IEnumerable<ZoneRecord> records)
    {
        const int ttl = 3600;
        var soa = new SoaRr(origin, ttl, "ns2.kptc.kp", "root.kptc.kp", 1, 28800, 86400, 1209600, 300);
        return new ZoneData(origin, [soa, new NameRr(origin, ttl, RrType.NS, "ns2.kptc.kp"), .. records]);
    }

    /// <summary>
    /// A zone for a domain delegated from <paramref name="parent"/>: its SOA follows the parent's pattern
    /// ("ns1.&lt;zone&gt;. root.&lt;zone&gt;.", the parent's serial and timers), its NS and glue are copied from the delegation.
    /// </summary>
    private static ZoneData ChildZone(ZoneData parent, string origin, IEnumerable<ZoneRecord> extra)
    {
        var p = parent.Soa;
        var soa = new SoaRr(origin, p.Ttl, "ns1." + origin, "root." + origin, p.Serial, p.Refresh, p.Retry, p.Expire, p.Minimum);
        var delegation = parent.Records.Where(r => r.Type == RrType.NS && string.Equals(r.Name, origin, StringComparison.Ordinal)).ToList();
        var glue = parent.Records.OfType<AddressRr>().Where(r => DnsNames.IsEqualOrBelow(r.Name, origin));
        var nameServers = delegation.Count > 0 ? delegation : [new NameRr(origin, p.Ttl, RrType.NS, "ns1." + origin)];
        return new ZoneData(origin, [soa, .. nameServers, .. glue, .. extra]);
    }

    private static IReadOnlyList<string> DeriveRegisteredDomains(IReadOnlyDictionary<string, ZoneData> leaked)
    {
        var nameServers = leaked.Values
            .SelectMany(z => z.Records.OfType<NameRr>())
            .Where(r => r.Type == RrType.NS)
            .Select(r => r.Target)
            .ToHashSet(StringComparer.Ordinal);
        return [.. leaked.Values
            .SelectMany(z => z.Owners)
            .Where(owner => !leaked.ContainsKey(owner) && !nameServers.Contains(owner))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>The text of the embedded kp-domains.csv.</summary>
    internal static string ReadEmbeddedKpDomains() => ReadResource(typeof(ZoneCatalog).Assembly, ResourcePrefix + "kp-domains.csv");

    private static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource {name} not found");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private void Publish(ImmutableDictionary<string, ZoneData> zones, CatalogState previous) =>
        _state = new CatalogState(zones, previous.Version + 1);
}
