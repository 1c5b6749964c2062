using Crawler.Core.Search;
using Crawler.Storage.Mongo.Documents;
using MongoDB.Driver;

namespace Crawler.Storage.Mongo;

/// <summary>
/// Full-text search in MongoDB (collection <c>searchPages</c>, see <see cref="SearchQueries"/>): a text index with
/// language "none", ranked by text score; snippets are written here (<see cref="Snippet"/>), MongoDB has none.
/// Every write is an upsert under the version's key, so replays and several indexers store each version once.
/// </summary>
public sealed class MongoSearchIndex : ISearchIndex
{
    private static readonly BulkWriteOptions Unordered = new() { IsOrdered = false };

    private readonly MongoConnection _db;
    private readonly IMongoCollection<SearchPageDocument> _pages;
    private volatile bool _disposed;

    /// <exception cref="StoreUnavailableException">The connection string or database name cannot be used.</exception>
    public MongoSearchIndex(MongoStoreOptions options)
    {
        _db = new MongoConnection(options);
        _pages = _db.Database.GetCollection<SearchPageDocument>(SearchQueries.Pages);
    }

    public async Task InitializeAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _db.RunAsync("could not create the search indexes", () => _pages.Indexes.CreateManyAsync(SearchQueries.Indexes, ct)).ConfigureAwait(false);
    }

    public async Task<IReadOnlySet<string>> GetIndexedAsync(IReadOnlyCollection<string> keys, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (keys.Count == 0)
        {
            return new HashSet<string>();
        }

        return await _db.RunAsync("could not be read", async () =>
        {
            var found = await _pages.Find(SearchQueries.Keys(keys)).Project(x => x.Key).ToListAsync(ct).ConfigureAwait(false);
            return (IReadOnlySet<string>)found.ToHashSet(StringComparer.Ordinal);
        }).ConfigureAwait(false);
    }

    public async Task<int> AddAsync(IReadOnlyList<SearchDocument> documents, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var models = documents.DistinctBy(d => d.Key).Select(d => SearchQueries.Insert(SearchPageDocument.From(d))).ToList();
        if (models.Count == 0)
        {
            return 0;
        }

        return await _db.RunAsync("could not index pages for search", async () =>
            (await _pages.BulkWriteAsync(models, Unordered, ct).ConfigureAwait(false)).Upserts.Count).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SearchHit>> SearchAsync(SearchRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return await _db.RunAsync("could not be searched", async () =>
        {
            var rows = await _pages.Find(SearchQueries.Matching(request)).Project<SearchPageDocument>(SearchQueries.WithoutPrefixes)
                .Sort(SearchQueries.Ranking).Skip(request.Offset).Limit(request.Limit).ToListAsync(ct).ConfigureAwait(false);
            return (IReadOnlyList<SearchHit>)[.. rows.Select(r => Hit(r, request.Expression))];
        }).ConfigureAwait(false);
    }

    public async Task<long> CountAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return await _db.RunAsync("could not be read", () => _pages.EstimatedDocumentCountAsync(cancellationToken: ct)).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            _db.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    internal static SearchHit Hit(SearchPageDocument row, SearchExpression expression) =>
        new(row.Url, row.Digest, row.Site, row.Language, BsonTime.FromBson(row.CapturedAt), row.Title, Snippet.Of(row.Text, expression));
}
