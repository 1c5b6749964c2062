using Crawler.Storage.Mongo.Documents;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Crawler.Storage.Mongo;

/// <summary>
/// Every index, filter, sort and update the MongoDB search index sends, as pure builders rendered by the tests. The text
/// index covers title (weight 2), text and the Hangul prefixes, with default language "none": no stemming and no stop
/// words, which MongoDB has for no Korean anyway, and English is searched word for word as in the SQLite index.
/// </summary>
internal static class SearchQueries
{
    public const string Pages = "searchPages";

    /// <summary>The language every text search names: as the index's default, no stemming.</summary>
    public const string Language = "none";

    private static FilterDefinitionBuilder<SearchPageDocument> F => Builders<SearchPageDocument>.Filter;

    public static IReadOnlyList<CreateIndexModel<SearchPageDocument>> Indexes { get; } =
    [
        new(
            new BsonDocumentIndexKeysDefinition<SearchPageDocument>(new BsonDocument { { "title", "text" }, { "text", "text" }, { "prefixes", "text" } }),
            new CreateIndexOptions { Name = "text", DefaultLanguage = Language, Weights = new BsonDocument { { "title", 2 }, { "text", 1 }, { "prefixes", 1 } } }),
        CrawlQueries.Index<SearchPageDocument>("site_capturedAt", new BsonDocument { { "site", 1 }, { "capturedAt", -1 } }),
    ];

    /// <summary>The version, written only when its key is new.</summary>
    public static UpdateOneModel<SearchPageDocument> Insert(SearchPageDocument d) =>
        new(F.Eq(x => x.Key, d.Key), Builders<SearchPageDocument>.Update.Combine(
            Builders<SearchPageDocument>.Update.SetOnInsert(x => x.Url, d.Url),
            Builders<SearchPageDocument>.Update.SetOnInsert(x => x.Digest, d.Digest),
            Builders<SearchPageDocument>.Update.SetOnInsert(x => x.Site, d.Site),
            Builders<SearchPageDocument>.Update.SetOnInsert(x => x.Language, d.Language),
            Builders<SearchPageDocument>.Update.SetOnInsert(x => x.CapturedAt, d.CapturedAt),
            Builders<SearchPageDocument>.Update.SetOnInsert(x => x.Title, d.Title),
            Builders<SearchPageDocument>.Update.SetOnInsert(x => x.Text, d.Text),
            Builders<SearchPageDocument>.Update.SetOnInsert(x => x.Prefixes, d.Prefixes)))
        { IsUpsert = true };

    public static FilterDefinition<SearchPageDocument> Keys(IEnumerable<string> keys) => F.In(x => x.Key, keys);

    /// <summary>The text search and the request's filters.</summary>
    public static FilterDefinition<SearchPageDocument> Matching(SearchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var filter = F.Text(request.Expression.ToMongoText(), new TextSearchOptions { Language = Language });
        if (request.Site is { } site)
        {
            filter &= F.Eq(x => x.Site, site);
        }

        if (request.Language is { } lang)
        {
            filter &= F.Eq(x => x.Language, lang);
        }

        if (request.From is { } from)
        {
            filter &= F.Gte(x => x.CapturedAt, BsonTime.ToBson(from));
        }

        if (request.To is { } to)
        {
            filter &= F.Lt(x => x.CapturedAt, BsonTime.ToBson(to));
        }

        return filter;
    }

    /// <summary>Best text score first, then newest, then URL (as the SQLite index orders ties).</summary>
    public static SortDefinition<SearchPageDocument> Ranking { get; } =
        Builders<SearchPageDocument>.Sort.MetaTextScore("score").Descending(x => x.CapturedAt).Ascending(x => x.Url);

    /// <summary>The prefixes stay on the server: the snippet needs the text only.</summary>
    public static ProjectionDefinition<SearchPageDocument> WithoutPrefixes { get; } =
        Builders<SearchPageDocument>.Projection.Exclude(x => x.Prefixes);
}
