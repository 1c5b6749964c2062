using Crawler.Storage.Mongo.Documents;
using MongoDB.Driver;

namespace Crawler.Storage.Mongo;

/// <summary>
/// What the stores' exports (crawler migrate) send: every document of a collection, sorted by a unique index's keys where
/// one serves, so that the server walks that index instead of sorting (the frontier, in the order added, is sorted
/// with <c>allowDiskUse</c>: an in-memory sort of a whole collection fails past 100 MB). Rendered by the tests like the other query classes.
/// </summary>
internal static class ExportQueries
{
    /// <summary>Documents per batch of the export cursors: pages of a few MB for captures, fewer round trips for small rows.</summary>
    public const int BatchSize = 500;

    /// <summary>In the order added (no index has <c>seq</c> first: the server sorts on disk, see <see cref="MongoStreams"/>).</summary>
    public static SortDefinition<FrontierDocument> FrontierOrder { get; } =
        Builders<FrontierDocument>.Sort.Ascending(d => d.Seq).Ascending(d => d.Epoch).Ascending(d => d.Url);

    /// <summary>By <c>_id</c>, the URL.</summary>
    public static SortDefinition<ScheduleDocument> ScheduleOrder { get; } = Builders<ScheduleDocument>.Sort.Ascending(d => d.Url);

    /// <summary>By the <c>epoch_host</c> index.</summary>
    public static SortDefinition<JobDocument> JobOrder { get; } = Builders<JobDocument>.Sort.Ascending(d => d.Epoch).Ascending(d => d.Host);

    /// <summary>By <c>_id</c>, the key.</summary>
    public static SortDefinition<SettingDocument> SettingOrder { get; } = Builders<SettingDocument>.Sort.Ascending(d => d.Key);

    /// <summary>By the unique <c>name_at_server</c> index.</summary>
    public static SortDefinition<DnsObservationDocument> ObservationOrder { get; } =
        Builders<DnsObservationDocument>.Sort.Ascending(d => d.Name).Ascending(d => d.At).Ascending(d => d.Server);

    /// <summary>By the unique <c>site_at</c> index.</summary>
    public static SortDefinition<ProbeResultDocument> ResultOrder { get; } =
        Builders<ProbeResultDocument>.Sort.Ascending(d => d.Site).Ascending(d => d.At);

    /// <summary>By the unique <c>site_hour</c> index.</summary>
    public static SortDefinition<HourlyDocument> HourlyOrder { get; } =
        Builders<HourlyDocument>.Sort.Ascending(d => d.Site).Ascending(d => d.Hour);

    /// <summary>By the unique <c>site_confirmedAt</c> index.</summary>
    public static SortDefinition<StateChangeDocument> ChangeOrder { get; } =
        Builders<StateChangeDocument>.Sort.Ascending(d => d.Site).Ascending(d => d.ConfirmedAt);

    /// <summary>By the unique <c>site_start</c> index.</summary>
    public static SortDefinition<OutageDocument> OutageOrder { get; } =
        Builders<OutageDocument>.Sort.Ascending(d => d.Site).Ascending(d => d.Start);

    /// <summary>By <c>_id</c>, the start.</summary>
    public static SortDefinition<CountryOutageDocument> CountryOutageOrder { get; } = Builders<CountryOutageDocument>.Sort.Ascending(d => d.Start);

    /// <summary>The hour of (site, hour), by its unique index.</summary>
    public static FilterDefinition<HourlyDocument> HourKey(string site, DateTime hour)
    {
        var f = Builders<HourlyDocument>.Filter;
        return f.Eq(d => d.Site, site) & f.Eq(d => d.Hour, hour);
    }

    /// <summary>
    /// Replaces an hour's aggregate with an imported one (upsert), keeping its <c>folded</c> offsets: a raw result folded
    /// before stays folded, so adding it again counts it no second time.
    /// </summary>
    public static UpdateDefinition<HourlyDocument> ImportHour(HourlyDocument hour)
    {
        var u = Builders<HourlyDocument>.Update;
        var updates = new List<UpdateDefinition<HourlyDocument>>
        {
            u.Set(d => d.Probes, hour.Probes),
            u.Set(d => d.Successes, hour.Successes),
            u.Set(d => d.Degraded, hour.Degraded),
            u.Set(d => d.ResponseTimeSum, hour.ResponseTimeSum),
            hour.ResponseTimeMin is { } min ? u.Set(d => d.ResponseTimeMin, min) : u.Unset(d => d.ResponseTimeMin),
            hour.ResponseTimeMax is { } max ? u.Set(d => d.ResponseTimeMax, max) : u.Unset(d => d.ResponseTimeMax),
            hour.Histogram is { } histogram ? u.Set(d => d.Histogram, histogram) : u.Unset(d => d.Histogram),
        };
        return u.Combine(updates);
    }
}
