using Crawler.Core.Search;
using Crawler.Storage.Mongo;
using Crawler.Storage.Mongo.Documents;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using static Crawler.Storage.Tests.Mongo.Rendered;

namespace Crawler.Storage.Tests.Mongo;

/// <summary>Every index, filter, sort, update and document the MongoDB search index sends, rendered and compared. Runs without a server.</summary>
public sealed class MongoSearchQueryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private static SearchExpression Parse(string q) => SearchExpression.TryParse(q, out var e, out var error) ? e : throw new ArgumentException(error);

    private static SearchDocument Page() => new()
    {
        Url = "http://a.kp/1",
        PayloadDigest = "sha256:ab",
        Site = "a.kp",
        Language = "ko",
        CapturedAt = T0.AddTicks(1234),
        Title = "조선 소식",
        Text = "조선의 경제 trade",
    };

    [Fact]
    public void The_text_index_covers_title_text_and_hangul_prefixes_with_no_language_and_the_title_weighted_twice()
    {
        Assert.Equal(
            JsonArray("""
                [ { key: { title: "text", text: "text", prefixes: "text" }, name: "text" },
                  { key: { site: 1, capturedAt: -1 }, name: "site_capturedAt" } ]
                """),
            Indexes(SearchQueries.Indexes));
        var text = SearchQueries.Indexes[0].Options;
        Assert.Equal("none", text.DefaultLanguage);
        Assert.Equal(Json("{ title: 2, text: 1, prefixes: 1 }"), text.Weights.ToBsonDocument());
    }

    [Fact]
    public void A_version_is_stored_under_its_key_with_the_prefixes_of_its_korean_words_and_reads_back_equal()
    {
        var document = SearchPageDocument.From(Page());

        Assert.Equal(
            Json("""
                { _id: "sha256:ab http://a.kp/1", url: "http://a.kp/1", digest: "sha256:ab", site: "a.kp", lang: "ko",
                  capturedAt: ISODate("2026-12-01T09:00:00Z"), title: "조선 소식", text: "조선의 경제 trade",
                  prefixes: ["조", "소", "조선", "경"] }
                """),
            document.ToBsonDocument());
        Assert.Equal(Page() with { CapturedAt = T0 }, BsonSerializer.Deserialize<SearchPageDocument>(document.ToBsonDocument()).ToDocument());
    }

    [Fact]
    public void A_version_is_written_only_when_its_key_is_new()
    {
        var model = SearchQueries.Insert(SearchPageDocument.From(Page()));

        Assert.True(model.IsUpsert);
        Assert.Equal(Json("""{ _id: "sha256:ab http://a.kp/1" }"""), Filter(model.Filter));
        var update = Update(model.Update).AsBsonDocument;
        Assert.Equal(["$setOnInsert"], update.Names);
        Assert.Equal(["url", "digest", "site", "lang", "capturedAt", "title", "text", "prefixes"], update["$setOnInsert"].AsBsonDocument.Names);
    }

    [Fact]
    public void A_search_is_one_text_query_in_no_language_with_the_filters_beside_it()
    {
        var request = new SearchRequest(Parse("조선 \"power plant\" -railway")) { Site = "a.kp", Language = "ko", From = T0, To = T0.AddDays(1) };

        Assert.Equal(
            Json("""
                { $text: { $search: "\"조선\" \"power plant\" -railway", $language: "none" }, site: "a.kp", lang: "ko",
                  capturedAt: { $gte: ISODate("2026-12-01T09:00:00Z"), $lt: ISODate("2026-12-02T09:00:00Z") } }
                """),
            Filter(SearchQueries.Matching(request)));
        Assert.Equal(Json("""{ $text: { $search: "\"trade\"", $language: "none" } }"""), Filter(SearchQueries.Matching(new SearchRequest(Parse("trade")))));
    }

    [Fact]
    public void Hits_come_best_score_first_then_newest_then_by_url_without_the_prefixes()
    {
        Assert.Equal(Json("""{ score: { $meta: "textScore" }, capturedAt: -1, url: 1 }"""), Sort(SearchQueries.Ranking));
        Assert.Equal(Json("{ prefixes: 0 }"), Projection(SearchQueries.WithoutPrefixes));
    }

    [Fact]
    public void A_hit_read_from_mongodb_gets_its_snippet_written_here()
    {
        var hit = MongoSearchIndex.Hit(SearchPageDocument.From(Page()), Parse("조선"));

        Assert.Equal(("http://a.kp/1", "sha256:ab", T0), (hit.Url, hit.PayloadDigest, hit.CapturedAt));
        Assert.Equal("<b>조선의</b> 경제 trade", hit.Snippet);
    }
}
