using Crawler.Core.Uptime;
using Crawler.Storage.Mongo.Documents;
using MongoDB.Driver;

namespace Crawler.Storage.Mongo;

/// <summary>The exports and the aggregate import of <see cref="IUptimeStore"/> (crawler migrate).</summary>
public sealed partial class MongoUptimeStore
{
    public IAsyncEnumerable<ProbeResult> ExportResultsAsync(CancellationToken ct = default) =>
        Export(_results, ExportQueries.ResultOrder, d => d.ToResult(), ct);

    public IAsyncEnumerable<HourlyAggregate> ExportHourlyAsync(CancellationToken ct = default) =>
        Export(_hourly, ExportQueries.HourlyOrder, d => d.ToAggregate(), ct);

    public IAsyncEnumerable<StateChange> ExportStateChangesAsync(CancellationToken ct = default) =>
        Export(_changes, ExportQueries.ChangeOrder, d => d.ToChange(), ct);

    public IAsyncEnumerable<Outage> ExportOutagesAsync(CancellationToken ct = default) =>
        Export(_outages, ExportQueries.OutageOrder, d => d.ToOutage(), ct);

    public IAsyncEnumerable<CountryOutage> ExportCountryOutagesAsync(CancellationToken ct = default) =>
        Export(_countryOutages, ExportQueries.CountryOutageOrder, d => d.ToOutage(), ct);

    public async Task ImportHourlyAsync(IReadOnlyList<HourlyAggregate> aggregates, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(aggregates);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (aggregates.Count == 0)
        {
            return;
        }

        var models = aggregates
            .Select(a => HourlyDocument.From(a ?? throw new ArgumentNullException(nameof(aggregates), "An aggregate is null.")))
            .Select(d => new UpdateOneModel<HourlyDocument>(ExportQueries.HourKey(d.Site, d.Hour), ExportQueries.ImportHour(d)) { IsUpsert = true })
            .ToList();
        await _db.RunAsync("could not import hourly aggregates", () => _hourly.BulkWriteAsync(models, Unordered, ct)).ConfigureAwait(false);
    }

    private IAsyncEnumerable<T> Export<TDocument, T>(IMongoCollection<TDocument> collection, SortDefinition<TDocument> sort, Func<TDocument, T> map, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return MongoStreams.FindAllAsync(_db, collection, sort, map, ct);
    }
}
