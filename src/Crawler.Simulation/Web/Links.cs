namespace Crawler.Simulation.Web;

/// <summary>How a URL is referenced. The crawler follows the first group and never the second.</summary>
public enum LinkKind
{
    Anchor,
    Area,
    Stylesheet,
    Icon,
    Canonical,
    Alternate,
    Image,
    Srcset,
    Script,
    Frame,
    IFrame,
    CssUrl,
    CssImport,
    MetaRefresh,
    SitemapLoc,
    RobotsSitemap,
    Redirect,

    // Never followed.
    FormAction,
    JavaScript,
    Mailto,
    Tel,
    Data,
}

/// <summary>An outgoing reference of a served resource. Target is the canonical absolute URL (fragment dropped) for followed kinds, the raw text otherwise.</summary>
public sealed record Link(LinkKind Kind, string Target)
{
    public bool IsFollowed => Kind < LinkKind.FormAction;
}
