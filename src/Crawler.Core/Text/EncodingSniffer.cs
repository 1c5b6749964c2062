// Hand-written: .NET has no implementation of the HTML standard's encoding sniffing (BOM, transport
// layer, <meta> and XML-declaration prescan of the first 1,024 bytes); this follows the standard's steps.
// The guess for undeclared documents is UTF.Unknown's (EncodingGuess), not hand-written.
using System.Text;

namespace Crawler.Core.Text;

/// <summary>Where the encoding decision came from.</summary>
public enum SniffSource
{
    /// <summary>A UTF-8 or UTF-16 byte order mark (always wins).</summary>
    ByteOrderMark,

    /// <summary>The charset parameter of the Content-Type header.</summary>
    ContentTypeHeader,

    /// <summary>A &lt;meta charset&gt; or &lt;meta http-equiv=Content-Type&gt; in the first 1,024 bytes.</summary>
    MetaPrescan,

    /// <summary>
    /// An XML declaration at the very start (<c>&lt;?xml version="1.0" encoding="UTF-8"?&gt;</c>, or its UTF-16
    /// form), found by the prescan when no meta declaration is ("get an XML encoding").
    /// </summary>
    XmlDeclaration,

    /// <summary>Nothing declared: the encoding the bytes look like (<see cref="EncodingGuess"/>).</summary>
    Guess,

    /// <summary>Nothing declared and nothing guessed (ASCII only, or too little to tell): the configured default.</summary>
    Default,
}

/// <summary>The encoding to decode a document with; <see cref="Label"/> is the Encoding Standard name.</summary>
public sealed record SniffResult(Encoding Encoding, string Label, SniffSource Source);

/// <summary>
/// The HTML standard's encoding sniffing (§13.2.3.2), in order: BOM → Content-Type charset → prescan of the
/// first 1,024 bytes for a meta declaration, else an XML declaration at the start → autodetection (a guess from
/// the bytes, <see cref="EncodingGuess"/>) → default. Labels follow the WHATWG Encoding Standard. As the
/// standard says, a declared encoding is used even when the bytes disagree with it.
/// </summary>
public static class EncodingSniffer
{
    /// <summary>How many bytes the meta prescan examines.</summary>
    public const int PrescanLength = 1024;

    static EncodingSniffer()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    /// <summary>Determines the encoding of an HTML document.</summary>
    /// <param name="bytes">The document (only the start is examined).</param>
    /// <param name="contentTypeHeader">The HTTP Content-Type value, e.g. "text/html; charset=EUC-KR".</param>
    /// <param name="defaultLabel">Used when nothing is declared and nothing guessed; must be a known label.</param>
    /// <param name="guess">Guess the encoding of an undeclared document from its bytes (the standard's optional
    /// autodetection step); off for formats whose standard has no such step (CSS).</param>
    public static SniffResult Sniff(ReadOnlySpan<byte> bytes, string? contentTypeHeader, string defaultLabel = "windows-1252", bool guess = true)
    {
        if (BomName(bytes, out _) is { } bomName)
        {
            return Result(bomName, SniffSource.ByteOrderMark);
        }

        if (EncodingLabels.NameOf(CharsetFromContentType(contentTypeHeader)) is { } headerName)
        {
            return Result(headerName, SniffSource.ContentTypeHeader);
        }

        var head = bytes[..Math.Min(bytes.Length, PrescanLength)];
        if (Utf16XmlDeclaration(head) is { } utf16Name)
        {
            return Result(utf16Name, SniffSource.XmlDeclaration);
        }

        if (Prescan(head) is { } metaName)
        {
            return Result(metaName, SniffSource.MetaPrescan);
        }

        // The prescan ran out of bytes without a meta declaration: "get an XML encoding".
        if (XmlDeclarationEncoding(head) is { } xmlName)
        {
            return Result(xmlName, SniffSource.XmlDeclaration);
        }

        if (guess && EncodingGuess.Guess(bytes) is { } guessedName)
        {
            return Result(guessedName, SniffSource.Guess);
        }

        var defaultName = EncodingLabels.NameOf(defaultLabel)
            ?? throw new ArgumentException($"Unknown encoding label '{defaultLabel}'.", nameof(defaultLabel));
        return Result(defaultName, SniffSource.Default);
    }

    /// <summary>Sniffs (guessing an undeclared encoding) and decodes the document; a byte order mark is not part of the text.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string? contentType, out SniffResult result) =>
        Decode(bytes, contentType, "windows-1252", guess: true, out result);

