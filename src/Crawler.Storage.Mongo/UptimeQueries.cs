using Crawler.Core.Uptime;
using Crawler.Storage.Mongo.Documents;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Crawler.Storage.Mongo;

/// <summary>
/// Every filter, sort, update, pipeline and index the uptime store sends, as pure builders rendered by the tests.
/// </summary>
/// <remarks>
/// Idempotency on replay, without transactions: raw results, state changes and outages live under natural keys
/// (unique indexes); each result is folded into its hour by one guarded atomic update (<see cref="FoldTarget"/>,
/// <see cref="Fold"/>), so folding the same result twice counts it once; an outage's end only ever moves to an
/// earlier instant once set (<c>$min</c>) and is never cleared by a late "still open" write.
/// </remarks>
internal static class UptimeQueries
{
    public const string Results = "uptimeResults";
    public const string Hourly = "uptimeHourly";
    public const string Changes = "uptimeChanges";
    public const string Outages = "uptimeOutages";
    public const string CountryOutages = "uptimeCountryOutages";

    /// <summary>A site's results by time (the natural key, unique) and every result by time (the purge).</summary>
    public static IReadOnlyList<CreateIndexModel<ProbeResultDocument>> ResultIndexes { get; } =
    [
        CrawlQueries.Index<ProbeResultDocument>("site_at", new BsonDocument { { "site", 1 }, { "at", 1 } }, unique: true),
        CrawlQueries.Index<ProbeResultDocument>("at", new BsonDocument("at", 1)),
    ];

    /// <summary>A site's hours (the natural key, unique) and every site's hours in a window.</summary>
    public static IReadOnlyList<CreateIndexModel<HourlyDocument>> HourlyIndexes { get; } =
    [
        CrawlQueries.Index<HourlyDocument>("site_hour", new BsonDocument { { "site", 1 }, { "hour", 1 } }, unique: true),
        CrawlQueries.Index<HourlyDocument>("hour", new BsonDocument("hour", 1)),
    ];

    public static IReadOnlyList<CreateIndexModel<StateChangeDocument>> ChangeIndexes { get; } =
    [
        CrawlQueries.Index<StateChangeDocument>("site_confirmedAt", new BsonDocument { { "site", 1 }, { "confirmedAt", 1 } }, unique: true),
        CrawlQueries.Index<StateChangeDocument>("site_at", new BsonDocument { { "site", 1 }, { "at", 1 } }),
        CrawlQueries.Index<StateChangeDocument>("at", new BsonDocument("at", 1)),
    ];

    public static IReadOnlyList<CreateIndexModel<OutageDocument>> OutageIndexes { get; } =
    [
        CrawlQueries.Index<OutageDocument>("site_start", new BsonDocument { { "site", 1 }, { "start", 1 } }, unique: true),
        CrawlQueries.Index<OutageDocument>("start", new BsonDocument("start", 1)),
    ];

    // ---- results ----

    public static FilterDefinition<ProbeResultDocument> ResultsOf(string site, DateTimeOffset from, DateTimeOffset to)
    {
        var f = Builders<ProbeResultDocument>.Filter;
        return f.Eq(d => d.Site, site) & f.Gte(d => d.At, BsonTime.ToBson(from)) & f.Lt(d => d.At, BsonTime.ToBson(to));
    }

    public static SortDefinition<ProbeResultDocument> ResultOrder { get; } = Builders<ProbeResultDocument>.Sort.Ascending(d => d.At);

    public static FilterDefinition<ProbeResultDocument> ResultsBefore(DateTimeOffset cutoff) =>
        Builders<ProbeResultDocument>.Filter.Lt(d => d.At, BsonTime.ToBson(cutoff));

    // ---- hourly aggregates ----

    /// <summary>The result's offset in its UTC hour, in milliseconds: its identity within the hour's document.</summary>
    public static int OffsetInHour(ProbeResult result) =>
        (int)(result.At.ToUnixTimeMilliseconds() - UptimeMath.HourOf(result.At).ToUnixTimeMilliseconds());

    /// <summary>The hour of the result, unless the result was folded into it already.</summary>
    public static FilterDefinition<HourlyDocument> FoldTarget(ProbeResult result)
    {
        var f = Builders<HourlyDocument>.Filter;
        return f.Eq(d => d.Site, result.Site) & f.Eq(d => d.Hour, BsonTime.ToBson(UptimeMath.HourOf(result.At))) & f.Ne("folded", OffsetInHour(result));
    }

