using Microsoft.Data.Sqlite;

namespace Crawler.Storage.Sqlite;

/// <summary>The exports of <see cref="ICrawlStore"/> (crawler migrate): whole tables, streamed by <see cref="SqliteStreams"/>.</summary>
public sealed partial class SqliteCrawlStore
{
    public IAsyncEnumerable<FrontierRecord> ExportFrontierAsync(CancellationToken ct = default) =>
        ExportAsync(
            $"SELECT {SqliteSchema.FrontierColumns}, reason, outcome FROM frontier ORDER BY added_seq, epoch, url",
            r => new FrontierRecord(
                new FrontierEntry
                {
                    Url = r.GetString(0),
                    Host = r.GetString(1),
                    Epoch = r.GetInt32(2),
                    Depth = r.GetInt32(3),
                    Via = Text(r, 4),
                    Kind = r.GetString(5),
                    State = (FrontierState)r.GetInt32(6),
                    Attempts = r.GetInt32(7),
                    RetryAt = r.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(8)),
                },
                Text(r, 9),
                r.IsDBNull(10) ? null : (RecrawlOutcome)r.GetInt32(10)),
            ct);

    public IAsyncEnumerable<UrlSchedule> ExportSchedulesAsync(CancellationToken ct = default) =>
        ExportAsync(
            $"SELECT {SqliteSchema.ScheduleColumns} FROM recrawl_schedules ORDER BY url",
            r => new UrlSchedule
            {
                Url = r.GetString(0),
                Host = r.GetString(1),
                PageClass = (Core.Policies.PageClass)r.GetInt32(2),
                Interval = TimeSpan.FromTicks(r.GetInt64(3)),
                LastFetchedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)),
                LastChangedAt = r.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)),
                DueAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6)),
                PayloadDigest = Digest(r, 7),
                Fetches = r.GetInt32(8),
                Changes = r.GetInt32(9),
                Epoch = r.GetInt32(10),
            },
            ct);

    public IAsyncEnumerable<JobMark> ExportJobMarksAsync(CancellationToken ct = default) =>
        ExportAsync(
            "SELECT host, epoch, started_at, finished_at FROM crawl_jobs ORDER BY epoch, host",
            r => new JobMark(
                r.GetString(0),
                r.GetInt32(1),
                r.IsDBNull(2) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)),
                r.IsDBNull(3) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3))),
            ct);

    public IAsyncEnumerable<KeyValuePair<string, string>> ExportSettingsAsync(CancellationToken ct = default) =>
        ExportAsync("SELECT key, value FROM settings ORDER BY key", r => KeyValuePair.Create(r.GetString(0), r.GetString(1)), ct);

    private IAsyncEnumerable<T> ExportAsync<T>(string sql, Func<SqliteDataReader, T> read, CancellationToken ct) =>
        SqliteStreams.ReadAllAsync(OpenReaderAsync, sql, read, e => Unavailable(e, "could not be read"), ct);
}
