using Crawler.Storage.Mongo.Documents;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Crawler.Storage.Mongo;

/// <summary>
/// Every filter, sort, update, pipeline and index the crawl store sends, as small pure builders: the store
/// only runs them, and the tests render each to BSON and compare it with the command document expected, so
/// a query that changes is a test that fails.
/// </summary>
/// <remarks>
/// Idempotency on replay, without transactions:
/// <list type="bullet">
/// <item>captures and payloads are inserted with <c>$setOnInsert</c> under their natural <c>_id</c> (capture id,
/// digest): a replay or a second writer changes nothing;</item>
/// <item>a frontier URL is inserted with <c>$setOnInsert</c> under its natural key (epoch, url), and its state is
/// settled by a pipeline update that only moves forward: a state replaces the stored one only when it ranks
/// higher (<see cref="StateRank"/>: Pending &lt; NotDue &lt; Skipped &lt; Failed &lt; Done), attempts take the <c>$max</c> of the
/// stored count and the capture's attempt number, and the due time belongs to the latest attempt. So a late or
/// repeated commit never makes a done URL pending again, nor counts an attempt twice. The recrawl outcome goes with
/// the state: it is written by a write whose state wins, or ranks the same with an attempt at least as late (the
/// later of two such writes wins, as in SQLite); a stale write leaves it;</item>
/// <item>a recrawl schedule (<c>schedules</c>, keyed by URL) is replaced whole by a pipeline update only when the
/// stored one is not from a later fetch (its <c>lastFetchedAt</c> is not later): a replay or a late write of an
/// older fetch changes nothing, whichever writer comes first;</item>
/// <item>a job's marks (<c>jobs</c>, keyed by host and epoch) keep the first start (<c>$ifNull</c> of the stored
/// one) and take the last finish given: repeating a mark changes nothing; the statistics are not stored but
/// counted by <see cref="JobStats"/> from the frontier and the captures, so they cannot drift;</item>
/// <item>the frontier's order (<c>seq</c>) is set on insert only, from blocks of numbers reserved with one atomic
/// <c>$inc</c> on a counter document (<see cref="ReserveSeq"/>).</item>
/// </list>
/// </remarks>
internal static class CrawlQueries
{
    public const string Captures = "captures";
    public const string Payloads = "payloads";
    public const string Frontier = "frontier";
    public const string Settings = "settings";
    public const string Counters = "counters";
    public const string Schedules = "schedules";
    public const string Jobs = "jobs";
    public const string Dictionaries = "dictionaries";

    /// <summary>GridFS bucket of the payloads too large for a document (collections payloadFiles.files / .chunks).</summary>
    public const string PayloadBucket = "payloadFiles";

    /// <summary>The counter document that hands out frontier order numbers.</summary>
    public const string FrontierCounter = "frontier";

    /// <summary>
    /// States by rank, lowest first: a stored state is replaced only by one further right. Every state but Pending is
    /// settled (never fetched again in the epoch). NotDue is the weakest settlement: it only says the URL's schedule
    /// was not due when its site looked, so a verdict on the URL itself (robots.txt, a limit: Skipped) or the result
    /// of a request (Failed, Done) written by another or a later writer replaces it, never the reverse; Done stays the
    /// strongest.
    /// </summary>
    public static readonly IReadOnlyList<FrontierState> StateRank =
        [FrontierState.Pending, FrontierState.NotDue, FrontierState.Skipped, FrontierState.Failed, FrontierState.Done];

    private static FilterDefinitionBuilder<FrontierDocument> FrontierFilter => Builders<FrontierDocument>.Filter;

    private static FilterDefinitionBuilder<CaptureDocument> CaptureFilter => Builders<CaptureDocument>.Filter;

    // ---- indexes ----

