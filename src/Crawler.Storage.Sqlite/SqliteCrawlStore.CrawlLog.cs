using Microsoft.Data.Sqlite;

namespace Crawler.Storage.Sqlite;

/// <summary>The crawl log of <see cref="ICrawlStore"/>: what was declined or not archived, and why.</summary>
public sealed partial class SqliteCrawlStore
{
    public IAsyncEnumerable<CrawlLogEntry> GetCrawlLogAsync(CrawlLogQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return SqliteStreams.ReadAllAsync(
            OpenReaderAsync,
            SqliteSchema.CrawlLogSql(query.Host is not null, query.Epoch is not null, query.Reason is not null),
            ReadCrawlLog,
            e => Unavailable(e, "could not be read"),
            ct,
            p =>
            {
                BindFilter(p, query.Host, query.Epoch, query.Reason);
                p.AddWithValue("$limit", query.Limit is { } limit ? Math.Max(0, limit) : -1);
            });
    }

    public async Task<IReadOnlyList<CrawlLogCount>> GetCrawlLogCountsAsync(int? epoch, CancellationToken ct = default)
    {
        var counts = new List<CrawlLogCount>();
        var rows = SqliteStreams.ReadAllAsync(
            OpenReaderAsync,
            SqliteSchema.CrawlLogCountsSql(epoch is not null),
            r => new CrawlLogCount(r.GetString(0), r.GetInt32(1), r.GetString(2), r.GetInt64(3)),
            e => Unavailable(e, "could not be read"),
            ct,
            p => BindFilter(p, null, epoch, null));
        await foreach (var count in rows.ConfigureAwait(false))
        {
            counts.Add(count);
        }

        return counts;
    }

    public IAsyncEnumerable<CrawlLogEntry> ExportCrawlLogAsync(CancellationToken ct = default) =>
        ExportAsync($"SELECT {SqliteSchema.CrawlLogColumns} FROM crawl_log l ORDER BY l.epoch, l.url", ReadCrawlLog, ct);

    public async Task AddToCrawlLogAsync(IReadOnlyList<CrawlLogEntry> rows, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        BatchValidation.Declined(rows, nameof(rows));
        if (rows.Count > 0)
        {
            await InTransactionAsync("could not write the crawl log", commands =>
            {
                commands.UpsertCrawlLog(rows);
                return 0;
            }, ct).ConfigureAwait(false);
        }
    }

    private static CrawlLogEntry ReadCrawlLog(SqliteDataReader r) => new()
    {
        Url = r.GetString(0),
        Host = r.GetString(1),
        Epoch = r.GetInt32(2),
        Reason = r.GetString(3),
        Detail = Text(r, 4),
        Via = Text(r, 5),
        Depth = r.GetInt32(6),
        At = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(7)),
    };

    private static void BindFilter(SqliteParameterCollection p, string? host, int? epoch, string? reason)
    {
        if (host is not null)
        {
            p.AddWithValue("$host", host);
        }

        if (epoch is { } e)
        {
            p.AddWithValue("$epoch", e);
        }

        if (reason is not null)
        {
            p.AddWithValue("$reason", reason);
        }
    }
}
