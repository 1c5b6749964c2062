// Hand-written: only url(...), @import and image-set() strings are needed from CSS, and no CSS
// parser is among the solution's packages; a small tokenizer that understands comments, strings and
// escapes (CSS Syntax Level 3 §4.3) is enough and never throws.
using System.Globalization;
using System.Text;

namespace Crawler.Core.Html;

/// <summary>Extracts URL references from CSS text (a stylesheet, a &lt;style&gt; block or a style attribute).</summary>
public static class CssLinkExtractor
{
    /// <summary>
    /// Returns the raw URLs of <c>url(...)</c> (quoted or not), <c>@import "x"</c> / <c>@import url(x)</c> and
    /// the strings in <c>image-set()</c>, in document order, with CSS escapes resolved; comments are skipped
    /// and empty URLs dropped. The caller resolves them against the stylesheet's URL.
    /// </summary>
    public static IReadOnlyList<string> Extract(string css)
    {
        ArgumentNullException.ThrowIfNull(css);
        return ExtractDetailed(css).Select(r => r.Url).ToList();
    }

    internal static List<CssReference> ExtractDetailed(string css)
    {
        var result = new List<CssReference>();
        var i = 0;
        var afterImport = false;
        var imageSetDepth = 0;
        var parenDepth = 0;
        while (i < css.Length)
        {
            var c = css[i];
            if (c == '/' && i + 1 < css.Length && css[i + 1] == '*')
            {
                var close = css.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = close < 0 ? css.Length : close + 2;
                continue;
            }

            if (c is '"' or '\'')
            {
                var s = ReadString(css, ref i);
                if (afterImport || (imageSetDepth > 0 && parenDepth == imageSetDepth))
                {
                    Add(result, s, afterImport);
                }

                afterImport = false;
                continue;
            }

            if (c == '@' && MatchesWord(css, i + 1, "import"))
            {
                afterImport = true;
                i += 7;
                continue;
            }

            if (IsNameStart(c) && (i == 0 || !IsNameChar(css[i - 1])))
            {
                var start = i;
                while (i < css.Length && (IsNameChar(css[i]) || css[i] == '\\'))
                {
                    i += css[i] == '\\' ? 2 : 1;
                }

                i = Math.Min(i, css.Length);
                var name = css.AsSpan(start, i - start);
                if (i < css.Length && css[i] == '(')
                {
                    if (name.Equals("url", StringComparison.OrdinalIgnoreCase))
                    {
                        i++;
                        var url = ReadUrlBody(css, ref i);
                        Add(result, url, afterImport);
                        afterImport = false;
                        continue;
                    }

                    if (name.EndsWith("image-set", StringComparison.OrdinalIgnoreCase) && imageSetDepth == 0)
                    {
                        imageSetDepth = parenDepth + 1;
                    }
                }

                continue;
            }

            if (c == '(')
            {
                parenDepth++;
            }
            else if (c == ')')
            {
                if (imageSetDepth == parenDepth)
                {
                    imageSetDepth = 0;
                }

                parenDepth = Math.Max(0, parenDepth - 1);
            }
            else if (c is ';' or '{' or '}')
            {
                afterImport = false;
                imageSetDepth = 0;
                parenDepth = 0;
            }

            i++;
        }

        return result;
    }

    private static void Add(List<CssReference> result, string url, bool isImport)
    {
        var trimmed = url.Trim();
        if (trimmed.Length > 0)
        {
            result.Add(new CssReference(trimmed, isImport));
        }
    }

    /// <summary>Reads a quoted string starting at the quote; <paramref name="i"/> ends after the closing quote.</summary>
    private static string ReadString(string css, ref int i)
    {
        var quote = css[i++];
        var sb = new StringBuilder();
        while (i < css.Length)
        {
            var c = css[i];
            if (c == quote)
            {
                i++;
                break;
            }

            if (c is '\n' or '\r' or '\f')
            {
                // Unterminated string: CSS ends it at the newline.
                break;
            }

            if (c == '\\')
            {
                if (i + 1 < css.Length && css[i + 1] is '\n' or '\f')
                {
                    i += 2;
                    continue;
                }

                if (i + 2 < css.Length && css[i + 1] == '\r' && css[i + 2] == '\n')
                {
                    i += 3;
                    continue;
                }

                i++;
                ReadEscape(css, ref i, sb);
                continue;
            }

            sb.Append(c);
            i++;
        }

        return sb.ToString();
    }

    /// <summary>Reads what follows "url(": a quoted string or an unquoted URL up to ')'.</summary>
    private static string ReadUrlBody(string css, ref int i)
    {
        while (i < css.Length && IsWhitespace(css[i]))
        {
            i++;
        }

        if (i < css.Length && css[i] is '"' or '\'')
        {
            var s = ReadString(css, ref i);
            var close = css.IndexOf(')', i);
            i = close < 0 ? css.Length : close + 1;
            return s;
        }

        var sb = new StringBuilder();
        while (i < css.Length)
        {
            var c = css[i];
            if (c == ')')
            {
                i++;
                break;
            }

            if (c == '\\' && i + 1 < css.Length && css[i + 1] is not ('\n' or '\r' or '\f'))
            {
                i++;
                ReadEscape(css, ref i, sb);
                continue;
            }

            sb.Append(c);
            i++;
        }

        return sb.ToString();
    }

    /// <summary>Consumes an escape after the backslash: up to six hex digits plus one whitespace, or one character.</summary>
    private static void ReadEscape(string css, ref int i, StringBuilder sb)
    {
        if (i >= css.Length)
        {
            return;
        }

        var start = i;
        while (i < css.Length && i - start < 6 && char.IsAsciiHexDigit(css[i]))
        {
            i++;
        }

        if (i > start)
        {
            var cp = int.Parse(css.AsSpan(start, i - start), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (cp == 0 || cp > 0x10FFFF || cp is >= 0xD800 and <= 0xDFFF)
            {
                cp = 0xFFFD;
            }

            sb.Append(char.ConvertFromUtf32(cp));
            if (i < css.Length && IsWhitespace(css[i]))
            {
                i += css[i] == '\r' && i + 1 < css.Length && css[i + 1] == '\n' ? 2 : 1;
            }

            return;
        }

        sb.Append(css[i]);
        i++;
    }

    private static bool MatchesWord(string css, int at, string word) =>
        at + word.Length <= css.Length
        && css.AsSpan(at, word.Length).Equals(word, StringComparison.OrdinalIgnoreCase)
        && (at + word.Length == css.Length || !IsNameChar(css[at + word.Length]));

    private static bool IsWhitespace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\f';

    private static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c is '_' or '-' || c >= 0x80;

    private static bool IsNameChar(char c) => IsNameStart(c) || char.IsAsciiDigit(c);
}

/// <summary>A URL found in CSS; <see cref="IsImport"/> when it came from an @import rule.</summary>
internal readonly record struct CssReference(string Url, bool IsImport);
