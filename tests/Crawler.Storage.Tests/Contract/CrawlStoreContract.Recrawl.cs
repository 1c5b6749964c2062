using Crawler.Core.Policies;
using static Crawler.Storage.Tests.Contract.TestData;

namespace Crawler.Storage.Tests.Contract;

/// <summary>The contract's recrawl part: per-URL schedules, URLs settled as not due, and each site's job per epoch.</summary>
public abstract partial class CrawlStoreContract
{
    private static UrlSchedule Schedule(string url, int fetchedAt, TimeSpan interval, PageClass pageClass = PageClass.Article, int epoch = 1) => new()
    {
        Url = url,
        Host = new Uri(url).Host,
        PageClass = pageClass,
        Interval = interval,
        LastFetchedAt = At(fetchedAt),
        LastChangedAt = At(fetchedAt - 3600),
        DueAt = DateTimeOffset.FromUnixTimeMilliseconds((At(fetchedAt) + interval).ToUnixTimeMilliseconds()), // times are kept to the millisecond
        PayloadDigest = "sha256:" + new string('a', 64),
        Fetches = 3,
        Changes = 2,
        Epoch = epoch,
    };

    [SkippableFact]
    public async Task A_commit_stores_its_urls_schedule_and_GetSchedules_returns_every_field_of_a_hosts_schedules()
    {
        await using var store = await CreateStoreAsync();
        // An interval the policy computed to the tick, not to the millisecond: kept exactly.
        var a = Schedule("http://a.kp/1", 7200, TimeSpan.FromTicks(1_234_567_891_234), PageClass.Listing, epoch: 4);
        var first = Schedule("http://a.kp/2", 60, TimeSpan.FromHours(6), PageClass.FrontPage) with { LastChangedAt = null, PayloadDigest = null, Fetches = 1, Changes = 1 };
        var b = Schedule("http://b.kp/1", 10, TimeSpan.FromDays(30));

        await store.CommitAsync(
        [
            Commit(Capture("http://a.kp/1", epoch: 4)) with { Schedule = a, Outcome = RecrawlOutcome.Changed },
            Commit(Capture("http://a.kp/2")) with { Schedule = first, Outcome = RecrawlOutcome.New },
            Commit(Capture("http://b.kp/1")) with { Schedule = b, Outcome = RecrawlOutcome.New },
            Commit(Capture("http://a.kp/robots.txt")),
        ]);

        Assert.Equal([a, first], (await store.GetSchedulesAsync("a.kp")).OrderBy(s => s.Url, StringComparer.Ordinal));
        Assert.Equal([b], await store.GetSchedulesAsync("b.kp"));
        Assert.Empty(await store.GetSchedulesAsync("c.kp"));
    }

    [SkippableFact]
    public async Task A_batch_refused_in_the_middle_stores_none_of_its_schedules()
    {
        await using var store = await CreateStoreAsync();
        var stored = Capture("http://a.kp/1");
        await store.CommitAsync([Commit(stored)]);

        await Assert.ThrowsAnyAsync<Exception>(() => store.CommitAsync(
        [
            Commit(Capture("http://a.kp/2")) with { Schedule = Schedule("http://a.kp/2", 100, TimeSpan.FromDays(1)) },
            Commit(stored with { Url = "http://a.kp/3" }) with { Schedule = Schedule("http://a.kp/3", 100, TimeSpan.FromDays(1)) }, // the same capture id again
        ]));

        Assert.Empty(await store.GetSchedulesAsync("a.kp"));
    }

    [SkippableFact]
    public async Task A_schedule_is_replaced_by_a_later_fetchs_but_never_by_an_earlier_ones()
    {
        await using var store = await CreateStoreAsync();
        var first = Schedule("http://a.kp/1", 100, TimeSpan.FromDays(1));
        var later = Schedule("http://a.kp/1", 200, TimeSpan.FromDays(1.4)) with { Fetches = 4 };

        await store.UpsertSchedulesAsync([first]);
        await store.CommitAsync([Commit(Capture("http://a.kp/1", epoch: 2)) with { Schedule = later }]);
        await store.UpsertSchedulesAsync([first with { Interval = TimeSpan.FromHours(1) }]); // late, from the older fetch
        await store.CommitAsync([Commit(Capture("http://a.kp/1", epoch: 2)) with { Schedule = first }]);

        Assert.Equal([later], await store.GetSchedulesAsync("a.kp"));
    }