    /// <summary>
    /// Captures by URL and time (a URL's history, its latest capture), by site and time (a site's captures, when it last
    /// saw a request), by site, epoch and time (a site's captures of one epoch, its job's statistics), by epoch and time (an epoch's export), by time alone (every capture in fetch order, the newest),
    /// by payload digest (who refers to a payload). Each ends with <c>_id</c>, the tie-breaker of the fetch order.
    /// </summary>
    public static IReadOnlyList<CreateIndexModel<CaptureDocument>> CaptureIndexes { get; } =
    [
        Index<CaptureDocument>("url_fetchedAt", new BsonDocument { { "url", 1 }, { "fetchedAt", 1 }, { "_id", 1 } }),
        Index<CaptureDocument>("host_fetchedAt", new BsonDocument { { "host", 1 }, { "fetchedAt", 1 }, { "_id", 1 } }),
        Index<CaptureDocument>("host_epoch_fetchedAt", new BsonDocument { { "host", 1 }, { "epoch", 1 }, { "fetchedAt", 1 }, { "_id", 1 } }),
        Index<CaptureDocument>("epoch_fetchedAt", new BsonDocument { { "epoch", 1 }, { "fetchedAt", 1 }, { "_id", 1 } }),
        Index<CaptureDocument>("fetchedAt", new BsonDocument { { "fetchedAt", 1 }, { "_id", 1 } }),
        Index<CaptureDocument>("payloadDigest", new BsonDocument("payloadDigest", 1), sparse: true),
        // CDX host and domain matches: key ranges in key order (key, time, id); only captures with a response have a key.
        new(new BsonDocumentIndexKeysDefinition<CaptureDocument>(new BsonDocument { { "urlkey", 1 }, { "fetchedAt", 1 }, { "_id", 1 } }),
            new CreateIndexOptions<CaptureDocument> { Name = "urlkey_fetchedAt", PartialFilterExpression = Builders<CaptureDocument>.Filter.Exists(d => d.UrlKey) }),
    ];

    /// <summary>
    /// The frontier's natural key (unique), a site's URLs of an epoch by state in order (pending work, oldest first), and
    /// the sites with pending URLs in an epoch (a distinct scan).
    /// </summary>
    public static IReadOnlyList<CreateIndexModel<FrontierDocument>> FrontierIndexes { get; } =
    [
        Index<FrontierDocument>("epoch_url", new BsonDocument { { "epoch", 1 }, { "url", 1 } }, unique: true),
        Index<FrontierDocument>("host_epoch_state_seq", new BsonDocument { { "host", 1 }, { "epoch", 1 }, { "state", 1 }, { "seq", 1 } }),
        Index<FrontierDocument>("epoch_state_host", new BsonDocument { { "epoch", 1 }, { "state", 1 }, { "host", 1 } }),
    ];

    /// <summary>GridFS's own indexes (the driver's names and keys), created up front rather than at the first large payload.</summary>
    public static IReadOnlyList<CreateIndexModel<BsonDocument>> PayloadChunkIndexes { get; } =
    [
        Index<BsonDocument>("files_id_1_n_1", new BsonDocument { { "files_id", 1 }, { "n", 1 } }, unique: true),
    ];

    public static IReadOnlyList<CreateIndexModel<BsonDocument>> PayloadFileIndexes { get; } =
    [
        Index<BsonDocument>("filename_1_uploadDate_1", new BsonDocument { { "filename", 1 }, { "uploadDate", 1 } }),
    ];

    /// <summary>A site's schedules in URL order (<c>_id</c> is the URL; the URL's own key is the unique <c>_id</c> index).</summary>
    public static IReadOnlyList<CreateIndexModel<ScheduleDocument>> ScheduleIndexes { get; } =
    [
        Index<ScheduleDocument>("host_id", new BsonDocument { { "host", 1 }, { "_id", 1 } }),
    ];

    /// <summary>A job's natural key (unique; also a site's jobs), and an epoch's jobs.</summary>
    public static IReadOnlyList<CreateIndexModel<JobDocument>> JobIndexes { get; } =
    [
        Index<JobDocument>("host_epoch", new BsonDocument { { "host", 1 }, { "epoch", 1 } }, unique: true),
        Index<JobDocument>("epoch_host", new BsonDocument { { "epoch", 1 }, { "host", 1 } }),
    ];

