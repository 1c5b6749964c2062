namespace Crawler.Core.Html;

/// <summary>What <see cref="HtmlTagScanner.Next"/> stopped at.</summary>
public enum HtmlTokenKind
{
    /// <summary>A start tag: <see cref="HtmlTagScanner.Name"/> and its attributes (<see cref="HtmlTagScanner.Attribute"/>).</summary>
    StartTag,

    /// <summary>An end tag: <see cref="HtmlTagScanner.Name"/>.</summary>
    EndTag,

    /// <summary>Text between tags, raw (entities not decoded): <see cref="HtmlTagScanner.Text"/>. The content of a
    /// script, style, textarea or title element is one text token, whatever it looks like.</summary>
    Text,
}

/// <summary>
/// A forward-only scan of HTML's tags and their attributes, and the text between them, holding nothing but the current
/// token: what reads a page too large for a DOM (<see cref="HtmlLinkExtractor.StreamLinks"/>, <see cref="HtmlText.StreamBlocks"/>).
/// </summary>
/// <remarks>
/// Why hand-written: HtmlAgilityPack cannot stream (it builds the whole tree, ~100 bytes per byte of a page of links), and a
/// second HTML library (AngleSharp) would bring a second reading of the same markup for the pages that need it least. It
/// is the HTML standard's tokenizer reduced to what link and text extraction need, and it follows HtmlAgilityPack where
/// the two differ, so a page read either way gives the same links: comments end at the first <c>--&gt;</c>; <c>&lt;!</c>
/// and <c>&lt;?</c> constructs (doctype, CDATA, processing instructions) end at the first <c>&gt;</c>; a <c>&lt;</c> not
/// followed by a letter, <c>/</c>, <c>!</c> or <c>?</c> is text; script, style, textarea and title hold raw text up to
/// their end tag (HtmlAgilityPack's CDATA elements); names are lowercased; the last of two attributes of one name wins (a browser takes the first); a script, style, textarea
/// or title start tag opens its element even when written self-closing (as in a browser).
/// No tree is built: which element is open is the caller's to track, if it needs to.
/// </remarks>
public sealed class HtmlTagScanner(string html)
{
    private static readonly string[] RawTextElements = ["script", "style", "textarea", "title"];

    private readonly string _html = html ?? throw new ArgumentNullException(nameof(html));
    private readonly List<(int NameStart, int NameLength, int ValueStart, int ValueLength)> _attributes = [];
    private int _pos;
    private int _textStart;
    private int _textLength;
    private string? _rawTextEnd;

    public HtmlTokenKind Kind { get; private set; }

    /// <summary>The tag's name, lowercased (a start or end tag).</summary>
    public string Name { get; private set; } = string.Empty;

    /// <summary>The last start tag ended with <c>/&gt;</c>.</summary>
    public bool SelfClosing { get; private set; }

    /// <summary>The text token's raw text.</summary>
    public ReadOnlySpan<char> Text => _html.AsSpan(_textStart, _textLength);

    /// <summary>Advances to the next token; false at the end of the input.</summary>
    public bool Next()
    {
        if (_rawTextEnd is { } end)
        {
            _rawTextEnd = null;
            if (RawText(end))
            {
                return true;
            }
        }

        while (_pos < _html.Length)
        {
            var lt = _html.IndexOf('<', _pos);
            if (lt < 0)
            {
                return EmitText(_pos, _html.Length);
            }

            if (lt > _pos)
            {
                // Text up to a '<' that opens markup (or the text goes on past a stray '<').
                if (Opens(lt))
                {
                    return EmitText(_pos, lt);
                }

                var next = NextMarkup(lt + 1);
                return EmitText(_pos, next);
            }

            // _pos is at '<'.
            if (!Opens(lt))
            {
                return EmitText(_pos, NextMarkup(lt + 1));
            }

            var c = _html[lt + 1];
            if (c == '!')
            {
                _pos = _html.AsSpan(lt).StartsWith("<!--") ? EndOf(lt + 4, "-->") : EndOf(lt + 2, ">");
                continue;
            }

            if (c == '?')
            {
                _pos = EndOf(lt + 2, ">");
                continue;
            }

            if (c == '/')
            {
                if (lt + 2 < _html.Length && char.IsAsciiLetter(_html[lt + 2]))
                {
                    ReadTag(lt + 2, HtmlTokenKind.EndTag);
                    return true;
                }

                // "</>" and "</ ..." are bogus: skipped to the next '>'.
                _pos = EndOf(lt + 2, ">");
                continue;
            }

            ReadTag(lt + 1, HtmlTokenKind.StartTag);
            if (Array.IndexOf(RawTextElements, Name) >= 0)
            {
                _rawTextEnd = Name;
            }

            return true;
        }

        return false;
    }

    /// <summary>The value of the last start tag's last attribute named <paramref name="name"/> (lowercase), raw; "" when it has no value; null when absent.</summary>
    public string? Attribute(string name)
    {
        for (var i = _attributes.Count - 1; i >= 0; i--)
        {
            var (nameStart, nameLength, valueStart, valueLength) = _attributes[i];
            if (_html.AsSpan(nameStart, nameLength).Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return valueLength == 0 ? string.Empty : _html.Substring(valueStart, valueLength);
            }
        }

        return null;
    }

