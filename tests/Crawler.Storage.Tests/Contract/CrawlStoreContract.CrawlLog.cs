using Crawler.Core.Policies;
using static Crawler.Storage.Tests.Contract.TestData;

namespace Crawler.Storage.Tests.Contract;

/// <summary>The crawl log: every URL declined or not archived, with its reason (issues 10 and 11).</summary>
public abstract partial class CrawlStoreContract
{
    private static async Task<List<CrawlLogEntry>> LogAsync(ICrawlStore store, CrawlLogQuery? query = null) =>
        await store.GetCrawlLogAsync(query ?? new CrawlLogQuery()).ToListAsync();

    [SkippableFact]
    public async Task Declined_links_of_a_commit_are_in_the_crawl_log_with_their_reason_and_a_replay_adds_nothing()
    {
        await using var store = await CreateStoreAsync();
        var page = Capture("http://a.kp/news");
        var commit = Commit(page, FrontierState.Done, Entry("http://a.kp/news?page=2", via: page.Url, depth: 1)) with
        {
            Declined =
            [
                Declined("http://example.com/x", DeclineReason.OutOfScope, via: page.Url),
                Declined("http://a.kp/calendar/1990/01", DeclineReason.Trap, via: page.Url, detail: "calendar step"),
            ],
        };

        await store.CommitAsync([commit]);
        await store.CommitAsync([commit]);

        var log = await LogAsync(store);
        Assert.Equal(["http://a.kp/calendar/1990/01", "http://example.com/x"], log.Select(r => r.Url));
        Assert.Equal(Declined("http://a.kp/calendar/1990/01", DeclineReason.Trap, via: page.Url, detail: "calendar step"), log[0]);
        Assert.Equal(DeclineReason.OutOfScope, log[1].Reason);
    }

    [SkippableFact]
    public async Task In_the_crawl_log_a_urls_own_verdict_replaces_a_declined_link_but_a_declined_link_never_replaces_a_verdict()
    {
        await using var store = await CreateStoreAsync();
        var url = "http://a.kp/deep";
        await store.CommitAsync([Commit(Capture("http://a.kp/1")) with { Declined = [Declined(url, DeclineReason.Depth, via: "http://a.kp/1")] }]);
        await store.UpdateFrontierAsync([new FrontierUpdate(url, "a.kp", 1, FrontierState.Skipped, "robots.txt disallows it") { Declined = [Declined(url, DeclineReason.Robots)] }]);
        await store.CommitAsync([Commit(Capture("http://a.kp/2")) with { Declined = [Declined(url, DeclineReason.Trap, via: "http://a.kp/2")] }]);

        var row = Assert.Single(await LogAsync(store));
        Assert.Equal((url, DeclineReason.Robots, null), (row.Url, row.Reason, row.Via));
    }

    [SkippableFact]
    public async Task A_url_declined_from_one_page_but_queued_or_fetched_from_another_is_not_in_the_crawl_log_while_its_own_verdict_is()
    {
        await using var store = await CreateStoreAsync();
        var page = Capture("http://a.kp/1");
        await store.CommitAsync([Commit(page) with
        {
            Declined = [Declined("http://a.kp/queued", DeclineReason.Depth, via: page.Url), Declined("http://a.kp/fetched", DeclineReason.Depth, via: page.Url), Declined("http://a.kp/gone", DeclineReason.Depth, via: page.Url)],
        }]);
        await store.AddToFrontierAsync([Entry("http://a.kp/queued", depth: 2)]);
        await store.CommitAsync([Commit(Capture("http://a.kp/fetched"))]);
        await store.CommitAsync([Commit(Capture("http://a.kp/gone"), FrontierState.Failed) with { Declined = [Declined("http://a.kp/gone", DeclineReason.Error, detail: "HTTP 503 after 3 attempts")] }]);
        await store.CommitAsync([Commit(Capture("http://a.kp/tls")) with { Declined = [Declined("http://a.kp/tls", DeclineReason.Error, detail: "TlsError")] }]);

        Assert.Equal([("http://a.kp/gone", DeclineReason.Error), ("http://a.kp/tls", DeclineReason.Error)], (await LogAsync(store)).Select(r => (r.Url, r.Reason)));
    }

    [SkippableFact]
    public async Task The_crawl_log_is_filtered_by_site_epoch_and_reason_limited_and_counted()
    {
        await using var store = await CreateStoreAsync();
        await store.CommitAsync(
        [
            Commit(Capture("http://a.kp/1")) with { Declined = [Declined("http://a.kp/t1", DeclineReason.Trap), Declined("http://a.kp/t2", DeclineReason.Trap), Declined("http://b.com/", DeclineReason.OutOfScope)] },
            Commit(Capture("http://a.kp/1", epoch: 2)) with { Declined = [Declined("http://a.kp/t1", DeclineReason.Trap, epoch: 2)] },
        ]);

        Assert.Equal(["http://a.kp/t1", "http://a.kp/t2"], (await LogAsync(store, new CrawlLogQuery(Host: "a.kp", Epoch: 1))).Select(r => r.Url));
        Assert.Equal(["http://b.com/"], (await LogAsync(store, new CrawlLogQuery(Reason: DeclineReason.OutOfScope))).Select(r => r.Url));
        Assert.Equal([1], (await LogAsync(store, new CrawlLogQuery(Host: "a.kp") { Limit = 1 })).Select(r => r.Epoch));
        Assert.Equal(
            [new CrawlLogCount("a.kp", 1, DeclineReason.Trap, 2), new CrawlLogCount("b.com", 1, DeclineReason.OutOfScope, 1)],
            await store.GetCrawlLogCountsAsync(1));
        Assert.Equal(3, (await store.GetCrawlLogCountsAsync(null)).Count);
    }

    [SkippableFact]
    public async Task The_crawl_log_export_lists_every_row_as_stored_and_adding_them_again_changes_nothing()
    {
        await using var store = await CreateStoreAsync();
        var own = Declined("http://b.kp/", DeclineReason.DnsFailure, detail: "NXDOMAIN");
        var link = Declined("http://a.kp/deep", DeclineReason.Depth, via: "http://a.kp/");
        await store.AddToCrawlLogAsync([link, own, Declined("http://a.kp/deep", DeclineReason.Trap, via: "http://a.kp/2"), Declined("http://a.kp/deep", DeclineReason.Depth, epoch: 2, via: "http://a.kp/")]);
        await store.AddToFrontierAsync([Entry("http://a.kp/deep")]); // queued after all: no longer listed, still exported

        var rows = await store.ExportCrawlLogAsync().ToListAsync();

        Assert.Equal([link, own, link with { Epoch = 2 }], rows);
        await store.AddToCrawlLogAsync(rows);
        Assert.Equal([own, link with { Epoch = 2 }], await LogAsync(store));
    }
}
