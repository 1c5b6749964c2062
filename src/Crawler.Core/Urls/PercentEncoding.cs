using System.Text;

namespace Crawler.Core.Urls;

/// <summary>The percent-encode sets of the WHATWG URL Standard (section 1.3).</summary>
internal enum PercentEncodeSet
{
    /// <summary>C0 controls and everything above U+007E.</summary>
    C0Control,

    /// <summary>C0 control set plus space, ", &lt;, &gt;, `.</summary>
    Fragment,

    /// <summary>C0 control set plus space, ", #, &lt;, &gt;.</summary>
    Query,

    /// <summary>Query set plus '.</summary>
    SpecialQuery,

    /// <summary>Query set plus ?, `, {, }.</summary>
    Path,

    /// <summary>Path set plus /, :, ;, =, @, [ to ^, |.</summary>
    Userinfo,
}

/// <summary>
/// UTF-8 percent-encoding and percent-decoding as the WHATWG URL Standard defines them.
/// Membership of printable ASCII in each set is a 128-bit mask so the hot path is two shifts and an AND.
/// </summary>
internal static class PercentEncoding
{
    private static readonly ulong[] Low = new ulong[6];
    private static readonly ulong[] High = new ulong[6];

    private const string HexUpper = "0123456789ABCDEF";

#pragma warning disable CA1810 // the masks are built from one another; a static constructor reads best.
    static PercentEncoding()
#pragma warning restore CA1810
    {
        Set(PercentEncodeSet.Fragment, " \"<>`");
        Set(PercentEncodeSet.Query, " \"#<>");
        Set(PercentEncodeSet.SpecialQuery, " \"#<>'");
        Set(PercentEncodeSet.Path, " \"#<>?`{}");
        Set(PercentEncodeSet.Userinfo, " \"#<>?`{}/:;=@[\\]^|");
    }

    private static void Set(PercentEncodeSet set, string chars)
    {
        foreach (char ch in chars)
        {
            if (ch < 64)
            {
                Low[(int)set] |= 1UL << ch;
            }
            else
            {
                High[(int)set] |= 1UL << (ch - 64);
            }
        }
    }

    /// <summary>True when the code unit must be percent-encoded in <paramref name="set"/>.</summary>
    public static bool InSet(char c, PercentEncodeSet set)
    {
        if (c < 0x20 || c > 0x7E)
        {
            return true;
        }

        return c < 64
            ? (Low[(int)set] & (1UL << c)) != 0
            : (High[(int)set] & (1UL << (c - 64))) != 0;
    }

    /// <summary>True when no code unit of <paramref name="s"/> needs encoding in <paramref name="set"/>.</summary>
    public static bool NeedsNoEncoding(ReadOnlySpan<char> s, PercentEncodeSet set)
    {
        foreach (char c in s)
        {
            if (InSet(c, set))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Appends the code point starting at <paramref name="index"/> of <paramref name="s"/>, percent-encoded
    /// if it is in <paramref name="set"/>. A surrogate pair is consumed whole (index is advanced past the
    /// high surrogate); a lone surrogate is encoded as U+FFFD, as UTF-8 encoding of a scalar value string requires.
    /// </summary>
    public static void AppendCodePoint(StringBuilder sb, ReadOnlySpan<char> s, ref int index, PercentEncodeSet set)
    {
        char c = s[index];
        if (!InSet(c, set))
        {
            sb.Append(c);
            return;
        }

        int codePoint;
        if (char.IsHighSurrogate(c) && index + 1 < s.Length && char.IsLowSurrogate(s[index + 1]))
        {
            codePoint = char.ConvertToUtf32(c, s[index + 1]);
            index++;
        }
        else if (char.IsSurrogate(c))
        {
            codePoint = 0xFFFD;
        }
        else
        {
            codePoint = c;
        }

        AppendUtf8Encoded(sb, codePoint);
    }

    /// <summary>Appends all of <paramref name="s"/>, percent-encoding code points in <paramref name="set"/>.</summary>
    public static void AppendEncoded(StringBuilder sb, ReadOnlySpan<char> s, PercentEncodeSet set)
    {
        for (int i = 0; i < s.Length; i++)
        {
            AppendCodePoint(sb, s, ref i, set);
        }
    }

    /// <summary>Returns <paramref name="s"/> percent-encoded in <paramref name="set"/>.</summary>
    public static string Encode(string s, PercentEncodeSet set)
    {
        if (NeedsNoEncoding(s, set))
        {
            return s;
        }

        var sb = new StringBuilder(s.Length + 16);
        AppendEncoded(sb, s, set);
        return sb.ToString();
    }

    private static void AppendUtf8Encoded(StringBuilder sb, int codePoint)
    {
        Span<byte> bytes = stackalloc byte[4];
        int n;
        if (codePoint < 0x80)
        {
            bytes[0] = (byte)codePoint;
            n = 1;
        }
        else if (codePoint < 0x800)
        {
            bytes[0] = (byte)(0xC0 | (codePoint >> 6));
            bytes[1] = (byte)(0x80 | (codePoint & 0x3F));
            n = 2;
        }
        else if (codePoint < 0x10000)
        {
            bytes[0] = (byte)(0xE0 | (codePoint >> 12));
            bytes[1] = (byte)(0x80 | ((codePoint >> 6) & 0x3F));
            bytes[2] = (byte)(0x80 | (codePoint & 0x3F));
            n = 3;
        }
        else
        {
            bytes[0] = (byte)(0xF0 | (codePoint >> 18));
            bytes[1] = (byte)(0x80 | ((codePoint >> 12) & 0x3F));
            bytes[2] = (byte)(0x80 | ((codePoint >> 6) & 0x3F));
            bytes[3] = (byte)(0x80 | (codePoint & 0x3F));
            n = 4;
        }

        for (int i = 0; i < n; i++)
        {
            sb.Append('%').Append(HexUpper[bytes[i] >> 4]).Append(HexUpper[bytes[i] & 0xF]);
        }
    }

    /// <summary>
    /// Percent-decodes <paramref name="s"/> (as the UTF-8 bytes of the string) and UTF-8 decodes the result
    /// without BOM handling, replacing invalid sequences with U+FFFD. Returns <paramref name="s"/> itself
    /// when it contains no '%'.
    /// </summary>
    public static string DecodeToString(string s)
    {
        if (!s.Contains('%', StringComparison.Ordinal))
        {
            return s;
        }

        byte[] utf8 = Encoding.UTF8.GetBytes(s);
        var output = new byte[utf8.Length];
        int n = 0;
        for (int i = 0; i < utf8.Length; i++)
        {
            byte b = utf8[i];
            if (b == (byte)'%' && i + 2 < utf8.Length && IsHex(utf8[i + 1]) && IsHex(utf8[i + 2]))
            {
                output[n++] = (byte)((HexValue(utf8[i + 1]) << 4) | HexValue(utf8[i + 2]));
                i += 2;
            }
            else
            {
                output[n++] = b;
            }
        }

        return Encoding.UTF8.GetString(output, 0, n);
    }

    private static bool IsHex(byte b) => char.IsAsciiHexDigit((char)b);

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