    /// <summary>Sniffs (with a chosen default, guessing when <paramref name="guess"/>) and decodes the document; a byte order mark is not part of the text.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string? contentType, string defaultLabel, bool guess, out SniffResult result)
    {
        result = Sniff(bytes, contentType, defaultLabel, guess);
        var skip = 0;
        if (result.Source == SniffSource.ByteOrderMark)
        {
            BomName(bytes, out skip);
        }

        return result.Encoding.GetString(bytes[skip..]);
    }

    /// <summary>The Encoding Standard name for a label, or null if unknown ("get an encoding").</summary>
    public static string? NormalizeLabel(string? label) => EncodingLabels.NameOf(label);

    private static SniffResult Result(string name, SniffSource source) => new(EncodingLabels.Get(name), name, source);

    private static string? BomName(ReadOnlySpan<byte> bytes, out int length)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            length = 3;
            return "UTF-8";
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            length = 2;
            return "UTF-16BE";
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            length = 2;
            return "UTF-16LE";
        }

        length = 0;
        return null;
    }

    /// <summary>The charset parameter of a MIME type (first occurrence; quoted strings unescaped).</summary>
    internal static string? CharsetFromContentType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return null;
        }

        var s = contentType.AsSpan();
        var semicolon = s.IndexOf(';');
        if (semicolon < 0)
        {
            return null;
        }

        var pos = semicolon + 1;
        while (pos < s.Length)
        {
            while (pos < s.Length && IsHttpWhitespace(s[pos]))
            {
                pos++;
            }

            var nameStart = pos;
            while (pos < s.Length && s[pos] is not (';' or '='))
            {
                pos++;
            }

            var name = s[nameStart..pos].Trim();
            if (pos >= s.Length)
            {
                return null;
            }

            if (s[pos] == ';')
            {
                pos++;
                continue;
            }

            pos++; // '='
            string value;
            if (pos < s.Length && s[pos] == '"')
            {
                var sb = new StringBuilder();
                pos++;
                while (pos < s.Length && s[pos] != '"')
                {
                    if (s[pos] == '\\' && pos + 1 < s.Length)
                    {
                        pos++;
                    }

                    sb.Append(s[pos]);
                    pos++;
                }

                value = sb.ToString();
                var next = s[pos..].IndexOf(';');
                pos = next < 0 ? s.Length : pos + next + 1;
            }
            else
            {
                var valueStart = pos;
                while (pos < s.Length && s[pos] != ';')
                {
                    pos++;
                }

                value = s[valueStart..pos].Trim().ToString();
                pos++;
            }

            if (name.Equals("charset", StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>
    /// The prescan's first step: "&lt;?x" in UTF-16 without a byte order mark at the very start is UTF-16LE or UTF-16BE
    /// (the pattern is two bytes longer than in the XML specification's appendix F, as the standard says).
    /// </summary>
    internal static string? Utf16XmlDeclaration(ReadOnlySpan<byte> input)
    {
        if (input.StartsWith((ReadOnlySpan<byte>)[0x3C, 0x00, 0x3F, 0x00, 0x78, 0x00]))
        {
            return "UTF-16LE";
        }

        return input.StartsWith((ReadOnlySpan<byte>)[0x00, 0x3C, 0x00, 0x3F, 0x00, 0x78]) ? "UTF-16BE" : null;
    }

    /// <summary>
    /// "Get an XML encoding": the encoding of an <c>&lt;?xml … encoding="…"?&gt;</c> declaration at the very start of
    /// <paramref name="input"/> (the prescan's bytes), or null. UTF-16 labels become UTF-8, as the bytes were read as
    /// ASCII.
    /// </summary>
    internal static string? XmlDeclarationEncoding(ReadOnlySpan<byte> input)
    {
        if (!input.StartsWith("<?xml"u8))
        {
            return null;
        }

        var end = input.IndexOf((byte)'>');
        if (end < 0)
        {
            return null;
        }

        var declaration = input[..end];
        var found = declaration.IndexOf("encoding"u8);
        if (found < 0)
        {
            return null;
        }

        var pos = found + "encoding".Length;
        while (pos < declaration.Length && declaration[pos] <= 0x20)
        {
            pos++;
        }

        if (pos >= declaration.Length || declaration[pos] != '=')
        {
            return null;
        }

        pos++;
        while (pos < declaration.Length && declaration[pos] <= 0x20)
        {
            pos++;
        }

        if (pos >= declaration.Length || declaration[pos] is not ((byte)'"' or (byte)'\''))
        {
            return null;
        }

        var quote = declaration[pos];
        var value = declaration[(pos + 1)..];
        var close = value.IndexOf(quote);
        if (close < 0)
        {
            return null;
        }

        value = value[..close];
        foreach (var b in value)
        {
            if (b <= 0x20)
            {
                return null;
            }
        }

        // Isomorphic decode: each byte is one code point (a non-ASCII byte never matches a label).
        var label = string.Create(value.Length, value.ToArray(), static (chars, v) =>
        {
            for (var i = 0; i < v.Length; i++)
            {
                chars[i] = (char)v[i];
            }
        });
        return EncodingLabels.NameOf(label) switch
        {
            "UTF-16LE" or "UTF-16BE" => "UTF-8",
            var name => name,
        };
    }

    /// <summary>The prescan algorithm's meta search; returns an encoding name or null. The input is already cut to 1,024 bytes.</summary>
    internal static string? Prescan(ReadOnlySpan<byte> input)
    {
        var pos = 0;
        while (pos < input.Length)
        {
            var rest = input[pos..];
            if (rest.StartsWith("<!--"u8))
            {
                // The '>' of a "-->" that ends after the "<!" (so "<!-->" closes itself).
                var end = input[(pos + 2)..].IndexOf("-->"u8);
                if (end < 0)
                {
                    return null;
                }

                pos += 2 + end + 3;
                continue;
            }

            if (rest.Length >= 6 && StartsWithIgnoreCase(rest, "<meta"u8) && (IsSpace(rest[5]) || rest[5] == '/'))
            {
                pos += 5;
                var outcome = PrescanMeta(input, ref pos, out var name);
                if (outcome == MetaOutcome.Aborted)
                {
                    return null;
                }

                if (outcome == MetaOutcome.Found)
                {
                    return name;
                }

                pos++;
                continue;
            }

            if (rest.Length >= 2 && rest[0] == '<'
                && (IsAsciiLetter(rest[1]) || (rest.Length >= 3 && rest[1] == '/' && IsAsciiLetter(rest[2]))))
            {
                // Skip the tag name, then its attributes.
                while (pos < input.Length && !IsSpace(input[pos]) && input[pos] != '>')
                {
                    pos++;
                }

                while (true)
                {
                    var attr = GetAttribute(input, ref pos);
                    if (attr.Status == AttributeStatus.Aborted)
                    {
                        return null;
                    }

                    if (attr.Status == AttributeStatus.None)
                    {
                        break;
                    }
                }

                pos++;
                continue;
            }

            if (rest.Length >= 2 && rest[0] == '<' && rest[1] is (byte)'!' or (byte)'/' or (byte)'?')
            {
                var gt = rest.IndexOf((byte)'>');
                if (gt < 0)
                {
                    return null;
                }

                pos += gt + 1;
                continue;
            }

            pos++;
        }

        return null;
    }

    private static MetaOutcome PrescanMeta(ReadOnlySpan<byte> input, ref int pos, out string? result)
    {
        result = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var gotPragma = false;
        bool? needPragma = null;
        string? charset = null;
        var charsetFailed = false;

        while (true)
        {
            var attr = GetAttribute(input, ref pos);
            if (attr.Status == AttributeStatus.Aborted)
            {
                return MetaOutcome.Aborted;
            }

            if (attr.Status == AttributeStatus.None)
            {
                break;
            }

            if (!seen.Add(attr.Name))
            {
                continue;
            }

            switch (attr.Name)
            {
                case "http-equiv":
                    if (attr.Value == "content-type")
                    {
                        gotPragma = true;
                    }

                    break;
                case "content":
                    // An unknown label here is not "a character encoding returned": nothing changes.
                    if (charset is null && !charsetFailed
                        && EncodingLabels.NameOf(ExtractCharsetFromMeta(attr.Value)) is { } fromContent)
                    {
                        charset = fromContent;
                        needPragma = true;
                    }

                    break;
                case "charset":
                    charset = EncodingLabels.NameOf(attr.Value);
                    charsetFailed = charset is null;
                    needPragma = false;
                    break;
            }
        }

        if (needPragma is null || (needPragma == true && !gotPragma) || charset is null)
        {
            return MetaOutcome.NotFound;
        }

        result = charset switch
        {
            "UTF-16LE" or "UTF-16BE" => "UTF-8",
            "x-user-defined" => "windows-1252",
            _ => charset,
        };
        return MetaOutcome.Found;
    }

    /// <summary>The "algorithm for extracting a character encoding from a meta element" on a content value.</summary>
    internal static string? ExtractCharsetFromMeta(string content)
    {
        var pos = 0;
        while (true)
        {
            var found = content.IndexOf("charset", pos, StringComparison.OrdinalIgnoreCase);
            if (found < 0)
            {
                return null;
            }

            pos = found + 7;
            while (pos < content.Length && IsSpace(content[pos]))
            {
                pos++;
            }

            if (pos < content.Length && content[pos] == '=')
            {
                pos++;
                break;
            }
        }

        while (pos < content.Length && IsSpace(content[pos]))
        {
            pos++;
        }

        if (pos >= content.Length)
        {
            return null;
        }

        var c = content[pos];
        if (c is '"' or '\'')
        {
            var close = content.IndexOf(c, pos + 1);
            return close < 0 ? null : content[(pos + 1)..close];
        }

        var end = pos;
        while (end < content.Length && !IsSpace(content[end]) && content[end] != ';')
        {
            end++;
        }

        return content[pos..end];
    }

    /// <summary>The prescan's "get an attribute" algorithm; names and values are ASCII-lowercased.</summary>
    private static Attribute GetAttribute(ReadOnlySpan<byte> input, ref int pos)
    {
        while (pos < input.Length && (IsSpace(input[pos]) || input[pos] == '/'))
        {
            pos++;
        }

        if (pos >= input.Length)
        {
            return Attribute.Aborted;
        }

        if (input[pos] == '>')
        {
            return Attribute.None;
        }

        var name = new StringBuilder();
        var value = new StringBuilder();

        // Name.
        while (true)
        {
            if (pos >= input.Length)
            {
                return Attribute.Aborted;
            }

            var b = input[pos];
            if (b == '=' && name.Length > 0)
            {
                pos++;
                goto Value;
            }

            if (IsSpace(b))
            {
                break;
            }

            if (b is (byte)'/' or (byte)'>')
            {
                return new Attribute(AttributeStatus.Found, name.ToString(), string.Empty);
            }

            name.Append(Lower(b));
            pos++;
        }

        // Spaces after the name.
        while (pos < input.Length && IsSpace(input[pos]))
        {
            pos++;
        }

        if (pos >= input.Length)
        {
            return Attribute.Aborted;
        }

        if (input[pos] != '=')
        {
            return new Attribute(AttributeStatus.Found, name.ToString(), string.Empty);
        }

        pos++;

    Value:
        while (pos < input.Length && IsSpace(input[pos]))
        {
            pos++;
        }

        if (pos >= input.Length)
        {
            return Attribute.Aborted;
        }

        var first = input[pos];
        if (first is (byte)'"' or (byte)'\'')
        {
            pos++;
            while (true)
            {
                if (pos >= input.Length)
                {
                    return Attribute.Aborted;
                }

                var b = input[pos];
                pos++;
                if (b == first)
                {
                    return new Attribute(AttributeStatus.Found, name.ToString(), value.ToString());
                }

                value.Append(Lower(b));
            }
        }

        if (first == '>')
        {
            return new Attribute(AttributeStatus.Found, name.ToString(), string.Empty);
        }

        while (true)
        {
            if (pos >= input.Length)
            {
                return Attribute.Aborted;
            }

            var b = input[pos];
            if (IsSpace(b) || b == '>')
            {
                return new Attribute(AttributeStatus.Found, name.ToString(), value.ToString());
            }

            value.Append(Lower(b));
            pos++;
        }
    }

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> data, ReadOnlySpan<byte> lowerPrefix)
    {
        for (var i = 0; i < lowerPrefix.Length; i++)
        {
            if (Lower(data[i]) != lowerPrefix[i])
            {
                return false;
            }
        }

        return true;
    }

    // Bytes map to chars one-to-one (Latin-1), so non-ASCII bytes never match an ASCII label.
    private static char Lower(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (char)(b + 32) : (char)b;

    private static bool IsSpace(byte b) => b is 0x09 or 0x0A or 0x0C or 0x0D or 0x20;

    private static bool IsSpace(char c) => c is '\t' or '\n' or '\f' or '\r' or ' ';

    private static bool IsHttpWhitespace(char c) => c is '\t' or '\n' or '\r' or ' ';

    private static bool IsAsciiLetter(byte b) => b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z');

    private enum MetaOutcome
    {
        NotFound,
        Found,
        Aborted,
    }

    private enum AttributeStatus
    {
        Found,
        None,
        Aborted,
    }

    private readonly record struct Attribute(AttributeStatus Status, string Name, string Value)
    {
        public static Attribute None => new(AttributeStatus.None, string.Empty, string.Empty);

        public static Attribute Aborted => new(AttributeStatus.Aborted, string.Empty, string.Empty);
    }
}
