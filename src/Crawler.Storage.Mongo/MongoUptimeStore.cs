using Crawler.Core.Uptime;
using Crawler.Storage.Mongo.Documents;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;

namespace Crawler.Storage.Mongo;

/// <summary>
/// Uptime history in MongoDB, beside the crawl (collections of <see cref="UptimeQueries"/>). Raw results are
/// inserted under their natural key (site, at) and each is then folded into its hour by one guarded atomic update,
/// every time it is written: a batch that failed between the two steps and is written again completes the fold,
/// and a result folded already is not counted again. Nothing needs a transaction.
/// </summary>
public sealed partial class MongoUptimeStore : IUptimeStore
{
    private static readonly BulkWriteOptions Unordered = new() { IsOrdered = false };

    private readonly MongoConnection _db;
    private readonly IMongoCollection<ProbeResultDocument> _results;
    private readonly IMongoCollection<HourlyDocument> _hourly;
    private readonly IMongoCollection<StateChangeDocument> _changes;
    private readonly IMongoCollection<OutageDocument> _outages;
    private readonly IMongoCollection<CountryOutageDocument> _countryOutages;
    private volatile bool _disposed;

    /// <param name="options">The database (shared with the crawl store).</param>
    /// <param name="thresholds">Decide which successes count as degraded in the hourly aggregates; default <see cref="UptimeThresholds.Default"/>.</param>
    /// <exception cref="StoreUnavailableException">The connection string or database name cannot be used (the message names <see cref="MongoStoreOptions.Setting"/>).</exception>
    public MongoUptimeStore(MongoStoreOptions options, UptimeThresholds? thresholds = null)
    {
        _db = new MongoConnection(options);
        _results = _db.Database.GetCollection<ProbeResultDocument>(UptimeQueries.Results);
        _hourly = _db.Database.GetCollection<HourlyDocument>(UptimeQueries.Hourly);
        _changes = _db.Database.GetCollection<StateChangeDocument>(UptimeQueries.Changes);
        _outages = _db.Database.GetCollection<OutageDocument>(UptimeQueries.Outages);
        _countryOutages = _db.Database.GetCollection<CountryOutageDocument>(UptimeQueries.CountryOutages);
        Thresholds = thresholds ?? UptimeThresholds.Default;
    }

    public UptimeThresholds Thresholds { get; }