    // ---- frontier ----

    public static FilterDefinition<FrontierDocument> FrontierKey(int epoch, string url) =>
        FrontierFilter.Eq(d => d.Epoch, epoch) & FrontierFilter.Eq(d => d.Url, url);

    public static FilterDefinition<FrontierDocument> HostFrontier(string host, int epoch) =>
        FrontierFilter.Eq(d => d.Host, host) & FrontierFilter.Eq(d => d.Epoch, epoch);

    public static FilterDefinition<FrontierDocument> HostPending(string host, int epoch) =>
        HostFrontier(host, epoch) & FrontierFilter.Eq(d => d.State, FrontierState.Pending);

    public static FilterDefinition<FrontierDocument> EpochPending(int epoch) =>
        FrontierFilter.Eq(d => d.Epoch, epoch) & FrontierFilter.Eq(d => d.State, FrontierState.Pending);

    public static SortDefinition<FrontierDocument> FrontierOrder { get; } = Builders<FrontierDocument>.Sort.Ascending(d => d.Seq);

    /// <summary>Inserts the entry unless (epoch, url) is known; a known URL keeps everything it has.</summary>
    public static UpdateDefinition<FrontierDocument> InsertFrontier(FrontierEntry entry, long seq)
    {
        var u = Builders<FrontierDocument>.Update;
        var updates = new List<UpdateDefinition<FrontierDocument>>
        {
            u.SetOnInsert(d => d.Host, entry.Host),
            u.SetOnInsert(d => d.Depth, entry.Depth),
            u.SetOnInsert(d => d.Kind, entry.Kind),
            u.SetOnInsert(d => d.State, entry.State),
            u.SetOnInsert(d => d.Attempts, entry.Attempts),
            u.SetOnInsert(d => d.Seq, seq),
        };
        if (entry.Via is { } via)
        {
            updates.Add(u.SetOnInsert(d => d.Via, via));
        }

        if (entry.State == FrontierState.Pending && entry.RetryAt is { } due)
        {
            updates.Add(u.SetOnInsert(d => d.RetryAt, BsonTime.ToBson(due)));
        }

        return u.Combine(updates);
    }

    /// <summary>
    /// The fetched URL's row after a commit: inserted as a depth-0 seed when absent; its state moves forward only;
    /// attempts become max(stored, the capture's attempt); a URL left pending keeps the due time of its latest attempt.
    /// A commit that leaves the URL pending carries no outcome (as in SQLite: only the final fetch of the epoch has one).
    /// </summary>
    public static UpdateDefinition<FrontierDocument> Fetched(CaptureRecord capture, FrontierState state, DateTimeOffset? retryAt, RecrawlOutcome? outcome, long seq)
    {
        BsonValue due = state == FrontierState.Pending && retryAt is { } r ? BsonTime.ToBson(r) : "$$REMOVE";
        return Settle(capture.Host, state, capture.Attempt, due, reason: null, state == FrontierState.Pending ? null : outcome, seq);
    }

    /// <summary>A URL settled without a fetch: as <see cref="Fetched"/>, with no attempt counted and the reason kept.</summary>
    public static UpdateDefinition<FrontierDocument> Settled(FrontierUpdate update, long seq) =>
        Settle(update.Host, update.State, attempt: 0, "$$REMOVE", update.Reason, update.Outcome, seq);

