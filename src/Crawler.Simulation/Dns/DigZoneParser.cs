// Hand-written: ARSoft's Zone.ParseMasterFile builds an unordered record set, drops the closing SOA of a
// transfer and knows nothing of dig's trailer (";; XFR size: N records"). Replaying an AXFR exactly as
// ns2.kptc.kp sent it needs the records in transfer order, both SOAs and the declared size, and the A
// addresses rewritten onto loopback, so this small parser reads the dig output itself.
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Crawler.Simulation.Dns;

/// <summary>Result of parsing one `dig AXFR` output: records in transfer order (including both SOAs).</summary>
internal sealed record DigTransfer(IReadOnlyList<ZoneRecord> Records, int? DeclaredRecordCount, int SkippedRecordLines);

/// <summary>
/// Parses the output of `dig AXFR zone @server`: one record per line, `owner ttl class type rdata`, absolute names,
/// comment lines starting with ';'. Understands A, AAAA, NS, SOA, MX, TXT, CNAME, PTR and SRV of class IN; other types
/// and classes are skipped and counted. A and AAAA addresses are mapped with <see cref="LoopbackAddressMap"/>.
/// Master-file features dig never prints ($ORIGIN, $TTL, relative names, parentheses) are not supported.
/// </summary>
internal static partial class DigZoneParser
{
    public static DigTransfer Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var records = new List<ZoneRecord>();
        int? declared = null;
        var skipped = 0;

        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            var trimmed = line.TrimStart();
            if (trimmed.Length == 0 || trimmed.StartsWith('$'))
            {
                continue;
            }

            if (trimmed.StartsWith(';'))
            {
                var match = XfrSizeRegex().Match(trimmed);
                if (match.Success)
                {
                    declared = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
                }

                continue;
            }

            var record = ParseLine(line);
            if (record is null)
            {
                skipped++;
            }
            else
            {
                records.Add(record);
            }
        }

        return new DigTransfer(records, declared, skipped);
    }

    /// <summary>Parses one record line; null for unknown types, other classes or malformed data.</summary>
    public static ZoneRecord? ParseLine(string line)
    {
        var tokens = Tokenize(line);
        if (tokens.Count < 3)
        {
            return null;
        }

        var owner = DnsNames.Normalize(tokens[0]);
        var index = 1;
        int? ttl = null;
        var recordClass = "IN";
        for (var i = 0; i < 2 && index < tokens.Count; i++)
        {
            if (ttl is null && int.TryParse(tokens[index], NumberStyles.None, CultureInfo.InvariantCulture, out var parsedTtl))
            {
                ttl = parsedTtl;
                index++;
            }
            else if (IsClass(tokens[index]))
            {
                recordClass = tokens[index].ToUpperInvariant();
                index++;
            }
        }

        if (index >= tokens.Count || !string.Equals(recordClass, "IN", StringComparison.Ordinal))
        {
            return null;
        }

        var type = tokens[index].ToUpperInvariant();
        var data = tokens.Skip(index + 1).ToList();
        try
        {
            return Build(owner, ttl ?? 0, type, data);
        }
        catch (FormatException)
        {
            return null;
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static ZoneRecord? Build(string owner, int ttl, string type, List<string> data)
    {
        switch (type)
        {
            case "A" when data.Count == 1:
            {
                var address = IPAddress.Parse(data[0]);
                return address.AddressFamily == AddressFamily.InterNetwork
                    ? new AddressRr(owner, ttl, LoopbackAddressMap.Map(address))
                    : null;
            }

            case "AAAA" when data.Count == 1:
            {
                var address = IPAddress.Parse(data[0]);
                return address.AddressFamily == AddressFamily.InterNetworkV6
                    ? new AddressRr(owner, ttl, LoopbackAddressMap.Map(address))
                    : null;
            }

            case "NS" when data.Count == 1:
                return new NameRr(owner, ttl, RrType.NS, DnsNames.Normalize(data[0]));
            case "CNAME" when data.Count == 1:
                return new NameRr(owner, ttl, RrType.CNAME, DnsNames.Normalize(data[0]));
            case "PTR" when data.Count == 1:
                return new NameRr(owner, ttl, RrType.PTR, DnsNames.Normalize(data[0]));
            case "MX" when data.Count == 2:
                return new MxRr(owner, ttl, ParseUShort(data[0]), DnsNames.Normalize(data[1]));
            case "SRV" when data.Count == 4:
                return new SrvRr(owner, ttl, ParseUShort(data[0]), ParseUShort(data[1]), ParseUShort(data[2]), DnsNames.Normalize(data[3]));
            case "SOA" when data.Count == 7:
                return new SoaRr(
                    owner,
                    ttl,
                    DnsNames.Normalize(data[0]),
                    DnsNames.Normalize(data[1]),
                    uint.Parse(data[2], NumberStyles.None, CultureInfo.InvariantCulture),
                    ParseInt(data[3]),
                    ParseInt(data[4]),
                    ParseInt(data[5]),
                    ParseInt(data[6]));
            case "TXT" when data.Count >= 1:
                return new TxtRr(owner, ttl, data);
            default:
                return null;
        }
    }

    private static ushort ParseUShort(string s) => ushort.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture);

    private static int ParseInt(string s) => int.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture);

    private static bool IsClass(string token) =>
        token.Equals("IN", StringComparison.OrdinalIgnoreCase)
        || token.Equals("CH", StringComparison.OrdinalIgnoreCase)
        || token.Equals("HS", StringComparison.OrdinalIgnoreCase)
        || token.Equals("CS", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Splits on whitespace; a double-quoted string is one token (quotes removed, \" and \\ and \DDD unescaped);
    /// ';' outside quotes starts a comment.
    /// </summary>
    internal static List<string> Tokenize(string line)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < line.Length)
        {
            var c = line[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            if (c == ';')
            {
                break;
            }

            var token = new StringBuilder();
            if (c == '"')
            {
                i++;
                while (i < line.Length && line[i] != '"')
                {
                    if (line[i] == '\\' && i + 1 < line.Length)
                    {
                        if (i + 3 < line.Length && char.IsAsciiDigit(line[i + 1]) && char.IsAsciiDigit(line[i + 2]) && char.IsAsciiDigit(line[i + 3]))
                        {
                            token.Append((char)int.Parse(line.AsSpan(i + 1, 3), NumberStyles.None, CultureInfo.InvariantCulture));
                            i += 4;
                            continue;
                        }

                        token.Append(line[i + 1]);
                        i += 2;
                        continue;
                    }

                    token.Append(line[i]);
                    i++;
                }

                i++; // closing quote
                tokens.Add(token.ToString());
                continue;
            }

            while (i < line.Length && !char.IsWhiteSpace(line[i]) && line[i] != ';')
            {
                token.Append(line[i]);
                i++;
            }

            tokens.Add(token.ToString());
        }

        return tokens;
    }

    [GeneratedRegex(@"XFR size:\s*(\d+)\s+records", RegexOptions.CultureInvariant)]
    private static partial Regex XfrSizeRegex();
}
