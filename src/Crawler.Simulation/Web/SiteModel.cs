using System.Net;

namespace Crawler.Simulation.Web;

/// <summary>Behaviours a site exhibits. Spread over the sites by a seeded permutation.</summary>
[Flags]
public enum SiteFeatures
{
    None = 0,
    Robots404 = 1 << 0,
    Robots500 = 1 << 1,
    HttpsOnly = 1 << 2,
    PdfDisallowed = 1 << 3,
    CrawlerGroup = 1 << 4,
    CrawlDelay = 1 << 5,
    RedirectChain = 1 << 6,
    RedirectLoop = 1 << 7,
    Retry503 = 1 << 8,
    Retry429 = 1 << 9,
    Slow = 1 << 10,
    Hang = 1 << 11,
    Trap = 1 << 12,
    EucKrHeader = 1 << 13,
    EucKrMetaOnly = 1 << 14,
    WrongCharset = 1 << 15,
    MetaRefresh = 1 << 16,
    OffScopeRedirect = 1 << 17,
    VisitorCounter = 1 << 18,
    GoneAndError = 1 << 19,
    Frames = 1 << 20,
}

/// <summary>One virtual site (one host name) of the simulated web.</summary>
public sealed class SiteModel
{
    internal SiteModel(int index, string host, IReadOnlyList<IPAddress> addresses, SiteFeatures features, string language, bool fromRealList)
    {
        Index = index;
        Host = host;
        Addresses = addresses;
        Features = features;
        Language = language;
        FromRealList = fromRealList;
        Robots = null!;
    }

    public int Index { get; }

    /// <summary>Lowercase host name, e.g. <c>kcna.kp</c>.</summary>
    public string Host { get; }

    /// <summary>Loopback addresses (127.x.y.z) the site answers on; DNS returns all of them.</summary>
    public IReadOnlyList<IPAddress> Addresses { get; }

    public IPAddress Address => Addresses[0];

    public SiteFeatures Features { get; }

    /// <summary>"ko" or "en": the lang of the home page.</summary>
    public string Language { get; }

    public bool FromRealList { get; }

    public bool HttpsOnly => Has(SiteFeatures.HttpsOnly);

    /// <summary>Scheme of the site's own links ("https" for HTTPS-only sites).</summary>
    public string Scheme => HttpsOnly ? "https" : "http";

    /// <summary>Canonical root URL in the site's own scheme, e.g. <c>https://kcna.kp/</c>.</summary>
    public string RootUrl => Scheme + "://" + Host + "/";

    /// <summary>The seed the crawler starts from: always <c>http://host/</c>.</summary>
    public string SeedUrl => "http://" + Host + "/";

    public RobotsPolicy Robots { get; internal set; }

    public bool Has(SiteFeatures f) => (Features & f) == f;

    public string Url(string pathAndQuery) => Scheme + "://" + Host + pathAndQuery;

    public override string ToString() => Host;
}