    private static PipelineUpdateDefinition<FrontierDocument> Settle(
        string host, FrontierState state, int attempt, BsonValue due, string? reason, RecrawlOutcome? outcome, long seq)
    {
        var rank = new BsonArray(StateRank.Select(s => (int)s));
        var newRank = StateRank.ToList().IndexOf(state);
        var storedRank = new BsonDocument("$indexOfArray", new BsonArray { rank, "$state" });
        var storedAttempts = new BsonDocument("$ifNull", new BsonArray { "$attempts", 0 });
        var wins = new BsonDocument("$gt", new BsonArray { newRank, storedRank });
        var latestAttempt = new BsonDocument("$gte", new BsonArray { attempt, storedAttempts });

        // The outcome belongs to the state's latest write: one whose state wins, or ranks the same from an attempt at least as late.
        var latest = new BsonDocument("$or", new BsonArray
        {
            wins,
            new BsonDocument("$and", new BsonArray { new BsonDocument("$eq", new BsonArray { newRank, storedRank }), latestAttempt }),
        });
        var settle = new BsonDocument("$set", new BsonDocument
        {
            { "host", new BsonDocument("$ifNull", new BsonArray { "$host", host }) },
            { "depth", new BsonDocument("$ifNull", new BsonArray { "$depth", 0 }) },
            { "kind", new BsonDocument("$ifNull", new BsonArray { "$kind", "seed" }) },
            { "seq", new BsonDocument("$ifNull", new BsonArray { "$seq", seq }) },
            { "attempts", new BsonDocument("$max", new BsonArray { storedAttempts, attempt }) },
            { "retryAt", Cond(latestAttempt, due, "$retryAt") },
            { "reason", Cond(wins, reason is null ? "$$REMOVE" : reason, "$reason") },
            { "outcome", Cond(latest, outcome is { } o ? (int)o : "$$REMOVE", "$outcome") },
            { "state", Cond(wins, (int)state, "$state") },
        });

        // A second stage sees the first one's result: only a URL still pending keeps a due time.
        var clearDue = new BsonDocument("$set", new BsonDocument("retryAt",
            Cond(new BsonDocument("$eq", new BsonArray { "$state", (int)FrontierState.Pending }), "$retryAt", "$$REMOVE")));
        return new PipelineUpdateDefinition<FrontierDocument>(
            new BsonDocumentStagePipelineDefinition<FrontierDocument, FrontierDocument>([settle, clearDue]));
    }

    /// <summary>Reserves <paramref name="count"/> order numbers: the counter after the <c>$inc</c> is the last of the block.</summary>
    public static UpdateDefinition<CounterDocument> ReserveSeq(int count) => Builders<CounterDocument>.Update.Inc(d => d.Value, (long)count);

    public static FilterDefinition<CounterDocument> Counter(string name) => Builders<CounterDocument>.Filter.Eq(d => d.Name, name);

    // ---- schedules ----

    public static FilterDefinition<ScheduleDocument> ScheduleKey(string url) => Builders<ScheduleDocument>.Filter.Eq(d => d.Url, url);

    public static FilterDefinition<ScheduleDocument> SchedulesOf(string host) => Builders<ScheduleDocument>.Filter.Eq(d => d.Host, host);

    /// <summary>URL order (binary, as SQLite's).</summary>
    public static SortDefinition<ScheduleDocument> ScheduleOrder { get; } = Builders<ScheduleDocument>.Sort.Ascending(d => d.Url);

    /// <summary>
    /// The schedule, replacing the stored one unless that one comes from a later fetch (an equal time replaces, as in
    /// SQLite): one atomic pipeline update, upserted under the URL. The new document goes in as a <c>$literal</c>, so
    /// no value of it is ever read as a field path or an operator.
    /// </summary>
    public static UpdateDefinition<ScheduleDocument> UpsertSchedule(ScheduleDocument schedule)
    {
        var document = schedule.ToBsonDocument();
        var fetchedAt = document["lastFetchedAt"];
        var notOlder = new BsonDocument("$gte", new BsonArray { fetchedAt, new BsonDocument("$ifNull", new BsonArray { "$lastFetchedAt", fetchedAt }) });
        var replace = new BsonDocument("$replaceWith", Cond(notOlder, new BsonDocument("$literal", document), "$$ROOT"));
        return new PipelineUpdateDefinition<ScheduleDocument>(new BsonDocumentStagePipelineDefinition<ScheduleDocument, ScheduleDocument>([replace]));
    }

    // ---- jobs ----

    public static FilterDefinition<JobDocument> JobKey(string host, int epoch) =>
        Builders<JobDocument>.Filter.Eq(d => d.Host, host) & Builders<JobDocument>.Filter.Eq(d => d.Epoch, epoch);

