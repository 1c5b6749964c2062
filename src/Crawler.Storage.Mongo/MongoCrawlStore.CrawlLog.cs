using System.Runtime.CompilerServices;
using Crawler.Storage.Mongo.Documents;
using MongoDB.Driver;

namespace Crawler.Storage.Mongo;

/// <summary>The crawl log of <see cref="ICrawlStore"/>: rows streamed in order, each batch's declined links checked against the frontier.</summary>
public sealed partial class MongoCrawlStore
{
    public async IAsyncEnumerable<CrawlLogEntry> GetCrawlLogAsync(CrawlLogQuery query, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        Ready();
        var left = query.Limit is { } limit ? Math.Max(0, limit) : long.MaxValue;
        if (left == 0)
        {
            yield break;
        }

        await foreach (var row in ShownAsync(CrawlLogQueries.Rows(query), ct).ConfigureAwait(false))
        {
            yield return row;
            if (--left == 0)
            {
                yield break;
            }
        }
    }

    public async Task<IReadOnlyList<CrawlLogCount>> GetCrawlLogCountsAsync(int? epoch, CancellationToken ct = default)
    {
        Ready();
        var counts = new Dictionary<(int Epoch, string Host, string Reason), long>();
        await foreach (var row in ShownAsync(CrawlLogQueries.Rows(new CrawlLogQuery(Epoch: epoch)), ct).ConfigureAwait(false))
        {
            var key = (row.Epoch, row.Host, row.Reason);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        return counts
            .OrderBy(c => c.Key.Epoch).ThenBy(c => c.Key.Host, StringComparer.Ordinal).ThenBy(c => c.Key.Reason, StringComparer.Ordinal)
            .Select(c => new CrawlLogCount(c.Key.Host, c.Key.Epoch, c.Key.Reason, c.Value))
            .ToList();
    }

    public IAsyncEnumerable<CrawlLogEntry> ExportCrawlLogAsync(CancellationToken ct = default)
    {
        Ready();
        return MongoStreams.FindAllAsync(_db, _crawlLog, CrawlLogQueries.ExportOrder, d => d.ToEntry(), ct);
    }

    public async Task AddToCrawlLogAsync(IReadOnlyList<CrawlLogEntry> rows, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        BatchValidation.Declined(rows, nameof(rows));
        Ready();
        if (rows.Count > 0)
        {
            await _db.RunAsync("could not write the crawl log", () => WriteCrawlLogAsync(rows, ct)).ConfigureAwait(false);
        }
    }

    /// <summary>The rows of <paramref name="filter"/> in order, without declined links whose URL the frontier holds in the epoch.</summary>
    private async IAsyncEnumerable<CrawlLogEntry> ShownAsync(FilterDefinition<CrawlLogDocument> filter, [EnumeratorCancellation] CancellationToken ct)
    {
        var batch = new List<CrawlLogEntry>(ExportQueries.BatchSize);
        await foreach (var row in MongoStreams.FindAllAsync(_db, _crawlLog, CrawlLogQueries.Order, d => d.ToEntry(), ct, filter).ConfigureAwait(false))
        {
            batch.Add(row);
            if (batch.Count == ExportQueries.BatchSize)
            {
                foreach (var kept in await WithoutKnownLinksAsync(batch, ct).ConfigureAwait(false))
                {
                    yield return kept;
                }

                batch.Clear();
            }
        }

        foreach (var kept in await WithoutKnownLinksAsync(batch, ct).ConfigureAwait(false))
        {
            yield return kept;
        }
    }

    private async Task<IEnumerable<CrawlLogEntry>> WithoutKnownLinksAsync(List<CrawlLogEntry> rows, CancellationToken ct)
    {
        var known = new HashSet<(int, string)>();
        var links = rows.Where(r => r.Via is not null).ToList();
        foreach (var epoch in links.Select(r => r.Epoch).Distinct())
        {
            var urls = links.Where(r => r.Epoch == epoch).Select(r => r.Url).ToList();
            var found = await _db.RunAsync("could not be read", () =>
                _frontier.Find(CrawlLogQueries.KnownOf(epoch, urls)).Project<FrontierDocument>(CrawlLogQueries.UrlOnly).ToListAsync(ct)).ConfigureAwait(false);
            known.UnionWith(found.Select(f => (epoch, f.Url)));
        }

        return rows.Where(r => r.Via is null || !known.Contains((r.Epoch, r.Url))).ToList();
    }
}
