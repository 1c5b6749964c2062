using System.Net;

namespace Crawler.Simulation.Web;

/// <summary>The generated web: sites, their behaviours and robots policies. Small data; pages are rendered on demand.</summary>
public sealed class SimulationModel
{
    /// <summary>Paths of the crawler trap (endless calendar), relative to the trap site's root.</summary>
    public const string TrapPathPrefix = "/calendar/";

    public const string TrapEntryPath = "/calendar/2016/09";

    private readonly Dictionary<string, SiteModel> _byHost;

    private SimulationModel(SimulationOptions options, IReadOnlyList<SiteModel> sites, IReadOnlyList<string> extraScopeDomains)
    {
        Options = options;
        Sites = sites;
        ExtraScopeDomains = extraScopeDomains;
        _byHost = sites.ToDictionary(s => s.Host, StringComparer.OrdinalIgnoreCase);
    }

    public SimulationOptions Options { get; }

    public IReadOnlyList<SiteModel> Sites { get; }

    /// <summary>Domains outside .kp the crawler must be configured to treat as in scope (e.g. uriminzokkiri.com).</summary>
    public IReadOnlyList<string> ExtraScopeDomains { get; }

    /// <summary>One seed per site: <c>http://host/</c>.</summary>
    public IReadOnlyList<string> SeedUrls => Sites.Select(s => s.SeedUrl).ToArray();

    /// <summary>Distinct loopback addresses the sites use.</summary>
    public IReadOnlyList<IPAddress> Addresses => Sites.SelectMany(s => s.Addresses).Distinct().ToArray();

    public SiteModel? Site(string host) => _byHost.GetValueOrDefault(host);

    public SiteModel SiteWith(SiteFeatures feature) => Sites.First(s => s.Has(feature));

    /// <summary>The response for a request, or null when no site has that host (the server then answers 404).</summary>
    public SimResponse? Respond(string scheme, string host, string pathAndQuery, int epoch)
    {
        var site = Site(host);
        return site is null ? null : PageRenderer.Respond(this, site, scheme, pathAndQuery, epoch);
    }

    /// <summary>The response for an absolute URL (http or https).</summary>
    public SimResponse? Respond(string absoluteUrl, int epoch)
    {
        var u = new Uri(absoluteUrl);
        return Respond(u.Scheme, u.Host, u.PathAndQuery, epoch);
    }

    /// <summary>Scope as the crawler sees it: hosts under .kp plus the extra domains (and their subdomains).</summary>
    public bool IsInScope(string host)
    {
        host = host.ToLowerInvariant();
        if (host == "kp" || host.EndsWith(".kp", StringComparison.Ordinal))
        {
            return true;
        }

        return ExtraScopeDomains.Any(d => host == d || host.EndsWith("." + d, StringComparison.Ordinal));
    }

