using System.Collections.Immutable;

namespace Crawler.Simulation.Dns;

/// <summary>An immutable zone: its SOA first, then the other records in transfer order.</summary>
internal sealed class ZoneData
{
    private readonly Dictionary<string, List<ZoneRecord>> _byOwner = new(StringComparer.Ordinal);
    private readonly HashSet<string> _existingNames = new(StringComparer.Ordinal);

    public ZoneData(string origin, IEnumerable<ZoneRecord> records)
    {
        Origin = DnsNames.Normalize(origin);
        var list = records.ToList();
        var soa = list.OfType<SoaRr>().FirstOrDefault(r => string.Equals(r.Name, Origin, StringComparison.Ordinal))
            ?? throw new ArgumentException($"zone {Origin} has no SOA record at its apex", nameof(records));
        Soa = soa;
        var ordered = new List<ZoneRecord>(list.Count) { soa };
        ordered.AddRange(list.Where(r => r is not SoaRr));
        Records = [.. ordered];

        foreach (var record in Records)
        {
            if (!DnsNames.IsEqualOrBelow(record.Name, Origin))
            {
                throw new ArgumentException($"record {record} is outside zone {Origin}", nameof(records));
            }

            if (!_byOwner.TryGetValue(record.Name, out var atName))
            {
                atName = [];
                _byOwner[record.Name] = atName;
            }

            atName.Add(record);
            for (var name = record.Name; name is not null && DnsNames.IsEqualOrBelow(name, Origin); name = DnsNames.Parent(name))
            {
                if (!_existingNames.Add(name))
                {
                    break;
                }
            }
        }
    }

    public string Origin { get; }

    public SoaRr Soa { get; }

    /// <summary>SOA first, then every other record (the content of an AXFR between the two SOAs).</summary>
    public ImmutableArray<ZoneRecord> Records { get; }

    public IReadOnlyList<ZoneRecord> At(string name) =>
        _byOwner.TryGetValue(name, out var records) ? records : [];

    /// <summary>True if the name owns records or is an empty non-terminal (some owner lies below it).</summary>
    public bool NameExists(string name) => _existingNames.Contains(name);

    public IEnumerable<string> Owners => _byOwner.Keys;

    public ZoneData WithRecords(IEnumerable<ZoneRecord> records) => new(Origin, records);

    /// <summary>The records of an AXFR: SOA, everything else, SOA.</summary>
    public IReadOnlyList<ZoneRecord> Transfer() => [.. Records, Soa];
}
