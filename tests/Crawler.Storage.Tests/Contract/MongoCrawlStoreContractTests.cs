using System.Net;
using System.Net.Sockets;
using Crawler.Storage.Mongo;
using Crawler.Storage.Tests.Mongo;
using MongoDB.Bson;
using MongoDB.Driver;
using static Crawler.Storage.Tests.Contract.TestData;

namespace Crawler.Storage.Tests.Contract;

/// <summary>
/// The contract against MongoDB (see <see cref="MongoTestServer"/> for where the server comes from; skipped with
/// the reason when there is none), on a fresh database per test, dropped afterwards; plus what only the
/// MongoDB store promises: GridFS for large payloads, replays that change nothing, several writers.
/// </summary>
[Collection(MongoServerCollection.Name)]
public sealed class MongoCrawlStoreContractTests(MongoTestServer server) : CrawlStoreContract, IDisposable
{
    private readonly string _database = MongoTestServer.NewDatabaseName();

    protected override async Task<ICrawlStore> CreateStoreAsync()
    {
        var store = new MongoCrawlStore(server.Options(_database));
        await store.InitializeAsync();
        return store;
    }

    protected override Task<ICrawlStore> ReopenStoreAsync() => CreateStoreAsync();

    protected override (Func<ICrawlStore> Create, string Location) UnusableStore()
    {
        server.Options(_database);
        var port = ClosedLoopbackPort();
        return (() => new MongoCrawlStore(new MongoStoreOptions
        {
            ConnectionString = $"mongodb://127.0.0.1:{port}/",
            ServerSelectionTimeout = TimeSpan.FromSeconds(1),
        }), $"127.0.0.1:{port}");
    }

    [SkippableFact]
    public async Task A_payload_larger_than_a_document_can_hold_goes_to_GridFS_and_comes_back_whole()
    {
        await using var store = await CreateStoreAsync();
        var noise = new byte[20 * 1024 * 1024];
        new Random(7).NextBytes(noise);
        var small = Html("inline");

        await store.CommitAsync([CommitWithPayload(Capture("http://a.kp/big.bin"), noise), CommitWithPayload(Capture("http://a.kp/", at: 1), small)]);

        Assert.Equal(noise, await store.GetPayloadAsync(Digest(noise)));
        Assert.Equal(small, await store.GetPayloadAsync(Digest(small)));
        var database = server.Database(_database, out var client);
        using (client)
        {
            var payloads = database.GetCollection<BsonDocument>(CrawlQueries.Payloads);
            var big = await payloads.Find(new BsonDocument("_id", Digest(noise))).SingleAsync();
            Assert.False(big.Contains("data"));
            var file = await database.GetCollection<BsonDocument>(CrawlQueries.PayloadBucket + ".files").Find(new BsonDocument("_id", big["gridFsId"])).SingleAsync();
            Assert.Equal(noise.Length, file["length"].ToInt64());
            Assert.True((await payloads.Find(new BsonDocument("_id", Digest(small))).SingleAsync()).Contains("data"));
        }
    }

    [SkippableFact]
    public async Task Two_store_instances_writing_at_once_lose_nothing_and_share_one_frontier_order()
    {
        await using var one = await CreateStoreAsync();
        await using var two = await ReopenStoreAsync();

        await Task.WhenAll(new[] { one, two }.Select((store, writer) => Task.Run(async () =>
        {
            for (var i = 0; i < 25; i++)
            {
                await store.AddToFrontierAsync([Entry($"http://a.kp/{writer}/{i}"), Entry("http://a.kp/shared")]);
                await store.CommitAsync([Commit(Capture($"http://b.kp/{writer}/{i}", at: i), FrontierState.Done, Entry("http://b.kp/shared"))]);
            }
        })));

        var pending = await one.GetPendingAsync("a.kp", 1, 1000);
        Assert.Equal(51, pending.Count);
        Assert.Equal(pending.Select(e => e.Url).Distinct().Count(), pending.Count);
        foreach (var writer in new[] { 0, 1 })
        {
            // Each writer's own URLs come back in the order it added them.
            var mine = pending.Select(e => e.Url).Where(u => u.StartsWith($"http://a.kp/{writer}/", StringComparison.Ordinal)).ToList();
            Assert.Equal(Enumerable.Range(0, 25).Select(i => $"http://a.kp/{writer}/{i}"), mine);
        }

        var stats = await two.GetStatsAsync();
        Assert.Equal((50L, 50L, 52L), (stats.Captures, stats.FrontierDone, stats.FrontierPending));
    }

