using System.Text;
using static Crawler.Storage.Tests.Contract.TestData;

namespace Crawler.Storage.Tests.Contract;

/// <summary>
/// The behaviour every <see cref="ICrawlStore"/> must show, written once; each implementation
/// runs it through a subclass. Every test starts by creating its store, so a subclass whose
/// backend is not configured skips there.
/// </summary>
public abstract partial class CrawlStoreContract
{
    /// <summary>An initialized store on fresh, empty storage.</summary>
    protected abstract Task<ICrawlStore> CreateStoreAsync();

    /// <summary>A new, initialized store instance on the storage of the last <see cref="CreateStoreAsync"/> (a restart).</summary>
    protected abstract Task<ICrawlStore> ReopenStoreAsync();

    /// <summary>A way to build a store on a location it cannot use, and the name its error must mention.</summary>
    protected abstract (Func<ICrawlStore> Create, string Location) UnusableStore();

    [SkippableFact]
    public async Task AddToFrontier_ignores_duplicates_and_counts_new_ones()
    {
        await using var store = await CreateStoreAsync();

        var first = await store.AddToFrontierAsync(
            [Entry("http://a.kp/1"), Entry("http://a.kp/2"), Entry("http://a.kp/1")]);
        var second = await store.AddToFrontierAsync(
            [Entry("http://a.kp/2"), Entry("http://a.kp/3"), Entry("http://a.kp/2", epoch: 2)]);

        Assert.Equal(2, first);
        Assert.Equal(2, second);
        var epoch1 = await store.GetFrontierAsync("a.kp", 1);
        Assert.Equal(["http://a.kp/1", "http://a.kp/2", "http://a.kp/3"], epoch1.Select(e => e.Url));
        Assert.Single(await store.GetFrontierAsync("a.kp", 2));
    }

    [SkippableFact]
    public async Task AddToFrontier_keeps_every_field_of_an_entry()
    {
        await using var store = await CreateStoreAsync();
        var entry = new FrontierEntry
        {
            Url = "http://a.kp/x",
            Host = "a.kp",
            Epoch = 3,
            Depth = 4,
            Via = "http://a.kp/",
            Kind = "a@href",
            State = FrontierState.Pending,
            Attempts = 2,
        };

        await store.AddToFrontierAsync([entry]);

        Assert.Equal(entry, Assert.Single(await store.GetFrontierAsync("a.kp", 3)));
    }

    [SkippableFact]
    public async Task GetPending_returns_oldest_first_and_only_pending_of_that_host_and_epoch()
    {
        await using var store = await CreateStoreAsync();
        await store.AddToFrontierAsync([Entry("http://a.kp/z"), Entry("http://b.kp/1"), Entry("http://a.kp/m")]);
        await store.AddToFrontierAsync([Entry("http://a.kp/a"), Entry("http://a.kp/done"), Entry("http://a.kp/other-epoch", epoch: 2)]);
        await store.CommitAsync([Commit(Capture("http://a.kp/done"))]);

        var pending = await store.GetPendingAsync("a.kp", 1, 10);
        var limited = await store.GetPendingAsync("a.kp", 1, 2);

        Assert.Equal(["http://a.kp/z", "http://a.kp/m", "http://a.kp/a"], pending.Select(e => e.Url));
        Assert.All(pending, e => Assert.Equal(FrontierState.Pending, e.State));
        Assert.Equal(["http://a.kp/z", "http://a.kp/m"], limited.Select(e => e.Url));
        Assert.Equal(["http://a.kp/other-epoch"], (await store.GetPendingAsync("a.kp", 2, 10)).Select(e => e.Url));
    }

    [SkippableFact]
    public async Task Pending_order_continues_after_a_reopen()
    {
        var store = await CreateStoreAsync();
        await store.AddToFrontierAsync([Entry("http://a.kp/z"), Entry("http://a.kp/y")]);
        await store.DisposeAsync();

        await using var reopened = await ReopenStoreAsync();
        await reopened.AddToFrontierAsync([Entry("http://a.kp/a")]);

        var pending = await reopened.GetPendingAsync("a.kp", 1, 10);
        Assert.Equal(["http://a.kp/z", "http://a.kp/y", "http://a.kp/a"], pending.Select(e => e.Url));
    }

    [SkippableFact]
    public async Task GetHostsWithPending_lists_hosts_that_still_have_pending_urls_in_the_epoch()
    {
        await using var store = await CreateStoreAsync();
        await store.AddToFrontierAsync(
            [Entry("http://a.kp/"), Entry("http://b.kp/"), Entry("http://c.kp/"), Entry("http://d.kp/", epoch: 2)]);
        await store.CommitAsync([Commit(Capture("http://b.kp/"))]);

        var hosts = await store.GetHostsWithPendingAsync(1);

        Assert.Equal(["a.kp", "c.kp"], hosts.Order());
    }

