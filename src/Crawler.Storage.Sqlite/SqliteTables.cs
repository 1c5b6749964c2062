using Microsoft.Data.Sqlite;

namespace Crawler.Storage.Sqlite;

/// <summary>
/// How a store that keeps its own tables in the crawl's file (DNS, uptime, search) opens, creates and writes them: a
/// pooled connection per call, every write one BEGIN IMMEDIATE transaction, SQLite failures turned into
/// <see cref="StoreUnavailableException"/> saying what failed and what to do.
/// </summary>
internal sealed class SqliteTables(string path, SqliteStoreOptions options)
{
    private readonly string _connectionString = SqliteConnections.ConnectionString(path, options, pooling: true);

    public string Path => path;

    public string ConnectionString => _connectionString;

    public Task<SqliteConnection> OpenAsync(CancellationToken ct) => SqliteConnections.OpenAsync(_connectionString, options, ct);

    /// <summary>Runs <paramref name="schema"/> (CREATE … IF NOT EXISTS) in one write transaction, the file in WAL mode; <paramref name="tables"/> names them in errors ("the DNS tables").</summary>
    public async Task CreateAsync(string schema, string tables, CancellationToken ct)
    {
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            SqliteConnections.EnsureWal(connection);
            await using var tx = SqliteConnections.BeginWrite(connection);
            await using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = schema;
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
        }
        catch (SqliteException e) when (SqliteConnections.IsBusy(e))
        {
            throw SqliteConnections.Busy(path, $"could not create {tables}", options, e);
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException($"{char.ToUpperInvariant(tables[0])}{tables[1..]} in {path} could not be created ({e.Message}). Check that the folder is writable and the file is a crawler database.", e);
        }
    }

    /// <summary>Runs <paramref name="body"/> in one write transaction: all of it is stored or none.</summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> body, string what, CancellationToken ct)
    {
        try
        {
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            await using var tx = SqliteConnections.BeginWrite(connection);
            var result = await body(connection, tx).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return result;
        }
        catch (SqliteException e) when (SqliteConnections.IsBusy(e))
        {
            throw SqliteConnections.Busy(path, what, options, e);
        }
        catch (SqliteException e)
        {
            throw new StoreUnavailableException($"The store at {path} {what}: {e.Message}. Check the disk and that the file is a crawler database.", e);
        }
    }

    /// <summary>Runs <paramref name="body"/> on a connection of its own; <paramref name="advice"/> follows the error of a failed read.</summary>
    public async Task<T> ReadAsync<T>(Func<SqliteConnection, Task<T>> body, CancellationToken ct, string advice = "")
    {
        try
        {
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            return await body(connection).ConfigureAwait(false);
        }
        catch (SqliteException e) when (SqliteConnections.IsBusy(e))
        {
            throw SqliteConnections.Busy(path, "could not be read", options, e);
        }
        catch (SqliteException e)
        {
            throw new StoreUnavailableException($"The store at {path} could not be read: {e.Message}.{advice}", e);
        }
    }
}