    public static SimulationModel Build(SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.SiteCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "SiteCount must be at least 1.");
        }

        var n = options.SiteCount;
        var names = new List<(string Host, IReadOnlyList<IPAddress> Addrs, bool Real)>();
        if (options.UseRealKpNames)
        {
            var real = KpDomainList.Domains.Where(d => d.Name.EndsWith(".kp", StringComparison.Ordinal)).ToList();
            var extra = KpDomainList.Domains.First(d => d.Name == "uriminzokkiri.com");
            var take = Math.Min(real.Count, n >= 2 ? n - 1 : n);
            foreach (var d in real.Take(take))
            {
                names.Add((d.Name, d.Addresses2016.Select(KpDomainList.ToLoopback).ToArray(), true));
            }

            if (n >= 2)
            {
                // The in-scope extra domain goes in the middle of the list.
                names.Insert(Math.Min(names.Count, n / 2), (extra.Name, [], true));
            }
        }

        var generated = 0;
        for (var i = names.Count; i < n; i++)
        {
            names.Add(($"site{i + 1}.sim.kp", [], false));
        }

        // Sites without a 2016 address get 127.45.177.x, three names per address (shared hosting).
        var withAddrs = new List<(string Host, IReadOnlyList<IPAddress> Addrs, bool Real)>();
        foreach (var (host, addrs, real) in names)
        {
            if (addrs.Count > 0)
            {
                withAddrs.Add((host, addrs, real));
                continue;
            }

            var k = generated++ / 3;
            var ip = new IPAddress([127, (byte)(45 + (k / 240)), 177, (byte)(10 + (k % 240))]);
            withAddrs.Add((host, [ip], real));
        }

        // Roles: 0 and 1 go to exclusive sites, the rest wrap over the remaining sites.
        var perm = Det.Permutation(n, options.Seed, "roles");
        var features = new SiteFeatures[n];
        SiteFeatures[] roles =
        [
            SiteFeatures.Robots500, SiteFeatures.Robots404,
            SiteFeatures.HttpsOnly, SiteFeatures.HttpsOnly, SiteFeatures.HttpsOnly,
            SiteFeatures.PdfDisallowed, SiteFeatures.CrawlerGroup,
            SiteFeatures.EucKrHeader, SiteFeatures.EucKrMetaOnly, SiteFeatures.WrongCharset,
            SiteFeatures.Trap, SiteFeatures.Hang, SiteFeatures.Slow, SiteFeatures.Slow,
            SiteFeatures.Retry503, SiteFeatures.Retry503, SiteFeatures.Retry429, SiteFeatures.Retry429,
            SiteFeatures.RedirectLoop, SiteFeatures.OffScopeRedirect, SiteFeatures.VisitorCounter,
        ];
        for (var r = 0; r < roles.Length; r++)
        {
            var pos = n <= 2 ? r % n : (r < 2 ? r : 2 + ((r - 2) % (n - 2)));
            features[perm[pos]] |= roles[r];
        }

        for (var pos = 0; pos < n; pos++)
        {
            var f = SiteFeatures.None;
            if (pos >= 2 && pos % 3 == 2)
            {
                f |= SiteFeatures.CrawlDelay;
            }

            f |= pos % 2 == 0 ? SiteFeatures.RedirectChain : SiteFeatures.MetaRefresh;
            if (pos % 3 == 0 || pos == 2)
            {
                f |= SiteFeatures.GoneAndError;
            }

            if (pos % 4 == 1 || pos == 3)
            {
                f |= SiteFeatures.Frames;
            }

            features[perm[pos]] |= f;
        }

        if (options.Features is { } only)
        {
            Array.Fill(features, only);
        }
        else if (options.PlainSites)
        {
            Array.Fill(features, SiteFeatures.None);
        }

        var sites = new List<SiteModel>(n);
        for (var i = 0; i < n; i++)
        {
            var (host, addrs, real) = withAddrs[i];
            var lang = Det.Pick(3, options.Seed, "lang", i) == 0 ? "en" : "ko";
            sites.Add(new SiteModel(i, host, addrs, features[i], lang, real));
        }

        IReadOnlyList<string> extras = sites.Where(s => !s.Host.EndsWith(".kp", StringComparison.Ordinal)).Select(s => s.Host).ToArray();
        foreach (var s in sites)
        {
            s.Robots = BuildRobots(s, options);
        }

        return new SimulationModel(options, sites, extras);
    }

    private static RobotsPolicy BuildRobots(SiteModel s, SimulationOptions o)
    {
        if (s.Has(SiteFeatures.Robots500))
        {
            return new RobotsPolicy(500, [], []);
        }

        if (s.Has(SiteFeatures.Robots404))
        {
            return new RobotsPolicy(404, [], []);
        }

        var rules = new List<RobotsRule>
        {
            new(false, "/private/"),
            new(true, "/private/notice.html"),
            new(false, "/*?print=1$"),
            new(false, "/cgi-bin/"),
        };
        if (s.Has(SiteFeatures.PdfDisallowed))
        {
            rules.Add(new(false, "/*.pdf$"));
        }

        double? delay = s.Has(SiteFeatures.CrawlDelay) ? o.CrawlDelaySeconds : null;
        var groups = new List<RobotsGroup>
        {
            new(["BadBot", "EvilScraper"], [new(false, "/")]),
        };
        if (s.Has(SiteFeatures.CrawlerGroup))
        {
            // '*' is stricter than the crawler's own group: a crawler that merges or falls back wrongly misses the articles.
            groups.Add(new(["*"], [new(false, "/article/"), new(false, "/articles")], delay));
            groups.Add(new(["crawler"], rules, delay));
        }
        else
        {
            groups.Add(new(["*"], rules, delay));
        }

        return new RobotsPolicy(200, groups, [s.Url("/sitemap.xml")]);
    }
}