    [SkippableFact]
    public async Task Commit_marks_the_url_done_and_adds_discovered_urls_ignoring_duplicates()
    {
        await using var store = await CreateStoreAsync();
        await store.AddToFrontierAsync([Entry("http://a.kp/"), Entry("http://a.kp/known")]);

        await store.CommitAsync(
        [
            Commit(
                Capture("http://a.kp/"),
                FrontierState.Done,
                Entry("http://a.kp/known", via: "http://a.kp/", depth: 1, kind: "a@href"),
                Entry("http://a.kp/new", via: "http://a.kp/", depth: 1, kind: "a@href"),
                Entry("http://a.kp/new", via: "http://a.kp/", depth: 1, kind: "img@src")),
        ]);

        var frontier = (await store.GetFrontierAsync("a.kp", 1)).ToDictionary(e => e.Url);
        Assert.Equal(3, frontier.Count);
        Assert.Equal(FrontierState.Done, frontier["http://a.kp/"].State);
        Assert.Equal(1, frontier["http://a.kp/"].Attempts);
        Assert.Equal(Entry("http://a.kp/known"), frontier["http://a.kp/known"]);
        Assert.Equal(Entry("http://a.kp/new", via: "http://a.kp/", depth: 1, kind: "a@href"), frontier["http://a.kp/new"]);
        Assert.Equal(["http://a.kp/known", "http://a.kp/new"], (await store.GetPendingAsync("a.kp", 1, 10)).Select(e => e.Url));
    }

    [SkippableFact]
    public async Task Commit_of_a_url_not_yet_in_the_frontier_inserts_it_as_done()
    {
        await using var store = await CreateStoreAsync();

        await store.CommitAsync([Commit(Capture("http://a.kp/direct", epoch: 5))]);

        var entry = Assert.Single(await store.GetFrontierAsync("a.kp", 5));
        Assert.Equal("http://a.kp/direct", entry.Url);
        Assert.Equal("a.kp", entry.Host);
        Assert.Equal(5, entry.Epoch);
        Assert.Equal(FrontierState.Done, entry.State);
        Assert.Equal(1, entry.Attempts);
    }

    // Many writers: every write is safe to repeat (a writer retrying after an outage, two nodes writing one URL).
    [SkippableFact]
    public async Task Writing_a_batch_again_changes_nothing_and_counts_no_attempt_twice()
    {
        await using var store = await CreateStoreAsync();
        var payload = Html("replayed");
        var batch = new[]
        {
            CommitWithPayload(Capture("http://a.kp/"), payload) with { Discovered = [Entry("http://a.kp/next", via: "http://a.kp/", depth: 1)] },
            Commit(Capture("http://a.kp/flaky", at: 1) with { Status = 503 }, FrontierState.Pending) with { RetryAt = At(60) },
        };

        await store.CommitAsync(batch);
        var statsOnce = await store.GetStatsAsync();
        var frontierOnce = await store.GetFrontierAsync("a.kp", 1);
        await store.CommitAsync(batch);

        Assert.Equal(statsOnce, await store.GetStatsAsync());
        Assert.Equal(frontierOnce, await store.GetFrontierAsync("a.kp", 1));
        Assert.Equal((2L, 1L, 2L, 1L), (statsOnce.Captures, statsOnce.Payloads, statsOnce.FrontierPending, statsOnce.FrontierDone));
    }

    [SkippableFact]
    public async Task A_late_commit_of_an_earlier_attempt_never_makes_a_done_url_pending_again()
    {
        await using var store = await CreateStoreAsync();
        var first = Commit(Capture("http://a.kp/slow") with { Status = 503 }, FrontierState.Pending) with { RetryAt = At(30) };
        var second = Commit(Capture("http://a.kp/slow", at: 30) with { Attempt = 2 }, FrontierState.Done);

        await store.CommitAsync([second]);
        await store.CommitAsync([first]);
        await store.UpdateFrontierAsync([new FrontierUpdate("http://a.kp/slow", "a.kp", 1, FrontierState.Skipped, "robots")]);

        var entry = Assert.Single(await store.GetFrontierAsync("a.kp", 1));
        Assert.Equal((FrontierState.Done, 2, (DateTimeOffset?)null), (entry.State, entry.Attempts, entry.RetryAt));
        Assert.Empty(await store.GetPendingAsync("a.kp", 1, 10));
    }

    [SkippableFact]
    public async Task A_retry_commit_counts_an_attempt_and_keeps_the_url_pending()
    {
        await using var store = await CreateStoreAsync();
        await store.AddToFrontierAsync([Entry("http://a.kp/flaky")]);

        await store.CommitAsync([Commit(Capture("http://a.kp/flaky") with { Status = null, Error = "ConnectTimeout" }, FrontierState.Pending)]);
        var afterRetry = Assert.Single(await store.GetPendingAsync("a.kp", 1, 10));
        await store.CommitAsync([Commit(Capture("http://a.kp/flaky", at: 60) with { Attempt = 2 }, FrontierState.Failed)]);
        var afterFailure = Assert.Single(await store.GetFrontierAsync("a.kp", 1));

        Assert.Equal(1, afterRetry.Attempts);
        Assert.Equal(FrontierState.Failed, afterFailure.State);
        Assert.Equal(2, afterFailure.Attempts);
        Assert.Empty(await store.GetPendingAsync("a.kp", 1, 10));
    }

