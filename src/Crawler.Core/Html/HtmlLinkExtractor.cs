using System.Text;
using System.Text.RegularExpressions;
using HtmlAgilityPack;

namespace Crawler.Core.Html;

/// <summary>Extracts links and page facts from HTML with HtmlAgilityPack.</summary>
public static partial class HtmlLinkExtractor
{
    private const int MaxDepth = 1000;

    private static readonly string[] DroppedSchemes =
        ["javascript", "vbscript", "mailto", "tel", "data", "about", "blob", "sms", "callto"];

    /// <summary>
    /// Parses <paramref name="html"/> (malformed markup is fine; this does not throw) and returns its links.
    /// Values are entity-decoded and trimmed but not resolved. Dropped: empty values, fragment-only values
    /// ("#top") and non-fetchable schemes (javascript:, vbscript:, mailto:, tel:, data:, about:, blob:, sms:,
    /// callto:).
    /// </summary>
    /// <param name="html">The page.</param>
    /// <param name="withBlocks">Also the page's text blocks (<see cref="HtmlPage.Blocks"/>), from the same parse: one parse per page instead of two.</param>
    public static HtmlPage Extract(string html, bool withBlocks = false)
    {
        ArgumentNullException.ThrowIfNull(html);
        var doc = Load(html);

        var state = new State();
        var stack = new Stack<HtmlNode>();
        stack.Push(doc.DocumentNode);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (node.NodeType == HtmlNodeType.Element)
            {
                Visit(new DomElement(node), state);
            }

            var children = node.ChildNodes;
            for (var k = children.Count - 1; k >= 0; k--)
            {
                stack.Push(children[k]);
            }
        }

