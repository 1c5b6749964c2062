using Crawler.Core.Policies;
using Crawler.Node.Hosting;
using Crawler.Simulation.Web;
using Crawler.Storage;
using Crawler.Storage.Sqlite;
using Xunit;

namespace Crawler.IntegrationTests;

/// <summary>
/// Issue 11's acceptance: one site whose paginated listing is 150 pages deep (one article a page), with an endless
/// calendar, PDFs robots.txt disallows and a redirect off scope. With the default trap settings every listing page and
/// article is archived, the calendar stays bounded (its empty months are near-duplicates), and every URL the crawl did not fetch is in the store with its reason.
/// </summary>
public sealed class NoSilentGapsTests() : SimulatedWebTest(new SimulationOptions
{
    Seed = 11,
    SiteCount = 1,
    PagesPerSite = 150,
    ArticlesPerListPage = 1,
    ListingInSitemap = false,
    Features = SiteFeatures.Trap | SiteFeatures.PdfDisallowed | SiteFeatures.OffScopeRedirect,
})
{
    [Fact]
    public async Task A_listing_150_pages_deep_is_archived_to_the_end_the_calendar_stays_bounded_and_every_url_not_fetched_has_its_reason()
    {
        var settings = SimulatedWebSettings.For(Web, Data, polite: false);
        settings.RemoveAll(s => s.Key.StartsWith("Crawler:Crawl:Traps:", StringComparison.Ordinal)); // the defaults
        var completed = await InProcessNode.RunUntilEpochCompleteAsync(settings, TimeSpan.FromMinutes(2));

        await using var store = new SqliteCrawlStore(new SqliteStoreOptions { Path = Path.Combine(Data, "crawler.db") });
        await store.InitializeAsync();
        var captures = await store.GetCapturesAsync(new CaptureQuery { Epoch = completed.Epoch }).ToListAsync();
        var log = (await store.GetCrawlLogAsync(new CrawlLogQuery(Epoch: completed.Epoch)).ToListAsync()).ToDictionary(r => r.Url, StringComparer.Ordinal);

        // Every listing page (the chain is 150 deep, three times the old depth limit) and every article is archived.
        var manifest = Web.Manifest;
        var archived = captures.Where(c => c.Status is not null).Select(c => c.Url).ToHashSet(StringComparer.Ordinal);
        Assert.True(manifest.Entries.Count(e => e.Url.Contains("/articles?page=", StringComparison.Ordinal)) == 150, "the listing is 150 pages deep");
        var missing = manifest.Entries.Select(e => e.Url).Where(u => !archived.Contains(u)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {manifest.Entries.Count} manifest URLs not archived, e.g. {string.Join(", ", missing.Take(5))}");
        var last = (await store.GetFrontierAsync(Web.Sites[0].Host, completed.Epoch)).Single(f => f.Url.EndsWith("/articles?page=150", StringComparison.Ordinal));
        Assert.True(last.Depth > 100, $"the last listing page was reached at depth {last.Depth}: page by page, twice the old depth limit");

        // The calendar's empty months are near-copies of each other: after MaxNearDuplicates of them their links onwards are
        // declined as a trap (the calendar window bounds a calendar whose months differ).
        var trap = manifest.Trap;
        var calendar = captures.Where(c => trap.Contains(c.Url)).Select(c => c.Url).ToList();
        var bound = new TrapGuardOptions().MaxNearDuplicates + 3; // the copies, the one found a copy and the pages already queued
        Assert.True(calendar.Count > 1 && calendar.Count <= bound, $"{calendar.Count} calendar pages fetched, at most {bound}");
        var declinedMonths = log.Values.Where(r => trap.Contains(r.Url)).ToList();
        Assert.NotEmpty(declinedMonths);
        Assert.All(declinedMonths, r => Assert.Equal((DeclineReason.Trap, true), (r.Reason, r.Detail!.StartsWith("near-duplicate", StringComparison.Ordinal) || r.Detail.StartsWith("calendar step", StringComparison.Ordinal))));

        // No silent gaps: every link of every capture was fetched, or is in the crawl log with its reason (forms are not links to follow).
        var fetched = captures.Select(c => c.Url).ToHashSet(StringComparer.Ordinal);
        var links = captures.SelectMany(c => c.Outlinks).Where(o => !o.Kind.EndsWith("action", StringComparison.Ordinal)).Select(o => o.Url).Distinct().ToList();
        var silent = links.Where(u => !fetched.Contains(u) && !log.ContainsKey(u)).ToList();
        Assert.True(silent.Count == 0, $"{silent.Count} of {links.Count} linked URLs neither fetched nor in the crawl log, e.g. {string.Join(", ", silent.Take(5))}");
        Assert.NotEmpty(manifest.DisallowedUrls);
        Assert.All(manifest.DisallowedUrls, u => Assert.Equal(DeclineReason.Robots, log.GetValueOrDefault(u)?.Reason));
        Assert.NotEmpty(manifest.OffScopeUrls);
        Assert.All(manifest.OffScopeUrls, u => Assert.Equal(DeclineReason.OutOfScope, log.GetValueOrDefault(u)?.Reason));

        // Counted by reason, as status shows them.
        var counts = (await store.GetCrawlLogCountsAsync(completed.Epoch)).GroupBy(c => c.Reason).ToDictionary(g => g.Key, g => g.Sum(c => c.Count));
        Assert.Equal(log.Values.GroupBy(r => r.Reason).ToDictionary(g => g.Key, g => (long)g.Count()), counts);
    }
}
