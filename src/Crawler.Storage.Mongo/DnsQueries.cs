using Crawler.Storage.Mongo.Documents;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Crawler.Storage.Mongo;

/// <summary>
/// Every filter, sort, update, pipeline and index the DNS store sends, as pure builders rendered by the tests.
/// Observations are identified by (name, at, server) and discovered names by (name, how, source): both are
/// written with <c>$setOnInsert</c> under those keys, so a retried batch adds nothing.
/// </summary>
internal static class DnsQueries
{
    public const string Observations = "dnsObservations";
    public const string DiscoveredNames = "discoveredNames";

    private static FilterDefinitionBuilder<DnsObservationDocument> ObservationFilter => Builders<DnsObservationDocument>.Filter;

    /// <summary>A name's history (the natural key, unique) and the names seen on an address (multikey).</summary>
    public static IReadOnlyList<CreateIndexModel<DnsObservationDocument>> ObservationIndexes { get; } =
    [
        CrawlQueries.Index<DnsObservationDocument>("name_at_server", new BsonDocument { { "name", 1 }, { "at", 1 }, { "server", 1 } }, unique: true),
        CrawlQueries.Index<DnsObservationDocument>("addresses", new BsonDocument("addresses", 1)),
    ];

    public static IReadOnlyList<CreateIndexModel<DiscoveredNameDocument>> DiscoveredNameIndexes { get; } =
    [
        CrawlQueries.Index<DiscoveredNameDocument>("name_how_source", new BsonDocument { { "name", 1 }, { "how", 1 }, { "source", 1 } }, unique: true),
    ];

    public static FilterDefinition<DnsObservationDocument> ObservationKey(DnsObservationDocument o) =>
        ObservationFilter.Eq(d => d.Name, o.Name) & ObservationFilter.Eq(d => d.At, o.At) & ObservationFilter.Eq(d => d.Server, o.Server);

    /// <summary>The observation, written only when (name, at, server) is new.</summary>
    public static UpdateDefinition<DnsObservationDocument> InsertObservation(DnsObservationDocument o)
    {
        var u = Builders<DnsObservationDocument>.Update;
        var updates = new List<UpdateDefinition<DnsObservationDocument>>
        {
            u.SetOnInsert(d => d.Outcome, o.Outcome),
            u.SetOnInsert(d => d.Records, o.Records),
        };
        if (o.Addresses is { } addresses)
        {
            updates.Add(u.SetOnInsert(d => d.Addresses, addresses));
        }

        return u.Combine(updates);
    }

    public static FilterDefinition<DnsObservationDocument> ObservationsOf(string name) => ObservationFilter.Eq(d => d.Name, name);

    /// <summary>Oldest first; observations of one instant in the order they were stored.</summary>
    public static SortDefinition<DnsObservationDocument> History { get; } =
        Builders<DnsObservationDocument>.Sort.Ascending(d => d.At).Ascending(d => d.Id);

    /// <summary>Every name that ever had the address (the candidates; their latest answer decides).</summary>
    public static FilterDefinition<DnsObservationDocument> EverOnAddress(string address) => ObservationFilter.AnyEq(d => d.Addresses, address);

    /// <summary>Of the candidate names, those whose latest observation (by time, then storage order) holds the address, by name.</summary>
    public static PipelineDefinition<DnsObservationDocument, BsonDocument> LatestOnAddress(IEnumerable<string> names, string address) =>
        CrawlQueries.Pipeline<DnsObservationDocument>(
            new BsonDocument("$match", new BsonDocument("name", new BsonDocument("$in", new BsonArray(names)))),
            new BsonDocument("$sort", new BsonDocument { { "name", 1 }, { "at", -1 }, { "_id", -1 } }),
            new BsonDocument("$group", new BsonDocument { { "_id", "$name" }, { "addresses", new BsonDocument("$first", "$addresses") } }),
            new BsonDocument("$match", new BsonDocument("addresses", address)),
            new BsonDocument("$sort", new BsonDocument("_id", 1)));

    public static FilterDefinition<DiscoveredNameDocument> DiscoveredKey(string name, string how, string source)
    {
        var f = Builders<DiscoveredNameDocument>.Filter;
        return f.Eq(d => d.Name, name) & f.Eq(d => d.How, how) & f.Eq(d => d.Source, source);
    }

    /// <summary>The first finding of (name, how, source) is kept, with its server and time.</summary>
    public static UpdateDefinition<DiscoveredNameDocument> InsertDiscovered(string server, DateTimeOffset at)
    {
        var u = Builders<DiscoveredNameDocument>.Update;
        return u.SetOnInsert(d => d.Server, server).SetOnInsert(d => d.At, BsonTime.ToBson(at));
    }

    public static SortDefinition<DiscoveredNameDocument> DiscoveredOrder { get; } =
        Builders<DiscoveredNameDocument>.Sort.Ascending(d => d.Name).Ascending(d => d.How).Ascending(d => d.Source);
}
