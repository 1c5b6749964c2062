using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Crawler.Storage.Sqlite;

/// <summary>
/// Streams the rows of one query (the stores' exports): one reader on its own connection, each row mapped as it is read,
/// so a table of any size passes in constant memory. SQLite failures become what <c>fail</c> makes of them.
/// </summary>
internal static class SqliteStreams
{
    public static async IAsyncEnumerable<T> ReadAllAsync<T>(
        Func<CancellationToken, Task<SqliteConnection>> open,
        string sql,
        Func<SqliteDataReader, T> read,
        Func<SqliteException, Exception> fail,
        [EnumeratorCancellation] CancellationToken ct = default,
        Action<SqliteParameterCollection>? bind = null)
    {
        SqliteConnection connection;
        try
        {
            connection = await open(ct).ConfigureAwait(false);
        }
        catch (SqliteException e)
        {
            throw fail(e);
        }

        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            bind?.Invoke(command.Parameters);
            SqliteDataReader reader;
            try
            {
                reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            }
            catch (SqliteException e)
            {
                throw fail(e);
            }

            await using (reader.ConfigureAwait(false))
            {
                while (true)
                {
                    T row;
                    try
                    {
                        if (!await reader.ReadAsync(ct).ConfigureAwait(false))
                        {
                            yield break;
                        }

                        row = read(reader);
                    }
                    catch (SqliteException e)
                    {
                        throw fail(e);
                    }

                    yield return row;
                }
            }
        }
    }
}
