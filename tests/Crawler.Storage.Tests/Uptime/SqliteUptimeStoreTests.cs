using Crawler.Core.Uptime;
using Crawler.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Crawler.Storage.Tests.Uptime;

/// <summary>
/// What only the SQLite uptime store promises: its physical layout. Expected size of the hourly table:
/// rows = sites × hours, so 300 sites for a year are 300 × 8,760 ≈ 2.6 M rows (one per site-hour,
/// however many probes or batches fed it); the histogram is stored sparse, a few bytes per non-empty bucket.
/// Measured: ≈ 98 bytes per row with its indexes, ≈ 260 MB a year for 300 sites. A year of rows is too
/// slow to write in a unit test, so this checks the one-row-per-site-hour rule that the estimate rests on.
/// </summary>
public sealed class SqliteUptimeStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "uptime-sqlite-" + Guid.NewGuid().ToString("N"));

    private string DatabasePath => Path.Combine(_folder, "crawler.db");

    [Fact]
    public async Task Each_site_hour_is_one_row_of_the_hourly_table()
    {
        await using var store = new SqliteUptimeStore(new SqliteStoreOptions { Path = DatabasePath });
        await store.InitializeAsync();
        var sites = new[] { "a.kp", "b.kp", "c.kp", "d.kp", "e.kp" };
        var results = sites
            .SelectMany(site => Enumerable.Range(0, 6 * 60).Select(minute => ProbeResult.Up(site, T0.AddMinutes(minute), TimeSpan.FromMilliseconds(50 + (minute % 40)))))
            .OrderBy(r => r.At)
            .ToList();

        foreach (var batch in results.Chunk(100))
        {
            await store.AddResultsAsync(batch);
        }

        Assert.Equal(1800L, await Count("uptime_results"));
        Assert.Equal(5L * 6, await Count("uptime_hourly"));
    }

    [Fact]
    public async Task The_uptime_tables_share_the_crawl_database_file()
    {
        await using var crawl = new SqliteCrawlStore(new SqliteStoreOptions { Path = DatabasePath });
        await crawl.InitializeAsync();
        await using var uptime = new SqliteUptimeStore(new SqliteStoreOptions { Path = DatabasePath });
        await uptime.InitializeAsync();

        await uptime.AddResultsAsync([ProbeResult.Up("kcna.kp", T0, TimeSpan.FromMilliseconds(80))]);
        await crawl.SetSettingAsync("epoch", "3");

        Assert.Equal("3", await crawl.GetSettingAsync("epoch"));
        Assert.Single(await uptime.GetResultsAsync("kcna.kp", T0, T0.AddHours(1)));
    }

    [Fact]
    public void The_histogram_is_stored_sparse_and_decodes_to_the_same_counts()
    {
        var values = Enumerable.Repeat(TimeSpan.FromMilliseconds(40), 20)
            .Concat(Enumerable.Repeat(TimeSpan.FromMilliseconds(90), 20))
            .Concat(Enumerable.Repeat(TimeSpan.FromMilliseconds(300), 20));
        var hour = ResponseHistogram.Of(values);
        var huge = ResponseHistogram.FromCounts(Enumerable.Range(0, ResponseHistogram.BucketCount).Select(i => i == ResponseHistogram.BucketCount - 1 ? long.MaxValue / 2 : 0L));

        var encoded = SqliteUptimeStore.EncodeHistogram(hour);

        Assert.Equal(6, encoded.Length);
        Assert.Equal(hour, SqliteUptimeStore.DecodeHistogram(encoded));
        Assert.Equal(huge, SqliteUptimeStore.DecodeHistogram(SqliteUptimeStore.EncodeHistogram(huge)));
        Assert.Empty(SqliteUptimeStore.EncodeHistogram(ResponseHistogram.Empty));
        Assert.Equal(ResponseHistogram.Empty, SqliteUptimeStore.DecodeHistogram([]));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private async Task<long> Count(string table)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM " + table;
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
