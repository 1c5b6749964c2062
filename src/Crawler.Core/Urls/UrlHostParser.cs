using System.Globalization;
using System.Text;

namespace Crawler.Core.Urls;

/// <summary>
/// The WHATWG host parser (https://url.spec.whatwg.org/#host-parsing): IPv6, IPv4 (with the legacy
/// number forms such as 0x7f.1), opaque hosts for non-special schemes and domains via domain-to-ASCII.
/// Returns the serialized host, or null on failure.
/// </summary>
/// <remarks>
/// Domain to ASCII uses <see cref="IdnMapping"/> (UseStd3AsciiRules = false, AllowUnassigned = true), which on
/// Linux is ICU's UTS #46 non-transitional processing with CheckJoiners, as the standard asks.
/// Where it differs from the standard's UTS #46 settings, and what we do about it:
/// <list type="bullet">
/// <item>ICU applies CheckHyphens (leading/trailing "-") and VerifyDnsLength (empty labels, labels over 63
/// and names over 253 octets); the standard turns both off. Only labels that need IDNA (non-ASCII, or starting
/// with "xn--") go to ICU, one label at a time, so all-ASCII labels such as "-a-" or "ab--c", empty labels
/// ("a..b") and long ASCII labels are accepted as the standard says. A non-ASCII label with a leading or
/// trailing hyphen ("-ü") or over 63 octets once encoded is still rejected, where the standard accepts it.</item>
/// <item>IdnMapping does not enforce CheckBidi (RFC 5893) at all, within a label or across labels: "aب",
/// "ب١1" and "0a.ب" are accepted, where the standard rejects them. .NET exposes no Unicode bidi classes, so we do
/// not add the check; such names are invalid for DNS registration anyway, so a crawler meets them rarely.</item>
/// <item>ICU returns an all-ASCII "XN--" label with its case unchanged; we lowercase ASCII first, as the UTS #46
/// mapping does.</item>
/// <item>Which code points are mapped, valid or disallowed follows the ICU/Unicode version of the OS.</item>
/// </list>
/// None of these affect any case in the WHATWG urltestdata.json.
/// </remarks>
internal static class UrlHostParser
{
    /// <summary>Host parser. <paramref name="isOpaque"/> is true for non-special schemes.</summary>
    public static string? Parse(string input, bool isOpaque)
    {
        if (input.Length > 0 && input[0] == '[')
        {
            if (input[^1] != ']')
            {
                return null;
            }

            return ParseIPv6(input.AsSpan(1, input.Length - 2));
        }

        if (isOpaque)
        {
            return ParseOpaqueHost(input);
        }

        string domain = PercentEncoding.DecodeToString(input);
        string? asciiDomain = DomainToAscii(domain);
        if (asciiDomain is null)
        {
            return null;
        }

        if (EndsInANumber(asciiDomain))
        {
            return ParseIPv4(asciiDomain, out uint address) ? SerializeIPv4(address) : null;
        }

        return asciiDomain;
    }

    /// <summary>Forbidden host code points.</summary>
    private static bool IsForbiddenHost(char c) => c switch
    {
        '\0' or '\t' or '\n' or '\r' or ' ' or '#' or '/' or ':' or '<' or '>' or '?' or '@' or '[' or '\\' or ']' or '^' or '|' => true,
        _ => false,
    };

    /// <summary>Forbidden domain code points: forbidden host code points, C0 controls, %, DEL.</summary>
    private static bool IsForbiddenDomain(char c) => c <= 0x1F || c == '%' || c == 0x7F || IsForbiddenHost(c);

    private static string? ParseOpaqueHost(string input)
    {
        foreach (char c in input)
        {
            if (IsForbiddenHost(c))
            {
                return null;
            }
        }

        return PercentEncoding.Encode(input, PercentEncodeSet.C0Control);
    }

    /// <summary>Domain to ASCII with beStrict = false.</summary>
    internal static string? DomainToAscii(string domain)
    {
        string? result = NeedsIdna(domain) ? IdnaToAscii(domain) : LowerAscii(domain);
        if (string.IsNullOrEmpty(result))
        {
            return null;
        }

        foreach (char c in result)
        {
            if (IsForbiddenDomain(c))
            {
                return null;
            }
        }

        return result;
    }

    /// <summary>
    /// The standard notes that for an ASCII domain with no label starting with "xn--", UTS #46 ToASCII is
    /// ASCII lowercasing. That is the crawler's common case and never touches ICU.
    /// </summary>
    private static bool NeedsIdna(string domain)
    {
        bool labelStart = true;
        for (int i = 0; i < domain.Length; i++)
        {
            char c = domain[i];
            if (c > 0x7F)
            {
                return true;
            }

            if (labelStart && IsPunycodePrefix(domain.AsSpan(i)))
            {
                return true;
            }

            labelStart = c == '.';
        }

        return false;
    }

