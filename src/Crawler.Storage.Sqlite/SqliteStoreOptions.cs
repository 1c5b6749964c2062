namespace Crawler.Storage.Sqlite;

/// <summary>Where the embedded store keeps its single database file, and how long a write waits for it.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>Database file; relative paths resolve against the current directory. The folder is created.</summary>
    public string Path { get; set; } = "data/crawler.db";

    /// <summary>
    /// How long one statement waits for a lock another connection or process holds (SQLite's
    /// busy_timeout) before the store gives up with <see cref="StoreUnavailableException"/>.
    /// Several processes may write to one file; each write transaction holds the lock for
    /// milliseconds, so this only runs out when a writer is stuck or the disk stalls.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Half the size at which a block of the CDX key index splits (<see cref="CaptureKeyBlocks"/>): a deep page steps at
    /// most about twice this many keys. Not configuration: tests set it small so that a few captures make many blocks.
    /// </summary>
    internal int CaptureKeyBlockSize { get; init; } = 512;
}
