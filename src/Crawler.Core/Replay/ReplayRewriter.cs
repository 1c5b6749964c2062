using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using HtmlAgilityPack;

namespace Crawler.Core.Replay;

/// <summary>
/// Rewrites an archived page so that everything it refers to is asked of the archive (<see cref="ReplayPath"/>), at
/// the page's capture time: links, frames and forms as pages, images, stylesheets, scripts and media as resources,
/// <c>srcset</c>, inline and linked CSS (<c>url()</c>, <c>@import</c>), <c>meta refresh</c>, and <c>base</c>. Scripts
/// are not rewritten (the replay's Content-Security-Policy keeps whatever they ask for inside the archive) and the
/// archive's banner goes first in the body. Pure. Hand-written: no .NET library does Wayback-style rewriting; the HTML
/// itself is parsed by HtmlAgilityPack.
/// </summary>
public static partial class ReplayRewriter
{
    /// <summary>Attributes holding one URL: element (or * for any) → attribute → the modifier its target gets.</summary>
    private static readonly (string Element, string Attribute, string Modifier)[] UrlAttributes =
    [
        ("a", "href", ""), ("area", "href", ""), ("form", "action", ""),
        ("iframe", "src", "if_"), ("frame", "src", "if_"),
        ("img", "src", "im_"), ("input", "src", "im_"), ("image", "href", "im_"),
        ("script", "src", "js_"),
        ("embed", "src", "oe_"), ("object", "data", "oe_"),
        ("audio", "src", "oe_"), ("video", "src", "oe_"), ("video", "poster", "im_"), ("source", "src", "oe_"), ("track", "src", "oe_"),
        ("body", "background", "im_"), ("table", "background", "im_"), ("td", "background", "im_"), ("th", "background", "im_"),
    ];

    /// <summary>
    /// The page <paramref name="html"/>, archived from <paramref name="pageUrl"/> at <paramref name="at"/>, with every
    /// reference rewritten into the archive; <paramref name="banner"/> (HTML, may be null) is put first in the body.
    /// </summary>
    public static string RewriteHtml(string html, string pageUrl, DateTimeOffset at, string? banner)
    {
        ArgumentNullException.ThrowIfNull(html);
        ArgumentNullException.ThrowIfNull(pageUrl);
        var document = new HtmlDocument { OptionOutputOriginalCase = true };
        document.LoadHtml(html);
        var baseUrl = new Uri(pageUrl);

        // A <base> changes what relative references mean: read it first, then point it into the archive too.
        foreach (var baseNode in document.DocumentNode.Descendants("base").ToList())
        {
            var href = baseNode.GetAttributeValue("href", null);
            if (href is not null && Uri.TryCreate(baseUrl, WebUtility.HtmlDecode(href.Trim()), out var resolved) && resolved.Scheme is "http" or "https")
            {
                baseUrl = resolved;
            }

            baseNode.Remove();
        }

        foreach (var node in document.DocumentNode.Descendants().Where(n => n.NodeType == HtmlNodeType.Element).ToList())
        {
            var name = node.Name.ToLowerInvariant();
            foreach (var (element, attribute, modifier) in UrlAttributes)
            {
                if (element == name && node.Attributes[attribute] is { } a)
                {
                    a.Value = Rewrite(a.DeEntitizeValue, baseUrl, at, modifier) is { } rewritten ? WebUtility.HtmlEncode(rewritten) : a.Value;
                }
            }

            if (name == "link" && node.Attributes["href"] is { } link)
            {
                var rel = node.GetAttributeValue("rel", string.Empty).ToLowerInvariant();
                var modifier = rel.Contains("stylesheet", StringComparison.Ordinal) ? "cs_" : rel.Contains("icon", StringComparison.Ordinal) ? "im_" : "oe_";
                link.Value = Rewrite(link.DeEntitizeValue, baseUrl, at, modifier) is { } rewritten ? WebUtility.HtmlEncode(rewritten) : link.Value;
            }

            foreach (var attribute in new[] { "srcset", "imagesrcset" })
            {
                if (node.Attributes[attribute] is { } srcset)
                {
                    srcset.Value = WebUtility.HtmlEncode(RewriteSrcset(srcset.DeEntitizeValue ?? string.Empty, baseUrl, at));
                }
            }

            if (node.Attributes["style"] is { } style)
            {
                style.Value = WebUtility.HtmlEncode(RewriteCss(style.DeEntitizeValue ?? string.Empty, baseUrl.AbsoluteUri, at));
            }

            if (name == "style")
            {
                var css = node.InnerHtml;
                node.InnerHtml = RewriteCss(css, baseUrl.AbsoluteUri, at);
            }

            if (name == "meta" && node.GetAttributeValue("http-equiv", string.Empty).Equals("refresh", StringComparison.OrdinalIgnoreCase)
                && node.Attributes["content"] is { } content)
            {
                content.Value = WebUtility.HtmlEncode(RewriteRefresh(content.DeEntitizeValue ?? string.Empty, baseUrl, at));
            }
        }

        if (!string.IsNullOrEmpty(banner))
        {
            var body = document.DocumentNode.Descendants("body").FirstOrDefault();
            var bannerNode = HtmlNode.CreateNode("<div></div>");
            bannerNode.InnerHtml = banner;
            if (body is not null)
            {
                body.PrependChildren(bannerNode.ChildNodes);
            }
            else
            {
                document.DocumentNode.PrependChildren(bannerNode.ChildNodes);
            }
        }

        using var writer = new StringWriter();
        document.Save(writer);
        return writer.ToString();
    }