    /// <summary>
    /// A job's marks, upserted under (host, epoch): a start only where none is stored (the first stays), a finish
    /// replacing the one stored; a mark with neither only makes sure the job exists.
    /// </summary>
    public static UpdateDefinition<JobDocument> MarkJob(string host, int epoch, DateTimeOffset? startedAt, DateTimeOffset? finishedAt)
    {
        var set = new BsonDocument();
        if (startedAt is { } start)
        {
            set["startedAt"] = new BsonDocument("$ifNull", new BsonArray { "$startedAt", BsonTime.ToBson(start) });
        }

        if (finishedAt is { } finish)
        {
            set["finishedAt"] = BsonTime.ToBson(finish);
        }

        if (set.ElementCount == 0)
        {
            return Builders<JobDocument>.Update.SetOnInsert(d => d.Host, host).SetOnInsert(d => d.Epoch, epoch);
        }

        return new PipelineUpdateDefinition<JobDocument>(new BsonDocumentStagePipelineDefinition<JobDocument, JobDocument>([new BsonDocument("$set", set)]));
    }

    /// <summary>
    /// Every job matching the query with its statistics, in one aggregation on the frontier: its URLs grouped by (host,
    /// epoch) and counted by outcome and state, unioned with the captures grouped the same way (every capture; those
    /// with an error) and with the marks, then summed per job and sorted by epoch, then host. A job is there when it
    /// has a frontier, captures or a mark; what it lacks counts 0. The matches lead with the indexed fields
    /// (frontier: <c>host, epoch, state, seq</c> or <c>epoch, state, host</c>; captures: <c>host, epoch, fetchedAt</c> or
    /// <c>epoch, fetchedAt</c>; jobs: <c>host, epoch</c> or <c>epoch, host</c>).
    /// </summary>
    public static PipelineDefinition<FrontierDocument, BsonDocument> JobStats(JobQuery query)
    {
        var match = new BsonDocument();
        if (query.Host is { } host)
        {
            match["host"] = host;
        }

        if (query.Epoch is { } epoch)
        {
            match["epoch"] = epoch;
        }

        var key = new BsonDocument { { "host", "$host" }, { "epoch", "$epoch" } };
        BsonDocument Is(string field, int value) => new("$eq", new BsonArray { "$" + field, value });
        BsonDocument Sum(string field) => new("$sum", "$" + field);
        return Pipeline<FrontierDocument>(
            new BsonDocument("$match", match),
            new BsonDocument("$group", new BsonDocument
            {
                { "_id", key },
                { "new", CountWhere(Is("outcome", (int)RecrawlOutcome.New)) },
                { "changed", CountWhere(Is("outcome", (int)RecrawlOutcome.Changed)) },
                { "unchanged", CountWhere(Is("outcome", (int)RecrawlOutcome.Unchanged)) },
                { "failed", CountWhere(Is("outcome", (int)RecrawlOutcome.Failed)) },
                { "notDue", CountWhere(Is("state", (int)FrontierState.NotDue)) },
                { "skipped", CountWhere(Is("state", (int)FrontierState.Skipped)) },
                { "pending", CountWhere(Is("state", (int)FrontierState.Pending)) },
            }),
            new BsonDocument("$unionWith", new BsonDocument
            {
                { "coll", Captures },
                {
                    "pipeline", new BsonArray
                    {
                        new BsonDocument("$match", match),
                        new BsonDocument("$group", new BsonDocument
                        {
                            { "_id", key },
                            { "captures", new BsonDocument("$sum", 1) },
                            { "errors", CountWhere(new BsonDocument("$ifNull", new BsonArray { "$error", false })) },
                        }),
                    }
                },
            }),
            new BsonDocument("$unionWith", new BsonDocument
            {
                { "coll", Jobs },
                {
                    "pipeline", new BsonArray
                    {
                        new BsonDocument("$match", match),
                        new BsonDocument("$project", new BsonDocument { { "_id", key }, { "startedAt", 1 }, { "finishedAt", 1 } }),
                    }
                },
            }),
            new BsonDocument("$group", new BsonDocument
            {
                { "_id", "$_id" },
                { "startedAt", new BsonDocument("$max", "$startedAt") },
                { "finishedAt", new BsonDocument("$max", "$finishedAt") },
                { "new", Sum("new") },
                { "changed", Sum("changed") },
                { "unchanged", Sum("unchanged") },
                { "failed", Sum("failed") },
                { "notDue", Sum("notDue") },
                { "skipped", Sum("skipped") },
                { "pending", Sum("pending") },
                { "captures", Sum("captures") },
                { "errors", Sum("errors") },
            }),
            new BsonDocument("$sort", new BsonDocument { { "_id.epoch", 1 }, { "_id.host", 1 } }));
    }