    /// <summary>
    /// Adds one result's aggregate (<paramref name="single"/>, what <see cref="UptimeMath.Aggregate"/> makes of that result
    /// alone) to its hour: sums by <c>$inc</c>, extremes by <c>$min</c>/<c>$max</c>, as <see cref="UptimeMath.Merge(HourlyAggregate, HourlyAggregate)"/>
    /// does; and records the result as folded.
    /// </summary>
    public static UpdateDefinition<HourlyDocument> Fold(HourlyAggregate single, int offsetInHour)
    {
        var u = Builders<HourlyDocument>.Update;
        var updates = new List<UpdateDefinition<HourlyDocument>>
        {
            u.Inc(d => d.Probes, single.Probes),
            u.Inc(d => d.Successes, single.Successes),
            u.Inc(d => d.Degraded, single.Degraded),
            u.Inc(d => d.ResponseTimeSum, single.ResponseTimeSum.Ticks),
        };
        if (single.ResponseTimeMin is { } min)
        {
            updates.Add(u.Min(d => d.ResponseTimeMin, min.Ticks));
        }

        if (single.ResponseTimeMax is { } max)
        {
            updates.Add(u.Max(d => d.ResponseTimeMax, max.Ticks));
        }

        for (var bucket = 0; bucket < single.ResponseTimes.Counts.Count; bucket++)
        {
            if (single.ResponseTimes.Counts[bucket] is var count and not 0)
            {
                updates.Add(u.Inc("histogram." + HourlyDocument.BucketKey(bucket), count));
            }
        }

        updates.Add(u.Push("folded", offsetInHour));
        return u.Combine(updates);
    }

    public static FilterDefinition<HourlyDocument> HoursOf(string? site, DateTimeOffset from, DateTimeOffset to)
    {
        var f = Builders<HourlyDocument>.Filter;
        var window = f.Gte(d => d.Hour, BsonTime.ToBson(from)) & f.Lt(d => d.Hour, BsonTime.ToBson(to));
        return site is null ? window : f.Eq(d => d.Site, site) & window;
    }

    public static SortDefinition<HourlyDocument> HourOrder { get; } = Builders<HourlyDocument>.Sort.Ascending(d => d.Site).Ascending(d => d.Hour);

    /// <summary>Hours that ended by the purge's cutoff: their raw results are gone, nothing can be replayed into them.</summary>
    public static FilterDefinition<HourlyDocument> FoldedHoursBefore(DateTimeOffset cutoff)
    {
        var f = Builders<HourlyDocument>.Filter;
        return f.Lte(d => d.Hour, BsonTime.ToBson(cutoff.AddHours(-1))) & f.Exists("folded");
    }

    public static UpdateDefinition<HourlyDocument> ForgetFolded { get; } = Builders<HourlyDocument>.Update.Unset("folded");

    // ---- state changes ----

    public static FilterDefinition<StateChangeDocument> ChangeKey(StateChangeDocument change)
    {
        var f = Builders<StateChangeDocument>.Filter;
        return f.Eq(d => d.Site, change.Site) & f.Eq(d => d.ConfirmedAt, change.ConfirmedAt);
    }

    /// <summary>The change, written only when (site, confirmedAt) is new.</summary>
    public static UpdateDefinition<StateChangeDocument> InsertChange(StateChangeDocument change)
    {
        var u = Builders<StateChangeDocument>.Update;
        return u.SetOnInsert(d => d.From, change.From).SetOnInsert(d => d.To, change.To).SetOnInsert(d => d.At, change.At).SetOnInsert(d => d.Reason, change.Reason);
    }

    public static FilterDefinition<StateChangeDocument> ChangesOf(string? site, DateTimeOffset from, DateTimeOffset to)
    {
        var f = Builders<StateChangeDocument>.Filter;
        var window = f.Gte(d => d.At, BsonTime.ToBson(from)) & f.Lt(d => d.At, BsonTime.ToBson(to));
        return site is null ? window : f.Eq(d => d.Site, site) & window;
    }

    public static SortDefinition<StateChangeDocument> ChangeOrder { get; } =
        Builders<StateChangeDocument>.Sort.Ascending(d => d.At).Ascending(d => d.ConfirmedAt).Ascending(d => d.Site);

    // ---- outages ----

    public static FilterDefinition<OutageDocument> OutageKey(string site, DateTimeOffset start)
    {
        var f = Builders<OutageDocument>.Filter;
        return f.Eq(d => d.Site, site) & f.Eq(d => d.Start, BsonTime.ToBson(start));
    }

    /// <summary>Records the outage; an end, once set, is never cleared, and a second end keeps the earlier.</summary>
    public static UpdateDefinition<OutageDocument> UpsertOutage(Outage outage)
    {
        var u = Builders<OutageDocument>.Update;
        var update = u.Set(d => d.Reason, outage.Reason);
        return outage.End is { } end ? update.Min(d => d.End, BsonTime.ToBson(end)) : update;
    }

