using Crawler.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Crawler.Storage.Tests.Sqlite;

/// <summary>What only the SQLite DNS store does: files written by earlier versions.</summary>
public sealed class SqliteDnsStoreTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "crawler-storage-tests", Guid.NewGuid().ToString("N"));

    private string DatabasePath => Path.Combine(_folder, "crawler.db");

    [Fact]
    public async Task A_file_from_before_observations_had_an_identity_keeps_one_copy_of_each_repeat()
    {
        Directory.CreateDirectory(_folder);
        using (var old = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString()))
        {
            old.Open();
            using var command = old.CreateCommand();
            command.CommandText = """
                CREATE TABLE dns_observations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, at INTEGER NOT NULL,
                    server TEXT NOT NULL, outcome TEXT NOT NULL, records TEXT NOT NULL);
                CREATE TABLE dns_addresses (observation INTEGER NOT NULL, name TEXT NOT NULL, address TEXT NOT NULL);
                INSERT INTO dns_observations (name, at, server, outcome, records) VALUES
                    ('kcna.kp', 1000, '127.0.0.1:53', 'NoError', '[{"Type":"A","Value":"127.45.176.71","Ttl":300}]'),
                    ('kcna.kp', 1000, '127.0.0.1:53', 'NoError', '[{"Type":"A","Value":"127.45.176.71","Ttl":300}]'),
                    ('kcna.kp', 2000, '127.0.0.1:53', 'NoError', '[{"Type":"A","Value":"127.45.176.72","Ttl":300}]');
                INSERT INTO dns_addresses (observation, name, address) VALUES (1, 'kcna.kp', '127.45.176.71'), (2, 'kcna.kp', '127.45.176.71'), (3, 'kcna.kp', '127.45.176.72');
                """;
            command.ExecuteNonQuery();
        }

        await using var store = new SqliteDnsStore(new SqliteStoreOptions { Path = DatabasePath });
        await store.InitializeAsync();

        var history = await store.GetObservationsAsync("kcna.kp");
        Assert.Equal([1000L, 2000L], history.Select(o => o.At.ToUnixTimeMilliseconds()));
        using var check = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        check.Open();
        using var count = check.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM dns_addresses";
        Assert.Equal(2L, (long)count.ExecuteScalar()!);
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