    // ---- captures ----

    /// <summary>Captures matching a query (every given field must match); in <see cref="CaptureOrder"/>.</summary>
    public static FilterDefinition<CaptureDocument> CapturesOf(CaptureQuery query)
    {
        var filters = new List<FilterDefinition<CaptureDocument>>();
        if (query.Url is { } url)
        {
            filters.Add(CaptureFilter.Eq(d => d.Url, url));
        }

        if (query.Urls is { } urls)
        {
            // Anchored case-insensitive expressions: answered from the url index (all of its keys scanned, only matches fetched).
            filters.Add(urls.Count == 0
                ? CaptureFilter.In(d => d.Url, Array.Empty<string>())
                : CaptureFilter.Or(urls.Select(u => CaptureFilter.Regex(d => d.Url, new BsonRegularExpression("^" + System.Text.RegularExpressions.Regex.Escape(u.Url) + (u.Prefix ? string.Empty : "$"), "i")))));
        }

        if (query.UrlKeys is { } ranges)
        {
            // Key ranges of the urlkey index ($exists: the partial index's own condition, so the planner may use it).
            filters.Add(CaptureFilter.Exists(d => d.UrlKey));
            filters.Add(ranges.Count == 0
                ? CaptureFilter.In(d => d.UrlKey, Array.Empty<string>())
                : CaptureFilter.Or(ranges.Select(r => CaptureFilter.Gte(d => d.UrlKey, r.From) & CaptureFilter.Lt(d => d.UrlKey, r.To))));
            if (query.UrlKeysFrom is { } from)
            {
                filters.Add(CaptureFilter.Or(
                    CaptureFilter.Gt(d => d.UrlKey, from.UrlKey),
                    CaptureFilter.Eq(d => d.UrlKey, from.UrlKey) & CaptureFilter.Gte(d => d.FetchedAt, BsonTime.ToBson(from.FetchedAt))));
            }
        }

        if (query.Host is { } host)
        {
            filters.Add(CaptureFilter.Eq(d => d.Host, host));
        }

        if (query.Epoch is { } epoch)
        {
            filters.Add(CaptureFilter.Eq(d => d.Epoch, epoch));
        }

        return filters.Count == 0 ? CaptureFilter.Empty : CaptureFilter.And(filters);
    }

    public static FilterDefinition<CaptureDocument> CapturesOfUrl(string url) => CaptureFilter.Eq(d => d.Url, url);

    public static FilterDefinition<CaptureDocument> CapturesOfHost(string host) => CaptureFilter.Eq(d => d.Host, host);

    public static FilterDefinition<CaptureDocument> CaptureKey(string id) => CaptureFilter.Eq(d => d.Id, id);

    public static FilterDefinition<CaptureDocument> CapturesWithIds(IEnumerable<string> ids) => CaptureFilter.In(d => d.Id, ids);

    /// <summary>Fetch order, then id (the contract's order; ties of one millisecond are common).</summary>
    public static SortDefinition<CaptureDocument> CaptureOrder { get; } =
        Builders<CaptureDocument>.Sort.Ascending(d => d.FetchedAt).Ascending(d => d.Id);

