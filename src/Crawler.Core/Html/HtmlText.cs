using System.Net;
using System.Text;
using Crawler.Core.Text;
using HtmlAgilityPack;

namespace Crawler.Core.Html;

/// <summary>
/// The readable text of a page as blocks (a heading, a paragraph, a list item, a table cell, ...), in document order,
/// whitespace collapsed: what a reader compares between two captures and what full-text search indexes. Scripts,
/// styles, templates and the head (but its title) carry no text. Pure; the HTML is parsed by HtmlAgilityPack.
/// </summary>
public static class HtmlText
{
    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object", "select", "button",
    };

    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "dialog", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
        "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "br",
    };

    /// <summary>
    /// HTML longer than this (in chars) is read by a streaming pass instead of a DOM (<see cref="StreamBlocks"/>): a DOM costs
    /// about a hundred times the page, so a page of a million links would take gigabytes.
    /// </summary>
    public const int DefaultMaxDomChars = 1_000_000;

    /// <summary>A block <see cref="StreamBlocks"/> gives is cut (at a space) past this many chars, so a page of one giant
    /// block is read a piece at a time, each piece below the large object heap's 85,000 bytes (pieces there live until a
    /// full collection: a page of 7 million chars of text held ~40 MB of them).</summary>
    public const int MaxStreamedBlockChars = 8 * 1024;

    /// <summary>
    /// The page's title (if any) and text blocks, each non-empty and with whitespace collapsed; read with a DOM up to
    /// <paramref name="maxDomChars"/>, beyond with <see cref="StreamBlocks"/>.
    /// </summary>
    public static IReadOnlyList<string> ExtractBlocks(string html, int maxDomChars = DefaultMaxDomChars)
    {
        ArgumentNullException.ThrowIfNull(html);
        if (html.Length > maxDomChars)
        {
            return [.. StreamBlocks(html)];
        }

        var document = new HtmlDocument();
        document.LoadHtml(html);
        return ExtractBlocks(document);
    }

    /// <summary>The title and text blocks of a parsed <paramref name="document"/>.</summary>
    public static IReadOnlyList<string> ExtractBlocks(HtmlDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var blocks = new List<string>();
        if (document.DocumentNode.Descendants("title").FirstOrDefault() is { } title && Collapse(WebUtility.HtmlDecode(title.InnerText)) is { Length: > 0 } t)
        {
            blocks.Add(t);
        }

        var current = new StringBuilder();
        var collapsed = new StringBuilder();
        void Flush()
        {
            // Collapsed from the builder's chunks into a second builder: one string per block, not three.
            collapsed.Clear();
            var space = false;
            foreach (var chunk in current.GetChunks())
            {
                CollapseInto(chunk.Span, collapsed, ref space);
            }

            if (collapsed.Length > 0)
            {
                blocks.Add(collapsed.ToString());
            }

            current.Clear();
        }

        void Walk(HtmlNode node)
        {
            // By index: the collection's enumerator is an object per element walked.
            var children = node.ChildNodes;
            for (var i = 0; i < children.Count; i++)
            {
                var child = children[i];
                switch (child.NodeType)
                {
                    case HtmlNodeType.Text:
                        current.Append(WebUtility.HtmlDecode(child.InnerText));
                        break;
                    case HtmlNodeType.Element when Skipped.Contains(child.Name):
                        break;
                    case HtmlNodeType.Element when Blocks.Contains(child.Name):
                        Flush();
                        Walk(child);
                        Flush();
                        break;
                    case HtmlNodeType.Element:
                        Walk(child);
                        break;
                }
            }
        }

        Walk(document.DocumentNode);
        Flush();
        return blocks;
    }

    /// <summary>
    /// The blocks <see cref="ExtractBlocks"/> reads from a DOM, read one at a time by a streaming pass (<see cref="HtmlTagScanner"/>)
    /// that holds no DOM and at most one block (cut at a space past <see cref="MaxStreamedBlockChars"/>). Without a tree,
    /// an element whose text is skipped (script, head, svg, ...) ends at its matching end tag (or, for the head, at the
    /// body), which is where a DOM ends it in all but broken markup.
    /// </summary>
    public static IEnumerable<string> StreamBlocks(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        var titles = new HtmlTagScanner(html);
        while (titles.Next())
        {
            if (titles.Kind == HtmlTokenKind.StartTag && titles.Name == "title")
            {
                if (titles.Next() && titles.Kind == HtmlTokenKind.Text
                    && Collapse(WebUtility.HtmlDecode(titles.Text.ToString())) is { Length: > 0 } t)
                {
                    yield return t;
                }

                break;
            }
        }

        var scanner = new HtmlTagScanner(html);
        var current = new StringBuilder();
        string? skipped = null;
        var skipDepth = 0;
        while (scanner.Next())
        {
            if (skipped is not null)
            {
                if (scanner.Kind == HtmlTokenKind.StartTag && scanner.Name == skipped && !scanner.SelfClosing)
                {
                    skipDepth++;
                }
                else if ((scanner.Kind == HtmlTokenKind.EndTag && scanner.Name == skipped && --skipDepth == 0)
                         || (skipped == "head" && scanner.Kind == HtmlTokenKind.StartTag && scanner.Name == "body"))
                {
                    skipped = null;
                }

                if (skipped is not null || scanner.Kind == HtmlTokenKind.EndTag)
                {
                    continue;
                }
            }

            switch (scanner.Kind)
            {
                case HtmlTokenKind.Text:
                    current.Append(WebUtility.HtmlDecode(scanner.Text.ToString()));
                    while (current.Length > MaxStreamedBlockChars)
                    {
                        var cut = LastSpace(current, MaxStreamedBlockChars);
                        if (Collapse(current.ToString(0, cut)) is { Length: > 0 } piece)
                        {
                            yield return piece;
                        }

                        current.Remove(0, cut);
                    }

                    break;
                case HtmlTokenKind.StartTag when Skipped.Contains(scanner.Name):
                    if (!scanner.SelfClosing || scanner.Name is "script" or "style")
                    {
                        skipped = scanner.Name;
                        skipDepth = 1;
                    }

                    break;
                case HtmlTokenKind.StartTag or HtmlTokenKind.EndTag when Blocks.Contains(scanner.Name):
                    if (Collapse(current.ToString()) is { Length: > 0 } text)
                    {
                        yield return text;
                    }

                    current.Clear();
                    break;
            }
        }

        if (Collapse(current.ToString()) is { Length: > 0 } last)
        {
            yield return last;
        }
    }

    /// <summary>Where to cut a long block: after its last white space at or before <paramref name="max"/>, else at <paramref name="max"/>.</summary>
    private static int LastSpace(StringBuilder text, int max)
    {
        for (var i = max - 1; i > 0; i--)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                return i + 1;
            }
        }

        return max;
    }

    private static string Collapse(string text)
    {
        var result = new StringBuilder(text.Length);
        var space = false;
        CollapseInto(text, result, ref space);
        return result.ToString();
    }

    /// <summary>
    /// Appends <paramref name="text"/> to <paramref name="result"/> with every run of white space made one space, none
    /// leading (a run at the end is dropped: its space is only written before the next character). Text given in pieces
    /// collapses as if whole when <paramref name="space"/> (a space pending) is carried from one piece to the next.
    /// </summary>
    private static void CollapseInto(ReadOnlySpan<char> text, StringBuilder result, ref bool space)
    {
        foreach (var c in text)
        {
            if (WhiteSpace.Is(c))
            {
                space = result.Length > 0;
                continue;
            }

            if (space)
            {
                result.Append(' ');
                space = false;
            }

            result.Append(c);
        }
    }
}
