using System.Globalization;
using Crawler.Core.Uptime;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Bson.Serialization.Options;

#pragma warning disable CA1819 // Embedded BSON arrays map to arrays; these classes only carry data to and from the driver.
#pragma warning disable CA2227 // The driver sets the histogram dictionary when it deserializes.

namespace Crawler.Storage.Mongo.Documents;

/// <summary>
/// One raw probe result (<c>uptimeResults</c>), identified by (site, at): a unique index, so a retried batch
/// stores nothing twice. Durations are 100 ns ticks (exact, as the interface promises); enums are stored by
/// name so that reordering them cannot corrupt history.
/// </summary>
[BsonIgnoreExtraElements]
internal sealed class ProbeResultDocument
{
    [BsonId]
    public ObjectId Id { get; set; }

    [BsonElement("site")]
    public string Site { get; set; } = "";

    [BsonElement("at")]
    public DateTime At { get; set; }

    [BsonElement("failure"), BsonRepresentation(BsonType.String)]
    public ProbeFailure Failure { get; set; }

    [BsonElement("resolve"), BsonIgnoreIfNull]
    public long? Resolve { get; set; }

    [BsonElement("connect"), BsonIgnoreIfNull]
    public long? Connect { get; set; }

    [BsonElement("tls"), BsonIgnoreIfNull]
    public long? Tls { get; set; }

    [BsonElement("firstByte"), BsonIgnoreIfNull]
    public long? FirstByte { get; set; }

    [BsonElement("total"), BsonIgnoreIfNull]
    public long? Total { get; set; }

    [BsonElement("httpStatus"), BsonIgnoreIfNull]
    public int? HttpStatus { get; set; }

    [BsonElement("certExpiry"), BsonIgnoreIfNull]
    public DateTime? CertExpiry { get; set; }

    [BsonElement("detail"), BsonIgnoreIfNull]
    public string? Detail { get; set; }

    public static ProbeResultDocument From(ProbeResult r) => new()
    {
        Site = r.Site,
        At = BsonTime.ToBson(r.At),
        Failure = r.Failure,
        Resolve = r.Resolve?.Ticks,
        Connect = r.Connect?.Ticks,
        Tls = r.Tls?.Ticks,
        FirstByte = r.FirstByte?.Ticks,
        Total = r.Total?.Ticks,
        HttpStatus = r.HttpStatus,
        CertExpiry = BsonTime.ToBson(r.TlsCertificateExpiry),
        Detail = r.Detail,
    };

    public ProbeResult ToResult() => new(Site, BsonTime.FromBson(At), Failure)
    {
        Resolve = Span(Resolve),
        Connect = Span(Connect),
        Tls = Span(Tls),
        FirstByte = Span(FirstByte),
        Total = Span(Total),
        HttpStatus = HttpStatus,
        TlsCertificateExpiry = BsonTime.FromBson(CertExpiry),
        Detail = Detail,
    };

    internal static TimeSpan? Span(long? ticks) => ticks is { } t ? TimeSpan.FromTicks(t) : null;
}

/// <summary>
/// One site's probes in one UTC hour (<c>uptimeHourly</c>), identified by (site, hour): a unique index. Each
/// result is folded in by its own atomic update (<c>$inc</c> the counters and the histogram bucket, <c>$min</c>/
/// <c>$max</c> the extremes) guarded by <see cref="Folded"/>, the results' offsets in the hour already counted,
/// so a replayed result is never counted twice and two writers never lose each other's counts. The histogram
/// is sparse: bucket index → count, only non-empty buckets. <see cref="Folded"/> is dropped once the hour's raw
/// results are purged (nothing can be replayed into it any more).
/// </summary>
[BsonIgnoreExtraElements]
internal sealed class HourlyDocument
{
    [BsonId]
    public ObjectId Id { get; set; }

    [BsonElement("site")]
    public string Site { get; set; } = "";

    [BsonElement("hour")]
    public DateTime Hour { get; set; }

    [BsonElement("probes")]
    public int Probes { get; set; }

    [BsonElement("successes")]
    public int Successes { get; set; }

    [BsonElement("degraded")]
    public int Degraded { get; set; }

    [BsonElement("rtSum")]
    public long ResponseTimeSum { get; set; }

    [BsonElement("rtMin"), BsonIgnoreIfNull]
    public long? ResponseTimeMin { get; set; }

    [BsonElement("rtMax"), BsonIgnoreIfNull]
    public long? ResponseTimeMax { get; set; }

    [BsonElement("histogram"), BsonIgnoreIfNull, BsonDictionaryOptions(DictionaryRepresentation.Document)]
    public Dictionary<string, long>? Histogram { get; set; }

