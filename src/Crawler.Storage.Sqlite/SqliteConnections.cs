using System.Globalization;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Crawler.Storage.Sqlite;

/// <summary>
/// Connection setup shared by the three stores on one file (crawl, DNS, uptime), so that every
/// connection of every process gets the same pragmas and the same lock handling:
/// <list type="bullet">
/// <item>WAL (stored in the file): readers never block the writer nor each other.</item>
/// <item>synchronous=FULL on every connection: a write that returned survives a power cut.</item>
/// <item>busy_timeout = <see cref="SqliteStoreOptions.BusyTimeout"/>: a statement that meets another
/// process's lock waits for it in SQLite's busy handler (backing off 1 ms … 100 ms) instead of failing;
/// Microsoft.Data.Sqlite's own retry loop (every 150 ms until the command timeout) is given the same
/// time, rounded up to whole seconds, so a stuck lock fails after about the configured timeout.</item>
/// <item>Write transactions are BEGIN IMMEDIATE: the write lock is taken (or waited for) at the start.
/// A deferred transaction that reads and then writes cannot wait for a lock another process took
/// meanwhile: SQLite fails it at once with SQLITE_BUSY (its snapshot is stale), whatever the timeout.</item>
/// </list>
/// </summary>
internal static class SqliteConnections
{
    /// <summary>After a checkpoint, the WAL shrinks back to at most 64 MiB instead of keeping its peak size.</summary>
    private const long JournalSizeLimit = 64L * 1024 * 1024;

    public static string ConnectionString(string path, SqliteStoreOptions options, bool pooling, SqliteOpenMode mode = SqliteOpenMode.ReadWriteCreate) =>
        new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = mode,
            Cache = SqliteCacheMode.Private,
            Pooling = pooling,
            DefaultTimeout = (int)Math.Ceiling(BusyTimeout(options).TotalSeconds),
        }.ToString();

    /// <summary>The per-connection pragmas; run on every connection opened (pooled ones included).</summary>
    public static void Configure(SqliteConnection connection, SqliteStoreOptions options)
    {
        using var command = connection.CreateCommand();
        command.CommandText = string.Create(CultureInfo.InvariantCulture, $"""
            PRAGMA busy_timeout = {(long)BusyTimeout(options).TotalMilliseconds};
            PRAGMA synchronous = FULL;
            PRAGMA foreign_keys = OFF;
            PRAGMA journal_size_limit = {JournalSizeLimit};
            """);
        command.ExecuteNonQuery();
    }

    public static SqliteConnection Open(string connectionString, SqliteStoreOptions options)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            Configure(connection, options);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public static async Task<SqliteConnection> OpenAsync(string connectionString, SqliteStoreOptions options, CancellationToken ct)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            Configure(connection, options);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Page size of a new file (issue 9's archive size). SQLite's default 4 KB page holds one stored image of a few KB
    /// and leaves the rest of the page empty; 16 KB pages cut the archive of the simulated web by ~230 bytes a page
    /// (measured: 4 KB 2,027, 8 KB 1,890, 16 KB 1,794, 32 KB 1,781). A file that exists keeps its page size (SQLite
    /// changes it only by VACUUM outside WAL mode).
    /// </summary>
    public const int PageSize = 16 * 1024;

    /// <summary>
    /// Puts the file in WAL mode (a no-op when it is already), a new file with <see cref="PageSize"/> pages. Needs the
    /// busy timeout set first: several processes creating one file at once wait here for each other.
    /// </summary>
    public static void EnsureWal(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA page_size = {PageSize}";
        command.ExecuteNonQuery();
        command.CommandText = "PRAGMA journal_mode = WAL";
        var mode = command.ExecuteScalar() as string;
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new SqliteException($"the file stayed in journal mode '{mode}' instead of WAL (is it on a network file system?)", raw.SQLITE_CANTOPEN);
        }
    }

    /// <summary>A write transaction: BEGIN IMMEDIATE (see the class remarks).</summary>
    public static SqliteTransaction BeginWrite(SqliteConnection connection) => connection.BeginTransaction(deferred: false);

    public static bool IsBusy(SqliteException e) => e.SqliteErrorCode is raw.SQLITE_BUSY or raw.SQLITE_LOCKED;

    /// <summary>The message for a lock that outlasted the busy timeout: what happened and what to do.</summary>
    public static StoreUnavailableException Busy(string path, string what, SqliteStoreOptions options, SqliteException e) =>
        new($"SQLite store '{path}' {what}: the database stayed locked by another connection or process for longer than "
            + $"the busy timeout ({BusyTimeout(options)}) ({e.Message}). Several crawler processes may share the file, "
            + "but a lock held this long means one of them is stuck or the disk stalls: stop the stuck process, raise "
            + $"{nameof(SqliteStoreOptions)}.{nameof(SqliteStoreOptions.BusyTimeout)}, or give each node its own database file.", e);

    /// <summary>Checks the options a store is built with.</summary>
    public static string Validate(SqliteStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Path);
        if (options.BusyTimeout <= TimeSpan.Zero || options.BusyTimeout > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BusyTimeout,
                $"{nameof(SqliteStoreOptions)}.{nameof(SqliteStoreOptions.BusyTimeout)} must be positive and at most a day (e.g. 00:00:10).");
        }

        return Path.GetFullPath(options.Path);
    }

    private static TimeSpan BusyTimeout(SqliteStoreOptions options) => options.BusyTimeout;
}