    [SkippableFact]
    public async Task Replaying_recrawl_writes_changes_no_schedule_no_outcome_and_no_job()
    {
        await using var store = await CreateStoreAsync();
        var schedule = new UrlSchedule
        {
            Url = "http://a.kp/",
            Host = "a.kp",
            Interval = TimeSpan.FromHours(6),
            LastFetchedAt = At(0),
            DueAt = At(6 * 3600),
            Fetches = 1,
            Changes = 1,
            Epoch = 1,
        };
        var commits = new[]
        {
            Commit(Capture("http://a.kp/")) with { Schedule = schedule, Outcome = RecrawlOutcome.New },
            Commit(Capture("http://a.kp/gone", at: 1) with { Status = null, Error = "ConnectTimeout" }, FrontierState.Failed) with { Outcome = RecrawlOutcome.Failed },
        };
        var updates = new[]
        {
            new FrontierUpdate("http://a.kp/old", "a.kp", 1, FrontierState.NotDue, "not due") { Discovered = [Entry("http://a.kp/next", via: "http://a.kp/old", depth: 1)] },
        };

        await store.MarkJobAsync("a.kp", 1, At(0), null);
        await store.CommitAsync(commits);
        await store.UpdateFrontierAsync(updates);
        await store.UpsertSchedulesAsync([schedule]);
        await store.MarkJobAsync("a.kp", 1, null, At(9));
        var jobs = await store.GetJobsAsync(new JobQuery());
        var frontier = await store.GetFrontierAsync("a.kp", 1);

        await store.MarkJobAsync("a.kp", 1, At(0), null);
        await store.CommitAsync(commits);
        await store.UpdateFrontierAsync(updates);
        await store.UpsertSchedulesAsync([schedule]);
        await store.MarkJobAsync("a.kp", 1, null, At(9));

        Assert.Equal(
            new CrawlJob("a.kp", 1) { StartedAt = At(0), FinishedAt = At(9), New = 1, Failed = 1, NotDue = 1, Pending = 1, Captures = 2, Errors = 1 },
            Assert.Single(jobs));
        Assert.Equal(jobs, await store.GetJobsAsync(new JobQuery()));
        Assert.Equal(frontier, await store.GetFrontierAsync("a.kp", 1));
        Assert.Equal([schedule], await store.GetSchedulesAsync("a.kp"));
    }

    [SkippableFact]
    public async Task A_late_not_due_or_retry_never_undoes_a_fetch_nor_its_outcome()
    {
        await using var store = await CreateStoreAsync();
        await store.CommitAsync([Commit(Capture("http://a.kp/1", at: 30) with { Attempt = 2 }) with { Outcome = RecrawlOutcome.Changed }]);

        await store.UpdateFrontierAsync([new FrontierUpdate("http://a.kp/1", "a.kp", 1, FrontierState.NotDue, "not due")]);
        await store.CommitAsync([Commit(Capture("http://a.kp/1") with { Status = 503 }, FrontierState.Pending) with { RetryAt = At(30) }]);

        var entry = Assert.Single(await store.GetFrontierAsync("a.kp", 1));
        Assert.Equal((FrontierState.Done, 2), (entry.State, entry.Attempts));
        var job = Assert.Single(await store.GetJobsAsync(new JobQuery("a.kp", 1)));
        Assert.Equal((1L, 0L, 0L, 2L), (job.Changed, job.NotDue, job.Pending, job.Captures));
    }

    [SkippableFact]
    public async Task Two_writers_storing_one_urls_schedules_at_once_leave_the_latest_fetchs()
    {
        await using var one = await CreateStoreAsync();
        await using var two = await ReopenStoreAsync();
        UrlSchedule Fetched(int at) => new()
        {
            Url = "http://a.kp/",
            Host = "a.kp",
            Interval = TimeSpan.FromHours(1),
            LastFetchedAt = At(at),
            DueAt = At(at + 3600),
            Fetches = at,
            Epoch = 1,
        };

        await Task.WhenAll(new[] { one, two }.Select((store, writer) => Task.Run(async () =>
        {
            for (var i = writer; i < 40; i += 2)
            {
                await store.UpsertSchedulesAsync([Fetched(i)]);
                await store.MarkJobAsync("a.kp", 1, At(i), At(i));
            }
        })));

        Assert.Equal([Fetched(39)], await one.GetSchedulesAsync("a.kp"));
        var job = Assert.Single(await two.GetJobsAsync(new JobQuery()));
        Assert.NotNull(job.StartedAt);
        Assert.NotNull(job.FinishedAt);
    }

    public void Dispose() => server.Drop(_database);

    /// <summary>A loopback port nothing listens on: connecting is refused at once, and no packet leaves the machine.</summary>
    internal static int ClosedLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
