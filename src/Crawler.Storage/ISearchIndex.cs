using Crawler.Core.Search;

namespace Crawler.Storage;

/// <summary>
/// The text of one version of a page, as the search index keeps it: one entry per (URL, payload digest), captured
/// first at <see cref="CapturedAt"/>. The key makes indexing idempotent: a capture indexed again (a replayed batch, two
/// nodes catching up at once, the same version fetched again) changes nothing.
/// </summary>
public sealed record SearchDocument
{
    public required string Url { get; init; }

    /// <summary>"sha256:hex" of the payload (the version's identity, with the URL).</summary>
    public required string PayloadDigest { get; init; }

    /// <summary>The site (host) the URL belongs to.</summary>
    public required string Site { get; init; }

    /// <summary>The primary language subtag (<see cref="PageLanguage.Of"/>): "ko", "en", "und", ...</summary>
    public required string Language { get; init; }

    /// <summary>The capture that brought this version (the replay link's time).</summary>
    public required DateTimeOffset CapturedAt { get; init; }

    public string Title { get; init; } = string.Empty;

    /// <summary>The page's text blocks joined by newlines.</summary>
    public required string Text { get; init; }

    /// <summary>The index key of a version.</summary>
    public string Key => SearchKey(Url, PayloadDigest);

    public static string SearchKey(string url, string digest) => digest + " " + url;
}

/// <summary>A search: the parsed words, filters on site, language and capture time ([From, To)), and a page of results.</summary>
public sealed record SearchRequest(SearchExpression Expression)
{
    public string? Site { get; init; }

    public string? Language { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public int Limit { get; init; } = 20;

    public int Offset { get; init; }
}

/// <summary>One page version that matched, best first; <see cref="Snippet"/> is HTML (text escaped, matches in &lt;b&gt;).</summary>
public sealed record SearchHit(string Url, string PayloadDigest, string Site, string Language, DateTimeOffset CapturedAt, string Title, string Snippet);

/// <summary>
/// Full-text search over the archived pages' text (issue 10): SQLite's FTS5 in the crawl's file, a MongoDB text index
/// beside the crawl's collections. One contract for both, tested by the search contract suite in Crawler.Storage.Tests.
/// Kept apart from <see cref="ICrawlStore"/>: an index can be rebuilt from the store at any time (catch-up, see the
/// node's SearchIndexer), the store is the archive.
/// </summary>
public interface ISearchIndex : IAsyncDisposable
{
    /// <summary>Creates the tables / indexes when absent. Idempotent.</summary>
    Task InitializeAsync(CancellationToken ct = default);

    /// <summary>Of these keys (<see cref="SearchDocument.Key"/>), the ones already indexed.</summary>
    Task<IReadOnlySet<string>> GetIndexedAsync(IReadOnlyCollection<string> keys, CancellationToken ct = default);

    /// <summary>
    /// Adds the documents whose key is not indexed yet, in one transaction (MongoDB: one unordered bulk of upserts).
    /// A document already indexed is left as it is. Returns how many were added.
    /// </summary>
    Task<int> AddAsync(IReadOnlyList<SearchDocument> documents, CancellationToken ct = default);

    /// <summary>Matching versions, best first (bm25 / text score; ties in an order fixed by the store), filters applied before the page is cut.</summary>
    Task<IReadOnlyList<SearchHit>> SearchAsync(SearchRequest request, CancellationToken ct = default);

    /// <summary>How many versions are indexed.</summary>
    Task<long> CountAsync(CancellationToken ct = default);
}