    [SkippableFact]
    public async Task A_retry_commit_keeps_its_due_time_until_the_url_is_done_or_failed()
    {
        await using var store = await CreateStoreAsync();
        await store.AddToFrontierAsync([Entry("http://a.kp/flaky"), Entry("http://a.kp/hopeless"), Entry("http://a.kp/plain")]);

        await store.CommitAsync([
            Commit(Capture("http://a.kp/flaky") with { Status = 503 }, FrontierState.Pending) with { RetryAt = At(90) },
            Commit(Capture("http://a.kp/hopeless", at: 1) with { Status = 503 }, FrontierState.Pending) with { RetryAt = At(120) },
        ]);
        var pending = await store.GetPendingAsync("a.kp", 1, 10);
        var frontier = await store.GetFrontierAsync("a.kp", 1);
        Assert.Equal(At(90), pending.Single(e => e.Url == "http://a.kp/flaky").RetryAt);
        Assert.Equal(At(120), frontier.Single(e => e.Url == "http://a.kp/hopeless").RetryAt);
        Assert.Null(pending.Single(e => e.Url == "http://a.kp/plain").RetryAt);

        await store.CommitAsync([
            Commit(Capture("http://a.kp/flaky", at: 90) with { Attempt = 2 }, FrontierState.Done) with { RetryAt = At(999) },
            Commit(Capture("http://a.kp/hopeless", at: 120) with { Attempt = 2, Status = 503 }, FrontierState.Failed),
        ]);
        var after = await store.GetFrontierAsync("a.kp", 1);

        Assert.All(after, e => Assert.Null(e.RetryAt));
        Assert.Equal(FrontierState.Done, after.Single(e => e.Url == "http://a.kp/flaky").State);
    }

    [SkippableFact]
    public async Task A_due_time_survives_a_reopen_and_a_settled_url_loses_it()
    {
        var store = await CreateStoreAsync();
        await store.CommitAsync([
            Commit(Capture("http://a.kp/a") with { Status = 429 }, FrontierState.Pending) with { RetryAt = At(3600) },
            Commit(Capture("http://a.kp/b") with { Status = 429 }, FrontierState.Pending) with { RetryAt = At(60) },
        ]);
        await store.DisposeAsync();
        await using var reopened = await ReopenStoreAsync();

        await reopened.UpdateFrontierAsync([new FrontierUpdate("http://a.kp/b", "a.kp", 1, FrontierState.Skipped, "robots.txt disallows it")]);
        var frontier = await reopened.GetFrontierAsync("a.kp", 1);

        Assert.Equal(At(3600), frontier.Single(e => e.Url == "http://a.kp/a").RetryAt);
        Assert.Null(frontier.Single(e => e.Url == "http://a.kp/b").RetryAt);
    }

    [SkippableFact]
    public async Task A_later_insert_of_a_done_url_does_not_make_it_pending_again()
    {
        await using var store = await CreateStoreAsync();
        await store.CommitAsync([Commit(Capture("http://a.kp/page"))]);

        var added = await store.AddToFrontierAsync([Entry("http://a.kp/page")]);
        await store.CommitAsync([Commit(Capture("http://a.kp/other", at: 1), FrontierState.Done, Entry("http://a.kp/page", via: "http://a.kp/other"))]);

        Assert.Equal(0, added);
        var entry = (await store.GetFrontierAsync("a.kp", 1)).Single(e => e.Url == "http://a.kp/page");
        Assert.Equal(FrontierState.Done, entry.State);
        Assert.Empty(await store.GetPendingAsync("a.kp", 1, 10));
    }

    [SkippableFact]
    public async Task UpdateFrontier_settles_urls_without_a_fetch_and_inserts_absent_ones()
    {
        await using var store = await CreateStoreAsync();
        await store.AddToFrontierAsync([Entry("http://a.kp/private", via: "http://a.kp/", depth: 1, kind: "a@href"), Entry("http://a.kp/open")]);

        await store.UpdateFrontierAsync(
        [
            new FrontierUpdate("http://a.kp/private", "a.kp", 1, FrontierState.Skipped, "robots"),
            new FrontierUpdate("http://a.kp/never-queued", "a.kp", 1, FrontierState.Skipped, "page-limit"),
        ]);

        var frontier = (await store.GetFrontierAsync("a.kp", 1)).ToDictionary(e => e.Url);
        Assert.Equal(3, frontier.Count);
        Assert.Equal(
            Entry("http://a.kp/private", via: "http://a.kp/", depth: 1, kind: "a@href") with { State = FrontierState.Skipped },
            frontier["http://a.kp/private"]);
        Assert.Equal(FrontierState.Skipped, frontier["http://a.kp/never-queued"].State);
        Assert.Equal(0, frontier["http://a.kp/never-queued"].Attempts);
        Assert.Equal(["http://a.kp/open"], (await store.GetPendingAsync("a.kp", 1, 10)).Select(e => e.Url));
        Assert.Equal(0, await store.AddToFrontierAsync([Entry("http://a.kp/never-queued")]));
    }