    /// <summary>CSS (a stylesheet, a style element or attribute) from <paramref name="cssUrl"/> with its <c>url()</c> and <c>@import</c> targets in the archive.</summary>
    public static string RewriteCss(string css, string cssUrl, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(css);
        var baseUrl = new Uri(cssUrl);
        var rewritten = CssUrl().Replace(css, m =>
        {
            var target = m.Groups["u"].Value.Trim();
            return Rewrite(target, baseUrl, at, "im_") is { } r ? $"url(\"{r}\")" : m.Value;
        });
        return CssImport().Replace(rewritten, m =>
            Rewrite(m.Groups["u"].Value, baseUrl, at, "cs_") is { } r ? $"@import \"{r}\"" : m.Value);
    }

    /// <summary>
    /// One reference made absolute against <paramref name="baseUrl"/> and put into the archive; null for what is left
    /// as it is (a fragment, <c>data:</c>, <c>javascript:</c>, <c>mailto:</c>, and anything that is not http(s)).
    /// </summary>
    public static string? Rewrite(string? reference, Uri baseUrl, DateTimeOffset at, string modifier)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        var value = reference?.Trim();
        if (string.IsNullOrEmpty(value) || value.StartsWith('#') || value.StartsWith(ReplayPath.Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        if (!Uri.TryCreate(baseUrl, value, out var absolute) || absolute.Scheme is not ("http" or "https"))
        {
            return null;
        }

        return ReplayPath.For(at, absolute.AbsoluteUri, modifier);
    }

    private static string RewriteSrcset(string srcset, Uri baseUrl, DateTimeOffset at)
    {
        var parts = srcset.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var result = new StringBuilder();
        foreach (var part in parts)
        {
            var space = part.IndexOfAny([' ', '\t', '\n']);
            var url = space < 0 ? part : part[..space];
            var descriptor = space < 0 ? string.Empty : part[space..];
            result.Append(result.Length > 0 ? ", " : string.Empty).Append(Rewrite(url, baseUrl, at, "im_") ?? url).Append(descriptor);
        }

        return result.ToString();
    }

    private static string RewriteRefresh(string content, Uri baseUrl, DateTimeOffset at)
    {
        var match = RefreshUrl().Match(content);
        if (!match.Success)
        {
            return content;
        }

        var target = match.Groups["u"].Value.Trim().Trim('\'', '"');
        return Rewrite(target, baseUrl, at, "") is { } r ? content[..match.Groups["u"].Index] + r + content[(match.Groups["u"].Index + match.Groups["u"].Length)..] : content;
    }

    [GeneratedRegex("""url\(\s*(?<q>["']?)(?<u>[^"')]*)\k<q>\s*\)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CssUrl();

    [GeneratedRegex("""@import\s+(?<q>["'])(?<u>[^"']*)\k<q>""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CssImport();

    [GeneratedRegex("""url\s*=\s*(?<u>.+)$""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RefreshUrl();
}
