// Hand-written: RFC 9309 path matching (percent-encoding normalisation, '*' and '$') has no
// maintained .NET library; the matcher is a greedy segment search, so it never backtracks.
using System.Text;

namespace Crawler.Core.Robots;

/// <summary>Normalisation and wildcard matching of robots.txt paths (RFC 9309 §2.2.2, §2.2.3).</summary>
internal static class RobotsPath
{
    private const string Hex = "0123456789ABCDEF";

    /// <summary>
    /// Brings a path or pattern into a canonical octet form: percent-escapes of unreserved characters
    /// are decoded, other escapes get upper-case hex, characters outside ASCII are UTF-8 percent-encoded,
    /// and a stray '%' (not followed by two hex digits) is encoded as %25.
    /// </summary>
    public static string Normalize(string value)
    {
        if (!NeedsWork(value))
        {
            return value;
        }

        var sb = new StringBuilder(value.Length + 8);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%')
            {
                if (i + 2 < value.Length && IsHex(value[i + 1]) && IsHex(value[i + 2]))
                {
                    var b = (HexValue(value[i + 1]) << 4) | HexValue(value[i + 2]);
                    if (IsUnreserved((char)b))
                    {
                        sb.Append((char)b);
                    }
                    else
                    {
                        sb.Append('%').Append(Hex[b >> 4]).Append(Hex[b & 0xF]);
                    }

                    i += 2;
                }
                else
                {
                    sb.Append("%25");
                }
            }
            else if (c < 0x80)
            {
                sb.Append(c);
            }
            else
            {
                int n;
                if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    n = new Rune(c, value[i + 1]).EncodeToUtf8(utf8);
                    i++;
                }
                else if (char.IsSurrogate(c))
                {
                    n = Rune.ReplacementChar.EncodeToUtf8(utf8);
                }
                else
                {
                    n = new Rune(c).EncodeToUtf8(utf8);
                }

                for (var k = 0; k < n; k++)
                {
                    sb.Append('%').Append(Hex[utf8[k] >> 4]).Append(Hex[utf8[k] & 0xF]);
                }
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// Whether <paramref name="path"/> starts with a match of <paramref name="pattern"/> (both normalised).
    /// '*' matches any sequence, a trailing '$' anchors the end; a '$' elsewhere is literal.
    /// Greedy leftmost matching of the literal segments is exact for this pattern language and runs in
    /// O(|path| × |pattern|) at worst, without backtracking.
    /// </summary>
    public static bool Matches(string pattern, string path)
    {
        var anchored = pattern.Length > 0 && pattern[^1] == '$';
        var body = anchored ? pattern.AsSpan(0, pattern.Length - 1) : pattern.AsSpan();
        var text = path.AsSpan();

        var star = body.IndexOf('*');
        if (star < 0)
        {
            return anchored ? text.SequenceEqual(body) : text.StartsWith(body);
        }

        // The first segment is anchored at the start of the path.
        var first = body[..star];
        if (!text.StartsWith(first))
        {
            return false;
        }

        var pos = first.Length;
        var rest = body[(star + 1)..];
        while (true)
        {
            var next = rest.IndexOf('*');
            if (next < 0)
            {
                // Last segment.
                if (!anchored)
                {
                    return rest.IsEmpty || text[pos..].IndexOf(rest) >= 0;
                }

                return text.Length - rest.Length >= pos && text.EndsWith(rest);
            }

            var segment = rest[..next];
            if (!segment.IsEmpty)
            {
                var found = text[pos..].IndexOf(segment);
                if (found < 0)
                {
                    return false;
                }

                pos += found + segment.Length;
            }

            rest = rest[(next + 1)..];
        }
    }

    private static bool NeedsWork(string value)
    {
        foreach (var c in value)
        {
            if (c == '%' || c >= 0x80)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsUnreserved(char c) =>
        c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.' or '_' or '~';

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => c - 'A' + 10,
    };
}
