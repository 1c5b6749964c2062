using System.Net;
using System.Text;
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

    /// <summary>The page's title (if any) and text blocks, each non-empty and with whitespace collapsed.</summary>
    public static IReadOnlyList<string> ExtractBlocks(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
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
        void Flush()
        {
            if (Collapse(current.ToString()) is { Length: > 0 } text)
            {
                blocks.Add(text);
            }

            current.Clear();
        }

        void Walk(HtmlNode node)
        {
            foreach (var child in node.ChildNodes)
            {
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

    private static string Collapse(string text)
    {
        var result = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
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

        return result.ToString();
    }
}
