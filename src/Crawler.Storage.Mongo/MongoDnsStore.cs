using Crawler.Core.Dns;
using Crawler.Storage.Mongo.Documents;
using MongoDB.Driver;

namespace Crawler.Storage.Mongo;

/// <summary>
/// DNS history and discovered names in MongoDB, beside the crawl (collections <c>dnsObservations</c> and
/// <c>discoveredNames</c>, see <see cref="DnsQueries"/>). Every write is an upsert under a natural key, so a
/// retried batch or two nodes recording the same answer store it once.
/// </summary>
public sealed partial class MongoDnsStore : IDnsStore
{
    private static readonly BulkWriteOptions Unordered = new() { IsOrdered = false };

    private readonly MongoConnection _db;
    private readonly IMongoCollection<DnsObservationDocument> _observations;
    private readonly IMongoCollection<DiscoveredNameDocument> _discovered;
    private volatile bool _disposed;

    /// <exception cref="StoreUnavailableException">The connection string or database name cannot be used (the message names <see cref="MongoStoreOptions.Setting"/>).</exception>
    public MongoDnsStore(MongoStoreOptions options)
    {
        _db = new MongoConnection(options);
        _observations = _db.Database.GetCollection<DnsObservationDocument>(DnsQueries.Observations);
        _discovered = _db.Database.GetCollection<DiscoveredNameDocument>(DnsQueries.DiscoveredNames);
    }

    public async Task InitializeAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _db.RunAsync("could not create the DNS indexes", async () =>
        {
            await _observations.Indexes.CreateManyAsync(DnsQueries.ObservationIndexes, ct).ConfigureAwait(false);
            await _discovered.Indexes.CreateManyAsync(DnsQueries.DiscoveredNameIndexes, ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    public async Task AddObservationsAsync(IReadOnlyList<DnsObservation> observations, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(observations);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (observations.Count == 0)
        {
            return;
        }

        var models = observations
            .Select(o => DnsObservationDocument.From(o ?? throw new ArgumentException("An observation is null.", nameof(observations))))
            .Select(d => new UpdateOneModel<DnsObservationDocument>(DnsQueries.ObservationKey(d), DnsQueries.InsertObservation(d)) { IsUpsert = true })
            .ToList();
        await _db.RunAsync("could not record DNS observations", () => _observations.BulkWriteAsync(models, Unordered, ct)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<DnsObservation>> GetObservationsAsync(string name, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return await _db.RunAsync("could not be read", async () =>
        {
            var rows = await _observations.Find(DnsQueries.ObservationsOf(Normalize(name))).Sort(DnsQueries.History).ToListAsync(ct).ConfigureAwait(false);
            return (IReadOnlyList<DnsObservation>)[.. rows.Select(r => r.ToObservation())];
        }).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> GetNamesWithAddressAsync(string address, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return await _db.RunAsync("could not be read", async () =>
        {
            var candidates = await (await _observations.DistinctAsync(d => d.Name, DnsQueries.EverOnAddress(address), cancellationToken: ct).ConfigureAwait(false))
                .ToListAsync(ct).ConfigureAwait(false);
            if (candidates.Count == 0)
            {
                return (IReadOnlyList<string>)[];
            }

            var latest = await (await _observations.AggregateAsync(DnsQueries.LatestOnAddress(candidates, address), cancellationToken: ct).ConfigureAwait(false))
                .ToListAsync(ct).ConfigureAwait(false);
            return (IReadOnlyList<string>)[.. latest.Select(d => d["_id"].AsString)];
        }).ConfigureAwait(false);
    }

    public async Task<int> AddDiscoveredNamesAsync(IReadOnlyList<DiscoveredNameRecord> names, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(names);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var models = names
            .Select(n => n ?? throw new ArgumentException("A discovered name is null.", nameof(names)))
            .Select(n => n with { Name = Normalize(n.Name) })
            .DistinctBy(n => (n.Name, n.How, n.Source))
            .Select(n => new UpdateOneModel<DiscoveredNameDocument>(DnsQueries.DiscoveredKey(n.Name, n.How, n.Source), DnsQueries.InsertDiscovered(n.Server, n.At)) { IsUpsert = true })
            .ToList();
        if (models.Count == 0)
        {
            return 0;
        }

        return await _db.RunAsync("could not record discovered names", async () =>
            (await _discovered.BulkWriteAsync(models, Unordered, ct).ConfigureAwait(false)).Upserts.Count).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<DiscoveredNameRecord>> GetDiscoveredNamesAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return await _db.RunAsync("could not be read", async () =>
        {
            var rows = await _discovered.Find(FilterDefinition<DiscoveredNameDocument>.Empty).Sort(DnsQueries.DiscoveredOrder).ToListAsync(ct).ConfigureAwait(false);
            return (IReadOnlyList<DiscoveredNameRecord>)[.. rows.Select(r => r.ToRecord())];
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

    /// <summary>As the SQLite store: names are looked up and discovered lower-case, without the final dot.</summary>
    private static string Normalize(string name) => name.Trim().TrimEnd('.').ToLowerInvariant();
}
