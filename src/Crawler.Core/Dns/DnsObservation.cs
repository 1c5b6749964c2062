using System.Globalization;
using System.Text;

namespace Crawler.Core.Dns;

/// <summary>One resource record as observed: its type, its data in zone-file form, its TTL.</summary>
public sealed record DnsRecordData(string Type, string Value, int Ttl);

/// <summary>How a DNS question ended.</summary>
public static class DnsOutcome
{
    public const string NoError = "NOERROR";
    public const string NxDomain = "NXDOMAIN";
    public const string ServerFailure = "SERVFAIL";
    public const string Refused = "REFUSED";
    public const string Timeout = "TIMEOUT";
}

/// <summary>
/// What a name server said about a name at one moment: the evidence archivists keep (A, AAAA,
/// CNAME, NS, SOA, MX, TXT with TTLs), which server answered and how.
/// </summary>
public sealed record DnsObservation(string Name, DateTimeOffset At, string Server, string Outcome, IReadOnlyList<DnsRecordData> Records)
{
    public IEnumerable<string> Addresses => Records.Where(r => r.Type is "A" or "AAAA").Select(r => r.Value);

    public IEnumerable<string> NameServers => Records.Where(r => r.Type == "NS").Select(r => r.Value);

    /// <summary>The SOA serial, when an SOA was in the answer.</summary>
    public uint? SoaSerial
    {
        get
        {
            var soa = Records.FirstOrDefault(r => r.Type == "SOA")?.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return soa is { Length: >= 3 } && uint.TryParse(soa[2], NumberStyles.None, CultureInfo.InvariantCulture, out var serial) ? serial : null;
        }
    }

    /// <summary>The answer in zone-file form, as Heritrix writes <c>dns:</c> records (<c>text/dns</c>).</summary>
    public string ToZoneText()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"; {Outcome} from {Server} at {At.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}\n");
        foreach (var record in Records)
        {
            text.Append(CultureInfo.InvariantCulture, $"{Name.TrimEnd('.')}.\t{record.Ttl}\tIN\t{record.Type}\t{record.Value}\n");
        }

        return text.ToString();
    }
}

public enum DnsChangeKind
{
    AddressAdded,
    AddressRemoved,
    NameServersChanged,
    SerialChanged,

    /// <summary>NOERROR → NXDOMAIN, → TIMEOUT, → SERVFAIL, and back.</summary>
    OutcomeChanged,
}

/// <summary>A change between two observations of a name: an event of its DNS history.</summary>
public sealed record DnsChange(string Name, DnsChangeKind Kind, string? Before, string? After, DateTimeOffset At);

/// <summary>Turns consecutive observations of a name into the events a history shows.</summary>
public static class DnsHistory
{
    public static IReadOnlyList<DnsChange> Compare(DnsObservation? previous, DnsObservation current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var changes = new List<DnsChange>();
        if (previous is null)
        {
            return changes;
        }

        if (previous.Outcome != current.Outcome)
        {
            changes.Add(new DnsChange(current.Name, DnsChangeKind.OutcomeChanged, previous.Outcome, current.Outcome, current.At));
        }

        // Without an answer there is nothing to compare the data with: a time-out is not a
        // removal of every address.
        if (previous.Outcome != DnsOutcome.NoError || current.Outcome != DnsOutcome.NoError)
        {
            return changes;
        }

        var before = previous.Addresses.ToHashSet(StringComparer.Ordinal);
        var after = current.Addresses.ToHashSet(StringComparer.Ordinal);
        changes.AddRange(after.Except(before).Order(StringComparer.Ordinal).Select(a => new DnsChange(current.Name, DnsChangeKind.AddressAdded, null, a, current.At)));
        changes.AddRange(before.Except(after).Order(StringComparer.Ordinal).Select(a => new DnsChange(current.Name, DnsChangeKind.AddressRemoved, a, null, current.At)));

        var nsBefore = string.Join(" ", previous.NameServers.Order(StringComparer.Ordinal));
        var nsAfter = string.Join(" ", current.NameServers.Order(StringComparer.Ordinal));
        if (nsBefore != nsAfter)
        {
            changes.Add(new DnsChange(current.Name, DnsChangeKind.NameServersChanged, nsBefore, nsAfter, current.At));
        }

        if (previous.SoaSerial is { } s1 && current.SoaSerial is { } s2 && s1 != s2)
        {
            changes.Add(new DnsChange(current.Name, DnsChangeKind.SerialChanged, s1.ToString(CultureInfo.InvariantCulture), s2.ToString(CultureInfo.InvariantCulture), current.At));
        }

        return changes;
    }
}
