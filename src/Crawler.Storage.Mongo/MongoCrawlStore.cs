using System.Runtime.CompilerServices;
using Crawler.Storage.Mongo.Documents;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.GridFS;

namespace Crawler.Storage.Mongo;

/// <summary>
/// The cluster's crawl store: captures, payloads, frontier, recrawl schedules, job marks and settings in one MongoDB database, written by
/// many nodes at once. Every write is idempotent on replay and needs no multi-document transaction (see
/// <see cref="CrawlQueries"/>), so a batch that failed half-way (the server went away) is simply written again.
/// </summary>
/// <remarks>
/// A commit batch is written in an order that keeps every reference valid at every moment: payloads first
/// (GridFS files complete before the payload document that points at them), then captures, then the frontier,
/// then the recrawl schedules (a schedule never names a fetch whose capture is missing).
/// A crash between two steps leaves at most a payload no capture refers to yet, never a capture without its
/// payload. A batch whose capture id is already stored with other content is refused before anything is
/// written (<see cref="ArgumentException"/>); the same capture stored before (a replay) is skipped.
/// </remarks>
public sealed partial class MongoCrawlStore : ICrawlStore
{
    private static readonly BulkWriteOptions Unordered = new() { IsOrdered = false };

    private readonly MongoConnection _db;
    private readonly IMongoCollection<CaptureDocument> _captures;
    private readonly IMongoCollection<PayloadDocument> _payloads;
    private readonly IMongoCollection<FrontierDocument> _frontier;
    private readonly IMongoCollection<SettingDocument> _settings;
    private readonly IMongoCollection<CounterDocument> _counters;
    private readonly IMongoCollection<ScheduleDocument> _schedules;
    private readonly IMongoCollection<JobDocument> _jobs;
    private readonly IMongoCollection<CrawlLogDocument> _crawlLog;
    private readonly GridFSBucket<ObjectId> _files;
    private readonly IMongoCollection<DictionaryDocument> _dictionaryDocuments;

    /// <summary>Per-site compression of payloads and capture bulks (issue 9's archive size), under its own lock: commits
    /// of one process may run at once.</summary>
    private readonly SiteDictionaries _dictionaries = new();

    /// <summary>Dictionary data by <see cref="DictionaryDocument.Id"/>: stored dictionaries never change nor go away.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, byte[]> _dictionaryData = new();
    private volatile bool _ready;
    private volatile bool _disposed;

    /// <exception cref="StoreUnavailableException">The connection string or database name cannot be used (the message names <see cref="MongoStoreOptions.Setting"/>).</exception>
    public MongoCrawlStore(MongoStoreOptions options)
    {
        _db = new MongoConnection(options);
        var database = _db.Database;
        _captures = database.GetCollection<CaptureDocument>(CrawlQueries.Captures);
        _payloads = database.GetCollection<PayloadDocument>(CrawlQueries.Payloads);
        _frontier = database.GetCollection<FrontierDocument>(CrawlQueries.Frontier);
        _settings = database.GetCollection<SettingDocument>(CrawlQueries.Settings);
        _counters = database.GetCollection<CounterDocument>(CrawlQueries.Counters);
        _schedules = database.GetCollection<ScheduleDocument>(CrawlQueries.Schedules);
        _jobs = database.GetCollection<JobDocument>(CrawlQueries.Jobs);
        _crawlLog = database.GetCollection<CrawlLogDocument>(CrawlLogQueries.CrawlLog);
        _files = new GridFSBucket<ObjectId>(database, new GridFSBucketOptions { BucketName = CrawlQueries.PayloadBucket });
        _dictionaryDocuments = database.GetCollection<DictionaryDocument>(CrawlQueries.Dictionaries);
    }

    /// <summary>Servers and database, without credentials.</summary>
    public string Location => _db.Location;

