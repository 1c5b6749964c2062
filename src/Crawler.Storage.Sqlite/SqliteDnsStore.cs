using System.Text.Json;
using Crawler.Core.Dns;
using Microsoft.Data.Sqlite;

namespace Crawler.Storage.Sqlite;

/// <summary>
/// DNS observations and discovered names in the same SQLite file as the crawl (own tables, own
/// connection per call; WAL lets it write beside the crawl store).
/// </summary>
public sealed partial class SqliteDnsStore : IDnsStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS dns_observations (
            id       INTEGER PRIMARY KEY AUTOINCREMENT,
            name     TEXT    NOT NULL,
            at       INTEGER NOT NULL,
            server   TEXT    NOT NULL,
            outcome  TEXT    NOT NULL,
            records  TEXT    NOT NULL
        );
        CREATE INDEX IF NOT EXISTS dns_observations_name_at ON dns_observations (name, at);
        CREATE TABLE IF NOT EXISTS dns_addresses (
            observation INTEGER NOT NULL,
            name        TEXT    NOT NULL,
            address     TEXT    NOT NULL
        );
        CREATE INDEX IF NOT EXISTS dns_addresses_address ON dns_addresses (address);
        -- An observation's identity (as in the MongoDB store): a retried write of the same answer is kept once.
        -- Files written before it may hold such repeats: the later copies go first.
        DELETE FROM dns_addresses WHERE observation IN (
            SELECT o.id FROM dns_observations o
            WHERE EXISTS (SELECT 1 FROM dns_observations p WHERE p.name = o.name AND p.at = o.at AND p.server = o.server AND p.id < o.id));
        DELETE FROM dns_observations
            WHERE EXISTS (SELECT 1 FROM dns_observations p
                WHERE p.name = dns_observations.name AND p.at = dns_observations.at AND p.server = dns_observations.server AND p.id < dns_observations.id);
        CREATE UNIQUE INDEX IF NOT EXISTS dns_observations_identity ON dns_observations (name, at, server);
        CREATE TABLE IF NOT EXISTS discovered_names (
            name   TEXT    NOT NULL,
            how    TEXT    NOT NULL,
            source TEXT    NOT NULL,
            server TEXT    NOT NULL,
            at     INTEGER NOT NULL,
            PRIMARY KEY (name, how, source)
        );
        """;

    private readonly string _path;
    private readonly SqliteStoreOptions _options;
    private readonly SqliteTables _tables;

    public SqliteDnsStore(SqliteStoreOptions options)
    {
        _path = SqliteConnections.Validate(options);
        _options = options;
        _tables = new SqliteTables(_path, options);
    }

    public Task InitializeAsync(CancellationToken ct = default) => _tables.CreateAsync(Schema, "the DNS tables", ct);

    public async Task AddObservationsAsync(IReadOnlyList<DnsObservation> observations, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(observations);
        await WriteAsync(async (connection, tx) =>
        {
            foreach (var o in observations)
            {
                await using var insert = connection.CreateCommand();
                insert.Transaction = tx;
                insert.CommandText = """
                    INSERT INTO dns_observations (name, at, server, outcome, records) VALUES ($n, $at, $s, $o, $r)
                    ON CONFLICT (name, at, server) DO NOTHING RETURNING id
                    """;
                insert.Parameters.AddWithValue("$n", o.Name);
                insert.Parameters.AddWithValue("$at", o.At.ToUnixTimeMilliseconds());
                insert.Parameters.AddWithValue("$s", o.Server);
                insert.Parameters.AddWithValue("$o", o.Outcome);
                insert.Parameters.AddWithValue("$r", JsonSerializer.Serialize(o.Records));
                if (await insert.ExecuteScalarAsync(ct).ConfigureAwait(false) is not long id)
                {
                    continue; // the same observation, stored already (a retried batch)
                }

                foreach (var address in o.Addresses.Distinct(StringComparer.Ordinal))
                {
                    await using var a = connection.CreateCommand();
                    a.Transaction = tx;
                    a.CommandText = "INSERT INTO dns_addresses (observation, name, address) VALUES ($id, $n, $a)";
                    a.Parameters.AddWithValue("$id", id);
                    a.Parameters.AddWithValue("$n", o.Name);
                    a.Parameters.AddWithValue("$a", address);
                    await a.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }
            }

            return 0;
        }, "could not record DNS observations", ct).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<DnsObservation>> GetObservationsAsync(string name, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return await ReadAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT name, at, server, outcome, records FROM dns_observations WHERE name = $n ORDER BY at, id";
            command.Parameters.AddWithValue("$n", Normalize(name));
            var result = new List<DnsObservation>();
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                result.Add(new DnsObservation(
                    reader.GetString(0),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                    reader.GetString(2),
                    reader.GetString(3),
                    JsonSerializer.Deserialize<List<DnsRecordData>>(reader.GetString(4)) ?? []));
            }

            return (IReadOnlyList<DnsObservation>)result;
        }, ct).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> GetNamesWithAddressAsync(string address, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        return await ReadAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            // The latest observation of each name decides; an address a name has left does not count.
            command.CommandText = """
                WITH latest AS (SELECT name, MAX(id) AS id FROM dns_observations GROUP BY name)
                SELECT DISTINCT a.name FROM dns_addresses a JOIN latest l ON l.id = a.observation
                WHERE a.address = $a ORDER BY a.name
                """;
            command.Parameters.AddWithValue("$a", address);
            var names = new List<string>();
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                names.Add(reader.GetString(0));
            }

            return (IReadOnlyList<string>)names;
        }, ct).ConfigureAwait(false);
    }

    public async Task<int> AddDiscoveredNamesAsync(IReadOnlyList<DiscoveredNameRecord> names, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(names);
        return await WriteAsync(async (connection, tx) =>
        {
            var added = 0;
            foreach (var n in names)
            {
                await using var insert = connection.CreateCommand();
                insert.Transaction = tx;
                insert.CommandText = "INSERT INTO discovered_names (name, how, source, server, at) VALUES ($n, $h, $s, $v, $at) ON CONFLICT DO NOTHING";
                insert.Parameters.AddWithValue("$n", Normalize(n.Name));
                insert.Parameters.AddWithValue("$h", n.How);
                insert.Parameters.AddWithValue("$s", n.Source);
                insert.Parameters.AddWithValue("$v", n.Server);
                insert.Parameters.AddWithValue("$at", n.At.ToUnixTimeMilliseconds());
                added += await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            return added;
        }, "could not record discovered names", ct).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<DiscoveredNameRecord>> GetDiscoveredNamesAsync(CancellationToken ct = default) =>
        await ReadAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT name, how, source, server, at FROM discovered_names ORDER BY name, how, source";
            var names = new List<DiscoveredNameRecord>();
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                names.Add(new DiscoveredNameRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
            }

            return (IReadOnlyList<DiscoveredNameRecord>)names;
        }, ct).ConfigureAwait(false);

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }

    private static string Normalize(string name) => name.Trim().TrimEnd('.').ToLowerInvariant();

    private Task<SqliteConnection> OpenAsync(CancellationToken ct) => _tables.OpenAsync(ct);

    private Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> body, string what, CancellationToken ct) => _tables.WriteAsync(body, what, ct);

    private Task<T> ReadAsync<T>(Func<SqliteConnection, Task<T>> body, CancellationToken ct) => _tables.ReadAsync(body, ct);
}
