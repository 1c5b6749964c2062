using Crawler.Storage.Mongo.Documents;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Crawler.Storage.Mongo;

/// <summary>
/// The crawl log's indexes, filters and updates (<see cref="ICrawlStore.GetCrawlLogAsync"/>), as pure builders the tests
/// render. A row is keyed by (epoch, url): a URL's own verdict (no via) is written with <c>$set</c> (it replaces), a declined link
/// with <c>$setOnInsert</c> (it fills only an empty place), so a replayed batch changes nothing.
/// </summary>
internal static class CrawlLogQueries
{
    public const string CrawlLog = "crawlLog";

    private static FilterDefinitionBuilder<CrawlLogDocument> Filter => Builders<CrawlLogDocument>.Filter;

    /// <summary>The natural key (unique), and an epoch's rows by site in URL order (the read order).</summary>
    public static IReadOnlyList<CreateIndexModel<CrawlLogDocument>> Indexes { get; } =
    [
        CrawlQueries.Index<CrawlLogDocument>("epoch_url", new BsonDocument { { "epoch", 1 }, { "url", 1 } }, unique: true),
        CrawlQueries.Index<CrawlLogDocument>("epoch_host_url", new BsonDocument { { "epoch", 1 }, { "host", 1 }, { "url", 1 } }),
    ];

    public static FilterDefinition<CrawlLogDocument> Key(int epoch, string url) => Filter.Eq(d => d.Epoch, epoch) & Filter.Eq(d => d.Url, url);

    /// <summary>A URL's own verdict (no via) replaces every field, those it lacks removed; a declined link only fills an empty place.</summary>
    public static UpdateDefinition<CrawlLogDocument> Write(CrawlLogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var fields = CrawlLogDocument.From(entry).ToBsonDocument();
        fields.Remove("_id");
        if (entry.Via is not null)
        {
            return new BsonDocumentUpdateDefinition<CrawlLogDocument>(new BsonDocument("$setOnInsert", fields));
        }

        var update = new BsonDocument("$set", fields);
        var absent = new BsonDocument(new[] { "detail", "via" }.Where(f => !fields.Contains(f)).Select(f => new BsonElement(f, "")));
        if (absent.ElementCount > 0)
        {
            update.Add("$unset", absent);
        }

        return new BsonDocumentUpdateDefinition<CrawlLogDocument>(update);
    }

    public static FilterDefinition<CrawlLogDocument> Rows(CrawlLogQuery query)
    {
        var filter = Filter.Empty;
        if (query.Epoch is { } epoch)
        {
            filter &= Filter.Eq(d => d.Epoch, epoch);
        }

        if (query.Host is not null)
        {
            filter &= Filter.Eq(d => d.Host, query.Host);
        }

        if (query.Reason is not null)
        {
            filter &= Filter.Eq(d => d.Reason, query.Reason);
        }

        return filter;
    }

    /// <summary>The export's order: by the natural key (the unique index).</summary>
    public static SortDefinition<CrawlLogDocument> ExportOrder { get; } = Builders<CrawlLogDocument>.Sort.Ascending(d => d.Epoch).Ascending(d => d.Url);

    public static SortDefinition<CrawlLogDocument> Order { get; } =
        Builders<CrawlLogDocument>.Sort.Ascending(d => d.Epoch).Ascending(d => d.Host).Ascending(d => d.Url);

    /// <summary>Which of <paramref name="urls"/> the frontier holds in the epoch (by the frontier's unique key).</summary>
    public static FilterDefinition<FrontierDocument> KnownOf(int epoch, IEnumerable<string> urls)
    {
        var f = Builders<FrontierDocument>.Filter;
        return f.Eq(d => d.Epoch, epoch) & f.In(d => d.Url, urls);
    }

    public static ProjectionDefinition<FrontierDocument> UrlOnly { get; } = Builders<FrontierDocument>.Projection.Include(d => d.Url).Exclude(d => d.Id);
}