    /// <summary>Outages overlapping [from, to): started before <paramref name="to"/> and open or ended after <paramref name="from"/>.</summary>
    public static FilterDefinition<OutageDocument> OutagesOf(string? site, DateTimeOffset from, DateTimeOffset to)
    {
        var f = Builders<OutageDocument>.Filter;
        var overlap = f.Lt(d => d.Start, BsonTime.ToBson(to)) & (f.Eq(d => d.End, null) | f.Gt(d => d.End, BsonTime.ToBson(from)));
        return site is null ? overlap : f.Eq(d => d.Site, site) & overlap;
    }

    public static SortDefinition<OutageDocument> OutageOrder { get; } = Builders<OutageDocument>.Sort.Ascending(d => d.Start).Ascending(d => d.Site);

    public static FilterDefinition<CountryOutageDocument> CountryOutageKey(DateTimeOffset start) =>
        Builders<CountryOutageDocument>.Filter.Eq(d => d.Start, BsonTime.ToBson(start));

    /// <summary>Records the country-wide outage; its end follows the same rule as a site's.</summary>
    public static UpdateDefinition<CountryOutageDocument> UpsertCountryOutage(CountryOutage outage)
    {
        var u = Builders<CountryOutageDocument>.Update;
        var update = u.Set(d => d.ConfirmedAt, BsonTime.ToBson(outage.ConfirmedAt)).Set(d => d.FailedTargets, outage.FailedTargets).Set(d => d.Targets, outage.Targets);
        return outage.End is { } end ? update.Min(d => d.End, BsonTime.ToBson(end)) : update;
    }

    public static FilterDefinition<CountryOutageDocument> CountryOutagesOf(DateTimeOffset from, DateTimeOffset to)
    {
        var f = Builders<CountryOutageDocument>.Filter;
        return f.Lt(d => d.Start, BsonTime.ToBson(to)) & (f.Eq(d => d.End, null) | f.Gt(d => d.End, BsonTime.ToBson(from)));
    }

    public static SortDefinition<CountryOutageDocument> CountryOutageOrder { get; } = Builders<CountryOutageDocument>.Sort.Ascending(d => d.Start);

    // ---- every site's latest state (each a scan of an index's distinct sites) ----

    /// <summary>Per site: its latest change (by confirmation) and its first change's time.</summary>
    public static PipelineDefinition<StateChangeDocument, BsonDocument> LatestChanges { get; } = CrawlQueries.Pipeline<StateChangeDocument>(
        new BsonDocument("$sort", new BsonDocument { { "site", -1 }, { "confirmedAt", -1 } }),
        new BsonDocument("$group", new BsonDocument
        {
            { "_id", "$site" },
            { "to", new BsonDocument("$first", "$to") },
            { "at", new BsonDocument("$first", "$at") },
            { "firstAt", new BsonDocument("$min", "$at") },
        }));

    /// <summary>Per site: its latest raw result, whole.</summary>
    public static PipelineDefinition<ProbeResultDocument, BsonDocument> LatestResults { get; } = CrawlQueries.Pipeline<ProbeResultDocument>(
        new BsonDocument("$sort", new BsonDocument { { "site", -1 }, { "at", -1 } }),
        new BsonDocument("$group", new BsonDocument { { "_id", "$site" }, { "last", new BsonDocument("$first", "$$ROOT") } }));

    /// <summary>Per site: its first raw result's time.</summary>
    public static PipelineDefinition<ProbeResultDocument, BsonDocument> FirstResults { get; } = CrawlQueries.Pipeline<ProbeResultDocument>(
        new BsonDocument("$sort", new BsonDocument { { "site", 1 }, { "at", 1 } }),
        new BsonDocument("$group", new BsonDocument { { "_id", "$site" }, { "at", new BsonDocument("$first", "$at") } }));

    /// <summary>Per site: its first aggregated hour.</summary>
    public static PipelineDefinition<HourlyDocument, BsonDocument> FirstHours { get; } = CrawlQueries.Pipeline<HourlyDocument>(
        new BsonDocument("$sort", new BsonDocument { { "site", 1 }, { "hour", 1 } }),
        new BsonDocument("$group", new BsonDocument { { "_id", "$site" }, { "hour", new BsonDocument("$first", "$hour") } }));

    /// <summary>Per site: its last aggregated hour.</summary>
    public static PipelineDefinition<HourlyDocument, BsonDocument> LastHours { get; } = CrawlQueries.Pipeline<HourlyDocument>(
        new BsonDocument("$sort", new BsonDocument { { "site", -1 }, { "hour", -1 } }),
        new BsonDocument("$group", new BsonDocument { { "_id", "$site" }, { "hour", new BsonDocument("$first", "$hour") } }));
}
