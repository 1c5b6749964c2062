using Microsoft.Data.Sqlite;

namespace Crawler.Storage.Sqlite;

/// <summary>
/// The frontier's insertion counter (frontier.added_seq, which orders GetPending "oldest first"),
/// kept in the file rather than in one process's memory: several processes writing to one file
/// each read it after BEGIN IMMEDIATE (holding the write lock) and store it back before commit, so
/// their rows get one order and no two rows the same number. Not thread-safe: used under the
/// crawl store's write lock.
/// </summary>
internal sealed class FrontierSequence : IDisposable
{
    /// <summary>
    /// Created beside the frontier and caught up with it at every open (a file written by an
    /// older crawler, which counted in memory, has rows but no counter).
    /// </summary>
    public const string Create = """
        CREATE TABLE IF NOT EXISTS sequences (
            name  TEXT    NOT NULL PRIMARY KEY,
            value INTEGER NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO sequences (name, value) VALUES ('frontier', (SELECT COALESCE(MAX(added_seq), 0) FROM frontier))
        ON CONFLICT (name) DO UPDATE SET value = MAX(value, excluded.value);
        """;

    private readonly SqliteCommand _read;
    private readonly SqliteCommand _write;

    public FrontierSequence(SqliteConnection connection)
    {
        _read = connection.CreateCommand();
        _read.CommandText = "SELECT value FROM sequences WHERE name = 'frontier'";
        _read.Prepare();
        _write = connection.CreateCommand();
        _write.CommandText = "UPDATE sequences SET value = $value WHERE name = 'frontier'";
        _write.Parameters.Add(new SqliteParameter { ParameterName = "$value" });
        _write.Prepare();
    }

    /// <summary>The last number given out, read inside the write transaction <paramref name="tx"/>.</summary>
    public long Read(SqliteTransaction tx)
    {
        _read.Transaction = tx;
        return (long)_read.ExecuteScalar()!;
    }

    /// <summary>Stores the last number given out, inside the same transaction.</summary>
    public void Write(SqliteTransaction tx, long value)
    {
        _write.Transaction = tx;
        _write.Parameters[0].Value = value;
        _write.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _read.Dispose();
        _write.Dispose();
    }
}