    /// <summary>Key order, then fetch order, then id: the order of a read by <see cref="CaptureQuery.UrlKeys"/> (ranges given ascending).</summary>
    public static SortDefinition<CaptureDocument> KeyOrder { get; } =
        Builders<CaptureDocument>.Sort.Ascending(d => d.UrlKey).Ascending(d => d.FetchedAt).Ascending(d => d.Id);

    /// <summary>Captures with a response that have no key yet (stored before issue 10).</summary>
    public static FilterDefinition<CaptureDocument> CapturesWithoutKey { get; } =
        CaptureFilter.Ne(d => d.Status, null) & CaptureFilter.Exists(d => d.UrlKey, exists: false);

    public static SortDefinition<CaptureDocument> NewestFirst { get; } =
        Builders<CaptureDocument>.Sort.Descending(d => d.FetchedAt).Descending(d => d.Id);

    /// <summary>The whole capture, written only when its id is new: a replayed commit changes nothing.</summary>
    public static UpdateDefinition<CaptureDocument> InsertCapture(CaptureDocument capture) => SetOnInsert<CaptureDocument>(capture.ToBsonDocument());

    // ---- payloads ----

    public static FilterDefinition<PayloadDocument> Payload(string digest) => Builders<PayloadDocument>.Filter.Eq(d => d.Digest, digest);

    public static FilterDefinition<PayloadDocument> PayloadsWithDigests(IEnumerable<string> digests) => Builders<PayloadDocument>.Filter.In(d => d.Digest, digests);

    public static ProjectionDefinition<PayloadDocument> DigestOnly { get; } = Builders<PayloadDocument>.Projection.Include(d => d.Digest);

    /// <summary>The payload, written only when its digest is new (content-addressed: the same digest is the same bytes).</summary>
    public static UpdateDefinition<PayloadDocument> InsertPayload(PayloadDocument payload) => SetOnInsert<PayloadDocument>(payload.ToBsonDocument());

    /// <summary>An inline payload stored before its site's dictionary was trained (one in GridFS stays as it is).</summary>
    public static FilterDefinition<PayloadDocument> RecodablePayload(string digest) =>
        Builders<PayloadDocument>.Filter.Eq(d => d.Digest, digest) & Builders<PayloadDocument>.Filter.Exists(d => d.GridFsId, false);

    /// <summary>Its stored form replaced by <paramref name="record"/> (the same bytes, encoded with the dictionary
    /// <paramref name="dictionary"/>): a reader sees the old or the new form, both whole.</summary>
    public static UpdateDefinition<PayloadDocument> RecodePayload(EncodedRecord record, long dictionary) =>
        Builders<PayloadDocument>.Update
            .Set(d => d.Compression, record.Compression)
            .Set(d => d.StoredLength, record.Data.Length)
            .Set(d => d.Data, record.Data)
            .Set(d => d.Dictionary, dictionary);

    /// <summary>A capture's bulk stored before its site's dictionary was trained, replaced by its dictionary encoding.</summary>
    public static UpdateDefinition<CaptureDocument> RecodeCapture(byte[] bulk) => Builders<CaptureDocument>.Update.Set(d => d.Bulk, bulk);

    // ---- dictionaries ----

    public static FilterDefinition<DictionaryDocument> DictionaryKey(long id) => Builders<DictionaryDocument>.Filter.Eq(d => d.Id, id);

    /// <summary>The dictionary, written only when its id is new (content-addressed, as payloads).</summary>
    public static UpdateDefinition<DictionaryDocument> InsertDictionary(DictionaryDocument dictionary) => SetOnInsert<DictionaryDocument>(dictionary.ToBsonDocument());

    /// <summary>The stored dictionaries oldest first, so that a writer loading them uses each scope's newest.</summary>
    public static SortDefinition<DictionaryDocument> DictionaryOrder { get; } = Builders<DictionaryDocument>.Sort.Ascending(d => d.CreatedAt).Ascending(d => d.Id);

    // ---- settings ----

    public static FilterDefinition<SettingDocument> Setting(string key) => Builders<SettingDocument>.Filter.Eq(d => d.Key, key);

    public static UpdateDefinition<SettingDocument> SetSetting(string value) => Builders<SettingDocument>.Update.Set(d => d.Value, value);