    [BsonElement("folded"), BsonIgnoreIfNull]
    public int[]? Folded { get; set; }

    public static string BucketKey(int bucket) => bucket.ToString(CultureInfo.InvariantCulture);

    /// <summary>The stored form of an aggregate (without <see cref="Folded"/>, which only updates write).</summary>
    public static HourlyDocument From(HourlyAggregate a)
    {
        var histogram = new Dictionary<string, long>();
        for (var i = 0; i < a.ResponseTimes.Counts.Count; i++)
        {
            if (a.ResponseTimes.Counts[i] != 0)
            {
                histogram[BucketKey(i)] = a.ResponseTimes.Counts[i];
            }
        }

        return new()
        {
            Site = a.Site,
            Hour = BsonTime.ToBson(a.HourStart),
            Probes = a.Probes,
            Successes = a.Successes,
            Degraded = a.Degraded,
            ResponseTimeSum = a.ResponseTimeSum.Ticks,
            ResponseTimeMin = a.ResponseTimeMin?.Ticks,
            ResponseTimeMax = a.ResponseTimeMax?.Ticks,
            Histogram = histogram.Count == 0 ? null : histogram,
        };
    }

    public HourlyAggregate ToAggregate()
    {
        var counts = new long[ResponseHistogram.BucketCount];
        foreach (var (bucket, count) in Histogram ?? [])
        {
            counts[int.Parse(bucket, NumberStyles.None, CultureInfo.InvariantCulture)] = count;
        }

        return new HourlyAggregate(
            Site,
            BsonTime.FromBson(Hour),
            Probes,
            Successes,
            Degraded,
            TimeSpan.FromTicks(ResponseTimeSum),
            ProbeResultDocument.Span(ResponseTimeMin),
            ProbeResultDocument.Span(ResponseTimeMax),
            ResponseHistogram.FromCounts(counts));
    }
}

/// <summary>A site's state change (<c>uptimeChanges</c>), identified by (site, confirmedAt): a unique index.</summary>
[BsonIgnoreExtraElements]
internal sealed class StateChangeDocument
{
    [BsonId]
    public ObjectId Id { get; set; }

    [BsonElement("site")]
    public string Site { get; set; } = "";

    [BsonElement("from"), BsonRepresentation(BsonType.String)]
    public SiteState From { get; set; }

    [BsonElement("to"), BsonRepresentation(BsonType.String)]
    public SiteState To { get; set; }

    [BsonElement("at")]
    public DateTime At { get; set; }

    [BsonElement("confirmedAt")]
    public DateTime ConfirmedAt { get; set; }

    [BsonElement("reason"), BsonRepresentation(BsonType.String)]
    public ProbeFailure Reason { get; set; }

    public static StateChangeDocument FromChange(StateChange c) => new()
    {
        Site = c.Site,
        From = c.From,
        To = c.To,
        At = BsonTime.ToBson(c.At),
        ConfirmedAt = BsonTime.ToBson(c.ConfirmedAt),
        Reason = c.Reason,
    };

    public StateChange ToChange() => new(Site, From, To, BsonTime.FromBson(At), BsonTime.FromBson(ConfirmedAt), Reason);
}

/// <summary>A site's outage (<c>uptimeOutages</c>), identified by (site, start): a unique index. <see cref="End"/> is absent while it lasts.</summary>
[BsonIgnoreExtraElements]
internal sealed class OutageDocument
{
    [BsonId]
    public ObjectId Id { get; set; }

    [BsonElement("site")]
    public string Site { get; set; } = "";

    [BsonElement("start")]
    public DateTime Start { get; set; }

    [BsonElement("end"), BsonIgnoreIfNull]
    public DateTime? End { get; set; }

    [BsonElement("reason"), BsonRepresentation(BsonType.String)]
    public ProbeFailure Reason { get; set; }

    public Outage ToOutage() => new(Site, BsonTime.FromBson(Start), BsonTime.FromBson(End), Reason);
}

/// <summary>A country-wide outage (<c>uptimeCountryOutages</c>), keyed by its start (<c>_id</c>).</summary>
[BsonIgnoreExtraElements]
internal sealed class CountryOutageDocument
{
    [BsonId]
    public DateTime Start { get; set; }

    [BsonElement("end"), BsonIgnoreIfNull]
    public DateTime? End { get; set; }

    [BsonElement("confirmedAt")]
    public DateTime ConfirmedAt { get; set; }

    [BsonElement("failedTargets")]
    public int FailedTargets { get; set; }

    [BsonElement("targets")]
    public int Targets { get; set; }

    public CountryOutage ToOutage() => new(BsonTime.FromBson(Start), BsonTime.FromBson(End), BsonTime.FromBson(ConfirmedAt), FailedTargets, Targets);
}
