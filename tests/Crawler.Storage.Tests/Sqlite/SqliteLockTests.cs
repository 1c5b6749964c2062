using Crawler.Core.Dns;
using Crawler.Core.Uptime;
using Crawler.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using static Crawler.Storage.Tests.Contract.TestData;

namespace Crawler.Storage.Tests.Sqlite;

/// <summary>
/// What the stores do when another connection (here: the test, standing in for another process)
/// holds the database's write lock: wait up to the busy timeout, then fail with advice.
/// </summary>
public sealed class SqliteLockTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "crawler-storage-tests", Guid.NewGuid().ToString("N"));

    private string DatabasePath => Path.Combine(_folder, "locked.db");

    private SqliteStoreOptions Options(TimeSpan busyTimeout) => new() { Path = DatabasePath, BusyTimeout = busyTimeout };

    /// <summary>Another writer that holds the write lock until disposed.</summary>
    private SqliteConnection HoldWriteLock()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE";
        begin.ExecuteNonQuery();
        return connection;
    }

    [Fact]
    public async Task A_write_blocked_longer_than_the_busy_timeout_fails_saying_what_to_do()
    {
        var options = Options(TimeSpan.FromMilliseconds(200));
        await using var crawl = new SqliteCrawlStore(options);
        await crawl.InitializeAsync();
        await using var uptime = new SqliteUptimeStore(options);
        await uptime.InitializeAsync();
        await using var dns = new SqliteDnsStore(options);
        await dns.InitializeAsync();

        using (HoldWriteLock())
        {
            var errors = new[]
            {
                await Assert.ThrowsAsync<StoreUnavailableException>(() => crawl.CommitAsync([Commit(Capture("http://a.kp/"))])),
                await Assert.ThrowsAsync<StoreUnavailableException>(() => crawl.AddToFrontierAsync([Entry("http://a.kp/b")])),
                await Assert.ThrowsAsync<StoreUnavailableException>(() => crawl.SetSettingAsync("k", "v")),
                await Assert.ThrowsAsync<StoreUnavailableException>(() => uptime.AddResultsAsync([ProbeResult.Up("a.kp", T0, TimeSpan.FromSeconds(1))])),
                await Assert.ThrowsAsync<StoreUnavailableException>(() => dns.AddObservationsAsync([new DnsObservation("a.kp", T0, "127.0.0.1", DnsOutcome.NoError, [])])),
            };
            Assert.All(errors, e =>
            {
                Assert.Contains(DatabasePath, e.Message, StringComparison.Ordinal);
                Assert.Contains("locked", e.Message, StringComparison.Ordinal);
                Assert.Contains("SqliteStoreOptions.BusyTimeout", e.Message, StringComparison.Ordinal);
                Assert.Contains("00:00:00.2", e.Message, StringComparison.Ordinal);
            });

            // Readers are not blocked by a writer (WAL).
            Assert.Null(await crawl.GetSettingAsync("k"));
        }

        // Nothing of the failed writes was stored; the store works once the lock is gone.
        await crawl.SetSettingAsync("k", "after");
        Assert.Equal("after", await crawl.GetSettingAsync("k"));
        Assert.Equal(0, (await crawl.GetStatsAsync()).Captures);
    }

    [Fact]
    public async Task A_write_waits_for_a_lock_released_within_the_busy_timeout()
    {
        await using var crawl = new SqliteCrawlStore(Options(TimeSpan.FromMinutes(1)));
        await crawl.InitializeAsync();
        var other = HoldWriteLock();
        Task commit;
        try
        {
            commit = Task.Run(() => crawl.CommitAsync([Commit(Capture("http://a.kp/"))]));

            // The commit cannot finish while the lock is held (how long we hold it does not matter).
            await Task.Delay(300);
            Assert.False(commit.IsCompleted);
        }
        finally
        {
            other.Dispose();
        }

        await commit.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(1, (await crawl.GetStatsAsync()).Captures);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_busy_timeout_that_is_not_positive_is_refused(int seconds)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SqliteCrawlStore(Options(TimeSpan.FromSeconds(seconds))));
        Assert.Contains("BusyTimeout", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SqliteUptimeStore(Options(TimeSpan.FromSeconds(seconds))));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SqliteDnsStore(Options(TimeSpan.FromSeconds(seconds))));
    }

    [Theory]
    [InlineData("crawl")]
    [InlineData("uptime")]
    [InlineData("dns")]
    public async Task Whichever_store_creates_the_file_it_is_in_WAL_mode(string first)
    {
        var options = Options(TimeSpan.FromSeconds(7));
        IAsyncDisposable store = first switch
        {
            "crawl" => new SqliteCrawlStore(options),
            "uptime" => new SqliteUptimeStore(options),
            _ => new SqliteDnsStore(options),
        };
        await using (store)
        {
            await (store switch
            {
                SqliteCrawlStore c => c.InitializeAsync(),
                SqliteUptimeStore u => u.InitializeAsync(),
                SqliteDnsStore d => d.InitializeAsync(),
                _ => throw new InvalidOperationException(),
            });
        }

        using var connection = SqliteConnections.Open(SqliteConnections.ConnectionString(DatabasePath, options, pooling: false), options);
        Assert.Equal("wal", Pragma(connection, "journal_mode"));
    }

    [Fact]
    public void Every_connection_gets_the_busy_timeout_and_durable_commits()
    {
        Directory.CreateDirectory(_folder);
        var options = Options(TimeSpan.FromSeconds(7));
        using var connection = SqliteConnections.Open(SqliteConnections.ConnectionString(DatabasePath, options, pooling: true), options);
        Assert.Equal(7000L, Pragma(connection, "busy_timeout"));
        Assert.Equal(2L, Pragma(connection, "synchronous")); // FULL
        Assert.Equal(64L * 1024 * 1024, Pragma(connection, "journal_size_limit"));
        Assert.Equal(7, connection.DefaultTimeout);
    }

    private static object? Pragma(SqliteConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA " + name;
        return command.ExecuteScalar();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
