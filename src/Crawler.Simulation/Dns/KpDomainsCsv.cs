// Hand-written: datasets/kp/kp-domains.csv is not RFC 4180 (bare double quotes inside unquoted fields, e.g.
// `ZHAW UrlTester "very slow sites"`), so a CSV library would mis-split it. Fields never contain commas except the
// last one (notes) may, so the line is split on the first four commas. The notes column is free text; only the few
// record shapes it uses are recognised (MX host, TXT "...", SPF ip4:..., "<name> A <ipv4>").
using System.Net;
using System.Text.RegularExpressions;

namespace Crawler.Simulation.Dns;

/// <summary>One row of kp-domains.csv.</summary>
internal sealed record KpDomainRow(string Domain, string In2016Axfr, IReadOnlyList<IPAddress> ARecords2016, string OtherSources, string Notes)
{
    public bool InAxfr2016 => string.Equals(In2016Axfr, "yes", StringComparison.OrdinalIgnoreCase);
}

internal static partial class KpDomainsCsv
{
    /// <summary>TTL given to records reconstructed from the csv (the ANY answers' TTLs are not in the data set).</summary>
    public const int ReconstructedTtl = 3600;

    /// <summary>MX preference for reconstructed MX records (not in the data set).</summary>
    public const ushort ReconstructedMxPreference = 10;

    public static IReadOnlyList<KpDomainRow> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rows = new List<KpDomainRow>();
        var first = true;
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (line.Trim().Length == 0)
            {
                continue;
            }

            if (first)
            {
                first = false; // header
                continue;
            }

            var fields = line.Split(',', 5);
            if (fields.Length < 2)
            {
                continue;
            }

            string Field(int i) => i < fields.Length ? fields[i].Trim() : string.Empty;
            var addresses = Field(2)
                .Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(IPAddress.Parse)
                .ToList();
            rows.Add(new KpDomainRow(DnsNames.Normalize(Field(0)), Field(1), addresses, Field(3), Field(4)));
        }

        return rows;
    }

    /// <summary>
    /// Records the csv adds for one 2016 domain: its A records (mapped to loopback) and what the notes state as record data.
    /// SPF notes become TXT "v=spf1 ip4:..." (reconstructed; the original strings are not in the data set, except the
    /// airkoryo TXT which the notes quote with its typo). TXT text is kept verbatim (addresses inside are not mapped).
    /// Notes about NS and PTR are not turned into records: the NS are in the zones and PTRs are generated from A records.
    /// </summary>
    public static IReadOnlyList<ZoneRecord> RecordsFor(KpDomainRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var records = new List<ZoneRecord>();
        foreach (var address in row.ARecords2016)
        {
            records.Add(new AddressRr(row.Domain, ReconstructedTtl, LoopbackAddressMap.Map(address)));
        }

        foreach (var segment in row.Notes.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var mx = MxNoteRegex().Match(segment);
            if (mx.Success)
            {
                records.Add(new MxRr(row.Domain, ReconstructedTtl, ReconstructedMxPreference, DnsNames.Normalize(mx.Groups[1].Value)));
                continue;
            }

            var txt = TxtNoteRegex().Match(segment);
            if (txt.Success)
            {
                records.Add(new TxtRr(row.Domain, ReconstructedTtl, [txt.Groups[1].Value]));
                continue;
            }

            var spf = SpfNoteRegex().Match(segment);
            if (spf.Success)
            {
                records.Add(new TxtRr(row.Domain, ReconstructedTtl, ["v=spf1 " + spf.Groups[1].Value.Trim()]));
                continue;
            }

            var host = HostANoteRegex().Match(segment);
            if (host.Success)
            {
                var name = DnsNames.Normalize(host.Groups[1].Value);
                if (DnsNames.IsEqualOrBelow(name, row.Domain) && IPAddress.TryParse(host.Groups[2].Value, out var address))
                {
                    records.Add(new AddressRr(name, ReconstructedTtl, LoopbackAddressMap.Map(address)));
                }
            }
        }

        return records;
    }

    [GeneratedRegex(@"^MX\s+(\S+)$", RegexOptions.CultureInvariant)]
    private static partial Regex MxNoteRegex();

    [GeneratedRegex("^TXT\\b[^\"]*\"([^\"]*)\"", RegexOptions.CultureInvariant)]
    private static partial Regex TxtNoteRegex();

    [GeneratedRegex(@"^SPF\s+(.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex SpfNoteRegex();

    [GeneratedRegex(@"(\S+)\s+A\s+(\d{1,3}(?:\.\d{1,3}){3})$", RegexOptions.CultureInvariant)]
    private static partial Regex HostANoteRegex();
}
