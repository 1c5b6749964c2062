using Crawler.Core.Search;
using MongoDB.Bson.Serialization.Attributes;

namespace Crawler.Storage.Mongo.Documents;

/// <summary>
/// One page version in the search collection (<c>searchPages</c>), its <c>_id</c> the version's key (digest and URL),
/// so indexing it again is an upsert that finds it and writes nothing. <see cref="Prefixes"/> holds the leading parts
/// of its Hangul words (<see cref="KoreanPrefixes"/>): MongoDB's text index matches whole words only, and these let
/// 조선 find 조선의.
/// </summary>
[BsonIgnoreExtraElements]
internal sealed class SearchPageDocument
{
    [BsonId]
    public string Key { get; set; } = "";

    [BsonElement("url")]
    public string Url { get; set; } = "";

    [BsonElement("digest")]
    public string Digest { get; set; } = "";

    [BsonElement("site")]
    public string Site { get; set; } = "";

    [BsonElement("lang")]
    public string Language { get; set; } = "";

    [BsonElement("capturedAt")]
    public DateTime CapturedAt { get; set; }

    [BsonElement("title")]
    public string Title { get; set; } = "";

    [BsonElement("text")]
    public string Text { get; set; } = "";

    [BsonElement("prefixes")]
    public List<string> Prefixes { get; set; } = [];

    public static SearchPageDocument From(SearchDocument d) => new()
    {
        Key = d.Key,
        Url = d.Url,
        Digest = d.PayloadDigest,
        Site = d.Site,
        Language = d.Language,
        CapturedAt = BsonTime.ToBson(d.CapturedAt),
        Title = d.Title,
        Text = d.Text,
        Prefixes = [.. KoreanPrefixes.Of(d.Title + "\n" + d.Text)],
    };

    public SearchDocument ToDocument() => new()
    {
        Url = Url,
        PayloadDigest = Digest,
        Site = Site,
        Language = Language,
        CapturedAt = BsonTime.FromBson(CapturedAt),
        Title = Title,
        Text = Text,
    };
}