    public async Task InitializeAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _db.RunAsync("could not create its indexes", async () =>
        {
            await _captures.Indexes.CreateManyAsync(CrawlQueries.CaptureIndexes, ct).ConfigureAwait(false);
            await FillUrlKeysAsync(ct).ConfigureAwait(false);
            await _frontier.Indexes.CreateManyAsync(CrawlQueries.FrontierIndexes, ct).ConfigureAwait(false);
            await _schedules.Indexes.CreateManyAsync(CrawlQueries.ScheduleIndexes, ct).ConfigureAwait(false);
            await _jobs.Indexes.CreateManyAsync(CrawlQueries.JobIndexes, ct).ConfigureAwait(false);
            await _crawlLog.Indexes.CreateManyAsync(CrawlLogQueries.Indexes, ct).ConfigureAwait(false);
            await _db.Database.GetCollection<BsonDocument>(CrawlQueries.PayloadBucket + ".chunks").Indexes
                .CreateManyAsync(CrawlQueries.PayloadChunkIndexes, ct).ConfigureAwait(false);
            await _db.Database.GetCollection<BsonDocument>(CrawlQueries.PayloadBucket + ".files").Indexes
                .CreateManyAsync(CrawlQueries.PayloadFileIndexes, ct).ConfigureAwait(false);

            // The stored dictionaries, each scope's newest in use, so a restarted writer keeps compressing with them.
            var stored = await _dictionaryDocuments.Find(FilterDefinition<DictionaryDocument>.Empty).Sort(CrawlQueries.DictionaryOrder)
                .ToListAsync(ct).ConfigureAwait(false);
            lock (_dictionaries)
            {
                foreach (var document in stored)
                {
                    var dictionary = document.ToDictionary();
                    _dictionaryData[document.Id] = dictionary.Data;
                    _dictionaries.Use(dictionary);
                }
            }
        }).ConfigureAwait(false);
        _ready = true;
    }

    /// <summary>
    /// The SURT key of every capture with a response stored before issue 10 (documents without <c>urlkey</c>), in
    /// batches: a store opened by an older crawler gains them on its first open by this one. Idempotent (the key is a
    /// function of the URL), so opens that overlap or stop half-way only repeat work.
    /// </summary>
    private async Task FillUrlKeysAsync(CancellationToken ct)
    {
        // One pass of one cursor (a query per batch would scan the keyed documents again each time).
        var projection = Builders<CaptureDocument>.Projection.Include(d => d.Id).Include(d => d.Url);
        using var cursor = await _captures.Find(CrawlQueries.CapturesWithoutKey).Project<CaptureDocument>(projection)
            .ToCursorAsync(ct).ConfigureAwait(false);
        while (await cursor.MoveNextAsync(ct).ConfigureAwait(false))
        {
            var updates = cursor.Current
                .Select(d => new UpdateOneModel<CaptureDocument>(CrawlQueries.CaptureKey(d.Id), Builders<CaptureDocument>.Update.Set(x => x.UrlKey, Crawler.Core.Cdx.Surt.Key(d.Url))))
                .ToList();
            if (updates.Count > 0)
            {
                await _captures.BulkWriteAsync(updates, new BulkWriteOptions { IsOrdered = false }, ct).ConfigureAwait(false);
            }
        }
    }

    public async Task<int> AddToFrontierAsync(IReadOnlyList<FrontierEntry> entries, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        for (var i = 0; i < entries.Count; i++)
        {
            BatchValidation.Entry(entries[i], nameof(entries), i);
        }

        Ready();
        if (entries.Count == 0)
        {
            return 0;
        }

        // The first of a repeated (epoch, url) wins, as it would in order.
        var unique = entries.DistinctBy(e => (e.Epoch, e.Url)).ToList();
        return await _db.RunAsync("could not add to the frontier", async () =>
        {
            var first = await ReserveSeqAsync(unique.Count, ct).ConfigureAwait(false);
            var models = unique
                .Select((e, i) => Upsert(CrawlQueries.FrontierKey(e.Epoch, e.Url), CrawlQueries.InsertFrontier(e, first + i)))
                .ToList();
            var result = await _frontier.BulkWriteAsync(models, Unordered, ct).ConfigureAwait(false);
            return result.Upserts.Count;
        }).ConfigureAwait(false);
    }

    public async Task CommitAsync(IReadOnlyList<FetchCommit> batch, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        for (var i = 0; i < batch.Count; i++)
        {
            BatchValidation.Commit(batch[i], i);
        }

        Ready();
        if (batch.Count == 0)
        {
            return;
        }

        var captures = batch.Select(c => CaptureDocument.From(c.Capture)).ToList();
        var fresh = Deduplicate(captures);
        await _db.RunAsync("could not commit a batch", async () =>
        {
            // Nothing is written before the batch is known to fit what is stored.
            var stored = await _captures.Find(CrawlQueries.CapturesWithIds(fresh.Keys)).ToListAsync(ct).ConfigureAwait(false);
            foreach (var existing in stored)
            {
                var (index, capture) = fresh[existing.Id];
                // Compared field by field, as From writes them: a bulk encodes the same capture differently once its site has a dictionary.
                if (!CaptureDocument.From(await RecordAsync(existing, ct).ConfigureAwait(false)).ToBsonDocument().Equals(capture.ToBsonDocument()))
                {
                    throw new ArgumentException(
                        $"Batch rejected, nothing of it was stored: commit #{index} (capture '{capture.Id}' of {capture.Url}) "
                        + "conflicts with a stored capture: same id, other content.", nameof(batch));
                }

                fresh.Remove(existing.Id);
            }

            await StorePayloadsAsync(batch, ct).ConfigureAwait(false);
            if (fresh.Count > 0)
            {
                await StoreCapturesAsync([.. fresh.Values.OrderBy(v => v.Index).Select(v => batch[v.Index].Capture)], ct).ConfigureAwait(false);
            }

            var rows = batch.Sum(c => 1 + c.Discovered.Count);
            var seq = await ReserveSeqAsync(rows, ct).ConfigureAwait(false);
            var frontier = new List<WriteModel<FrontierDocument>>(rows);
            foreach (var commit in batch)
            {
                var capture = commit.Capture;
                frontier.Add(Upsert(
                    CrawlQueries.FrontierKey(capture.Epoch, capture.Url),
                    CrawlQueries.Fetched(capture, commit.UrlState, commit.RetryAt, commit.Outcome, seq++)));
                foreach (var entry in commit.Discovered)
                {
                    frontier.Add(Upsert(CrawlQueries.FrontierKey(entry.Epoch, entry.Url), CrawlQueries.InsertFrontier(entry, seq++)));
                }
            }

            await _frontier.BulkWriteAsync(frontier, Unordered, ct).ConfigureAwait(false);
            await WriteSchedulesAsync(batch.Select(c => c.Schedule), ct).ConfigureAwait(false);
            await WriteCrawlLogAsync(batch.SelectMany(c => c.Declined), ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    public async Task UpdateFrontierAsync(IReadOnlyList<FrontierUpdate> updates, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(updates);
        for (var i = 0; i < updates.Count; i++)
        {
            BatchValidation.Update(updates[i], nameof(updates), i);
        }

        Ready();
        if (updates.Count == 0)
        {
            return;
        }

        await _db.RunAsync("could not update the frontier", async () =>
        {
            var rows = updates.Sum(u => 1 + u.Discovered.Count);
            var seq = await ReserveSeqAsync(rows, ct).ConfigureAwait(false);
            var models = new List<WriteModel<FrontierDocument>>(rows);
            foreach (var update in updates)
            {
                models.Add(Upsert(CrawlQueries.FrontierKey(update.Epoch, update.Url), CrawlQueries.Settled(update, seq++)));
                foreach (var entry in update.Discovered)
                {
                    models.Add(Upsert(CrawlQueries.FrontierKey(entry.Epoch, entry.Url), CrawlQueries.InsertFrontier(entry, seq++)));
                }
            }

            await _frontier.BulkWriteAsync(models, Unordered, ct).ConfigureAwait(false);
            await WriteCrawlLogAsync(updates.SelectMany(u => u.Declined), ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<FrontierEntry>> GetPendingAsync(string host, int epoch, int limit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        Ready();
        if (limit == 0)
        {
            return [];
        }

        return await _db.RunAsync("could not be read", async () =>
        {
            var rows = await _frontier.Find(CrawlQueries.HostPending(host, epoch)).Sort(CrawlQueries.FrontierOrder).Limit(limit).ToListAsync(ct).ConfigureAwait(false);
            return (IReadOnlyList<FrontierEntry>)[.. rows.Select(r => r.ToEntry())];
        }).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<FrontierEntry>> GetFrontierAsync(string host, int epoch, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        Ready();
        return await _db.RunAsync("could not be read", async () =>
        {
            var rows = await _frontier.Find(CrawlQueries.HostFrontier(host, epoch)).Sort(CrawlQueries.FrontierOrder).ToListAsync(ct).ConfigureAwait(false);
            return (IReadOnlyList<FrontierEntry>)[.. rows.Select(r => r.ToEntry())];
        }).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> GetHostsWithPendingAsync(int epoch, CancellationToken ct = default)
    {
        Ready();
        return await _db.RunAsync("could not be read", async () =>
        {
            var cursor = await _frontier.DistinctAsync(d => d.Host, CrawlQueries.EpochPending(epoch), cancellationToken: ct).ConfigureAwait(false);
            var hosts = await cursor.ToListAsync(ct).ConfigureAwait(false);
            hosts.Sort(StringComparer.Ordinal);
            return (IReadOnlyList<string>)hosts;
        }).ConfigureAwait(false);
    }

    public async Task<long> CountCapturesAsync(CaptureQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        Ready();
        return await _db.RunAsync("could not be read", () => _captures.CountDocumentsAsync(CrawlQueries.CapturesOf(query), cancellationToken: ct)).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<CaptureRecord> GetCapturesAsync(CaptureQuery query, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        Ready();
        if (query.Limit is <= 0)
        {
            yield break;
        }

        var find = _captures.Find(CrawlQueries.CapturesOf(query)).Sort(query.UrlKeys is null ? CrawlQueries.CaptureOrder : CrawlQueries.KeyOrder);
        if (query.Offset is > 0 and var offset)
        {
            find = find.Skip(offset);
        }

        if (query.Limit is { } limit)
        {
            find = find.Limit(limit);
        }

        var cursor = await _db.RunAsync("could not be read", () => find.ToCursorAsync(ct)).ConfigureAwait(false);
        using (cursor)
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await cursor.MoveNextAsync(ct).ConfigureAwait(false);
                }
                catch (Exception e) when (_db.Map(e, "could not be read") is StoreUnavailableException unavailable)
                {
                    throw unavailable;
                }

                if (!more)
                {
                    yield break;
                }

                foreach (var capture in cursor.Current)
                {
                    yield return await RecordAsync(capture, ct).ConfigureAwait(false);
                }
            }
        }
    }

    public Task<CaptureRecord?> GetLatestCaptureAsync(string url, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        return NewestCaptureAsync(CrawlQueries.CapturesOfUrl(url), ct);
    }

    public Task<CaptureRecord?> GetLatestHostCaptureAsync(string host, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        return NewestCaptureAsync(CrawlQueries.CapturesOfHost(host), ct);
    }

    public async Task<byte[]?> GetPayloadAsync(string digest, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(digest);
        Ready();
        return await _db.RunAsync("could not be read", async () =>
        {
            var payload = await _payloads.Find(CrawlQueries.Payload(digest)).FirstOrDefaultAsync(ct).ConfigureAwait(false);
            if (payload is null)
            {
                return null;
            }

            var data = payload.GridFsId is { } file
                ? await _files.DownloadAsBytesAsync(file, cancellationToken: ct).ConfigureAwait(false)
                : payload.Data ?? throw new InvalidDataException($"Stored payload {digest} has neither data nor a GridFS file.");
            var dictionary = payload.Dictionary is { } id ? await DictionaryDataAsync(id, ct).ConfigureAwait(false) : null;
            return PayloadCodec.Decode(payload.Compression, payload.RawLength, data, dictionary);
        }).ConfigureAwait(false);
    }

    public async Task<StoreStats> GetStatsAsync(CancellationToken ct = default)
    {
        Ready();
        return await _db.RunAsync("could not be read", async () =>
        {
            var captures = await _captures.CountDocumentsAsync(FilterDefinition<CaptureDocument>.Empty, cancellationToken: ct).ConfigureAwait(false);
            var newest = await _captures.Find(FilterDefinition<CaptureDocument>.Empty).Sort(CrawlQueries.NewestFirst).Limit(1).FirstOrDefaultAsync(ct).ConfigureAwait(false);
            var payloads = await (await _payloads.AggregateAsync(CrawlQueries.PayloadTotals, cancellationToken: ct).ConfigureAwait(false))
                .FirstOrDefaultAsync(ct).ConfigureAwait(false);
            var states = await (await _frontier.AggregateAsync(CrawlQueries.FrontierStates, cancellationToken: ct).ConfigureAwait(false))
                .ToListAsync(ct).ConfigureAwait(false);
            var hosts = await (await _frontier.AggregateAsync(CrawlQueries.FrontierHostCount, cancellationToken: ct).ConfigureAwait(false))
                .FirstOrDefaultAsync(ct).ConfigureAwait(false);

            long State(FrontierState state) => states.FirstOrDefault(s => s["_id"].ToInt32() == (int)state)?["count"].ToInt64() ?? 0;
            return new StoreStats(
                Captures: captures,
                Payloads: payloads?["payloads"].ToInt64() ?? 0,
                PayloadBytesStored: payloads?["stored"].ToInt64() ?? 0,
                PayloadBytesRaw: payloads?["raw"].ToInt64() ?? 0,
                FrontierPending: State(FrontierState.Pending),
                FrontierDone: State(FrontierState.Done),
                FrontierFailed: State(FrontierState.Failed),
                Hosts: hosts?["hosts"].ToInt32() ?? 0,
                LastCaptureAt: newest is null ? null : BsonTime.FromBson(newest.FetchedAt));
        }).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<HostStats>> GetHostStatsAsync(int epoch, CancellationToken ct = default)
    {
        Ready();
        return await _db.RunAsync("could not be read", async () =>
        {
            var frontier = await (await _frontier.AggregateAsync(CrawlQueries.HostFrontierStats(epoch), cancellationToken: ct).ConfigureAwait(false))
                .ToListAsync(ct).ConfigureAwait(false);
            var captures = await (await _captures.AggregateAsync(CrawlQueries.HostCaptureStats(epoch), cancellationToken: ct).ConfigureAwait(false))
                .ToListAsync(ct).ConfigureAwait(false);
            var byHostFrontier = frontier.ToDictionary(d => d["_id"].AsString, StringComparer.Ordinal);
            var byHostCaptures = captures.ToDictionary(d => d["_id"].AsString, StringComparer.Ordinal);
            return (IReadOnlyList<HostStats>)byHostFrontier.Keys.Union(byHostCaptures.Keys)
                .Order(StringComparer.Ordinal)
                .Select(host =>
                {
                    var f = byHostFrontier.GetValueOrDefault(host);
                    var c = byHostCaptures.GetValueOrDefault(host);
                    return new HostStats(
                        host,
                        Captures: c?["captures"].ToInt64() ?? 0,
                        Pending: f?["pending"].ToInt64() ?? 0,
                        Done: f?["done"].ToInt64() ?? 0,
                        Failed: f?["failed"].ToInt64() ?? 0,
                        Errors: c?["errors"].ToInt64() ?? 0,
                        LastCaptureAt: c is null ? null : BsonTime.FromBson(c["lastAt"].ToUniversalTime()));
                })
                .ToList();
        }).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<UrlSchedule>> GetSchedulesAsync(string host, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        Ready();
        return await _db.RunAsync("could not be read", async () =>
        {
            var rows = await _schedules.Find(CrawlQueries.SchedulesOf(host)).Sort(CrawlQueries.ScheduleOrder).ToListAsync(ct).ConfigureAwait(false);
            return (IReadOnlyList<UrlSchedule>)[.. rows.Select(r => r.ToSchedule())];
        }).ConfigureAwait(false);
    }

    public async Task UpsertSchedulesAsync(IReadOnlyList<UrlSchedule> schedules, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(schedules);
        for (var i = 0; i < schedules.Count; i++)
        {
            BatchValidation.Schedule(schedules[i], nameof(schedules), i);
        }

        Ready();
        if (schedules.Count == 0)
        {
            return;
        }

        await _db.RunAsync("could not store recrawl schedules", () => WriteSchedulesAsync(schedules, ct)).ConfigureAwait(false);
    }

    public async Task MarkJobAsync(string host, int epoch, DateTimeOffset? startedAt, DateTimeOffset? finishedAt, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        Ready();
        var key = CrawlQueries.JobKey(host, epoch);
        var mark = CrawlQueries.MarkJob(host, epoch, startedAt, finishedAt);
        await _db.RunAsync("could not mark a job", async () =>
        {
            try
            {
                await _jobs.UpdateOneAsync(key, mark, new UpdateOptions { IsUpsert = true }, ct).ConfigureAwait(false);
            }
            catch (MongoWriteException e) when (e.WriteError?.Category == ServerErrorCategory.DuplicateKey)
            {
                // Another writer created the job between our look and our insert: the mark applies to it as an update.
                await _jobs.UpdateOneAsync(key, mark, cancellationToken: ct).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<CrawlJob>> GetJobsAsync(JobQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        Ready();
        return await _db.RunAsync("could not be read", async () =>
        {
            var rows = await (await _frontier.AggregateAsync(CrawlQueries.JobStats(query), cancellationToken: ct).ConfigureAwait(false))
                .ToListAsync(ct).ConfigureAwait(false);
            return (IReadOnlyList<CrawlJob>)[.. rows.Select(ToJob)];
        }).ConfigureAwait(false);
    }

    public async Task<string?> GetSettingAsync(string key, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        Ready();
        return await _db.RunAsync("could not be read", async () =>
            (await _settings.Find(CrawlQueries.Setting(key)).FirstOrDefaultAsync(ct).ConfigureAwait(false))?.Value).ConfigureAwait(false);
    }

    public async Task SetSettingAsync(string key, string value, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        Ready();
        await _db.RunAsync("could not save a setting", () =>
            _settings.UpdateOneAsync(CrawlQueries.Setting(key), CrawlQueries.SetSetting(value), new UpdateOptions { IsUpsert = true }, ct)).ConfigureAwait(false);
    }

    public async Task<bool> CompareAndSetSettingAsync(string key, string? expected, string value, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        Ready();
        return await _db.RunAsync("could not save a setting", async () =>
        {
            if (expected is not null)
            {
                var updated = await _settings.UpdateOneAsync(CrawlQueries.SettingHolding(key, expected), CrawlQueries.SetSetting(value), cancellationToken: ct).ConfigureAwait(false);
                return updated.MatchedCount == 1;
            }

            try
            {
                var created = await _settings.UpdateOneAsync(CrawlQueries.Setting(key), CrawlQueries.CreateSetting(value), new UpdateOptions { IsUpsert = true }, ct).ConfigureAwait(false);
                return created.UpsertedId is not null;
            }
            catch (MongoWriteException e) when (e.WriteError?.Category == ServerErrorCategory.DuplicateKey)
            {
                return false; // another writer's upsert of the same key came first
            }
        }).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            _ready = false;
            _db.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Captures by id with their first position in the batch; the same id twice must be the same capture.</summary>
    private static Dictionary<string, (int Index, CaptureDocument Capture)> Deduplicate(List<CaptureDocument> captures)
    {
        var byId = new Dictionary<string, (int Index, CaptureDocument Capture)>(StringComparer.Ordinal);
        for (var i = 0; i < captures.Count; i++)
        {
            var capture = captures[i];
            if (byId.TryGetValue(capture.Id, out var first))
            {
                if (!first.Capture.ToBsonDocument().Equals(capture.ToBsonDocument()))
                {
                    throw new ArgumentException(
                        $"Batch rejected, nothing of it was stored: commits #{first.Index} and #{i} carry two different captures with the id '{capture.Id}'.", "batch");
                }

                continue;
            }

            byId[capture.Id] = (i, capture);
        }

        return byId;
    }

    /// <summary>
    /// Stores the batch's payloads that are not stored yet: inline when the compressed bytes fit the limit, else
    /// as a GridFS file (complete before its payload document names it). Two writers storing one digest at once
    /// both succeed; the first payload document wins, a second GridFS file is left unreferenced (space, never a loss).
    /// </summary>
    private async Task StorePayloadsAsync(IReadOnlyList<FetchCommit> batch, CancellationToken ct)
    {
        var given = batch
            .Where(c => c.Payload is not null)
            .DistinctBy(c => c.Capture.PayloadDigest, StringComparer.Ordinal)
            .ToDictionary(c => c.Capture.PayloadDigest!, c => (Raw: c.Payload!, c.Capture.Host), StringComparer.Ordinal);
        if (given.Count == 0)
        {
            return;
        }

        var known = await _payloads.Find(CrawlQueries.PayloadsWithDigests(given.Keys)).Project(CrawlQueries.DigestOnly).ToListAsync(ct).ConfigureAwait(false);
        foreach (var document in known)
        {
            given.Remove(document["_id"].AsString);
        }

        var encoded = new List<(string Digest, byte[] Raw, EncodedRecord Record)>(given.Count);
        var recoded = new List<RecodedRecord>();
        lock (_dictionaries)
        {
            foreach (var (digest, (raw, host)) in given)
            {
                encoded.Add((digest, raw, _dictionaries.Encode("payload " + host, raw, digest)));
                recoded.AddRange(_dictionaries.TakeRecoded());
            }
        }

        var inserts = new List<WriteModel<PayloadDocument>>(given.Count);
        foreach (var (digest, raw, (compression, dictionary, data)) in encoded)
        {
            var payload = new PayloadDocument { Digest = digest, Compression = compression, RawLength = raw.Length, StoredLength = data.Length };
            payload.Dictionary = dictionary is null ? null : await StoreDictionaryAsync(dictionary, ct).ConfigureAwait(false);
            if (data.Length > _db.InlinePayloadLimit)
            {
                var file = ObjectId.GenerateNewId();
                await _files.UploadFromBytesAsync(file, digest, data, cancellationToken: ct).ConfigureAwait(false);
                payload.GridFsId = file;
            }
            else
            {
                payload.Data = data;
            }

            inserts.Add(Upsert(CrawlQueries.Payload(digest), CrawlQueries.InsertPayload(payload)));
        }

        await _payloads.BulkWriteAsync(inserts, Unordered, ct).ConfigureAwait(false);
        if (recoded.Count > 0)
        {
            var updates = new List<WriteModel<PayloadDocument>>(recoded.Count);
            foreach (var r in recoded)
            {
                var id = await StoreDictionaryAsync(r.Record.Dictionary!, ct).ConfigureAwait(false);
                updates.Add(new UpdateOneModel<PayloadDocument>(CrawlQueries.RecodablePayload(r.Key), CrawlQueries.RecodePayload(r.Record, id)));
            }

            await _payloads.BulkWriteAsync(updates, Unordered, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Inserts captures not stored yet, each as <see cref="CaptureDocument.Compact"/> with its bulk compressed with the
    /// site's dictionary, then replaces the bulks of the site's first captures once that dictionary is trained.
    /// </summary>
    private async Task StoreCapturesAsync(IReadOnlyList<CaptureRecord> captures, CancellationToken ct)
    {
        var encoded = new List<(CaptureRecord Capture, int RawLength, EncodedRecord Record)>(captures.Count);
        var recoded = new List<RecodedRecord>();
        lock (_dictionaries)
        {
            foreach (var capture in captures)
            {
                var raw = CaptureBulk.Pack(capture);
                encoded.Add((capture, raw.Length, _dictionaries.Encode("capture " + capture.Host, raw, capture.Id)));
                recoded.AddRange(_dictionaries.TakeRecoded());
            }
        }

        var inserts = new List<WriteModel<CaptureDocument>>(encoded.Count);
        foreach (var (capture, rawLength, record) in encoded)
        {
            var bulk = await StoredBulkAsync(record, rawLength, ct).ConfigureAwait(false);
            inserts.Add(Upsert(CrawlQueries.CaptureKey(capture.Id), CrawlQueries.InsertCapture(CaptureDocument.Compact(capture, bulk))));
        }

        await _captures.BulkWriteAsync(inserts, Unordered, ct).ConfigureAwait(false);
        if (recoded.Count > 0)
        {
            var updates = new List<WriteModel<CaptureDocument>>(recoded.Count);
            foreach (var r in recoded)
            {
                var bulk = await StoredBulkAsync(r.Record, r.RawLength, ct).ConfigureAwait(false);
                updates.Add(new UpdateOneModel<CaptureDocument>(CrawlQueries.CaptureKey(r.Key), CrawlQueries.RecodeCapture(bulk)));
            }

            await _captures.BulkWriteAsync(updates, Unordered, ct).ConfigureAwait(false);
        }
    }

    private async Task<byte[]> StoredBulkAsync(EncodedRecord record, int rawLength, CancellationToken ct) =>
        CaptureBulk.Store(record, record.Dictionary is { } d ? await StoreDictionaryAsync(d, ct).ConfigureAwait(false) : 0, rawLength);

    /// <summary>The id of <paramref name="dictionary"/>, stored first when this process has not seen it stored (before
    /// any record that names it, so that no record names a missing dictionary).</summary>
    private async Task<long> StoreDictionaryAsync(CompressionDictionary dictionary, CancellationToken ct)
    {
        var id = DictionaryDocument.IdOf(dictionary);
        if (!_dictionaryData.ContainsKey(id))
        {
            await _dictionaryDocuments.UpdateOneAsync(
                CrawlQueries.DictionaryKey(id),
                CrawlQueries.InsertDictionary(DictionaryDocument.From(dictionary, DateTimeOffset.UtcNow)),
                new UpdateOptions { IsUpsert = true },
                ct).ConfigureAwait(false);
            _dictionaryData[id] = dictionary.Data;
        }

        return id;
    }

    /// <summary>A dictionary's data by id, read from the server once per process.</summary>
    private async Task<byte[]> DictionaryDataAsync(long id, CancellationToken ct)
    {
        if (_dictionaryData.TryGetValue(id, out var data))
        {
            return data;
        }

        var document = await _dictionaryDocuments.Find(CrawlQueries.DictionaryKey(id)).FirstOrDefaultAsync(ct).ConfigureAwait(false)
            ?? throw new InvalidDataException($"MongoDB store {Location}: dictionary {id} named by a stored record is missing from '{CrawlQueries.Dictionaries}'.");
        return _dictionaryData[id] = document.ToDictionary().Data;
    }

    /// <summary>A stored capture as its record, its bulk decoded with the dictionary it names.</summary>
    private async Task<CaptureRecord> RecordAsync(CaptureDocument document, CancellationToken ct) =>
        document.BulkDictionary is var id and not 0
            ? document.ToRecord(await DictionaryDataAsync(id, ct).ConfigureAwait(false))
            : document.ToRecord(null);

    private async Task<CaptureRecord?> NewestCaptureAsync(FilterDefinition<CaptureDocument> filter, CancellationToken ct)
    {
        Ready();
        return await _db.RunAsync("could not be read", async () =>
            await _captures.Find(filter).Sort(CrawlQueries.NewestFirst).Limit(1).FirstOrDefaultAsync(ct).ConfigureAwait(false) is { } capture
                ? await RecordAsync(capture, ct).ConfigureAwait(false)
                : null).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes schedules (the null ones of a batch skipped), each guarded against replacing one of a later fetch. Of one
    /// URL's several in a call the one applied last in order wins, as in SQLite (the latest fetch; of equal times, the
    /// later write), so the unordered bulk never depends on the server's order. An upsert that met a schedule another
    /// writer inserted a moment before (duplicate key) is applied again as a plain update, under the same guard.
    /// </summary>
    private async Task WriteSchedulesAsync(IEnumerable<UrlSchedule?> schedules, CancellationToken ct)
    {
        var latest = new Dictionary<string, ScheduleDocument>(StringComparer.Ordinal);
        foreach (var schedule in schedules)
        {
            if (schedule is null)
            {
                continue;
            }

            var document = ScheduleDocument.From(schedule);
            if (!latest.TryGetValue(document.Url, out var kept) || document.LastFetchedAt >= kept.LastFetchedAt)
            {
                latest[document.Url] = document;
            }
        }

        if (latest.Count == 0)
        {
            return;
        }

        await UpsertAllAsync(_schedules, latest.Values.Select(d => (CrawlQueries.ScheduleKey(d.Url), CrawlQueries.UpsertSchedule(d))).ToList(), ct).ConfigureAwait(false);
    }

    /// <summary>Crawl log rows: a URL's own verdict (no via) replaces, a declined link only fills.</summary>
    private async Task WriteCrawlLogAsync(IEnumerable<CrawlLogEntry> declined, CancellationToken ct)
    {
        var rows = new Dictionary<(int, string), CrawlLogEntry>();
        foreach (var row in declined)
        {
            // In order, as the SQLite store writes them: a verdict (no via) replaces what came before, a link only fills.
            if (row.Via is null || !rows.ContainsKey((row.Epoch, row.Url)))
            {
                rows[(row.Epoch, row.Url)] = row;
            }
        }

        if (rows.Count > 0)
        {
            await UpsertAllAsync(_crawlLog, rows.Values.Select(r => (CrawlLogQueries.Key(r.Epoch, r.Url), CrawlLogQueries.Write(r))).ToList(), ct).ConfigureAwait(false);
        }
    }

    /// <summary>Upserts by a unique key; a write that lost the race to insert (another writer's upsert of the same key) is applied as an update.</summary>
    private static async Task UpsertAllAsync<T>(IMongoCollection<T> collection, IReadOnlyList<(FilterDefinition<T> Key, UpdateDefinition<T> Update)> writes, CancellationToken ct)
    {
        try
        {
            await collection.BulkWriteAsync(writes.Select(w => Upsert(w.Key, w.Update)), Unordered, ct).ConfigureAwait(false);
        }
        catch (MongoBulkWriteException<T> e) when (OnlyDuplicates(e))
        {
            foreach (var error in e.WriteErrors)
            {
                var (key, update) = writes[error.Index];
                await collection.UpdateOneAsync(key, update, cancellationToken: ct).ConfigureAwait(false);
            }
        }
    }

    private static CrawlJob ToJob(BsonDocument row)
    {
        var key = row["_id"].AsBsonDocument;
        DateTimeOffset? Time(string field) => row.TryGetValue(field, out var value) && value.IsValidDateTime ? BsonTime.FromBson(value.ToUniversalTime()) : null;
        long Count(string field) => row.TryGetValue(field, out var value) && value.IsNumeric ? value.ToInt64() : 0;
        return new CrawlJob(key["host"].AsString, key["epoch"].ToInt32())
        {
            StartedAt = Time("startedAt"),
            FinishedAt = Time("finishedAt"),
            New = Count("new"),
            Changed = Count("changed"),
            Unchanged = Count("unchanged"),
            Failed = Count("failed"),
            NotDue = Count("notDue"),
            Skipped = Count("skipped"),
            Pending = Count("pending"),
            Captures = Count("captures"),
            Errors = Count("errors"),
        };
    }

    private static bool OnlyDuplicates<T>(MongoBulkWriteException<T> e) =>
        e.WriteConcernError is null && e.WriteErrors.Count > 0 && e.WriteErrors.All(w => w.Category == ServerErrorCategory.DuplicateKey);

    /// <summary>Reserves <paramref name="count"/> frontier order numbers; returns the first.</summary>
    private async Task<long> ReserveSeqAsync(int count, CancellationToken ct)
    {
        var counter = await _counters.FindOneAndUpdateAsync(
            CrawlQueries.Counter(CrawlQueries.FrontierCounter),
            CrawlQueries.ReserveSeq(count),
            new FindOneAndUpdateOptions<CounterDocument> { IsUpsert = true, ReturnDocument = ReturnDocument.After },
            ct).ConfigureAwait(false);
        return counter.Value - count + 1;
    }

    private static UpdateOneModel<T> Upsert<T>(FilterDefinition<T> filter, UpdateDefinition<T> update) => new(filter, update) { IsUpsert = true };

    private void Ready()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_ready)
        {
            throw new InvalidOperationException("Call InitializeAsync before using the store.");
        }
    }
}
