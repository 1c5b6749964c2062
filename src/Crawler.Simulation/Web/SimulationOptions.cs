namespace Crawler.Simulation.Web;

/// <summary>Parameters of the generated .kp web. Everything is deterministic from these values.</summary>
public sealed record SimulationOptions
{
    public int Seed { get; init; } = 1;

    /// <summary>Content generation; pages flagged epoch-dependent change their body when this changes.</summary>
    public int Epoch { get; init; }

    public int SiteCount { get; init; } = 24;

    /// <summary>Articles per site (each with an image; pagination, PDFs etc. come on top).</summary>
    public int PagesPerSite { get; init; } = 150;

    /// <summary>Articles listed per <c>/articles?page=N</c> page.</summary>
    public int ArticlesPerListPage { get; init; } = 20;

    /// <summary>Use the real names from kp-domains.csv first (the .kp ones and uriminzokkiri.com), then siteN.sim.kp.</summary>
    public bool UseRealKpNames { get; init; } = true;

    /// <summary>Crawl-delay declared by the sites that declare one.</summary>
    public double CrawlDelaySeconds { get; init; } = 0.05;

    /// <summary>Months the calendar trap links onwards from its entry; null means endless (generated on demand forever).</summary>
    public int? TrapDepth { get; init; }

    /// <summary>Delay before the headers of the few slow URLs.</summary>
    public TimeSpan SlowResponse { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many requests for a retry URL (per epoch) get 503/429 before it answers 200.</summary>
    public int RetryFailures { get; init; } = 2;

    /// <summary>Value of the Retry-After header (seconds) on those 503/429 answers.</summary>
    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>Bytes of body sent by a never-finishing response before it hangs.</summary>
    public int HangAfterBytes { get; init; } = 512;

    /// <summary>
    /// Sites without any of the behaviours (<see cref="SiteFeatures"/>): robots.txt 200 with the common rules, no
    /// crawl-delay, no redirects, errors, retries, slow or hanging pages, trap or counter. For tests that watch one
    /// thing over many epochs (the recrawl schedule) and want every answer plain and quick.
    /// </summary>
    public bool PlainSites { get; init; }

    /// <summary>
    /// When set, every site has exactly these behaviours instead of the roles dealt out over the web (a test that watches
    /// one behaviour on a small web: a calendar trap and a robots.txt rule on one site, say). Overrides <see cref="PlainSites"/>.
    /// </summary>
    public SiteFeatures? Features { get; init; }

    /// <summary>Whether sitemap.xml lists every <c>/articles?page=N</c> page; without them the listing is reached only page by page
    /// (a chain as deep as it has pages, as on state media sites).</summary>
    public bool ListingInSitemap { get; init; } = true;

    /// <summary>
    /// How often each article changes, in epochs: article N shows revision epoch / k with
    /// k = ArticleChangeEvery[(N - 1) % Count], so it changes every k epochs; 0 never changes. Null: the articles N with
    /// N % 10 == 7 change every epoch and the others never (the default web).
    /// </summary>
    public IReadOnlyList<int>? ArticleChangeEvery { get; init; }

    /// <summary>
    /// Articles deleted between epochs: article N answers 404 from epoch ArticleRemovedFromEpoch[N] on (its print versions
    /// too) and drops out of the site's listings and front page; other pages' links to it stay (dead links, as on real
    /// sites). Null: no article is ever deleted.
    /// </summary>
    public IReadOnlyDictionary<int, int>? ArticleRemovedFromEpoch { get; init; }

    /// <summary>Whether article <paramref name="id"/> is deleted in <paramref name="epoch"/>.</summary>
    public bool ArticleRemoved(int id, int epoch) =>
        ArticleRemovedFromEpoch is { } removed && removed.TryGetValue(id, out var from) && epoch >= from;

    /// <summary>Every how many epochs article <paramref name="id"/> changes (0: never).</summary>
    public int ArticleChangePeriod(int id) =>
        ArticleChangeEvery is { Count: > 0 } periods ? periods[(id - 1) % periods.Count] : id % 10 == 7 ? 1 : 0;
}