    [SkippableFact]
    public async Task Identical_payloads_are_stored_once_and_GetPayload_returns_exactly_the_bytes()
    {
        await using var store = await CreateStoreAsync();
        var page = Html("same");
        var other = Html("other");

        await store.CommitAsync([CommitWithPayload(Capture("http://a.kp/1"), page), CommitWithPayload(Capture("http://a.kp/2", at: 1), page)]);
        await store.CommitAsync([CommitWithPayload(Capture("http://b.kp/1", at: 2), page), CommitWithPayload(Capture("http://b.kp/2", at: 3), other)]);

        var stats = await store.GetStatsAsync();
        Assert.Equal(4, stats.Captures);
        Assert.Equal(2, stats.Payloads);
        Assert.Equal(page.Length + other.Length, stats.PayloadBytesRaw);
        Assert.Equal(page, await store.GetPayloadAsync(Digest(page)));
        Assert.Equal(other, await store.GetPayloadAsync(Digest(other)));
        Assert.Null(await store.GetPayloadAsync(Digest([1, 2, 3])));
    }

    [SkippableFact]
    public async Task Binary_payloads_of_any_size_round_trip_byte_for_byte()
    {
        await using var store = await CreateStoreAsync();
        var random = new Random(42);
        var noise = new byte[300_000];
        random.NextBytes(noise);
        var big = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("<tr><td>평양</td><td>1234</td></tr>\n", 40_000)));
        byte[] empty = [];

        await store.CommitAsync(
        [
            CommitWithPayload(Capture("http://a.kp/noise.jpg"), noise),
            CommitWithPayload(Capture("http://a.kp/big.html", at: 1), big),
            CommitWithPayload(Capture("http://a.kp/empty", at: 2), empty),
        ]);

        Assert.Equal(noise, await store.GetPayloadAsync(Digest(noise)));
        Assert.Equal(big, await store.GetPayloadAsync(Digest(big)));
        Assert.Equal(empty, await store.GetPayloadAsync(Digest(empty)));
    }

    [SkippableFact]
    public async Task Captures_round_trip_every_field()
    {
        await using var store = await CreateStoreAsync();
        var full = new CaptureRecord
        {
            Id = Guid.CreateVersion7().ToString(),
            Url = "http://www.naenara.com.kp/ko/index.php?x=1&y=조선",
            Host = "www.naenara.com.kp",
            Epoch = 7,
            FetchedAt = new DateTimeOffset(2026, 3, 1, 21, 4, 5, 678, TimeSpan.FromHours(9)),
            DurationMs = 12_345,
            IpAddress = "175.45.176.71",
            Status = 301,
            RequestHeaders = Encoding.ASCII.GetBytes("GET /ko/ HTTP/1.1\r\nHost: www.naenara.com.kp\r\n\r\n"),
            ResponseHeaders = [0x48, 0x54, 0x54, 0x50, 0x00, 0xFF, 0xC3, 0x28, 0x0D, 0x0A, 0x0D, 0x0A],
            PayloadDigest = "sha256:" + new string('a', 64),
            PayloadLength = 98_765,
            ContentType = "text/html; charset=utf-8",
            Error = "BodyTimeout",
            ErrorDetail = "no data for 30 s",
            Truncated = "time",
            RedirectTo = "http://www.naenara.com.kp/ko/",
            ETag = "\"abc\"",
            LastModified = "Sun, 01 Mar 2026 00:00:00 GMT",
            Title = "내나라",
            Language = "ko",
            Charset = "utf-8",
            Outlinks =
            [
                new Outlink("http://www.naenara.com.kp/en/", "a@href", true),
                new Outlink("http://example.com/\"quoted\"", "img@src", false),
            ],
            Attempt = 3,
        };
        var minimal = new CaptureRecord
        {
            Id = Guid.CreateVersion7().ToString(),
            Url = "http://a.kp/",
            Host = "a.kp",
            Epoch = 1,
            FetchedAt = At(0),
        };

        await store.CommitAsync([Commit(full), Commit(minimal)]);
        var stored = (await store.GetCapturesAsync(new CaptureQuery()).ToListAsync()).ToDictionary(c => c.Id);

        AssertSameCapture(full, stored[full.Id]);
        AssertSameCapture(minimal, stored[minimal.Id]);
    }

    [SkippableFact]
    public async Task GetCaptures_filters_by_url_host_and_epoch_and_orders_by_time()
    {
        await using var store = await CreateStoreAsync();
        var late = Capture("http://a.kp/1", epoch: 1, at: 30);
        var early = Capture("http://a.kp/1", epoch: 1, at: 10);
        var otherUrl = Capture("http://a.kp/2", epoch: 1, at: 20);
        var otherHost = Capture("http://b.kp/1", epoch: 1, at: 15);
        var otherEpoch = Capture("http://a.kp/1", epoch: 2, at: 5);
        await store.CommitAsync([Commit(late), Commit(otherHost)]);
        await store.CommitAsync([Commit(otherEpoch), Commit(early), Commit(otherUrl)]);

        static string[] Ids(IEnumerable<CaptureRecord> captures) => [.. captures.Select(c => c.Id)];

        Assert.Equal(Ids([otherEpoch, early, otherHost, otherUrl, late]), Ids(await store.GetCapturesAsync(new CaptureQuery()).ToListAsync()));
        Assert.Equal(Ids([otherEpoch, early, late]), Ids(await store.GetCapturesAsync(new CaptureQuery { Url = "http://a.kp/1" }).ToListAsync()));
        Assert.Equal(Ids([otherEpoch, early, otherUrl, late]), Ids(await store.GetCapturesAsync(new CaptureQuery { Host = "a.kp" }).ToListAsync()));
        Assert.Equal(Ids([early, otherHost, otherUrl, late]), Ids(await store.GetCapturesAsync(new CaptureQuery { Epoch = 1 }).ToListAsync()));
        Assert.Equal(Ids([early, late]), Ids(await store.GetCapturesAsync(new CaptureQuery { Url = "http://a.kp/1", Host = "a.kp", Epoch = 1 }).ToListAsync()));
        Assert.Equal(Ids([otherEpoch, early]), Ids(await store.GetCapturesAsync(new CaptureQuery { Host = "a.kp", Limit = 2 }).ToListAsync()));
        Assert.Empty(await store.GetCapturesAsync(new CaptureQuery { Host = "nowhere.kp" }).ToListAsync());
    }

    [SkippableFact]
    public async Task GetCaptures_of_url_key_ranges_returns_the_captures_with_a_response_in_key_then_time_order_and_counts_them()
    {
        await using var store = await CreateStoreAsync();
        var home = Capture("http://www.a.kp/", at: 30);
        var homeEarlier = Capture("https://a.kp/", at: 10);
        var news = Capture("http://a.kp/News/2?b=1&a=2", at: 5); // key kp,a)/news/2?a=2&b=1
        var news1 = Capture("http://a.kp/news/1", at: 20);
        var port = Capture("http://a.kp:8080/x", at: 1);
        var sub = Capture("http://en.a.kp/", at: 2);
        var failed = Capture("http://a.kp/failed", at: 3) with { Status = null, Error = "timeout" };
        var other = Capture("http://b.kp/", at: 4);
        await store.CommitAsync([Commit(home), Commit(homeEarlier), Commit(news), Commit(news1), Commit(port), Commit(sub), Commit(failed), Commit(other)]);

        static string[] Ids(IEnumerable<CaptureRecord> captures) => [.. captures.Select(c => c.Id)];
        CaptureQuery Keys(params string[] prefixes) => new() { UrlKeys = [.. prefixes.Select(UrlKeyRange.Prefix)] };

        // kp,a)/ (10 s, 30 s), kp,a)/news/1, kp,a)/news/2?a=2&b=1, then kp,a,en)/, then kp,a:8080)/x.
        Assert.Equal(Ids([homeEarlier, home, news1, news]), Ids(await store.GetCapturesAsync(Keys("kp,a)")).ToListAsync()));
        Assert.Equal(Ids([homeEarlier, home, news1, news, sub, port]), Ids(await store.GetCapturesAsync(Keys("kp,a)", "kp,a,", "kp,a:")).ToListAsync()));
        Assert.Equal(Ids([homeEarlier, home, news1]), Ids(await store.GetCapturesAsync(Keys("kp,a)", "kp,a,", "kp,a:") with { Limit = 3 }).ToListAsync()));
        Assert.Equal(Ids([sub, port]), Ids(await store.GetCapturesAsync(Keys("kp,a,", "kp,a:")).ToListAsync()));
        Assert.Equal(Ids([news, sub]), Ids(await store.GetCapturesAsync(Keys("kp,a)", "kp,a,", "kp,a:") with { Offset = 3, Limit = 2 }).ToListAsync()));
        Assert.Equal(Ids([port]), Ids(await store.GetCapturesAsync(Keys("kp,a)", "kp,a,", "kp,a:") with { Offset = 5 }).ToListAsync()));
        Assert.Empty(await store.GetCapturesAsync(Keys("kp,a)", "kp,a,", "kp,a:") with { Offset = 6 }).ToListAsync());
        var fromHome = Keys("kp,a)", "kp,a,", "kp,a:") with { UrlKeysFrom = new UrlKeyPosition("kp,a)/", At(30)) };
        Assert.Equal(Ids([home, news1, news, sub, port]), Ids(await store.GetCapturesAsync(fromHome).ToListAsync()));
        Assert.Equal(5, await store.CountCapturesAsync(fromHome));
        Assert.Empty(await store.GetCapturesAsync(Keys("kp,c)")).ToListAsync());
        Assert.Equal(6, await store.CountCapturesAsync(Keys("kp,a)", "kp,a,", "kp,a:")));
        Assert.Equal(2, await store.CountCapturesAsync(Keys("kp,a)/news/")));
        Assert.Equal(1, await store.CountCapturesAsync(new CaptureQuery { UrlKeys = [new UrlKeyRange("kp,a)/news/1", "kp,a)/news/2")] }));
        Assert.Equal(1, await store.CountCapturesAsync(Keys("kp,a)") with { Host = "www.a.kp" }));
        Assert.Equal(0, await store.CountCapturesAsync(Keys("kp,c)")));
        Assert.Equal(8, await store.CountCapturesAsync(new CaptureQuery()));
    }

    [SkippableFact]
    public async Task GetCaptures_of_urls_returns_those_urls_or_prefixes_in_any_ascii_case_in_time_order()
    {
        await using var store = await CreateStoreAsync();
        var page = Capture("http://a.kp/news/1", at: 30);
        var pageAgain = Capture("http://a.kp/news/1", at: 10);
        var sibling = Capture("http://a.kp/news/12?x=1", at: 20);
        var upper = Capture("http://a.kp/News/1", at: 5);
        var before = Capture("http://a.kp/new", at: 1);
        var after = Capture("http://a.kp/newt", at: 2);
        var www = Capture("http://www.a.kp/news/1", at: 40);
        await store.CommitAsync([Commit(page), Commit(pageAgain), Commit(sibling), Commit(upper), Commit(before), Commit(after), Commit(www)]);

        static string[] Ids(IEnumerable<CaptureRecord> captures) => [.. captures.Select(c => c.Id)];
        Task<List<CaptureRecord>> Read(params UrlMatch[] urls) => store.GetCapturesAsync(new CaptureQuery { Urls = urls }).ToListAsync();

        Assert.Equal(Ids([upper, pageAgain, sibling, page]), Ids(await Read(new UrlMatch("http://a.kp/news/", Prefix: true))));
        Assert.Equal(Ids([upper, pageAgain, page]), Ids(await Read(new UrlMatch("http://a.kp/NEWS/1", Prefix: false))));
        Assert.Equal(Ids([before, upper, pageAgain, page, www]), Ids(await Read(new UrlMatch("http://a.kp/news/1", Prefix: false), new UrlMatch("http://a.kp/new", Prefix: false), new UrlMatch("http://www.a.kp/", Prefix: true))));
        Assert.Equal(Ids([upper]), Ids(await store.GetCapturesAsync(new CaptureQuery { Urls = [new UrlMatch("http://a.kp/news/", Prefix: true)], Limit = 1 }).ToListAsync()));
        Assert.Empty(await Read());
        Assert.Empty(await Read(new UrlMatch("http://a.kp/news/1%", Prefix: true), new UrlMatch("http://a.kp/news/1.", Prefix: true)));
    }

    [SkippableFact]
    public async Task GetCaptures_orders_captures_of_the_same_instant_by_id()
    {
        await using var store = await CreateStoreAsync();
        var a = Capture("http://a.kp/x") with { Id = "0190aaaa-0000-7000-8000-000000000002" };
        var b = Capture("http://a.kp/y") with { Id = "0190aaaa-0000-7000-8000-000000000001" };

        await store.CommitAsync([Commit(a), Commit(b)]);

        Assert.Equal([b.Id, a.Id], (await store.GetCapturesAsync(new CaptureQuery()).ToListAsync()).Select(c => c.Id));
    }

    [SkippableFact]
    public async Task GetLatestCapture_returns_the_most_recent_capture_of_the_url_in_any_epoch()
    {
        await using var store = await CreateStoreAsync();
        var newest = Capture("http://a.kp/1", epoch: 2, at: 100);
        await store.CommitAsync([Commit(Capture("http://a.kp/1", epoch: 1, at: 10)), Commit(newest)]);
        await store.CommitAsync([Commit(Capture("http://a.kp/1", epoch: 3, at: 50)), Commit(Capture("http://a.kp/2", at: 500))]);

        var latest = await store.GetLatestCaptureAsync("http://a.kp/1");

        Assert.Equal(newest.Id, latest?.Id);
        Assert.Null(await store.GetLatestCaptureAsync("http://a.kp/never"));
    }

    [SkippableFact]
    public async Task GetLatestHostCapture_returns_the_most_recently_fetched_capture_of_any_url_of_the_host()
    {
        await using var store = await CreateStoreAsync();
        var newest = Capture("http://a.kp/2", epoch: 1, at: 300);
        await store.CommitAsync([Commit(Capture("http://a.kp/1", epoch: 2, at: 100)), Commit(newest)]);
        await store.CommitAsync([Commit(Capture("https://a.kp/robots.txt", epoch: 2, at: 200)), Commit(Capture("http://b.kp/", at: 900))]);

        var latest = await store.GetLatestHostCaptureAsync("a.kp");

        Assert.Equal(newest.Id, latest?.Id);
        Assert.Equal(At(300), latest?.FetchedAt);
        Assert.Null(await store.GetLatestHostCaptureAsync("never.kp"));
    }

    [SkippableFact]
    public async Task Settings_round_trip_and_can_be_overwritten()
    {
        await using var store = await CreateStoreAsync();

        await store.SetSettingAsync("epoch", "1");
        await store.SetSettingAsync("note", "평양 ünïcode");
        await store.SetSettingAsync("epoch", "2");

        Assert.Equal("2", await store.GetSettingAsync("epoch"));
        Assert.Equal("평양 ünïcode", await store.GetSettingAsync("note"));
        Assert.Null(await store.GetSettingAsync("missing"));
    }

    [SkippableFact]
    public async Task Stats_count_captures_payloads_frontier_states_and_hosts()
    {
        await using var store = await CreateStoreAsync();
        var empty = await store.GetStatsAsync();
        await store.AddToFrontierAsync([Entry("http://a.kp/1"), Entry("http://a.kp/2"), Entry("http://b.kp/1"), Entry("http://c.kp/1", epoch: 2)]);
        var payload = Html("p");
        await store.CommitAsync(
        [
            CommitWithPayload(Capture("http://a.kp/1", at: 5), payload),
            Commit(Capture("http://b.kp/1", at: 9) with { Status = null, Error = "ConnectRefused" }, FrontierState.Failed),
        ]);

        var stats = await store.GetStatsAsync();

        Assert.Equal(new StoreStats(0, 0, 0, 0, 0, 0, 0, 0, null), empty);
        Assert.Equal(2, stats.Captures);
        Assert.Equal(1, stats.Payloads);
        Assert.Equal(payload.Length, stats.PayloadBytesRaw);
        Assert.InRange(stats.PayloadBytesStored, 1, payload.Length);
        Assert.Equal(2, stats.FrontierPending);
        Assert.Equal(1, stats.FrontierDone);
        Assert.Equal(1, stats.FrontierFailed);
        Assert.Equal(3, stats.Hosts);
        Assert.Equal(At(9), stats.LastCaptureAt);
    }

    [SkippableFact]
    public async Task Host_stats_count_captures_states_and_errors_per_host_in_one_epoch()
    {
        await using var store = await CreateStoreAsync();
        await store.AddToFrontierAsync([Entry("http://a.kp/1"), Entry("http://a.kp/2"), Entry("http://a.kp/3"), Entry("http://b.kp/1"), Entry("http://c.kp/1", epoch: 2)]);
        await store.CommitAsync(
        [
            Commit(Capture("http://a.kp/1", at: 1)),
            Commit(Capture("http://a.kp/2", at: 2) with { Status = null, Error = "ConnectTimeout" }, FrontierState.Pending),
            Commit(Capture("http://a.kp/2", at: 3) with { Status = null, Error = "ConnectTimeout", Attempt = 2 }, FrontierState.Failed),
            Commit(Capture("http://c.kp/1", epoch: 2, at: 4)),
        ]);

        var hosts = (await store.GetHostStatsAsync(1)).OrderBy(h => h.Host, StringComparer.Ordinal).ToList();

        Assert.Equal(
            [
                new HostStats("a.kp", Captures: 3, Pending: 1, Done: 1, Failed: 1, Errors: 2, LastCaptureAt: At(3)),
                new HostStats("b.kp", Captures: 0, Pending: 1, Done: 0, Failed: 0, Errors: 0, LastCaptureAt: null),
            ],
            hosts);
    }

    [SkippableFact]
    public async Task Acknowledged_writes_survive_closing_without_a_flush_and_reopening()
    {
        var store = await CreateStoreAsync();
        var capture = Capture("http://a.kp/", at: 1);
        var payload = Html("durable");
        await store.AddToFrontierAsync([Entry("http://a.kp/"), Entry("http://b.kp/")]);
        await store.CommitAsync([CommitWithPayload(capture, payload) with { Discovered = [Entry("http://a.kp/next", via: "http://a.kp/", depth: 1)] }]);
        await store.UpdateFrontierAsync([new FrontierUpdate("http://b.kp/", "b.kp", 1, FrontierState.Skipped, "robots")]);
        await store.SetSettingAsync("epoch", "1");
        await store.DisposeAsync();

        await using var reopened = await ReopenStoreAsync();

        Assert.Equal(capture.Id, (await reopened.GetLatestCaptureAsync("http://a.kp/"))?.Id);
        Assert.Equal(payload, await reopened.GetPayloadAsync(Digest(payload)));
        Assert.Equal(["http://a.kp/next"], (await reopened.GetPendingAsync("a.kp", 1, 10)).Select(e => e.Url));
        Assert.Equal(FrontierState.Skipped, Assert.Single(await reopened.GetFrontierAsync("b.kp", 1)).State);
        Assert.Equal("1", await reopened.GetSettingAsync("epoch"));
    }

    [SkippableFact]
    public async Task Acknowledged_writes_are_visible_to_a_second_store_while_the_first_was_never_closed()
    {
        // Nothing of the first store is closed or flushed: as after a crash, only what reached storage counts.
        await using var store = await CreateStoreAsync();
        var capture = Capture("http://a.kp/", at: 1);
        await store.CommitAsync([Commit(capture, FrontierState.Done, Entry("http://a.kp/next"))]);
        await store.SetSettingAsync("epoch", "4");

        await using var second = await ReopenStoreAsync();

        Assert.Equal(capture.Id, (await second.GetLatestCaptureAsync("http://a.kp/"))?.Id);
        Assert.Equal(["http://a.kp/next"], (await second.GetPendingAsync("a.kp", 1, 10)).Select(e => e.Url));
        Assert.Equal("4", await second.GetSettingAsync("epoch"));
    }

    [SkippableFact]
    public async Task A_batch_that_fails_in_the_middle_leaves_nothing_of_it_and_throws()
    {
        await using var store = await CreateStoreAsync();
        var existing = Capture("http://a.kp/old");
        await store.CommitAsync([Commit(existing)]);
        var payload = Html("lost");
        var good = CommitWithPayload(Capture("http://a.kp/good", at: 1), payload) with
        {
            Discovered = [Entry("http://a.kp/discovered", via: "http://a.kp/good", depth: 1)],
        };
        var duplicate = Commit(Capture("http://a.kp/old", at: 2) with { Id = existing.Id });
        var after = Commit(Capture("http://b.kp/after", at: 3));

        await Assert.ThrowsAnyAsync<Exception>(() => store.CommitAsync([good, duplicate, after]));

        Assert.Equal([existing.Id], (await store.GetCapturesAsync(new CaptureQuery()).ToListAsync()).Select(c => c.Id));
        Assert.Null(await store.GetPayloadAsync(Digest(payload)));
        var frontier = Assert.Single(await store.GetFrontierAsync("a.kp", 1));
        Assert.Equal(("http://a.kp/old", 1), (frontier.Url, frontier.Attempts));
        Assert.Empty(await store.GetFrontierAsync("b.kp", 1));
        var stats = await store.GetStatsAsync();
        Assert.Equal((1L, 0L), (stats.Captures, stats.Payloads));

        await store.CommitAsync([good, after]);
        Assert.Equal(3, (await store.GetStatsAsync()).Captures);
    }

    [SkippableFact]
    public async Task Concurrent_commits_and_reads_all_land()
    {
        await using var store = await CreateStoreAsync();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                var url = $"http://h{worker}.kp/{i}";
                await store.CommitAsync([Commit(Capture(url, at: i), FrontierState.Done, Entry($"{url}/next"))]);
                Assert.NotNull(await store.GetLatestCaptureAsync(url));
            }
        })));

        var stats = await store.GetStatsAsync();
        Assert.Equal(160, stats.Captures);
        Assert.Equal(160, stats.FrontierDone);
        Assert.Equal(160, stats.FrontierPending);
        Assert.Equal(8, stats.Hosts);
    }

    [SkippableFact]
    public async Task InitializeAsync_twice_keeps_the_data()
    {
        await using var store = await CreateStoreAsync();
        await store.AddToFrontierAsync([Entry("http://a.kp/")]);

        await store.InitializeAsync();

        Assert.Single(await store.GetPendingAsync("a.kp", 1, 10));
    }

    [SkippableFact]
    public async Task A_location_the_store_cannot_use_is_refused_with_a_message_naming_it()
    {
        var (create, location) = UnusableStore();

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(async () =>
        {
            await using var store = create();
            await store.InitializeAsync();
        });

        Assert.Contains(location, error.Message, StringComparison.Ordinal);
    }

    private static void AssertSameCapture(CaptureRecord expected, CaptureRecord actual)
    {
        // Records compare arrays and lists by reference: compare those by content, the rest as a record.
        Assert.Equal(expected.RequestHeaders, actual.RequestHeaders);
        Assert.Equal(expected.ResponseHeaders, actual.ResponseHeaders);
        Assert.Equal(expected.Outlinks, actual.Outlinks);
        Assert.Equal(expected.FetchedAt.UtcTicks, actual.FetchedAt.UtcTicks);
        var noHeaders = Array.Empty<byte>();
        var noOutlinks = Array.Empty<Outlink>();
        Assert.Equal(
            expected with { RequestHeaders = noHeaders, ResponseHeaders = null, Outlinks = noOutlinks, FetchedAt = default },
            actual with { RequestHeaders = noHeaders, ResponseHeaders = null, Outlinks = noOutlinks, FetchedAt = default });
    }
}
