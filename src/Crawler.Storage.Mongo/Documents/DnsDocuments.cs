using Crawler.Core.Dns;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;

#pragma warning disable CA1819 // Embedded BSON arrays map to arrays; these classes only carry data to and from the driver.

namespace Crawler.Storage.Mongo.Documents;

/// <summary>
/// One DNS observation (<c>dnsObservations</c>): what <see cref="Server"/> answered about <see cref="Name"/>
/// at <see cref="At"/>. Identified by (name, at, server), a unique index, so a retried batch stores nothing twice.
/// <see cref="Addresses"/> repeats the A/AAAA values (distinct) so that "which names are on this address"
/// is one index lookup (a multikey index) instead of a scan of every record list.
/// </summary>
[BsonIgnoreExtraElements]
internal sealed class DnsObservationDocument
{
    [BsonId]
    public ObjectId Id { get; set; }

    [BsonElement("name")]
    public string Name { get; set; } = "";

    [BsonElement("at")]
    public DateTime At { get; set; }

    [BsonElement("server")]
    public string Server { get; set; } = "";

    [BsonElement("outcome")]
    public string Outcome { get; set; } = "";

    [BsonElement("records")]
    public DnsRecordDocument[] Records { get; set; } = [];

    [BsonElement("addresses"), BsonIgnoreIfNull]
    public string[]? Addresses { get; set; }

    public static DnsObservationDocument From(DnsObservation o)
    {
        var addresses = o.Addresses.Distinct(StringComparer.Ordinal).ToArray();
        return new()
        {
            Name = o.Name,
            At = BsonTime.ToBson(o.At),
            Server = o.Server,
            Outcome = o.Outcome,
            Records = [.. o.Records.Select(r => new DnsRecordDocument { Type = r.Type, Value = r.Value, Ttl = r.Ttl })],
            Addresses = addresses.Length == 0 ? null : addresses,
        };
    }

    public DnsObservation ToObservation() =>
        new(Name, BsonTime.FromBson(At), Server, Outcome, [.. Records.Select(r => new DnsRecordData(r.Type, r.Value, r.Ttl))]);
}

/// <summary>One resource record of an observation, embedded in it.</summary>
[BsonIgnoreExtraElements]
internal sealed class DnsRecordDocument
{
    [BsonElement("type")]
    public string Type { get; set; } = "";

    [BsonElement("value")]
    public string Value { get; set; } = "";

    [BsonElement("ttl")]
    public int Ttl { get; set; }
}

/// <summary>A name discovery found (<c>discoveredNames</c>); (name, how, source) is its natural key (a unique index).</summary>
[BsonIgnoreExtraElements]
internal sealed class DiscoveredNameDocument
{
    [BsonId]
    public ObjectId Id { get; set; }

    [BsonElement("name")]
    public string Name { get; set; } = "";

    [BsonElement("how")]
    public string How { get; set; } = "";

    [BsonElement("source")]
    public string Source { get; set; } = "";

    [BsonElement("server")]
    public string Server { get; set; } = "";

    [BsonElement("at")]
    public DateTime At { get; set; }

    public DiscoveredNameRecord ToRecord() => new(Name, How, Source, Server, BsonTime.FromBson(At));
}
