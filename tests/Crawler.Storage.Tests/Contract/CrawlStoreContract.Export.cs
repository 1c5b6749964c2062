using static Crawler.Storage.Tests.Contract.TestData;

namespace Crawler.Storage.Tests.Contract;

/// <summary>The exports (crawler migrate): every row of a collection, as stored.</summary>
public abstract partial class CrawlStoreContract
{
    [SkippableFact]
    public async Task The_frontier_export_lists_every_row_of_every_epoch_in_the_order_added_with_its_reason_and_outcome()
    {
        await using var store = await CreateStoreAsync();
        await store.AddToFrontierAsync([Entry("http://b.kp/", epoch: 2), Entry("http://a.kp/"), Entry("http://a.kp/x", via: "http://a.kp/", depth: 1, kind: "a@href")]);
        await store.CommitAsync([Commit(Capture("http://a.kp/")) with { Outcome = RecrawlOutcome.New }]);
        await store.UpdateFrontierAsync([new FrontierUpdate("http://a.kp/x", "a.kp", 1, FrontierState.Skipped, "robots")]);
        var retry = At(600);
        await store.CommitAsync([new FetchCommit { Capture = Capture("http://b.kp/", epoch: 2) with { Status = null, Error = "ConnectTimeout" }, UrlState = FrontierState.Pending, RetryAt = retry }]);

        var rows = await store.ExportFrontierAsync().ToListAsync();

        Assert.Equal(
            [
                new FrontierRecord(Entry("http://b.kp/", epoch: 2) with { Attempts = 1, RetryAt = retry }, null, null),
                new FrontierRecord(Entry("http://a.kp/") with { State = FrontierState.Done, Attempts = 1 }, null, RecrawlOutcome.New),
                new FrontierRecord(Entry("http://a.kp/x", via: "http://a.kp/", depth: 1, kind: "a@href") with { State = FrontierState.Skipped }, "robots", null),
            ],
            rows);
    }

    [SkippableFact]
    public async Task The_exports_list_every_schedule_job_mark_and_setting_as_stored()
    {
        await using var store = await CreateStoreAsync();
        var b = new UrlSchedule { Url = "http://b.kp/", Host = "b.kp", Interval = TimeSpan.FromTicks(36_000_000_123), LastFetchedAt = At(5), DueAt = At(5 + 3600), PayloadDigest = "sha256:00", Fetches = 2, Changes = 1, Epoch = 2 };
        var a = b with { Url = "http://a.kp/", Host = "a.kp", LastChangedAt = At(4), PayloadDigest = null };
        await store.UpsertSchedulesAsync([b, a]);
        await store.MarkJobAsync("b.kp", 1, At(0), null);
        await store.MarkJobAsync("a.kp", 2, null, At(9));
        await store.MarkJobAsync("a.kp", 1, At(1), At(2));
        await store.SetSettingAsync("epoch", "2");
        await store.SetSettingAsync("discovery", "done");

        Assert.Equal([a, b], await store.ExportSchedulesAsync().ToListAsync());
        Assert.Equal(
            [new JobMark("a.kp", 1, At(1), At(2)), new JobMark("b.kp", 1, At(0), null), new JobMark("a.kp", 2, null, At(9))],
            await store.ExportJobMarksAsync().ToListAsync());
        Assert.Equal([KeyValuePair.Create("discovery", "done"), KeyValuePair.Create("epoch", "2")], await store.ExportSettingsAsync().ToListAsync());
    }
}
