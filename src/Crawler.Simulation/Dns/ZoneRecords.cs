using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Crawler.Simulation.Dns;

/// <summary>Resource record types this simulation understands (values are the DNS type codes).</summary>
internal enum RrType : ushort
{
    A = 1,
    NS = 2,
    CNAME = 5,
    SOA = 6,
    PTR = 12,
    MX = 15,
    TXT = 16,
    AAAA = 28,
    SRV = 33,
}

/// <summary>One resource record of class IN. Owner names are normalised (see <see cref="DnsNames"/>).</summary>
internal abstract record ZoneRecord(string Name, int Ttl)
{
    public abstract RrType Type { get; }

    /// <summary>Presentation form of the record data, zone-file style (names absolute with trailing dot).</summary>
    public abstract string DataText { get; }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{DnsNames.Absolute(Name)} {Ttl} IN {Type} {DataText}");
}

internal sealed record AddressRr(string Name, int Ttl, IPAddress Address) : ZoneRecord(Name, Ttl)
{
    public override RrType Type => Address.AddressFamily == AddressFamily.InterNetworkV6 ? RrType.AAAA : RrType.A;

    public override string DataText => Address.ToString();
}

/// <summary>NS, CNAME or PTR: record data is one domain name.</summary>
internal sealed record NameRr(string Name, int Ttl, RrType Kind, string Target) : ZoneRecord(Name, Ttl)
{
    public override RrType Type => Kind;

    public override string DataText => DnsNames.Absolute(Target);
}

internal sealed record SoaRr(
    string Name,
    int Ttl,
    string PrimaryNameServer,
    string ResponsibleMailbox,
    uint Serial,
    int Refresh,
    int Retry,
    int Expire,
    int Minimum) : ZoneRecord(Name, Ttl)
{
    public override RrType Type => RrType.SOA;

    public override string DataText => string.Create(
        CultureInfo.InvariantCulture,
        $"{DnsNames.Absolute(PrimaryNameServer)} {DnsNames.Absolute(ResponsibleMailbox)} {Serial} {Refresh} {Retry} {Expire} {Minimum}");
}

internal sealed record MxRr(string Name, int Ttl, ushort Preference, string Exchange) : ZoneRecord(Name, Ttl)
{
    public override RrType Type => RrType.MX;

    public override string DataText => string.Create(CultureInfo.InvariantCulture, $"{Preference} {DnsNames.Absolute(Exchange)}");
}

internal sealed record TxtRr(string Name, int Ttl, IReadOnlyList<string> Texts) : ZoneRecord(Name, Ttl)
{
    public override RrType Type => RrType.TXT;

    public override string DataText =>
        string.Join(' ', Texts.Select(t => "\"" + t.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\""));
}

internal sealed record SrvRr(string Name, int Ttl, ushort Priority, ushort Weight, ushort Port, string Target) : ZoneRecord(Name, Ttl)
{
    public override RrType Type => RrType.SRV;

    public override string DataText =>
        string.Create(CultureInfo.InvariantCulture, $"{Priority} {Weight} {Port} {DnsNames.Absolute(Target)}");
}
