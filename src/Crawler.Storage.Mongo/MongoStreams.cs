using System.Runtime.CompilerServices;
using MongoDB.Driver;

namespace Crawler.Storage.Mongo;

/// <summary>Streams a find's documents batch by batch (the stores' exports, the crawl log), mapping each; failures become <see cref="StoreUnavailableException"/>.</summary>
internal static class MongoStreams
{
    public static async IAsyncEnumerable<T> FindAllAsync<TDocument, T>(
        MongoConnection db,
        IMongoCollection<TDocument> collection,
        SortDefinition<TDocument> sort,
        Func<TDocument, T> map,
        [EnumeratorCancellation] CancellationToken ct = default,
        FilterDefinition<TDocument>? filter = null)
    {
        var find = collection.Find(filter ?? FilterDefinition<TDocument>.Empty, new FindOptions { BatchSize = ExportQueries.BatchSize, AllowDiskUse = true }).Sort(sort);
        var cursor = await db.RunAsync("could not be read", () => find.ToCursorAsync(ct)).ConfigureAwait(false);
        using (cursor)
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await cursor.MoveNextAsync(ct).ConfigureAwait(false);
                }
                catch (Exception e) when (db.Map(e, "could not be read") is StoreUnavailableException unavailable)
                {
                    throw unavailable;
                }

                if (!more)
                {
                    yield break;
                }

                foreach (var document in cursor.Current)
                {
                    yield return map(document);
                }
            }
        }
    }
}