    /// <summary>The setting while it holds <paramref name="expected"/>: the condition of a compare-and-set.</summary>
    public static FilterDefinition<SettingDocument> SettingHolding(string key, string expected) =>
        Builders<SettingDocument>.Filter.Eq(d => d.Key, key) & Builders<SettingDocument>.Filter.Eq(d => d.Value, expected);

    /// <summary>A setting created only when absent (upserted; an existing one is left as it is).</summary>
    public static UpdateDefinition<SettingDocument> CreateSetting(string value) => Builders<SettingDocument>.Update.SetOnInsert(d => d.Value, value);

    // ---- statistics ----

    public static PipelineDefinition<PayloadDocument, BsonDocument> PayloadTotals { get; } = Pipeline<PayloadDocument>(
        new BsonDocument("$group", new BsonDocument
        {
            { "_id", BsonNull.Value },
            { "payloads", new BsonDocument("$sum", 1) },
            { "stored", new BsonDocument("$sum", "$storedLength") },
            { "raw", new BsonDocument("$sum", "$rawLength") },
        }));

    public static PipelineDefinition<FrontierDocument, BsonDocument> FrontierStates { get; } = Pipeline<FrontierDocument>(
        new BsonDocument("$group", new BsonDocument { { "_id", "$state" }, { "count", new BsonDocument("$sum", 1) } }));

    public static PipelineDefinition<FrontierDocument, BsonDocument> FrontierHostCount { get; } = Pipeline<FrontierDocument>(
        new BsonDocument("$group", new BsonDocument("_id", "$host")),
        new BsonDocument("$count", "hosts"));

    public static PipelineDefinition<FrontierDocument, BsonDocument> HostFrontierStats(int epoch) => Pipeline<FrontierDocument>(
        new BsonDocument("$match", new BsonDocument("epoch", epoch)),
        new BsonDocument("$group", new BsonDocument
        {
            { "_id", "$host" },
            { "pending", CountWhere(new BsonDocument("$eq", new BsonArray { "$state", (int)FrontierState.Pending })) },
            { "done", CountWhere(new BsonDocument("$eq", new BsonArray { "$state", (int)FrontierState.Done })) },
            { "failed", CountWhere(new BsonDocument("$eq", new BsonArray { "$state", (int)FrontierState.Failed })) },
        }));

    public static PipelineDefinition<CaptureDocument, BsonDocument> HostCaptureStats(int epoch) => Pipeline<CaptureDocument>(
        new BsonDocument("$match", new BsonDocument("epoch", epoch)),
        new BsonDocument("$group", new BsonDocument
        {
            { "_id", "$host" },
            { "captures", new BsonDocument("$sum", 1) },
            { "errors", CountWhere(new BsonDocument("$ifNull", new BsonArray { "$error", false })) },
            { "lastAt", new BsonDocument("$max", "$fetchedAt") },
        }));

    // ---- helpers ----

    internal static PipelineDefinition<T, BsonDocument> Pipeline<T>(params BsonDocument[] stages) =>
        new BsonDocumentStagePipelineDefinition<T, BsonDocument>(stages);

    internal static CreateIndexModel<T> Index<T>(string name, BsonDocument keys, bool unique = false, bool sparse = false) =>
        new(new BsonDocumentIndexKeysDefinition<T>(keys), new CreateIndexOptions { Name = name, Unique = unique ? true : null, Sparse = sparse ? true : null });

    internal static BsonDocument Cond(BsonValue condition, BsonValue then, BsonValue otherwise) =>
        new("$cond", new BsonArray { condition, then, otherwise });

    private static BsonDocument CountWhere(BsonValue condition) => new("$sum", Cond(condition, 1, 0));

    private static BsonDocumentUpdateDefinition<T> SetOnInsert<T>(BsonDocument document)
    {
        var fields = new BsonDocument(document.Where(e => e.Name != "_id"));
        return new BsonDocumentUpdateDefinition<T>(new BsonDocument("$setOnInsert", fields));
    }
}