    public async Task InitializeAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _db.RunAsync("could not create the uptime indexes", async () =>
        {
            await _results.Indexes.CreateManyAsync(UptimeQueries.ResultIndexes, ct).ConfigureAwait(false);
            await _hourly.Indexes.CreateManyAsync(UptimeQueries.HourlyIndexes, ct).ConfigureAwait(false);
            await _changes.Indexes.CreateManyAsync(UptimeQueries.ChangeIndexes, ct).ConfigureAwait(false);
            await _outages.Indexes.CreateManyAsync(UptimeQueries.OutageIndexes, ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    public async Task AddResultsAsync(IReadOnlyList<ProbeResult> results, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(results);
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var r in results)
        {
            ArgumentNullException.ThrowIfNull(r);
        }

        if (results.Count == 0)
        {
            return;
        }

        var inserts = results.Select(r => new InsertOneModel<ProbeResultDocument>(ProbeResultDocument.From(r))).ToList();
        var folds = results
            .Select(r => (Target: UptimeQueries.FoldTarget(r), Update: UptimeQueries.Fold(UptimeMath.Aggregate([r], Thresholds)[0], UptimeQueries.OffsetInHour(r))))
            .ToList();
        await _db.RunAsync("could not record probe results", async () =>
        {
            try
            {
                await _results.BulkWriteAsync(inserts, Unordered, ct).ConfigureAwait(false);
            }
            catch (MongoBulkWriteException<ProbeResultDocument> e) when (OnlyDuplicates(e))
            {
                // Stored before (a retried batch): folded again below, which counts nothing twice.
            }

            try
            {
                await _hourly.BulkWriteAsync(folds.Select(f => new UpdateOneModel<HourlyDocument>(f.Target, f.Update) { IsUpsert = true }), Unordered, ct).ConfigureAwait(false);
            }
            catch (MongoBulkWriteException<HourlyDocument> e) when (OnlyDuplicates(e))
            {
                // The upsert met an hour that exists: either the result is in it already, or another writer created the
                // hour between our look and our insert. As a plain update it is counted exactly when it is not in it yet.
                foreach (var error in e.WriteErrors)
                {
                    var (target, update) = folds[error.Index];
                    await _hourly.UpdateOneAsync(target, update, cancellationToken: ct).ConfigureAwait(false);
                }
            }
        }).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ProbeResult>> GetResultsAsync(string site, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(site);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return await _db.RunAsync("could not be read", async () =>
        {
            var rows = await _results.Find(UptimeQueries.ResultsOf(site, from, to)).Sort(UptimeQueries.ResultOrder).ToListAsync(ct).ConfigureAwait(false);
            return (IReadOnlyList<ProbeResult>)[.. rows.Select(r => r.ToResult())];
        }).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<HourlyAggregate>> GetHourlyAsync(string? site, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return await _db.RunAsync("could not be read", async () =>
        {
            var rows = await _hourly.Find(UptimeQueries.HoursOf(site, from, to)).Sort(UptimeQueries.HourOrder).ToListAsync(ct).ConfigureAwait(false);
            return (IReadOnlyList<HourlyAggregate>)[.. rows.Select(r => r.ToAggregate())];
        }).ConfigureAwait(false);
    }

    public async Task AddStateChangesAsync(IReadOnlyList<StateChange> changes, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var models = changes
            .Select(c => StateChangeDocument.FromChange(c ?? throw new ArgumentException("A state change is null.", nameof(changes))))
            .Select(d => new UpdateOneModel<StateChangeDocument>(UptimeQueries.ChangeKey(d), UptimeQueries.InsertChange(d)) { IsUpsert = true })
            .ToList();
        if (models.Count == 0)
        {
            return;
        }

        await _db.RunAsync("could not record state changes", () => _changes.BulkWriteAsync(models, Unordered, ct)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StateChange>> GetStateChangesAsync(string? site, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return await _db.RunAsync("could not be read", async () =>
        {
            var rows = await _changes.Find(UptimeQueries.ChangesOf(site, from, to)).Sort(UptimeQueries.ChangeOrder).ToListAsync(ct).ConfigureAwait(false);
            return (IReadOnlyList<StateChange>)[.. rows.Select(r => r.ToChange())];
        }).ConfigureAwait(false);
    }

    public async Task UpsertOutageAsync(Outage outage, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(outage);
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _db.RunAsync("could not record an outage", () =>
            _outages.UpdateOneAsync(UptimeQueries.OutageKey(outage.Site, outage.Start), UptimeQueries.UpsertOutage(outage), new UpdateOptions { IsUpsert = true }, ct)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<Outage>> GetOutagesAsync(string? site, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return await _db.RunAsync("could not be read", async () =>
        {
            var rows = await _outages.Find(UptimeQueries.OutagesOf(site, from, to)).Sort(UptimeQueries.OutageOrder).ToListAsync(ct).ConfigureAwait(false);
            return (IReadOnlyList<Outage>)[.. rows.Select(r => r.ToOutage())];
        }).ConfigureAwait(false);
    }

    public async Task UpsertCountryOutageAsync(CountryOutage outage, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(outage);
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _db.RunAsync("could not record a country-wide outage", () =>
            _countryOutages.UpdateOneAsync(UptimeQueries.CountryOutageKey(outage.Start), UptimeQueries.UpsertCountryOutage(outage), new UpdateOptions { IsUpsert = true }, ct)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<CountryOutage>> GetCountryOutagesAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return await _db.RunAsync("could not be read", async () =>
        {
            var rows = await _countryOutages.Find(UptimeQueries.CountryOutagesOf(from, to)).Sort(UptimeQueries.CountryOutageOrder).ToListAsync(ct).ConfigureAwait(false);
            return (IReadOnlyList<CountryOutage>)[.. rows.Select(r => r.ToOutage())];
        }).ConfigureAwait(false);
    }

    public async Task<int> PurgeResultsAsync(DateTimeOffset olderThan, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return await _db.RunAsync("could not purge old probe results", async () =>
        {
            var deleted = await _results.DeleteManyAsync(UptimeQueries.ResultsBefore(olderThan), ct).ConfigureAwait(false);
            await _hourly.UpdateManyAsync(UptimeQueries.FoldedHoursBefore(olderThan), UptimeQueries.ForgetFolded, cancellationToken: ct).ConfigureAwait(false);
            return checked((int)deleted.DeletedCount);
        }).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SiteUptimeStatus>> GetLatestAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return await _db.RunAsync("could not be read", async () =>
        {
            var changes = await BySiteAsync(_changes, UptimeQueries.LatestChanges, ct).ConfigureAwait(false);
            var latest = await BySiteAsync(_results, UptimeQueries.LatestResults, ct).ConfigureAwait(false);
            var first = await BySiteAsync(_results, UptimeQueries.FirstResults, ct).ConfigureAwait(false);
            var firstHours = await BySiteAsync(_hourly, UptimeQueries.FirstHours, ct).ConfigureAwait(false);
            var lastHours = await BySiteAsync(_hourly, UptimeQueries.LastHours, ct).ConfigureAwait(false);

            return (IReadOnlyList<SiteUptimeStatus>)latest.Keys.Union(changes.Keys)
                .Order(StringComparer.Ordinal)
                .Select(site =>
                {
                    var change = changes.GetValueOrDefault(site);
                    var last = latest.GetValueOrDefault(site) is { } l ? BsonSerializer.Deserialize<ProbeResultDocument>(l["last"].AsBsonDocument).ToResult() : null;
                    return new SiteUptimeStatus(
                        site,
                        change is null ? SiteState.Unknown : Enum.Parse<SiteState>(change["to"].AsString),
                        Time(change, "at"),
                        last,
                        UptimeEvidence.MonitoredSince(Time(first.GetValueOrDefault(site), "at"), Time(firstHours.GetValueOrDefault(site), "hour"), Time(change, "firstAt")),
                        UptimeEvidence.LastProbed(last?.At, Time(lastHours.GetValueOrDefault(site), "hour")));
                })
                .ToList();
        }).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            _db.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private static bool OnlyDuplicates<T>(MongoBulkWriteException<T> e) =>
        e.WriteConcernError is null && e.WriteErrors.Count > 0 && e.WriteErrors.All(w => w.Category == ServerErrorCategory.DuplicateKey);

    private static async Task<Dictionary<string, BsonDocument>> BySiteAsync<T>(IMongoCollection<T> collection, PipelineDefinition<T, BsonDocument> pipeline, CancellationToken ct)
    {
        var rows = await (await collection.AggregateAsync(pipeline, cancellationToken: ct).ConfigureAwait(false)).ToListAsync(ct).ConfigureAwait(false);
        return rows.ToDictionary(r => r["_id"].AsString, StringComparer.Ordinal);
    }

    private static DateTimeOffset? Time(BsonDocument? row, string field) =>
        row is not null && row.TryGetValue(field, out var value) && value.IsValidDateTime ? BsonTime.FromBson(value.ToUniversalTime()) : null;
}
