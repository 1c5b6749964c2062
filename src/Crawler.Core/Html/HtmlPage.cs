namespace Crawler.Core.Html;

/// <summary>What a link is used for; the caller decides what to fetch (e.g. not <see cref="Form"/>).</summary>
public enum LinkKind
{
    /// <summary>A hyperlink to another page (a/area href, link rel=next/prev).</summary>
    Navigation,

    /// <summary>A resource the page embeds: images, media, icons, preloads, CSS url() images.</summary>
    Embed,

    /// <summary>A stylesheet (link rel=stylesheet, CSS @import).</summary>
    Stylesheet,

    /// <summary>A script (script src, link rel=modulepreload).</summary>
    Script,

    /// <summary>A frame or iframe document.</summary>
    Frame,

    /// <summary>A meta refresh target.</summary>
    Redirect,

    /// <summary>link rel=canonical.</summary>
    Canonical,

    /// <summary>A form action (or formaction); usually not fetched.</summary>
    Form,

    /// <summary>link rel=alternate (translations, feeds).</summary>
    Alternate,

    /// <summary>Anything else (cite, link rels without fetch semantics).</summary>
    Other,
}

/// <summary>
/// A URL found in a page: <see cref="Url"/> is the raw attribute value (entity-decoded, trimmed, not resolved),
/// <see cref="Source"/> names where it came from, e.g. "a@href", "img@srcset", "meta@refresh", "style@url".
/// </summary>
public sealed record ExtractedLink(string Url, LinkKind Kind, string Source);

/// <summary>The facts about an HTML page a crawler needs.</summary>
/// <param name="Title">The first &lt;title&gt;, whitespace-collapsed; null when absent or empty.</param>
/// <param name="Language">&lt;html lang&gt;, else the first language of meta content-language.</param>
/// <param name="BaseHref">The first &lt;base href&gt;, raw; the caller resolves links against it.</param>
/// <param name="Links">Every link in document order (duplicates kept, as each has its own source).</param>
/// <param name="NoFollow">meta robots says nofollow or none.</param>
/// <param name="NoIndex">meta robots says noindex or none.</param>
public sealed record HtmlPage(
    string? Title,
    string? Language,
    string? BaseHref,
    IReadOnlyList<ExtractedLink> Links,
    bool NoFollow,
    bool NoIndex)
{
    /// <summary>The page's text blocks (<see cref="HtmlText.ExtractBlocks(string)"/>), when asked for: from the same parse as the links.</summary>
    public IReadOnlyList<string>? Blocks { get; init; }
}
