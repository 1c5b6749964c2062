using System.Text;
using Crawler.Storage.Mongo;
using Crawler.Storage.Mongo.Documents;
using MongoDB.Bson;
using static Crawler.Storage.Tests.Mongo.Rendered;

namespace Crawler.Storage.Tests.Mongo;

/// <summary>
/// Every index, filter, sort, update and pipeline the MongoDB crawl store sends, rendered by the driver and compared
/// with the command document it must be. Runs without a server; a query that changes is a test that fails.
/// </summary>
public sealed class MongoCrawlQueryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Captures_are_indexed_by_url_site_epoch_and_time_and_by_payload_digest()
    {
        Assert.Equal(
            JsonArray("""
                [
                  { key: { url: 1, fetchedAt: 1, _id: 1 }, name: "url_fetchedAt" },
                  { key: { host: 1, fetchedAt: 1, _id: 1 }, name: "host_fetchedAt" },
                  { key: { host: 1, epoch: 1, fetchedAt: 1, _id: 1 }, name: "host_epoch_fetchedAt" },
                  { key: { epoch: 1, fetchedAt: 1, _id: 1 }, name: "epoch_fetchedAt" },
                  { key: { fetchedAt: 1, _id: 1 }, name: "fetchedAt" },
                  { key: { payloadDigest: 1 }, name: "payloadDigest", sparse: true },
                  { key: { urlkey: 1, fetchedAt: 1, _id: 1 }, name: "urlkey_fetchedAt", partialFilterExpression: { urlkey: { $exists: true } } }
                ]
                """),
            Indexes(CrawlQueries.CaptureIndexes));
    }

    [Fact]
    public void Captures_of_key_ranges_are_read_from_the_urlkey_index_in_key_then_time_order()
    {
        Assert.Equal(
            Json("""{ urlkey: { $exists: true }, $or: [{ urlkey: { $gte: "kp,a)", $lt: "kp,a*" } }, { urlkey: { $gte: "kp,a:", $lt: "kp,a;" } }] }"""),
            Filter(CrawlQueries.CapturesOf(new CaptureQuery { UrlKeys = [UrlKeyRange.Prefix("kp,a)"), UrlKeyRange.Prefix("kp,a:")] })));
        Assert.Equal(Json("""{ urlkey: 1, fetchedAt: 1, _id: 1 }"""), Sort(CrawlQueries.KeyOrder));
        Assert.Equal(Json("""{ status: { $ne: null }, urlkey: { $exists: false } }"""), Filter(CrawlQueries.CapturesWithoutKey));
    }

    [Fact]
    public void The_frontier_is_unique_by_epoch_and_url_and_indexed_by_site_epoch_state_and_order()
    {
        Assert.Equal(
            JsonArray("""
                [
                  { key: { epoch: 1, url: 1 }, name: "epoch_url", unique: true },
                  { key: { host: 1, epoch: 1, state: 1, seq: 1 }, name: "host_epoch_state_seq" },
                  { key: { epoch: 1, state: 1, host: 1 }, name: "epoch_state_host" }
                ]
                """),
            Indexes(CrawlQueries.FrontierIndexes));
    }

    [Fact]
    public void GridFS_indexes_are_the_drivers_own_created_up_front()
    {
        Assert.Equal(JsonArray("""[ { key: { files_id: 1, n: 1 }, name: "files_id_1_n_1", unique: true } ]"""), Indexes(CrawlQueries.PayloadChunkIndexes));
        Assert.Equal(JsonArray("""[ { key: { filename: 1, uploadDate: 1 }, name: "filename_1_uploadDate_1" } ]"""), Indexes(CrawlQueries.PayloadFileIndexes));
    }

    [Fact]
    public void Frontier_filters_name_the_natural_key_and_the_indexed_fields_in_index_order()
    {
        Assert.Equal(Json("""{ epoch: 3, url: "http://a.kp/평양?x=1" }"""), Filter(CrawlQueries.FrontierKey(3, "http://a.kp/평양?x=1")));
        Assert.Equal(Json("""{ host: "a.kp", epoch: 2 }"""), Filter(CrawlQueries.HostFrontier("a.kp", 2)));
        Assert.Equal(Json("""{ host: "a.kp", epoch: 2, state: 0 }"""), Filter(CrawlQueries.HostPending("a.kp", 2)));
        Assert.Equal(Json("""{ epoch: 4, state: 0 }"""), Filter(CrawlQueries.EpochPending(4)));
        Assert.Equal(Json("""{ seq: 1 }"""), Sort(CrawlQueries.FrontierOrder));
    }

    [Fact]
    public void A_new_frontier_entry_is_written_only_on_insert_with_its_order_number()
    {
        var discovered = new FrontierEntry
        {
            Url = "http://a.kp/next",
            Host = "a.kp",
            Epoch = 1,
            Depth = 2,
            Via = "http://a.kp/",
            Kind = "a@href",
            Attempts = 1,
            RetryAt = T0.AddTicks(9_999),
        };
        var settled = new FrontierEntry { Url = "http://a.kp/x", Host = "a.kp", Epoch = 1, State = FrontierState.Done, RetryAt = T0 };

        Assert.Equal(
            Json("""
                { $setOnInsert: { host: "a.kp", depth: 2, kind: "a@href", state: 0, attempts: 1, seq: NumberLong(42),
                                  via: "http://a.kp/", retryAt: ISODate("2026-03-01T12:00:00Z") } }
                """),
            Update(CrawlQueries.InsertFrontier(discovered, 42)));
        Assert.Equal(
            Json("""{ $setOnInsert: { host: "a.kp", depth: 0, kind: "seed", state: 1, attempts: 0, seq: NumberLong(7) } }"""),
            Update(CrawlQueries.InsertFrontier(settled, 7)));
    }

    [Fact]
    public void A_fetched_url_moves_forward_only_takes_the_larger_attempt_count_and_keeps_no_due_time_once_settled()
    {
        var capture = Contract.TestData.Capture("http://a.kp/page") with { Attempt = 2 };

        var rendered = Update(CrawlQueries.Fetched(capture, FrontierState.Done, T0, RecrawlOutcome.Changed, 7));

        Assert.Equal(
            JsonArray("""
                [
                  { $set: {
                      host: { $ifNull: ["$host", "a.kp"] },
                      depth: { $ifNull: ["$depth", 0] },
                      kind: { $ifNull: ["$kind", "seed"] },
                      seq: { $ifNull: ["$seq", NumberLong(7)] },
                      attempts: { $max: [{ $ifNull: ["$attempts", 0] }, 2] },
                      retryAt: { $cond: [{ $gte: [2, { $ifNull: ["$attempts", 0] }] }, "$$REMOVE", "$retryAt"] },
                      reason: { $cond: [{ $gt: [4, { $indexOfArray: [[0, 4, 3, 2, 1], "$state"] }] }, "$$REMOVE", "$reason"] },
                      outcome: { $cond: [
                        { $or: [
                          { $gt: [4, { $indexOfArray: [[0, 4, 3, 2, 1], "$state"] }] },
                          { $and: [{ $eq: [4, { $indexOfArray: [[0, 4, 3, 2, 1], "$state"] }] }, { $gte: [2, { $ifNull: ["$attempts", 0] }] }] }] },
                        2, "$outcome"] },
                      state: { $cond: [{ $gt: [4, { $indexOfArray: [[0, 4, 3, 2, 1], "$state"] }] }, 1, "$state"] } } },
                  { $set: { retryAt: { $cond: [{ $eq: ["$state", 0] }, "$retryAt", "$$REMOVE"] } } }
                ]
                """),
            rendered);
    }

    [Fact]
    public void A_url_left_pending_keeps_the_due_time_of_its_latest_attempt_ranks_lowest_and_has_no_outcome()
    {
        var capture = Contract.TestData.Capture("http://a.kp/flaky");

        var stages = Update(CrawlQueries.Fetched(capture, FrontierState.Pending, T0.AddSeconds(90), RecrawlOutcome.Failed, 3)).AsBsonArray;

        var set = stages[0]["$set"].AsBsonDocument;
        Assert.Equal(
            Json("""{ $cond: [{ $gte: [1, { $ifNull: ["$attempts", 0] }] }, ISODate("2026-03-01T12:01:30Z"), "$retryAt"] }"""),
            set["retryAt"]);
        Assert.Equal(Json("""{ $cond: [{ $gt: [0, { $indexOfArray: [[0, 4, 3, 2, 1], "$state"] }] }, 0, "$state"] }"""), set["state"]);
        Assert.Equal("$$REMOVE", set["outcome"]["$cond"][1]); // a retry to come is not the URL's final fetch
    }

    [Fact]
    public void A_url_settled_without_a_fetch_counts_no_attempt_and_keeps_its_reason_when_its_state_wins()
    {
        var rendered = Update(CrawlQueries.Settled(new FrontierUpdate("http://a.kp/private", "a.kp", 1, FrontierState.Skipped, "robots"), 9));

        var set = rendered[0]["$set"].AsBsonDocument;
        Assert.Equal(Json("""{ $max: [{ $ifNull: ["$attempts", 0] }, 0] }"""), set["attempts"]);
        Assert.Equal(Json("""{ $cond: [{ $gt: [2, { $indexOfArray: [[0, 4, 3, 2, 1], "$state"] }] }, "robots", "$reason"] }"""), set["reason"]);
        Assert.Equal(Json("""{ $cond: [{ $gt: [2, { $indexOfArray: [[0, 4, 3, 2, 1], "$state"] }] }, 3, "$state"] }"""), set["state"]);
        Assert.Equal(Json("""{ $cond: [{ $gte: [0, { $ifNull: ["$attempts", 0] }] }, "$$REMOVE", "$retryAt"] }"""), set["retryAt"]);
        Assert.Equal("$$REMOVE", set["outcome"]["$cond"][1]);
    }

    [Fact]
    public void A_url_settled_as_not_due_or_failed_in_processing_carries_its_outcome_with_its_state()
    {
        var notDue = Update(CrawlQueries.Settled(new FrontierUpdate("http://a.kp/old", "a.kp", 2, FrontierState.NotDue, "not due"), 4))[0]["$set"].AsBsonDocument;
        var broken = Update(CrawlQueries.Settled(
            new FrontierUpdate("http://a.kp/broken", "a.kp", 2, FrontierState.Failed, "processing failed") { Outcome = RecrawlOutcome.Failed }, 5))[0]["$set"].AsBsonDocument;

        Assert.Equal(Json("""{ $cond: [{ $gt: [1, { $indexOfArray: [[0, 4, 3, 2, 1], "$state"] }] }, 4, "$state"] }"""), notDue["state"]);
        Assert.Equal(
            Json("""
                { $cond: [
                  { $or: [
                    { $gt: [3, { $indexOfArray: [[0, 4, 3, 2, 1], "$state"] }] },
                    { $and: [{ $eq: [3, { $indexOfArray: [[0, 4, 3, 2, 1], "$state"] }] }, { $gte: [0, { $ifNull: ["$attempts", 0] }] }] }] },
                  4, "$outcome"] }
                """),
            broken["outcome"]);
    }

    [Fact]
    public void States_rank_pending_not_due_skipped_failed_done_so_done_is_never_left()
    {
        Assert.Equal(
            [FrontierState.Pending, FrontierState.NotDue, FrontierState.Skipped, FrontierState.Failed, FrontierState.Done],
            CrawlQueries.StateRank);
        Assert.Equal(Enum.GetValues<FrontierState>().Order(), CrawlQueries.StateRank.Order()); // every state has a rank
    }

    [Fact]
    public void Order_numbers_are_reserved_in_blocks_on_one_counter_document()
    {
        Assert.Equal(Json("""{ _id: "frontier" }"""), Filter(CrawlQueries.Counter(CrawlQueries.FrontierCounter)));
        Assert.Equal(Json("""{ $inc: { value: NumberLong(5) } }"""), Update(CrawlQueries.ReserveSeq(5)));
    }

    [Fact]
    public void Capture_queries_filter_by_each_given_field_and_sort_by_fetch_time_then_id()
    {
        Assert.Equal(new BsonDocument(), Filter(CrawlQueries.CapturesOf(new CaptureQuery())));
        Assert.Equal(Json("""{ url: "http://a.kp/1", host: "a.kp", epoch: 2 }"""), Filter(CrawlQueries.CapturesOf(new CaptureQuery { Url = "http://a.kp/1", Host = "a.kp", Epoch = 2, Limit = 5 })));
        Assert.Equal(Json("""{ epoch: 2 }"""), Filter(CrawlQueries.CapturesOf(new CaptureQuery { Epoch = 2 })));
        Assert.Equal(Json("""{ url: "http://a.kp/1" }"""), Filter(CrawlQueries.CapturesOfUrl("http://a.kp/1")));
        Assert.Equal(Json("""{ host: "a.kp" }"""), Filter(CrawlQueries.CapturesOfHost("a.kp")));
        Assert.Equal(Json("""{ _id: "id-1" }"""), Filter(CrawlQueries.CaptureKey("id-1")));
        Assert.Equal(Json("""{ _id: { $in: ["id-1", "id-2"] } }"""), Filter(CrawlQueries.CapturesWithIds(["id-1", "id-2"])));
        Assert.Equal(Json("""{ fetchedAt: 1, _id: 1 }"""), Sort(CrawlQueries.CaptureOrder));
        Assert.Equal(Json("""{ fetchedAt: -1, _id: -1 }"""), Sort(CrawlQueries.NewestFirst));
    }

    [Fact]
    public void Capture_queries_of_urls_ask_for_anchored_case_insensitive_expressions_of_the_url()
    {
        Assert.Equal(
            Json("""{ $or: [{ url: { $regularExpression: { pattern: "^http://a\\.kp/news/\\?a=1", options: "i" } } }, { url: { $regularExpression: { pattern: "^http://a\\.kp/$", options: "i" } } }] }"""),
            Filter(CrawlQueries.CapturesOf(new CaptureQuery { Urls = [new UrlMatch("http://a.kp/news/?a=1", Prefix: true), new UrlMatch("http://a.kp/", Prefix: false)] })));
        Assert.Equal(Json("""{ url: { $in: [] } }"""), Filter(CrawlQueries.CapturesOf(new CaptureQuery { Urls = [] })));
    }

    [Fact]
    public void A_capture_is_written_whole_only_when_its_id_is_new()
    {
        var capture = new CaptureRecord
        {
            Id = "0190aaaa-0000-7000-8000-000000000001",
            Url = "http://a.kp/",
            Host = "a.kp",
            Epoch = 1,
            FetchedAt = T0,
            RequestHeaders = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\n\r\n"),
            Status = 200,
        };

        Assert.Equal(
            Json("""
                { $setOnInsert: { url: "http://a.kp/", host: "a.kp", epoch: 1, fetchedAt: ISODate("2026-03-01T12:00:00Z"), durationMs: NumberLong(0),
                                  status: 200, requestHeaders: BinData(0, "R0VUIC8gSFRUUC8xLjENCg0K"), payloadLength: NumberLong(0), attempt: 1 } }
                """),
            Update(CrawlQueries.InsertCapture(CaptureDocument.From(capture))));
    }

    [Fact]
    public void Payloads_are_found_by_digest_and_written_only_when_the_digest_is_new()
    {
        var inline = new PayloadDocument { Digest = "sha256:ab", Compression = "br", RawLength = 10, StoredLength = 3, Data = [1, 2, 3] };
        var file = new PayloadDocument { Digest = "sha256:cd", Compression = "none", RawLength = 20_000_000, StoredLength = 20_000_000, GridFsId = ObjectId.Parse("65f000000000000000000001") };

        Assert.Equal(Json("""{ _id: "sha256:ab" }"""), Filter(CrawlQueries.Payload("sha256:ab")));
        Assert.Equal(Json("""{ _id: { $in: ["sha256:ab", "sha256:cd"] } }"""), Filter(CrawlQueries.PayloadsWithDigests(["sha256:ab", "sha256:cd"])));
        Assert.Equal(Json("""{ _id: 1 }"""), Projection(CrawlQueries.DigestOnly));
        Assert.Equal(
            Json("""{ $setOnInsert: { compression: "br", rawLength: NumberLong(10), storedLength: NumberLong(3), data: BinData(0, "AQID") } }"""),
            Update(CrawlQueries.InsertPayload(inline)));
        Assert.Equal(
            Json("""{ $setOnInsert: { compression: "none", rawLength: NumberLong(20000000), storedLength: NumberLong(20000000), gridFsId: ObjectId("65f000000000000000000001") } }"""),
            Update(CrawlQueries.InsertPayload(file)));
    }

    [Fact]
    public void A_payload_or_capture_stored_before_its_site_s_dictionary_is_rewritten_with_it_and_an_inline_payload_only()
    {
        var record = new EncodedRecord(PayloadCodec.Zstd, null, [1, 2, 3]);

        Assert.Equal(Json("""{ _id: "sha256:ab", gridFsId: { $exists: false } }"""), Filter(CrawlQueries.RecodablePayload("sha256:ab")));
        Assert.Equal(
            Json("""{ $set: { compression: "zstd", storedLength: NumberLong(3), data: BinData(0, "AQID"), dictionary: NumberLong(7) } }"""),
            Update(CrawlQueries.RecodePayload(record, 7)));
        Assert.Equal(Json("""{ $set: { bulk: BinData(0, "AQID") } }"""), Update(CrawlQueries.RecodeCapture([1, 2, 3])));
    }

    [Fact]
    public void Dictionaries_are_found_by_their_id_written_only_when_new_and_loaded_oldest_first()
    {
        var dictionary = CompressionDictionary.Create("payload a.kp", [.. Enumerable.Range(0, 64).Select(i => (byte)(i % 4))]);
        var document = DictionaryDocument.From(dictionary, new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

        Assert.Equal("dictionaries", CrawlQueries.Dictionaries);
        Assert.Equal(Json($$"""{ _id: NumberLong({{document.Id}}) }"""), Filter(CrawlQueries.DictionaryKey(document.Id)));
        var update = Update(CrawlQueries.InsertDictionary(document)).AsBsonDocument["$setOnInsert"].AsBsonDocument;
        Assert.Equal(["digest", "scope", "createdAt", "compression", "data"], update.Names);
        Assert.Equal(Json("""{ createdAt: 1, _id: 1 }"""), Sort(CrawlQueries.DictionaryOrder));
    }

    [Fact]
    public void A_setting_is_one_document_keyed_by_its_name()
    {
        Assert.Equal(Json("""{ _id: "epoch" }"""), Filter(CrawlQueries.Setting("epoch")));
        Assert.Equal(Json("""{ $set: { value: "2" } }"""), Update(CrawlQueries.SetSetting("2")));
    }

    [Fact]
    public void A_setting_is_compared_and_set_by_its_name_and_value_or_created_only_when_absent()
    {
        Assert.Equal(Json("""{ _id: "epoch", value: "1" }"""), Filter(CrawlQueries.SettingHolding("epoch", "1")));
        Assert.Equal(Json("""{ $setOnInsert: { value: "1" } }"""), Update(CrawlQueries.CreateSetting("1")));
    }

    [Fact]
    public void Statistics_are_grouped_on_the_server()
    {
        Assert.Equal(
            JsonArray("""[ { $group: { _id: null, payloads: { $sum: 1 }, stored: { $sum: "$storedLength" }, raw: { $sum: "$rawLength" } } } ]"""),
            Pipeline(CrawlQueries.PayloadTotals));
        Assert.Equal(JsonArray("""[ { $group: { _id: "$state", count: { $sum: 1 } } } ]"""), Pipeline(CrawlQueries.FrontierStates));
        Assert.Equal(JsonArray("""[ { $group: { _id: "$host" } }, { $count: "hosts" } ]"""), Pipeline(CrawlQueries.FrontierHostCount));
        Assert.Equal(
            JsonArray("""
                [ { $match: { epoch: 3 } },
                  { $group: { _id: "$host",
                              pending: { $sum: { $cond: [{ $eq: ["$state", 0] }, 1, 0] } },
                              done: { $sum: { $cond: [{ $eq: ["$state", 1] }, 1, 0] } },
                              failed: { $sum: { $cond: [{ $eq: ["$state", 2] }, 1, 0] } } } } ]
                """),
            Pipeline(CrawlQueries.HostFrontierStats(3)));
        Assert.Equal(
            JsonArray("""
                [ { $match: { epoch: 3 } },
                  { $group: { _id: "$host", captures: { $sum: 1 },
                              errors: { $sum: { $cond: [{ $ifNull: ["$error", false] }, 1, 0] } },
                              lastAt: { $max: "$fetchedAt" } } } ]
                """),
            Pipeline(CrawlQueries.HostCaptureStats(3)));
    }

    [Fact]
    public void Schedules_are_keyed_by_url_and_indexed_by_site_in_url_order()
    {
        Assert.Equal(JsonArray("""[ { key: { host: 1, _id: 1 }, name: "host_id" } ]"""), Indexes(CrawlQueries.ScheduleIndexes));
        Assert.Equal(Json("""{ _id: "http://a.kp/1" }"""), Filter(CrawlQueries.ScheduleKey("http://a.kp/1")));
        Assert.Equal(Json("""{ host: "a.kp" }"""), Filter(CrawlQueries.SchedulesOf("a.kp")));
        Assert.Equal(Json("""{ _id: 1 }"""), Sort(CrawlQueries.ScheduleOrder));
    }

    [Fact]
    public void A_schedule_replaces_the_stored_one_whole_unless_that_one_comes_from_a_later_fetch()
    {
        var schedule = ScheduleDocument.From(new UrlSchedule
        {
            Url = "http://a.kp/$x",
            Host = "a.kp",
            PageClass = Core.Policies.PageClass.Listing,
            Interval = TimeSpan.FromTicks(1_234_567_891_234),
            LastFetchedAt = T0.AddTicks(5_678),
            DueAt = T0.AddDays(1),
            PayloadDigest = "$ne",
            Fetches = 2,
            Changes = 1,
            Epoch = 3,
        });

        Assert.Equal(
            JsonArray("""
                [ { $replaceWith: { $cond: [
                    { $gte: [ISODate("2026-03-01T12:00:00Z"), { $ifNull: ["$lastFetchedAt", ISODate("2026-03-01T12:00:00Z")] }] },
                    { $literal: { _id: "http://a.kp/$x", host: "a.kp", pageClass: 1, intervalTicks: NumberLong("1234567891234"),
                                  lastFetchedAt: ISODate("2026-03-01T12:00:00Z"), dueAt: ISODate("2026-03-02T12:00:00Z"),
                                  payloadDigest: "$ne", fetches: 2, changes: 1, epoch: 3 } },
                    "$$ROOT"] } } ]
                """),
            Update(CrawlQueries.UpsertSchedule(schedule)));
    }

    [Fact]
    public void Jobs_are_unique_by_site_and_epoch_and_indexed_by_epoch()
    {
        Assert.Equal(
            JsonArray("""
                [
                  { key: { host: 1, epoch: 1 }, name: "host_epoch", unique: true },
                  { key: { epoch: 1, host: 1 }, name: "epoch_host" }
                ]
                """),
            Indexes(CrawlQueries.JobIndexes));
        Assert.Equal(Json("""{ host: "a.kp", epoch: 3 }"""), Filter(CrawlQueries.JobKey("a.kp", 3)));
    }

    [Fact]
    public void A_job_mark_keeps_the_first_start_and_replaces_the_finish_and_a_mark_of_neither_only_creates_the_job()
    {
        Assert.Equal(
            JsonArray("""[ { $set: { startedAt: { $ifNull: ["$startedAt", ISODate("2026-03-01T12:00:01Z")] }, finishedAt: ISODate("2026-03-01T12:00:09Z") } } ]"""),
            Update(CrawlQueries.MarkJob("a.kp", 1, T0.AddSeconds(1), T0.AddSeconds(9))));
        Assert.Equal(
            JsonArray("""[ { $set: { startedAt: { $ifNull: ["$startedAt", ISODate("2026-03-01T12:00:01Z")] } } } ]"""),
            Update(CrawlQueries.MarkJob("a.kp", 1, T0.AddSeconds(1), null)));
        Assert.Equal(
            JsonArray("""[ { $set: { finishedAt: ISODate("2026-03-01T12:00:09Z") } } ]"""),
            Update(CrawlQueries.MarkJob("a.kp", 1, null, T0.AddSeconds(9))));
        Assert.Equal(Json("""{ $setOnInsert: { host: "a.kp", epoch: 1 } }"""), Update(CrawlQueries.MarkJob("a.kp", 1, null, null)));
    }

    [Fact]
    public void Job_statistics_are_counted_on_the_server_from_the_frontier_the_captures_and_the_marks()
    {
        Assert.Equal(
            JsonArray("""
                [ { $match: { host: "a.kp", epoch: 3 } },
                  { $group: { _id: { host: "$host", epoch: "$epoch" },
                              new: { $sum: { $cond: [{ $eq: ["$outcome", 1] }, 1, 0] } },
                              changed: { $sum: { $cond: [{ $eq: ["$outcome", 2] }, 1, 0] } },
                              unchanged: { $sum: { $cond: [{ $eq: ["$outcome", 3] }, 1, 0] } },
                              failed: { $sum: { $cond: [{ $eq: ["$outcome", 4] }, 1, 0] } },
                              notDue: { $sum: { $cond: [{ $eq: ["$state", 4] }, 1, 0] } },
                              skipped: { $sum: { $cond: [{ $eq: ["$state", 3] }, 1, 0] } },
                              pending: { $sum: { $cond: [{ $eq: ["$state", 0] }, 1, 0] } } } },
                  { $unionWith: { coll: "captures", pipeline: [
                      { $match: { host: "a.kp", epoch: 3 } },
                      { $group: { _id: { host: "$host", epoch: "$epoch" }, captures: { $sum: 1 },
                                  errors: { $sum: { $cond: [{ $ifNull: ["$error", false] }, 1, 0] } } } } ] } },
                  { $unionWith: { coll: "jobs", pipeline: [
                      { $match: { host: "a.kp", epoch: 3 } },
                      { $project: { _id: { host: "$host", epoch: "$epoch" }, startedAt: 1, finishedAt: 1 } } ] } },
                  { $group: { _id: "$_id", startedAt: { $max: "$startedAt" }, finishedAt: { $max: "$finishedAt" },
                              new: { $sum: "$new" }, changed: { $sum: "$changed" }, unchanged: { $sum: "$unchanged" }, failed: { $sum: "$failed" },
                              notDue: { $sum: "$notDue" }, skipped: { $sum: "$skipped" }, pending: { $sum: "$pending" },
                              captures: { $sum: "$captures" }, errors: { $sum: "$errors" } } },
                  { $sort: { "_id.epoch": 1, "_id.host": 1 } } ]
                """),
            Pipeline(CrawlQueries.JobStats(new JobQuery("a.kp", 3))));
    }

    [Fact]
    public void Job_statistics_match_the_same_given_fields_in_every_collection()
    {
        static IEnumerable<BsonDocument> Matches(JobQuery query)
        {
            var stages = Pipeline(CrawlQueries.JobStats(query));
            yield return stages[0]["$match"].AsBsonDocument;
            yield return stages[2]["$unionWith"]["pipeline"][0]["$match"].AsBsonDocument;
            yield return stages[3]["$unionWith"]["pipeline"][0]["$match"].AsBsonDocument;
        }

        Assert.All(Matches(new JobQuery()), m => Assert.Equal(new BsonDocument(), m));
        Assert.All(Matches(new JobQuery("a.kp")), m => Assert.Equal(Json("""{ host: "a.kp" }"""), m));
        Assert.All(Matches(new JobQuery(Epoch: 2)), m => Assert.Equal(Json("""{ epoch: 2 }"""), m));
        Assert.All(Matches(new JobQuery("a.kp", 2)), m => Assert.Equal(Json("""{ host: "a.kp", epoch: 2 }"""), m));
    }

    [Fact]
    public void The_crawl_log_is_unique_by_epoch_and_url_and_read_by_epoch_site_and_url()
    {
        Assert.Equal(
            JsonArray("""
                [
                  { key: { epoch: 1, url: 1 }, name: "epoch_url", unique: true },
                  { key: { epoch: 1, host: 1, url: 1 }, name: "epoch_host_url" }
                ]
                """),
            Indexes(CrawlLogQueries.Indexes));
        Assert.Equal(Json("""{ epoch: 1, host: 1, url: 1 }"""), Sort(CrawlLogQueries.Order));
        Assert.Equal(Json("""{ epoch: 1, url: 1 }"""), Sort(CrawlLogQueries.ExportOrder));
        Assert.Equal(Json("""{ epoch: 2, host: "a.kp", reason: "trap" }"""), Filter(CrawlLogQueries.Rows(new CrawlLogQuery("a.kp", 2, "trap"))));
        Assert.Equal(new BsonDocument(), Filter(CrawlLogQueries.Rows(new CrawlLogQuery())));
        Assert.Equal(
            Json("""{ epoch: 2, url: { $in: ["http://a.kp/1", "http://a.kp/2"] } }"""),
            Filter(CrawlLogQueries.KnownOf(2, ["http://a.kp/1", "http://a.kp/2"])));
        Assert.Equal(Json("""{ url: 1, _id: 0 }"""), Projection(CrawlLogQueries.UrlOnly));
    }

    [Fact]
    public void A_urls_own_crawl_log_verdict_is_set_and_a_declined_link_only_fills_an_empty_place()
    {
        var row = new CrawlLogEntry { Url = "http://a.kp/x", Host = "a.kp", Epoch = 1, Reason = "depth", Via = "http://a.kp/", Depth = 3, At = T0 };
        Assert.Equal(Json("""{ epoch: 1, url: "http://a.kp/x" }"""), Filter(CrawlLogQueries.Key(1, "http://a.kp/x")));
        Assert.Equal(
            Json("""{ $setOnInsert: { epoch: 1, url: "http://a.kp/x", host: "a.kp", reason: "depth", via: "http://a.kp/", depth: 3, at: ISODate("2026-03-01T12:00:00Z") } }"""),
            Update(CrawlLogQueries.Write(row)));
        Assert.Equal(
            Json("""{ $set: { epoch: 1, url: "http://a.kp/x", host: "a.kp", reason: "robots", depth: 3, at: ISODate("2026-03-01T12:00:00Z") }, $unset: { detail: "", via: "" } }"""),
            Update(CrawlLogQueries.Write(row with { Via = null, Reason = "robots" })));
        Assert.Equal(
            Json("""{ $set: { epoch: 1, url: "http://a.kp/x", host: "a.kp", reason: "error", detail: "HTTP 503", depth: 3, at: ISODate("2026-03-01T12:00:00Z") }, $unset: { via: "" } }"""),
            Update(CrawlLogQueries.Write(row with { Via = null, Reason = "error", Detail = "HTTP 503" })));
    }
}