    [SkippableFact]
    public async Task A_url_settled_as_not_due_adds_the_links_it_leads_to_in_the_same_update()
    {
        await using var store = await CreateStoreAsync();
        await store.AddToFrontierAsync([Entry("http://a.kp/", epoch: 2), Entry("http://a.kp/known", epoch: 2)]);

        await store.UpdateFrontierAsync(
        [
            new FrontierUpdate("http://a.kp/", "a.kp", 2, FrontierState.NotDue, "not due before 2026-03-02")
            {
                Discovered =
                [
                    Entry("http://a.kp/known", epoch: 2, via: "http://a.kp/", depth: 1, kind: "a@href"),
                    Entry("http://a.kp/deep", epoch: 2, via: "http://a.kp/", depth: 1, kind: "a@href"),
                    Entry("http://b.kp/", epoch: 2, via: "http://a.kp/", depth: 1, kind: "a@href"),
                ],
            },
        ]);

        var frontier = (await store.GetFrontierAsync("a.kp", 2)).ToDictionary(e => e.Url);
        Assert.Equal(FrontierState.NotDue, frontier["http://a.kp/"].State);
        Assert.Equal(0, frontier["http://a.kp/"].Attempts);
        Assert.Equal((1, "http://a.kp/", FrontierState.Pending), (frontier["http://a.kp/deep"].Depth, frontier["http://a.kp/deep"].Via, frontier["http://a.kp/deep"].State));
        Assert.Equal(0, frontier["http://a.kp/known"].Depth); // already known: left as it was
        Assert.Equal(["http://b.kp/"], (await store.GetPendingAsync("b.kp", 2, 10)).Select(e => e.Url));
        Assert.Equal(["a.kp", "b.kp"], (await store.GetHostsWithPendingAsync(2)).Order(StringComparer.Ordinal));
    }

    [SkippableFact]
    public async Task A_jobs_statistics_count_each_url_of_the_epoch_once_by_how_it_ended()
    {
        await using var store = await CreateStoreAsync();
        string[] urls = ["new", "changed", "unchanged", "unchanged2", "failed", "retried", "notdue", "robots", "skipped", "pending", "broken"];
        await store.AddToFrontierAsync([.. urls.Select(u => Entry("http://a.kp/" + u, epoch: 3)), Entry("http://a.kp/other-epoch", epoch: 2), Entry("http://b.kp/", epoch: 3)]);
        await store.CommitAsync(
        [
            Commit(Capture("http://a.kp/new", epoch: 3)) with { Outcome = RecrawlOutcome.New },
            Commit(Capture("http://a.kp/changed", epoch: 3)) with { Outcome = RecrawlOutcome.Changed },
            Commit(Capture("http://a.kp/unchanged", epoch: 3) with { Status = 304 }) with { Outcome = RecrawlOutcome.Unchanged },
            Commit(Capture("http://a.kp/unchanged2", epoch: 3)) with { Outcome = RecrawlOutcome.Unchanged },
            Commit(Capture("http://a.kp/failed", epoch: 3) with { Status = null, Error = "ConnectTimeout" }, FrontierState.Pending) with { Outcome = RecrawlOutcome.Failed }, // not final: not counted
            Commit(Capture("http://a.kp/failed", epoch: 3) with { Status = null, Error = "ConnectTimeout", Attempt = 2 }, FrontierState.Failed) with { Outcome = RecrawlOutcome.Failed },
            Commit(Capture("http://a.kp/retried", epoch: 3) with { Status = 503 }, FrontierState.Pending),
            Commit(Capture("http://a.kp/retried", epoch: 3) with { Attempt = 2 }) with { Outcome = RecrawlOutcome.Changed },
            Commit(Capture("http://a.kp/robots", epoch: 3)),
            Commit(Capture("http://a.kp/x", epoch: 2)) with { Outcome = RecrawlOutcome.New },
        ]);
        await store.UpdateFrontierAsync(
        [
            new FrontierUpdate("http://a.kp/notdue", "a.kp", 3, FrontierState.NotDue, "not due"),
            new FrontierUpdate("http://a.kp/skipped", "a.kp", 3, FrontierState.Skipped, "robots.txt disallows it"),
            new FrontierUpdate("http://a.kp/broken", "a.kp", 3, FrontierState.Failed, "processing failed") { Outcome = RecrawlOutcome.Failed },
        ]);
        await store.MarkJobAsync("a.kp", 3, At(10), null);
        await store.MarkJobAsync("c.kp", 3, At(20), At(21)); // a job with nothing to do

        var jobs = await store.GetJobsAsync(new JobQuery(Epoch: 3));

        Assert.Equal(["a.kp", "b.kp", "c.kp"], jobs.Select(j => j.Host));
        var a = jobs[0];
        Assert.Equal(
            new CrawlJob("a.kp", 3)
            {
                StartedAt = At(10),
                New = 1,
                Changed = 2,
                Unchanged = 2,
                Failed = 2,
                NotDue = 1,
                Skipped = 1,
                Pending = 1,
                Captures = 9,
                Errors = 2,
            },
            a);
        Assert.Equal(7, a.Due);
        Assert.Equal(new CrawlJob("b.kp", 3) { Pending = 1 }, jobs[1]);
        Assert.Equal(new CrawlJob("c.kp", 3) { StartedAt = At(20), FinishedAt = At(21) }, jobs[2]);
    }