        return new HtmlPage(
            state.Title,
            state.Language ?? state.ContentLanguage,
            state.BaseHref,
            state.Links.AsReadOnly(),
            state.NoFollow,
            state.NoIndex)
        { Blocks = withBlocks ? HtmlText.ExtractBlocks(doc) : null };
    }

    /// <summary>
    /// The page's facts (title, language, base, robots) as <see cref="Extract"/> finds them, with no links
    /// (<see cref="StreamLinks"/> gives them), read in one streaming pass (<see cref="HtmlTagScanner"/>) that holds no DOM:
    /// for pages too large for one. On the pages of the tests' corpus both ways give the same result.
    /// </summary>
    public static HtmlPage StreamFacts(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        var state = new State { CollectLinks = false };
        foreach (var _ in Scan(html, state))
        {
        }

        return new HtmlPage(state.Title, state.Language ?? state.ContentLanguage, state.BaseHref, [], state.NoFollow, state.NoIndex);
    }

    /// <summary>
    /// The links <see cref="Extract"/> finds, in the same order, produced one at a time as a streaming pass
    /// (<see cref="HtmlTagScanner"/>) reaches them: memory does not grow with the page's links, so a caller that keeps the
    /// first N and counts the rest holds N.
    /// </summary>
    public static IEnumerable<ExtractedLink> StreamLinks(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        return Scan(html, new State());
    }

    private static IEnumerable<ExtractedLink> Scan(string html, State state)
    {
        var scanner = new HtmlTagScanner(html);
        while (scanner.Next())
        {
            if (scanner.Kind != HtmlTokenKind.StartTag)
            {
                continue;
            }

            var content = string.Empty;
            if (scanner.Name is "title" or "style" && scanner.Next() && scanner.Kind == HtmlTokenKind.Text)
            {
                // The raw text token of the element (the scanner keeps the start tag's attributes across it).
                content = scanner.Text.ToString();
            }

            Visit(new ScannedElement(scanner, content), state);
            foreach (var link in state.Links)
            {
                yield return link;
            }

            state.Links.Clear();
        }
    }

    /// <summary>An element as <see cref="Visit"/> reads it, from a DOM or from a streaming scan.</summary>
    private interface IElement
    {
        string Name { get; }

        string InnerText { get; }

        string InnerHtml { get; }

        /// <summary>The attribute's raw value, null when absent.</summary>
        string? RawAttribute(string name);
    }

    private readonly struct DomElement(HtmlNode node) : IElement
    {
        public string Name => node.Name;

        public string InnerText => node.InnerText;

        public string InnerHtml => node.InnerHtml;

        public string? RawAttribute(string name) => node.Attributes[name] is { } a ? a.Value ?? string.Empty : null;
    }

    /// <summary>A start tag of <see cref="HtmlTagScanner"/>; the content of a title or style is its raw text, as HtmlAgilityPack's.</summary>
    private readonly struct ScannedElement(HtmlTagScanner scanner, string content) : IElement
    {
        public string Name => scanner.Name;

        public string InnerText => content;

        public string InnerHtml => content;

        public string? RawAttribute(string name) => scanner.Attribute(name);
    }

    /// <summary>
    /// HtmlAgilityPack's tree building is quadratic (and recursive) in the nesting depth, so tens of
    /// thousands of unclosed tags take minutes or overflow the stack. Past <see cref="MaxDepth"/> the
    /// markup is re-parsed with every start tag self-closed: the structure is lost but the attributes,
    /// which is all link extraction needs, survive.
    /// </summary>
    private static HtmlDocument Load(string html)
    {
        var doc = new HtmlDocument { OptionMaxNestedChildNodes = MaxDepth };
        try
        {
            doc.LoadHtml(html);
            return doc;
        }
#pragma warning disable CA1031 // HtmlAgilityPack throws a plain Exception for the depth limit.
        catch (Exception)
#pragma warning restore CA1031
        {
            var flat = new HtmlDocument { OptionMaxNestedChildNodes = MaxDepth };
            flat.LoadHtml(StartTag().Replace(html, SelfClose));
            return flat;
        }
    }

    private static string SelfClose(Match m)
    {
        var name = m.Groups["name"].Value;
        var rest = m.Groups["rest"].Value;
        if (rest.EndsWith('/') || RawTextElements.Contains(name))
        {
            return m.Value;
        }

        return "<" + name + rest + " />";
    }

    private static readonly HashSet<string> RawTextElements =
        new(["script", "style", "title", "textarea", "xmp", "noscript", "iframe", "noembed", "noframes", "plaintext"], StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex("""<(?<name>[a-zA-Z][a-zA-Z0-9:_-]*)(?<rest>(?:[^>"']|"[^"]*"|'[^']*')*)>""", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex StartTag();

    private static void Visit<T>(T node, State s)
        where T : IElement
    {
        var name = node.Name;
        switch (name)
        {
            case "a" or "area":
                Add(s, node, "href", LinkKind.Navigation);
                break;
            case "link":
                VisitLink(node, s);
                break;
            case "img":
                Add(s, node, "src", LinkKind.Embed);
                AddSrcset(s, node, "srcset");
                Add(s, node, "lowsrc", LinkKind.Embed);
                Add(s, node, "data-src", LinkKind.Embed);
                AddSrcset(s, node, "data-srcset");
                break;
            case "source":
                Add(s, node, "src", LinkKind.Embed);
                AddSrcset(s, node, "srcset");
                break;
            case "script":
                Add(s, node, "src", LinkKind.Script);
                break;
            case "iframe" or "frame":
                Add(s, node, "src", LinkKind.Frame);
                break;
            case "embed" or "audio" or "track":
                Add(s, node, "src", LinkKind.Embed);
                break;
            case "video":
                Add(s, node, "src", LinkKind.Embed);
                Add(s, node, "poster", LinkKind.Embed);
                break;
            case "object":
                Add(s, node, "data", LinkKind.Embed);
                break;
            case "input":
                if (string.Equals(Attr(node, "type")?.Trim(), "image", StringComparison.OrdinalIgnoreCase))
                {
                    Add(s, node, "src", LinkKind.Embed);
                }

                Add(s, node, "formaction", LinkKind.Form);
                break;
            case "button":
                Add(s, node, "formaction", LinkKind.Form);
                break;
            case "form":
                Add(s, node, "action", LinkKind.Form);
                break;
            case "body" or "table" or "td" or "th":
                Add(s, node, "background", LinkKind.Embed);
                break;
            case "blockquote" or "q" or "del" or "ins":
                Add(s, node, "cite", LinkKind.Other);
                break;
            case "image" or "use":
                // SVG.
                Add(s, node, "href", LinkKind.Embed);
                Add(s, node, "xlink:href", LinkKind.Embed);
                break;
            case "base":
                if (s.BaseHref is null && Attr(node, "href") is { } baseHref)
                {
                    s.BaseHref = TrimUrl(baseHref);
                }

                break;
            case "html":
                s.Language ??= NonEmpty(Attr(node, "lang") ?? Attr(node, "xml:lang"));
                break;
            case "title":
                if (s.Title is null)
                {
                    s.Title = NonEmpty(CollapseWhitespace(HtmlEntity.DeEntitize(node.InnerText)));
                }

                break;
            case "meta":
                VisitMeta(node, s);
                break;
            case "style":
                foreach (var css in CssLinkExtractor.ExtractDetailed(node.InnerHtml))
                {
                    AddValue(s, css.Url, css.IsImport ? LinkKind.Stylesheet : LinkKind.Embed, css.IsImport ? "style@import" : "style@url");
                }

                break;
        }

        if (Attr(node, "style") is { } inline)
        {
            foreach (var css in CssLinkExtractor.ExtractDetailed(inline))
            {
                AddValue(s, css.Url, LinkKind.Embed, name + "@style");
            }
        }
    }

    private static void VisitLink<T>(T node, State s)
        where T : IElement
    {
        var rels = (Attr(node, "rel") ?? string.Empty)
            .ToLowerInvariant()
            .Split([' ', '\t', '\n', '\r', '\f'], StringSplitOptions.RemoveEmptyEntries);
        var kind = LinkKind.Other;
        if (rels.Contains("stylesheet"))
        {
            kind = LinkKind.Stylesheet;
        }
        else if (rels.Contains("canonical"))
        {
            kind = LinkKind.Canonical;
        }
        else if (rels.Contains("alternate"))
        {
            kind = LinkKind.Alternate;
        }
        else if (rels.Contains("modulepreload"))
        {
            kind = LinkKind.Script;
        }
        else if (rels.Any(r => r is "icon" or "apple-touch-icon" or "apple-touch-icon-precomposed" or "mask-icon"
                     or "preload" or "prefetch" or "manifest" or "image_src"))
        {
            kind = LinkKind.Embed;
        }
        else if (rels.Any(r => r is "next" or "prev" or "previous" or "home" or "index" or "up" or "first" or "last"))
        {
            kind = LinkKind.Navigation;
        }

        Add(s, node, "href", kind);
        AddSrcset(s, node, "imagesrcset");
    }

    private static void VisitMeta<T>(T node, State s)
        where T : IElement
    {
        var httpEquiv = Attr(node, "http-equiv")?.Trim();
        var metaName = Attr(node, "name")?.Trim() ?? Attr(node, "property")?.Trim();
        var content = Attr(node, "content");
        if (content is null)
        {
            return;
        }

        if (string.Equals(httpEquiv, "refresh", StringComparison.OrdinalIgnoreCase))
        {
            if (ParseRefresh(content) is { } target)
            {
                AddValue(s, target, LinkKind.Redirect, "meta@refresh");
            }
        }
        else if (string.Equals(httpEquiv, "content-language", StringComparison.OrdinalIgnoreCase))
        {
            s.ContentLanguage ??= NonEmpty(content.Split(',')[0].Trim());
        }
        else if (string.Equals(metaName, "robots", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var token in content.Split([',', ' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries))
            {
                if (token.Equals("none", StringComparison.OrdinalIgnoreCase))
                {
                    s.NoFollow = true;
                    s.NoIndex = true;
                }
                else if (token.Equals("nofollow", StringComparison.OrdinalIgnoreCase))
                {
                    s.NoFollow = true;
                }
                else if (token.Equals("noindex", StringComparison.OrdinalIgnoreCase))
                {
                    s.NoIndex = true;
                }
            }
        }
        else if (string.Equals(metaName, "og:image", StringComparison.OrdinalIgnoreCase)
                 || string.Equals(metaName, "twitter:image", StringComparison.OrdinalIgnoreCase))
        {
            AddValue(s, content, LinkKind.Embed, "meta@" + metaName!.ToLowerInvariant());
        }
    }

    /// <summary>
    /// The URL of a meta refresh "content" value, per the HTML standard's shared declarative refresh steps
    /// ("5; url='x'", "0;URL=x", "3, x", "0 x"); null when there is none or the time is missing.
    /// </summary>
    internal static string? ParseRefresh(string content)
    {
        var input = content.AsSpan();
        var pos = 0;
        SkipWhitespace(input, ref pos);
        var digitsStart = pos;
        while (pos < input.Length && char.IsAsciiDigit(input[pos]))
        {
            pos++;
        }

        if (pos == digitsStart && (pos >= input.Length || input[pos] != '.'))
        {
            return null;
        }

        while (pos < input.Length && (char.IsAsciiDigit(input[pos]) || input[pos] == '.'))
        {
            pos++;
        }

        if (pos < input.Length)
        {
            if (input[pos] is not (';' or ',') && !IsHtmlWhitespace(input[pos]))
            {
                return null;
            }

            SkipWhitespace(input, ref pos);
            if (pos < input.Length && input[pos] is ';' or ',')
            {
                pos++;
            }

            SkipWhitespace(input, ref pos);
        }

        if (pos >= input.Length)
        {
            return null;
        }

        var urlStart = pos;
        if (pos + 3 <= input.Length && input.Slice(pos, 3).Equals("url", StringComparison.OrdinalIgnoreCase))
        {
            var afterUrl = pos + 3;
            SkipWhitespace(input, ref afterUrl);
            if (afterUrl < input.Length && input[afterUrl] == '=')
            {
                afterUrl++;
                SkipWhitespace(input, ref afterUrl);
                urlStart = afterUrl;
            }
        }

        var rest = input[urlStart..];
        if (!rest.IsEmpty && rest[0] is '"' or '\'')
        {
            var quote = rest[0];
            rest = rest[1..];
            var close = rest.IndexOf(quote);
            if (close >= 0)
            {
                rest = rest[..close];
            }
        }

        var url = TrimUrl(rest.ToString());
        return url.Length == 0 ? null : url;
    }

    /// <summary>Every URL of a srcset value (HTML standard "parse a srcset attribute", descriptors ignored).</summary>
    internal static List<string> ParseSrcset(string value)
    {
        var urls = new List<string>();
        var pos = 0;
        while (pos < value.Length)
        {
            while (pos < value.Length && (IsHtmlWhitespace(value[pos]) || value[pos] == ','))
            {
                pos++;
            }

            if (pos >= value.Length)
            {
                break;
            }

            var start = pos;
            while (pos < value.Length && !IsHtmlWhitespace(value[pos]))
            {
                pos++;
            }

            var url = value[start..pos];
            var endsWithComma = url.EndsWith(',');
            url = url.TrimEnd(',');
            if (url.Length > 0)
            {
                urls.Add(url);
            }

            if (!endsWithComma)
            {
                // Skip descriptors up to the next comma outside parentheses.
                var inParens = false;
                while (pos < value.Length)
                {
                    var c = value[pos];
                    if (c == '(')
                    {
                        inParens = true;
                    }
                    else if (c == ')')
                    {
                        inParens = false;
                    }
                    else if (c == ',' && !inParens)
                    {
                        break;
                    }

                    pos++;
                }
            }
        }

        return urls;
    }

    private static void Add<T>(State s, T node, string attribute, LinkKind kind)
        where T : IElement
    {
        if (s.CollectLinks && Attr(node, attribute) is { } value)
        {
            AddValue(s, value, kind, Source(node.Name, attribute));
        }
    }

    private static void AddSrcset<T>(State s, T node, string attribute)
        where T : IElement
    {
        if (s.CollectLinks && Attr(node, attribute) is { } value)
        {
            foreach (var url in ParseSrcset(value))
            {
                AddValue(s, url, LinkKind.Embed, Source(node.Name, attribute));
            }
        }
    }

    /// <summary>"a@href" and the like, one string per pair rather than one per link (a page may have a million).</summary>
    private static string Source(string element, string attribute) =>
        Sources.GetOrAdd((element, attribute), static k => k.Element + "@" + k.Attribute);

    /// <summary>Bounded by the element names <see cref="Visit"/> reads attributes of.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Element, string Attribute), string> Sources = new();

    private static void AddValue(State s, string raw, LinkKind kind, string source)
    {
        if (!s.CollectLinks)
        {
            return;
        }

        var url = TrimUrl(raw);
        if (url.Length == 0 || url[0] == '#' || HasDroppedScheme(url))
        {
            return;
        }

        s.Links.Add(new ExtractedLink(url, kind, source));
    }

    private static bool HasDroppedScheme(string url)
    {
        var colon = url.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }

        // The URL parser removes tabs and newlines anywhere, so "java\tscript:" is javascript:.
        var scheme = url[..colon].Replace("\t", string.Empty, StringComparison.Ordinal)
            .Replace("\n", string.Empty, StringComparison.Ordinal)
            .Replace("\r", string.Empty, StringComparison.Ordinal);
        foreach (var dropped in DroppedSchemes)
        {
            if (scheme.Equals(dropped, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The attribute's entity-decoded value, or null when absent.</summary>
    private static string? Attr<T>(T node, string name)
        where T : IElement => node.RawAttribute(name) is { } value ? (value.Contains('&', StringComparison.Ordinal) ? HtmlEntity.DeEntitize(value) : value) : null;

    /// <summary>Strips leading and trailing C0 controls and spaces, as the URL parser does.</summary>
    private static string TrimUrl(string value) => value.Trim(C0AndSpace);

    private static readonly char[] C0AndSpace = Enumerable.Range(0, 0x21).Select(i => (char)i).ToArray();

    private static string? NonEmpty(string? value)
    {
        var trimmed = value?.Trim();
        return string.IsNullOrEmpty(trimmed) ? null : trimmed;
    }

    private static string CollapseWhitespace(string value)
    {
        var sb = new StringBuilder(value.Length);
        var pendingSpace = false;
        foreach (var c in value)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = sb.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                sb.Append(' ');
                pendingSpace = false;
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    private static void SkipWhitespace(ReadOnlySpan<char> input, ref int pos)
    {
        while (pos < input.Length && IsHtmlWhitespace(input[pos]))
        {
            pos++;
        }
    }

    private static bool IsHtmlWhitespace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\f';

    private sealed class State
    {
        /// <summary>False in the streaming pass that reads the page's facts only.</summary>
        public bool CollectLinks { get; init; } = true;

        public List<ExtractedLink> Links { get; } = [];

        public string? Title { get; set; }

        public string? Language { get; set; }

        public string? ContentLanguage { get; set; }

        public string? BaseHref { get; set; }

        public bool NoFollow { get; set; }

        public bool NoIndex { get; set; }
    }
}
