using System.Text;
using Crawler.Core.Dns;
using Crawler.Core.Uptime;
using Crawler.Storage.Mongo;
using Crawler.Storage.Mongo.Documents;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using static Crawler.Storage.Tests.Mongo.Rendered;

namespace Crawler.Storage.Tests.Mongo;

/// <summary>
/// Every document the MongoDB stores write, through BSON and back: the stored shape (field names, BSON types, absent
/// rather than null) compared with the document expected, and the record read back equal to the one written, edge
/// values included (nulls, large and binary payloads, Unicode, sub-millisecond and offset times). Runs without a server.
/// </summary>
public sealed class MongoDocumentRoundTripTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A capture with every field set, edge values included.</summary>
    private static CaptureRecord EveryField() => new()
    {
        Id = "0190aaaa-0000-7000-8000-000000000001",
        Url = "http://www.naenara.com.kp/ko/index.php?x=1&y=조선",
        Host = "www.naenara.com.kp",
        Epoch = 7,
        FetchedAt = new DateTimeOffset(2026, 3, 1, 21, 4, 5, 678, TimeSpan.FromHours(9)),
        DurationMs = 12_345,
        IpAddress = "175.45.176.71",
        Status = 301,
        RequestHeaders = Encoding.ASCII.GetBytes("GET /ko/ HTTP/1.1\r\n\r\n"),
        ResponseHeaders = [0x48, 0x54, 0x00, 0xFF, 0xC3, 0x28],
        PayloadDigest = "sha256:" + new string('a', 64),
        PayloadLength = 5_000_000_000,
        ContentType = "text/html; charset=utf-8",
        Error = "BodyTimeout",
        ErrorDetail = "no data for 30 s",
        Truncated = "time",
        RedirectTo = "http://www.naenara.com.kp/ko/",
        ETag = "\"abc\"",
        LastModified = "Sun, 01 Mar 2026 00:00:00 GMT",
        Title = "내나라 «조선»",
        Language = "ko",
        Charset = "utf-8",
        Outlinks = [new Outlink("http://www.naenara.com.kp/en/", "a@href", true), new Outlink("http://example.com/\"q\"", "img@src", false)],
        Attempt = 3,
    };

    [Fact]
    public void A_capture_with_every_field_is_stored_with_its_bson_types_and_read_back_equal()
    {
        var capture = EveryField();
        var document = CaptureDocument.From(capture);

        Assert.Equal(
            Json("""
                { _id: "0190aaaa-0000-7000-8000-000000000001", url: "http://www.naenara.com.kp/ko/index.php?x=1&y=조선",
                  host: "www.naenara.com.kp", epoch: 7, fetchedAt: ISODate("2026-03-01T12:04:05.678Z"), durationMs: NumberLong(12345),
                  ip: "175.45.176.71", status: 301, requestHeaders: BinData(0, "R0VUIC9rby8gSFRUUC8xLjENCg0K"),
                  responseHeaders: BinData(0, "SFQA/8Mo"), payloadDigest: "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                  payloadLength: NumberLong("5000000000"), contentType: "text/html; charset=utf-8", error: "BodyTimeout",
                  errorDetail: "no data for 30 s", truncated: "time", redirectTo: "http://www.naenara.com.kp/ko/", etag: "\"abc\"",
                  lastModified: "Sun, 01 Mar 2026 00:00:00 GMT", title: "내나라 «조선»", language: "ko", charset: "utf-8",
                  outlinks: [ { url: "http://www.naenara.com.kp/en/", kind: "a@href", inScope: true },
                              { url: "http://example.com/\"q\"", kind: "img@src", inScope: false } ],
                  attempt: 3 }
                """),
            document.ToBsonDocument());
        AssertSameCapture(capture, RoundTrip(document).ToRecord());
    }

    [Fact]
    public void A_capture_without_optional_fields_stores_none_of_them_and_reads_them_back_as_null()
    {
        var capture = new CaptureRecord { Id = "c1", Url = "http://a.kp/", Host = "a.kp", Epoch = 1, FetchedAt = T0 };
        var document = CaptureDocument.From(capture);

        Assert.Equal(
            Json("""
                { _id: "c1", url: "http://a.kp/", host: "a.kp", epoch: 1, fetchedAt: ISODate("2026-03-01T12:00:00Z"), durationMs: NumberLong(0),
                  requestHeaders: BinData(0, ""), payloadLength: NumberLong(0), attempt: 1 }
                """),
            document.ToBsonDocument());
        var back = RoundTrip(document).ToRecord();
        AssertSameCapture(capture, back);
        Assert.Null(back.ResponseHeaders);
        Assert.Empty(back.Outlinks);
    }

    [Fact]
    public void A_capture_time_is_kept_to_the_millisecond_in_utc_whatever_its_offset()
    {
        var at = new DateTimeOffset(2026, 3, 1, 21, 0, 0, TimeSpan.FromHours(9)).AddTicks(1_239_999);
        var capture = new CaptureRecord { Id = "c1", Url = "http://a.kp/", Host = "a.kp", Epoch = 1, FetchedAt = at };

        var back = RoundTrip(CaptureDocument.From(capture)).ToRecord();

        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 0, 0, 123, TimeSpan.Zero), back.FetchedAt);
        Assert.Equal(TimeSpan.Zero, back.FetchedAt.Offset);
        Assert.Equal(at.ToUnixTimeMilliseconds(), back.FetchedAt.ToUnixTimeMilliseconds());
    }

    [Fact]
    public void A_capture_written_since_issue_9_keeps_its_bulk_leaves_out_the_fields_the_bulk_holds_and_reads_back_equal()
    {
        var capture = EveryField();
        var dictionaries = new SiteDictionaries(samplesToTrain: 16);
        for (var i = 0; i < 16; i++)
        {
            var links = Enumerable.Range(0, 20 + i).Select(j => new Outlink($"http://www.naenara.com.kp/ko/article/{(i * 7) + j}.html", "a@href", true));
            dictionaries.Encode("capture a.kp", CaptureBulk.Pack(capture with { Title = $"기사 {i}", Outlinks = [.. links] }));
        }

        var raw = CaptureBulk.Pack(capture);
        var encoded = dictionaries.Encode("capture a.kp", raw);
        var id = DictionaryDocument.IdOf(encoded.Dictionary!);

        var back = RoundTrip(CaptureDocument.Compact(capture, CaptureBulk.Store(encoded, id, raw.Length)));

        Assert.Equal(
            ["_id", "url", "host", "epoch", "fetchedAt", "durationMs", "status", "payloadDigest", "payloadLength", "error", "attempt", "bulk", "urlkey"],
            CaptureDocument.Compact(capture, [0]).ToBsonDocument().Names);
        Assert.Equal(id, back.BulkDictionary);
        Assert.Throws<InvalidDataException>(() => back.ToRecord(null));
        AssertSameCapture(capture, back.ToRecord(encoded.Dictionary!.Data));
    }

    [Fact]
    public void A_payload_compressed_with_its_site_s_dictionary_names_the_dictionary_document_it_decodes_with()
    {
        var dictionaries = new SiteDictionaries(samplesToTrain: 16);
        for (var i = 0; i < 16; i++)
        {
            dictionaries.Encode("payload a.kp", Codec.SitePages.Page("a.kp", i));
        }

        var page = Codec.SitePages.Page("a.kp", 100);
        var (compression, dictionary, data) = dictionaries.Encode("payload a.kp", page);
        var stored = DictionaryDocument.From(dictionary!, T0);
        var payload = new PayloadDocument { Digest = "sha256:x", Compression = compression, RawLength = page.Length, StoredLength = data.Length, Data = data, Dictionary = stored.Id };

        var back = RoundTrip(payload);
        var backDictionary = RoundTrip(stored).ToDictionary();

        Assert.Equal((stored.Id, PayloadCodec.Zstd), (back.Dictionary, back.Compression));
        Assert.True(stored.Data.Length < dictionary!.Data.Length / 2, $"dictionary stored in {stored.Data.Length} of {dictionary.Data.Length} bytes");
        Assert.Equal((dictionary.Digest, dictionary.Scope), (backDictionary.Digest, backDictionary.Scope));
        Assert.Equal(dictionary.Data, backDictionary.Data);
        Assert.Equal(page, PayloadCodec.Decode(back.Compression, back.RawLength, back.Data!, backDictionary.Data));
        // Every writer derives the same id from the same dictionary bytes.
        Assert.Equal(stored.Id, DictionaryDocument.IdOf(CompressionDictionary.Create("payload a.kp", dictionary.Data)));
        Assert.True(stored.Id > 0);
    }

    [Fact]
    public void A_document_from_a_newer_crawler_with_fields_this_one_does_not_know_still_reads()
    {
        var stored = Json("""
            { _id: "c1", url: "http://a.kp/", host: "a.kp", epoch: 1, fetchedAt: ISODate("2026-03-01T12:00:00Z"), durationMs: NumberLong(0),
              requestHeaders: BinData(0, ""), payloadLength: NumberLong(0), attempt: 1, dictionary: "per-site-7" }
            """);

        Assert.Equal("http://a.kp/", BsonSerializer.Deserialize<CaptureDocument>(stored).ToRecord().Url);
    }

    [Fact]
    public void A_compressible_payload_is_stored_compressed_inline_and_decodes_to_the_same_bytes()
    {
        var raw = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("<tr><td>평양</td><td>1234</td></tr>\n", 20_000)));
        var (compression, data) = PayloadCodec.Encode(raw);
        var document = new PayloadDocument { Digest = "sha256:x", Compression = compression, RawLength = raw.Length, StoredLength = data.Length, Data = data };

        var back = RoundTrip(document);

        Assert.Equal("br", back.Compression);
        Assert.True(back.StoredLength < raw.Length / 10);
        Assert.Equal(raw, PayloadCodec.Decode(back.Compression, back.RawLength, back.Data!));
        Assert.Null(back.GridFsId);
    }

    [Fact]
    public void The_largest_inline_payload_fits_in_a_bson_document_with_room_to_spare()
    {
        var data = new byte[MongoStoreOptions.DefaultInlinePayloadLimit];
        new Random(3).NextBytes(data);
        var document = new PayloadDocument { Digest = "sha256:" + new string('f', 64), Compression = PayloadCodec.None, RawLength = data.Length, StoredLength = data.Length, Data = data };

        var bson = document.ToBson();

        Assert.InRange(bson.Length, data.Length, (16 * 1024 * 1024) - (512 * 1024));
        Assert.Equal(data, BsonSerializer.Deserialize<PayloadDocument>(bson).Data);
    }

    [Fact]
    public void An_empty_payload_stays_empty_and_a_gridfs_payload_carries_only_its_file_id()
    {
        var empty = new PayloadDocument { Digest = "sha256:e", Compression = PayloadCodec.None, Data = [] };
        var file = new PayloadDocument { Digest = "sha256:f", Compression = PayloadCodec.None, RawLength = 20_000_000, StoredLength = 20_000_000, GridFsId = ObjectId.Parse("65f000000000000000000001") };

        Assert.Equal(Json("""{ _id: "sha256:e", compression: "none", rawLength: NumberLong(0), storedLength: NumberLong(0), data: BinData(0, "") }"""), empty.ToBsonDocument());
        Assert.Equal(Array.Empty<byte>(), RoundTrip(empty).Data);
        Assert.Equal(
            Json("""{ _id: "sha256:f", compression: "none", rawLength: NumberLong(20000000), storedLength: NumberLong(20000000), gridFsId: ObjectId("65f000000000000000000001") }"""),
            file.ToBsonDocument());
        Assert.Null(RoundTrip(file).Data);
        Assert.Equal(file.GridFsId, RoundTrip(file).GridFsId);
    }

    [Fact]
    public void A_frontier_row_as_the_updates_write_it_reads_back_as_its_entry()
    {
        var full = Json("""
            { _id: ObjectId("65f000000000000000000002"), epoch: 3, url: "http://a.kp/평양", host: "a.kp", depth: 4, via: "http://a.kp/",
              kind: "a@href", state: 0, attempts: 2, seq: NumberLong(17), retryAt: ISODate("2026-03-01T12:01:30.250Z"), reason: "x" }
            """);
        var settled = Json("""{ _id: ObjectId("65f000000000000000000003"), epoch: 1, url: "http://a.kp/", host: "a.kp", depth: 0, kind: "seed", state: 3, attempts: 0, seq: NumberLong(1) }""");

        Assert.Equal(
            new FrontierEntry
            {
                Url = "http://a.kp/평양", Host = "a.kp", Epoch = 3, Depth = 4, Via = "http://a.kp/", Kind = "a@href",
                State = FrontierState.Pending, Attempts = 2, RetryAt = T0.AddSeconds(90).AddMilliseconds(250),
            },
            BsonSerializer.Deserialize<FrontierDocument>(full).ToEntry());
        Assert.Equal(
            new FrontierEntry { Url = "http://a.kp/", Host = "a.kp", Epoch = 1, Kind = "seed", State = FrontierState.Skipped },
            BsonSerializer.Deserialize<FrontierDocument>(settled).ToEntry());
    }

    [Fact]
    public void A_frontier_row_settled_as_not_due_or_with_an_outcome_reads_both_back_and_its_entry_without_them()
    {
        var notDue = Json("""{ _id: ObjectId("65f000000000000000000004"), epoch: 2, url: "http://a.kp/old", host: "a.kp", depth: 1, kind: "a@href", state: 4, attempts: 0, seq: NumberLong(5), reason: "not due" }""");
        var changed = Json("""{ _id: ObjectId("65f000000000000000000005"), epoch: 2, url: "http://a.kp/new", host: "a.kp", depth: 0, kind: "seed", state: 1, attempts: 1, seq: NumberLong(6), outcome: 2 }""");

        var notDueRow = BsonSerializer.Deserialize<FrontierDocument>(notDue);
        var changedRow = BsonSerializer.Deserialize<FrontierDocument>(changed);

        Assert.Equal((FrontierState.NotDue, (RecrawlOutcome?)null), (notDueRow.State, notDueRow.Outcome));
        Assert.Equal((FrontierState.Done, (RecrawlOutcome?)RecrawlOutcome.Changed), (changedRow.State, changedRow.Outcome));
        Assert.Equal(notDue, notDueRow.ToBsonDocument());
        Assert.Equal(changed, changedRow.ToBsonDocument());
        Assert.Equal(FrontierState.NotDue, notDueRow.ToEntry().State);
    }

    [Fact]
    public void A_schedule_with_every_field_keeps_its_interval_to_the_tick_and_its_times_to_the_millisecond()
    {
        var schedule = new UrlSchedule
        {
            Url = "http://www.naenara.com.kp/ko/조선?x=1",
            Host = "www.naenara.com.kp",
            PageClass = Core.Policies.PageClass.Listing,
            Interval = TimeSpan.FromTicks(1_234_567_891_234),
            LastFetchedAt = new DateTimeOffset(2026, 3, 1, 21, 4, 5, 678, TimeSpan.FromHours(9)),
            LastChangedAt = T0.AddHours(-1),
            DueAt = T0.AddDays(1.5),
            PayloadDigest = "sha256:" + new string('b', 64),
            Fetches = int.MaxValue,
            Changes = 7,
            Epoch = 12,
        };
        var document = ScheduleDocument.From(schedule);

        Assert.Equal(
            Json("""
                { _id: "http://www.naenara.com.kp/ko/조선?x=1", host: "www.naenara.com.kp", pageClass: 1, intervalTicks: NumberLong("1234567891234"),
                  lastFetchedAt: ISODate("2026-03-01T12:04:05.678Z"), lastChangedAt: ISODate("2026-03-01T11:00:00Z"), dueAt: ISODate("2026-03-03T00:00:00Z"),
                  payloadDigest: "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", fetches: 2147483647, changes: 7, epoch: 12 }
                """),
            document.ToBsonDocument());
        var back = RoundTrip(document).ToSchedule();
        Assert.Equal(schedule, back);
        Assert.Equal(TimeSpan.Zero, back.LastFetchedAt.Offset);
    }

    [Fact]
    public void A_first_schedule_without_a_change_time_or_digest_stores_neither_and_reads_them_back_as_null()
    {
        var schedule = new UrlSchedule
        {
            Url = "http://a.kp/",
            Host = "a.kp",
            Interval = TimeSpan.FromHours(6),
            LastFetchedAt = T0.AddTicks(9_999),
            DueAt = T0.AddHours(6),
            Fetches = 1,
            Changes = 1,
        };
        var document = ScheduleDocument.From(schedule);

        Assert.Equal(
            Json("""
                { _id: "http://a.kp/", host: "a.kp", pageClass: 0, intervalTicks: NumberLong("216000000000"), lastFetchedAt: ISODate("2026-03-01T12:00:00Z"),
                  dueAt: ISODate("2026-03-01T18:00:00Z"), fetches: 1, changes: 1, epoch: 0 }
                """),
            document.ToBsonDocument());
        Assert.Equal(schedule with { LastFetchedAt = T0 }, RoundTrip(document).ToSchedule()); // times kept to the millisecond
    }

    [Fact]
    public void A_job_stores_its_marks_only_when_set()
    {
        var marked = new JobDocument { Id = ObjectId.Parse("65f000000000000000000006"), Host = "a.kp", Epoch = 3, StartedAt = BsonTime.ToBson(T0), FinishedAt = BsonTime.ToBson(T0.AddMinutes(5)) };
        var created = new JobDocument { Id = ObjectId.Parse("65f000000000000000000007"), Host = "b.kp", Epoch = 3 };

        Assert.Equal(
            Json("""{ _id: ObjectId("65f000000000000000000006"), host: "a.kp", epoch: 3, startedAt: ISODate("2026-03-01T12:00:00Z"), finishedAt: ISODate("2026-03-01T12:05:00Z") }"""),
            marked.ToBsonDocument());
        Assert.Equal(Json("""{ _id: ObjectId("65f000000000000000000007"), host: "b.kp", epoch: 3 }"""), created.ToBsonDocument());
        var back = RoundTrip(marked);
        Assert.Equal((marked.Host, marked.Epoch, T0, T0.AddMinutes(5)), (back.Host, back.Epoch, BsonTime.FromBson(back.StartedAt!.Value), BsonTime.FromBson(back.FinishedAt!.Value)));
        Assert.Null(RoundTrip(created).StartedAt);
    }

    [Fact]
    public void Settings_and_counters_round_trip()
    {
        var setting = new SettingDocument { Key = "seeds.added", Value = "평양\nkcna.kp" };
        var counter = new CounterDocument { Name = "frontier", Value = long.MaxValue - 1 };

        Assert.Equal(Json("""{ _id: "seeds.added", value: "평양\nkcna.kp" }"""), setting.ToBsonDocument());
        Assert.Equal(setting.Value, RoundTrip(setting).Value);
        Assert.Equal(Json("""{ _id: "frontier", value: NumberLong("9223372036854775806") }"""), counter.ToBsonDocument());
        Assert.Equal(counter.Value, RoundTrip(counter).Value);
    }

    [Fact]
    public void A_dns_observation_keeps_its_records_in_order_and_its_distinct_addresses()
    {
        var observation = new DnsObservation("kcna.kp", T0.AddTicks(5_555), "127.0.0.1:5353", DnsOutcome.NoError,
        [
            new DnsRecordData("A", "127.45.176.71", 300),
            new DnsRecordData("AAAA", "2001:db8::1", 300),
            new DnsRecordData("A", "127.45.176.71", 60),
            new DnsRecordData("TXT", "\"조선중앙통신\"", 86400),
        ]);
        var document = DnsObservationDocument.From(observation);

        Assert.Equal(
            Json("""
                { _id: ObjectId("000000000000000000000000"), name: "kcna.kp", at: ISODate("2026-03-01T12:00:00Z"), server: "127.0.0.1:5353", outcome: "NOERROR",
                  records: [ { type: "A", value: "127.45.176.71", ttl: 300 }, { type: "AAAA", value: "2001:db8::1", ttl: 300 },
                             { type: "A", value: "127.45.176.71", ttl: 60 }, { type: "TXT", value: "\"조선중앙통신\"", ttl: 86400 } ],
                  addresses: ["127.45.176.71", "2001:db8::1"] }
                """),
            document.ToBsonDocument());
        var back = RoundTrip(document).ToObservation();
        Assert.Equal(observation.Records, back.Records);
        Assert.Equal(observation with { At = T0, Records = back.Records }, back);
    }

    [Fact]
    public void A_dns_failure_without_records_stores_no_addresses()
    {
        var observation = new DnsObservation("gone.kp", T0, "127.0.0.1:5353", DnsOutcome.NxDomain, []);
        var document = DnsObservationDocument.From(observation);

        Assert.False(document.ToBsonDocument().Contains("addresses"));
        var back = RoundTrip(document).ToObservation();
        Assert.Empty(back.Records);
        Assert.Equal(DnsOutcome.NxDomain, back.Outcome);
    }

    [Fact]
    public void A_discovered_name_round_trips()
    {
        var document = new DiscoveredNameDocument { Name = "airkoryo.com.kp", How = "ptr", Source = "127.45.176.69", Server = "127.0.0.1:53", At = BsonTime.ToBson(T0) };

        Assert.Equal(new DiscoveredNameRecord("airkoryo.com.kp", "ptr", "127.45.176.69", "127.0.0.1:53", T0), RoundTrip(document).ToRecord());
    }

    [Fact]
    public void A_probe_result_keeps_durations_to_the_tick_and_its_failure_by_name()
    {
        var full = new ProbeResult("kcna.kp", T0.AddSeconds(60).ToOffset(TimeSpan.FromHours(9)), ProbeFailure.TlsError)
        {
            Resolve = TimeSpan.FromTicks(11),
            Connect = TimeSpan.FromTicks(2_000_003),
            Tls = TimeSpan.FromTicks(3_000_007),
            FirstByte = TimeSpan.FromTicks(4_500_009),
            Total = TimeSpan.FromTicks(long.MaxValue / 3),
            HttpStatus = 200,
            TlsCertificateExpiry = new DateTimeOffset(2027, 1, 2, 3, 4, 5, 678, TimeSpan.Zero),
            Detail = "certificate expired: CN=kcna.kp — «조선중앙통신»",
        };
        var document = ProbeResultDocument.From(full);

        Assert.Equal(
            Json("""
                { _id: ObjectId("000000000000000000000000"), site: "kcna.kp", at: ISODate("2026-03-01T12:01:00Z"), failure: "TlsError",
                  resolve: NumberLong(11), connect: NumberLong(2000003), tls: NumberLong(3000007), firstByte: NumberLong(4500009),
                  total: NumberLong("3074457345618258602"), httpStatus: 200, certExpiry: ISODate("2027-01-02T03:04:05.678Z"),
                  detail: "certificate expired: CN=kcna.kp — «조선중앙통신»" }
                """),
            document.ToBsonDocument());
        Assert.Equal(full, RoundTrip(document).ToResult());

        var bare = ProbeResult.Failed("kcna.kp", T0, ProbeFailure.DnsNxDomain);
        Assert.Equal(
            Json("""{ _id: ObjectId("000000000000000000000000"), site: "kcna.kp", at: ISODate("2026-03-01T12:00:00Z"), failure: "DnsNxDomain" }"""),
            ProbeResultDocument.From(bare).ToBsonDocument());
        Assert.Equal(bare, RoundTrip(ProbeResultDocument.From(bare)).ToResult());
    }

    [Fact]
    public void An_hourly_aggregate_keeps_its_counts_extremes_and_sparse_histogram_exactly()
    {
        var results = new[]
        {
            ProbeResult.Up("kcna.kp", T0, TimeSpan.FromMilliseconds(40)),
            ProbeResult.Up("kcna.kp", T0.AddMinutes(1), TimeSpan.FromMilliseconds(40)),
            ProbeResult.Up("kcna.kp", T0.AddMinutes(2), TimeSpan.FromTicks(25_000_001)),
            ProbeResult.Failed("kcna.kp", T0.AddMinutes(3), ProbeFailure.ConnectTimeout),
        };
        var aggregate = UptimeMath.Aggregate(results)[0];
        var document = HourlyDocument.From(aggregate);
        var fortyMs = ResponseHistogram.BucketOf(TimeSpan.FromMilliseconds(40));
        var slow = ResponseHistogram.BucketOf(TimeSpan.FromTicks(25_000_001));

        Assert.Equal(
            Json($$"""
                { _id: ObjectId("000000000000000000000000"), site: "kcna.kp", hour: ISODate("2026-03-01T12:00:00Z"), probes: 4, successes: 3, degraded: 1,
                  rtSum: NumberLong(25800001), rtMin: NumberLong(400000), rtMax: NumberLong(25000001),
                  histogram: { "{{fortyMs}}": NumberLong(2), "{{slow}}": NumberLong(1) } }
                """),
            document.ToBsonDocument());
        Assert.Equal(aggregate, RoundTrip(document).ToAggregate());
    }

    [Fact]
    public void An_hour_without_response_times_and_one_with_huge_counts_read_back_equal()
    {
        var failures = UptimeMath.Aggregate([ProbeResult.Failed("kcna.kp", T0, ProbeFailure.DnsTimeout)])[0];
        var huge = failures with
        {
            ResponseTimes = ResponseHistogram.FromCounts(Enumerable.Range(0, ResponseHistogram.BucketCount).Select(i => i == ResponseHistogram.BucketCount - 1 ? long.MaxValue / 2 : 0L)),
        };

        Assert.False(HourlyDocument.From(failures).ToBsonDocument().Contains("histogram"));
        Assert.Equal(failures, RoundTrip(HourlyDocument.From(failures)).ToAggregate());
        Assert.Equal(huge, RoundTrip(HourlyDocument.From(huge)).ToAggregate());
    }

    [Fact]
    public void An_hour_as_the_folds_wrote_it_reads_back_without_its_folded_offsets()
    {
        var stored = Json("""
            { _id: ObjectId("65f000000000000000000004"), site: "kcna.kp", hour: ISODate("2026-03-01T12:00:00Z"), probes: 2, successes: 1, degraded: 0,
              rtSum: NumberLong(400000), rtMin: NumberLong(400000), rtMax: NumberLong(400000), histogram: { "22": NumberLong(1) }, folded: [0, 60000] }
            """);
        var counts = new long[ResponseHistogram.BucketCount];
        counts[22] = 1;

        Assert.Equal(
            new HourlyAggregate("kcna.kp", T0, 2, 1, 0, TimeSpan.FromMilliseconds(40), TimeSpan.FromMilliseconds(40), TimeSpan.FromMilliseconds(40), ResponseHistogram.FromCounts(counts)),
            BsonSerializer.Deserialize<HourlyDocument>(stored).ToAggregate());
    }

    [Fact]
    public void State_changes_and_outages_store_their_enums_by_name_and_round_trip()
    {
        var change = new StateChange("kcna.kp", SiteState.Degraded, SiteState.Down, T0.AddTicks(7), T0.AddMinutes(2), ProbeFailure.ConnectionRefused);
        var changeDocument = StateChangeDocument.FromChange(change);
        var open = Json("""{ _id: ObjectId("65f000000000000000000005"), site: "kcna.kp", start: ISODate("2026-03-01T12:00:00Z"), reason: "DnsTimeout" }""");
        var closed = Json("""{ _id: ObjectId("65f000000000000000000006"), site: "kcna.kp", start: ISODate("2026-03-01T12:00:00Z"), end: ISODate("2026-03-01T13:30:00Z"), reason: "Other" }""");
        var country = Json("""{ _id: ISODate("2026-03-01T12:00:00Z"), confirmedAt: ISODate("2026-03-01T12:03:00Z"), failedTargets: 290, targets: 300 }""");

        Assert.Equal(
            Json("""
                { _id: ObjectId("000000000000000000000000"), site: "kcna.kp", from: "Degraded", to: "Down", at: ISODate("2026-03-01T12:00:00Z"),
                  confirmedAt: ISODate("2026-03-01T12:02:00Z"), reason: "ConnectionRefused" }
                """),
            changeDocument.ToBsonDocument());
        Assert.Equal(change with { At = T0 }, RoundTrip(changeDocument).ToChange());
        Assert.Equal(new Outage("kcna.kp", T0, null, ProbeFailure.DnsTimeout), BsonSerializer.Deserialize<OutageDocument>(open).ToOutage());
        Assert.Equal(new Outage("kcna.kp", T0, T0.AddMinutes(90), ProbeFailure.Other), BsonSerializer.Deserialize<OutageDocument>(closed).ToOutage());
        Assert.Equal(new CountryOutage(T0, null, T0.AddMinutes(3), 290, 300), BsonSerializer.Deserialize<CountryOutageDocument>(country).ToOutage());
        Assert.Equal(country, BsonSerializer.Deserialize<CountryOutageDocument>(country).ToBsonDocument());
    }

    private static T RoundTrip<T>(T document) => BsonSerializer.Deserialize<T>(document.ToBson());

    private static void AssertSameCapture(CaptureRecord expected, CaptureRecord actual)
    {
        // Records compare arrays and lists by reference: those by content, the rest as a record.
        Assert.Equal(expected.RequestHeaders, actual.RequestHeaders);
        Assert.Equal(expected.ResponseHeaders, actual.ResponseHeaders);
        Assert.Equal(expected.Outlinks, actual.Outlinks);
        Assert.Equal(expected.FetchedAt, actual.FetchedAt);
        Assert.Equal(
            expected with { RequestHeaders = [], ResponseHeaders = null, Outlinks = [], FetchedAt = default },
            actual with { RequestHeaders = [], ResponseHeaders = null, Outlinks = [], FetchedAt = default });
    }
}