    private bool Opens(int lt)
    {
        if (lt + 1 >= _html.Length)
        {
            return false;
        }

        var c = _html[lt + 1];
        return char.IsAsciiLetter(c) || c is '!' or '?' or '/';
    }

    /// <summary>The first '&lt;' at or after <paramref name="from"/> that opens markup, or the end.</summary>
    private int NextMarkup(int from)
    {
        while (from < _html.Length)
        {
            var lt = _html.IndexOf('<', from);
            if (lt < 0)
            {
                return _html.Length;
            }

            if (Opens(lt))
            {
                return lt;
            }

            from = lt + 1;
        }

        return _html.Length;
    }

    private bool EmitText(int start, int end)
    {
        Kind = HtmlTokenKind.Text;
        _textStart = start;
        _textLength = end - start;
        _pos = end;
        return true;
    }

    /// <summary>The position after the first <paramref name="terminator"/> at or after <paramref name="from"/>; the end when there is none.</summary>
    private int EndOf(int from, string terminator)
    {
        if (from >= _html.Length)
        {
            return _html.Length;
        }

        var at = _html.IndexOf(terminator, from, StringComparison.Ordinal);
        return at < 0 ? _html.Length : at + terminator.Length;
    }

    /// <summary>The content of a raw text element up to its end tag (or the end of the input) as one text token; false when empty.</summary>
    private bool RawText(string name)
    {
        var from = _pos;
        var search = from;
        while (search < _html.Length)
        {
            var at = _html.IndexOf("</", search, StringComparison.Ordinal);
            if (at < 0)
            {
                break;
            }

            var after = at + 2 + name.Length;
            if (after <= _html.Length
                && _html.AsSpan(at + 2, name.Length).Equals(name, StringComparison.OrdinalIgnoreCase)
                && (after == _html.Length || _html[after] is '>' or '/' or ' ' or '\t' or '\n' or '\r' or '\f'))
            {
                if (at == from)
                {
                    return false;
                }

                return EmitText(from, at);
            }

            search = at + 2;
        }

        if (from >= _html.Length)
        {
            return false;
        }

        return EmitText(from, _html.Length);
    }

    private void ReadTag(int nameStart, HtmlTokenKind kind)
    {
        Kind = kind;
        if (kind == HtmlTokenKind.StartTag)
        {
            // An end tag keeps them: a caller may read a raw text element's attributes after the token of its content.
            SelfClosing = false;
            _attributes.Clear();
        }

        var p = nameStart;
        while (p < _html.Length && !IsSpace(_html[p]) && _html[p] is not ('>' or '/'))
        {
            p++;
        }

        Name = LowerName(nameStart, p - nameStart);
        while (true)
        {
            while (p < _html.Length && (IsSpace(_html[p]) || _html[p] == '/'))
            {
                if (_html[p] == '/' && p + 1 < _html.Length && _html[p + 1] == '>')
                {
                    SelfClosing = true;
                }

                p++;
            }

            if (p >= _html.Length)
            {
                _pos = p;
                return;
            }

            if (_html[p] == '>')
            {
                _pos = p + 1;
                return;
            }

            var an = p;
            p++; // a name may begin with '=' (the standard's tokenizer), never be empty
            while (p < _html.Length && !IsSpace(_html[p]) && _html[p] is not ('>' or '/' or '='))
            {
                p++;
            }

            var anLength = p - an;
            while (p < _html.Length && IsSpace(_html[p]))
            {
                p++;
            }

            int vs = 0, vl = 0;
            if (p < _html.Length && _html[p] == '=')
            {
                p++;
                while (p < _html.Length && IsSpace(_html[p]))
                {
                    p++;
                }

                if (p < _html.Length && _html[p] is '"' or '\'')
                {
                    var quote = _html[p];
                    var close = _html.IndexOf(quote, p + 1);
                    vs = p + 1;
                    vl = (close < 0 ? _html.Length : close) - vs;
                    p = close < 0 ? _html.Length : close + 1;
                }
                else
                {
                    vs = p;
                    while (p < _html.Length && !IsSpace(_html[p]) && _html[p] != '>')
                    {
                        p++;
                    }

                    vl = p - vs;
                }
            }

            if (kind == HtmlTokenKind.StartTag)
            {
                _attributes.Add((an, anLength, vs, vl));
            }
        }
    }

    /// <summary>The tag name lowercased; the common names without allocating.</summary>
    private string LowerName(int start, int length)
    {
        var span = _html.AsSpan(start, length);
        foreach (var known in KnownNames)
        {
            if (span.Equals(known, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        return span.ToString().ToLowerInvariant();
    }

    private static readonly string[] KnownNames =
    [
        "a", "p", "div", "span", "li", "td", "tr", "img", "br", "link", "meta", "script", "style", "title", "html", "head",
        "body", "base", "ul", "ol", "table", "h1", "h2", "h3", "b", "i", "strong", "em", "font", "th", "form", "input",
    ];

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\f';
}