    private static bool IsPunycodePrefix(ReadOnlySpan<char> s) =>
        s.Length >= 4 && (s[0] | 0x20) == 'x' && (s[1] | 0x20) == 'n' && s[2] == '-' && s[3] == '-';

    private static string LowerAscii(string s)
    {
        foreach (char c in s)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                return s.ToLowerInvariant();
            }
        }

        return s;
    }

    private static string? IdnaToAscii(string domain)
    {
        // UTS #46 maps the ideographic and fullwidth full stops to '.', which separates labels.
        string mapped = domain.Replace('\u3002', '.').Replace('\uFF0E', '.').Replace('\uFF61', '.');
        var sb = new StringBuilder(mapped.Length + 8);
        int start = 0;
        while (true)
        {
            int dot = mapped.IndexOf('.', start);
            int end = dot < 0 ? mapped.Length : dot;
            string label = mapped[start..end];
            if (label.Length > 0)
            {
                if (NeedsIdna(label))
                {
                    string? ascii = LabelToAscii(label);
                    if (ascii is null)
                    {
                        return null;
                    }

                    sb.Append(ascii);
                }
                else
                {
                    sb.Append(LowerAscii(label));
                }
            }

            if (dot < 0)
            {
                break;
            }

            sb.Append('.');
            start = dot + 1;
        }

        return sb.ToString();
    }

    private static string? LabelToAscii(string label)
    {
        try
        {
            // UTS #46 maps ASCII upper case to lower case, but ICU hands an all-ASCII "XN--" label back as it came.
            // A fresh IdnMapping per call: its instance members are not documented as thread-safe, and only
            // non-ASCII or "xn--" labels get here.
            var idn = new IdnMapping { UseStd3AsciiRules = false, AllowUnassigned = true };
            return idn.GetAscii(LowerAscii(label));
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The "ends in a number" checker.</summary>
    private static bool EndsInANumber(string domain)
    {
        ReadOnlySpan<char> s = domain;
        if (s.Length == 0)
        {
            return false;
        }

        if (s[^1] == '.')
        {
            s = s[..^1];
        }

        int lastDot = s.LastIndexOf('.');
        ReadOnlySpan<char> last = lastDot < 0 ? s : s[(lastDot + 1)..];
        if (last.Length > 0)
        {
            bool allDigits = true;
            foreach (char c in last)
            {
                if (!char.IsAsciiDigit(c))
                {
                    allDigits = false;
                    break;
                }
            }

            if (allDigits)
            {
                return true;
            }
        }

        return ParseIPv4Number(last, out _);
    }

    /// <summary>The IPv4 parser. Returns false on failure.</summary>
    private static bool ParseIPv4(string input, out uint address)
    {
        address = 0;
        ReadOnlySpan<char> s = input;
        if (s.Length > 0 && s[^1] == '.' && s.Length > 1)
        {
            s = s[..^1];
        }

        Span<ulong> numbers = stackalloc ulong[4];
        int count = 0;
        while (true)
        {
            int dot = s.IndexOf('.');
            ReadOnlySpan<char> part = dot < 0 ? s : s[..dot];
            if (count == 4)
            {
                return false;
            }

            if (!ParseIPv4Number(part, out ulong n))
            {
                return false;
            }

            numbers[count++] = n;
            if (dot < 0)
            {
                break;
            }

            s = s[(dot + 1)..];
        }

        for (int i = 0; i < count - 1; i++)
        {
            if (numbers[i] > 255)
            {
                return false;
            }
        }

        ulong lastNumber = numbers[count - 1];
        if (lastNumber >= 1UL << (8 * (5 - count)))
        {
            return false;
        }

        ulong ipv4 = lastNumber;
        for (int i = 0; i < count - 1; i++)
        {
            ipv4 += numbers[i] << (8 * (3 - i));
        }

        address = (uint)ipv4;
        return true;
    }

    /// <summary>
    /// The IPv4 number parser. Values are saturated just above 2^32 (any larger value makes the address
    /// invalid anyway), so arbitrarily long digit strings cannot overflow.
    /// </summary>
    private static bool ParseIPv4Number(ReadOnlySpan<char> input, out ulong value)
    {
        value = 0;
        if (input.Length == 0)
        {
            return false;
        }

        int radix = 10;
        if (input.Length >= 2 && input[0] == '0' && (input[1] | 0x20) == 'x')
        {
            input = input[2..];
            radix = 16;
        }
        else if (input.Length >= 2 && input[0] == '0')
        {
            input = input[1..];
            radix = 8;
        }

        const ulong Cap = 1UL << 40;
        ulong v = 0;
        foreach (char c in input)
        {
            int d;
            if (char.IsAsciiDigit(c))
            {
                d = c - '0';
            }
            else if (radix == 16 && char.IsAsciiHexDigit(c))
            {
                d = (c | 0x20) - 'a' + 10;
            }
            else
            {
                return false;
            }

            if (d >= radix)
            {
                return false;
            }

            v = v * (ulong)radix + (ulong)d;
            if (v > Cap)
            {
                v = Cap;
            }
        }

        value = v;
        return true;
    }

    private static string SerializeIPv4(uint address) =>
        string.Create(CultureInfo.InvariantCulture, $"{address >> 24}.{(address >> 16) & 0xFF}.{(address >> 8) & 0xFF}.{address & 0xFF}");

    /// <summary>The IPv6 parser followed by the IPv6 serializer (with the surrounding brackets).</summary>
    private static string? ParseIPv6(ReadOnlySpan<char> input)
    {
        Span<ushort> address = stackalloc ushort[8];
        address.Clear();
        int pieceIndex = 0;
        int compress = -1;
        int p = 0;
        int len = input.Length;

        if (p < len && input[p] == ':')
        {
            if (p + 1 >= len || input[p + 1] != ':')
            {
                return null;
            }

            p += 2;
            pieceIndex++;
            compress = pieceIndex;
        }

        while (p < len)
        {
            if (pieceIndex == 8)
            {
                return null;
            }

            if (input[p] == ':')
            {
                if (compress != -1)
                {
                    return null;
                }

                p++;
                pieceIndex++;
                compress = pieceIndex;
                continue;
            }

            int value = 0;
            int length = 0;
            while (length < 4 && p < len && char.IsAsciiHexDigit(input[p]))
            {
                value = (value * 16) + HexDigit(input[p]);
                p++;
                length++;
            }

            if (p < len && input[p] == '.')
            {
                if (length == 0)
                {
                    return null;
                }

                p -= length;
                if (pieceIndex > 6)
                {
                    return null;
                }

                int numbersSeen = 0;
                while (p < len)
                {
                    int ipv4Piece = -1;
                    if (numbersSeen > 0)
                    {
                        if (input[p] == '.' && numbersSeen < 4)
                        {
                            p++;
                        }
                        else
                        {
                            return null;
                        }
                    }

                    if (p >= len || !char.IsAsciiDigit(input[p]))
                    {
                        return null;
                    }

                    while (p < len && char.IsAsciiDigit(input[p]))
                    {
                        int number = input[p] - '0';
                        if (ipv4Piece == -1)
                        {
                            ipv4Piece = number;
                        }
                        else if (ipv4Piece == 0)
                        {
                            return null;
                        }
                        else
                        {
                            ipv4Piece = (ipv4Piece * 10) + number;
                        }

                        if (ipv4Piece > 255)
                        {
                            return null;
                        }

                        p++;
                    }

                    address[pieceIndex] = (ushort)((address[pieceIndex] * 0x100) + ipv4Piece);
                    numbersSeen++;
                    if (numbersSeen == 2 || numbersSeen == 4)
                    {
                        pieceIndex++;
                    }
                }

                if (numbersSeen != 4)
                {
                    return null;
                }

                break;
            }
            else if (p < len && input[p] == ':')
            {
                p++;
                if (p >= len)
                {
                    return null;
                }
            }
            else if (p < len)
            {
                return null;
            }

            address[pieceIndex] = (ushort)value;
            pieceIndex++;
        }

        if (compress != -1)
        {
            int swaps = pieceIndex - compress;
            pieceIndex = 7;
            while (pieceIndex != 0 && swaps > 0)
            {
                (address[pieceIndex], address[compress + swaps - 1]) = (address[compress + swaps - 1], address[pieceIndex]);
                pieceIndex--;
                swaps--;
            }
        }
        else if (pieceIndex != 8)
        {
            return null;
        }

        return SerializeIPv6(address);
    }

    private static int HexDigit(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static string SerializeIPv6(ReadOnlySpan<ushort> address)
    {
        // Find the first longest run of two or more zero pieces.
        int compress = -1;
        int bestLen = 1;
        for (int i = 0; i < 8;)
        {
            if (address[i] != 0)
            {
                i++;
                continue;
            }

            int j = i;
            while (j < 8 && address[j] == 0)
            {
                j++;
            }

            if (j - i > bestLen)
            {
                bestLen = j - i;
                compress = i;
            }

            i = j;
        }

        var sb = new StringBuilder(41);
        sb.Append('[');
        bool ignore0 = false;
        for (int i = 0; i < 8; i++)
        {
            if (ignore0 && address[i] == 0)
            {
                continue;
            }

            ignore0 = false;
            if (compress == i)
            {
                sb.Append(i == 0 ? "::" : ":");
                ignore0 = true;
                continue;
            }

            sb.Append(address[i].ToString("x", CultureInfo.InvariantCulture));
            if (i != 7)
            {
                sb.Append(':');
            }
        }

        sb.Append(']');
        return sb.ToString();
    }
}