    [SkippableFact]
    public async Task A_job_keeps_its_first_start_and_its_last_finish_and_jobs_are_found_by_host_or_epoch()
    {
        await using var store = await CreateStoreAsync();
        await store.MarkJobAsync("a.kp", 1, At(1), null);
        await store.MarkJobAsync("a.kp", 1, null, At(5));
        await store.MarkJobAsync("a.kp", 1, At(7), null); // started again (a restart): the first start stays
        await store.MarkJobAsync("a.kp", 1, null, At(9));
        await store.MarkJobAsync("a.kp", 2, At(100), null);
        await store.MarkJobAsync("b.kp", 1, At(2), At(3));

        var a1 = Assert.Single(await store.GetJobsAsync(new JobQuery("a.kp", 1)));
        Assert.Equal((At(1), At(9)), (a1.StartedAt, a1.FinishedAt));
        Assert.Equal([(1, "a.kp"), (2, "a.kp")], (await store.GetJobsAsync(new JobQuery("a.kp"))).Select(j => (j.Epoch, j.Host)));
        Assert.Equal([(1, "a.kp"), (1, "b.kp")], (await store.GetJobsAsync(new JobQuery(Epoch: 1))).Select(j => (j.Epoch, j.Host)));
        Assert.Equal(3, (await store.GetJobsAsync(new JobQuery())).Count);
        Assert.Empty(await store.GetJobsAsync(new JobQuery("a.kp", 3)));
    }

    [SkippableFact]
    public async Task Schedules_and_jobs_survive_a_reopen()
    {
        var store = await CreateStoreAsync();
        var schedule = Schedule("http://a.kp/", 100, TimeSpan.FromHours(8.4), PageClass.FrontPage);
        await store.CommitAsync([Commit(Capture("http://a.kp/")) with { Schedule = schedule, Outcome = RecrawlOutcome.Unchanged }]);
        await store.MarkJobAsync("a.kp", 1, At(50), At(60));
        await store.DisposeAsync();

        await using var reopened = await ReopenStoreAsync();

        Assert.Equal([schedule], await reopened.GetSchedulesAsync("a.kp"));
        Assert.Equal(
            new CrawlJob("a.kp", 1) { StartedAt = At(50), FinishedAt = At(60), Unchanged = 1, Captures = 1 },
            Assert.Single(await reopened.GetJobsAsync(new JobQuery("a.kp", 1))));
    }
}
