using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Crawler.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode with synchronous=FULL, so a write that
/// returned has been fsynced (the WAL is synced at every commit). Writes go through one
/// connection guarded by a semaphore, with prepared statements; reads open pooled connections
/// of their own (WAL readers do not block the writer nor each other).
/// </summary>
/// <remarks>
/// Several processes may share the file (nodes of a test cluster on one machine): each write is
/// one BEGIN IMMEDIATE transaction that waits up to <see cref="SqliteStoreOptions.BusyTimeout"/>
/// for another process's lock (see <see cref="SqliteConnections"/>), the schema is created under
/// that lock, and the frontier's insertion order is counted in the file (<see cref="FrontierSequence"/>).
/// </remarks>
public sealed partial class SqliteCrawlStore : ICrawlStore
{
    private readonly string _path;
    private readonly SqliteStoreOptions _options;
    private readonly string _writerConnectionString;
    private readonly string _readerConnectionString;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private SqliteConnection? _writer;
    private WriteCommands? _commands;
    private FrontierSequence? _sequence;
    private long _lastSeq;
    private volatile bool _ready;
    private volatile bool _disposed;

    public SqliteCrawlStore(SqliteStoreOptions options)
    {
        _path = SqliteConnections.Validate(options);
        _options = options;
        _writerConnectionString = SqliteConnections.ConnectionString(_path, options, pooling: false);
        _readerConnectionString = SqliteConnections.ConnectionString(_path, options, pooling: true, SqliteOpenMode.ReadWrite);
    }

    /// <summary>The database file (absolute).</summary>
    public string DatabasePath => _path;

    public async Task InitializeAsync(CancellationToken ct = default)
    {
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_writer is not null)
            {
                return;
            }

            var folder = System.IO.Path.GetDirectoryName(_path);
            try
            {
                if (!string.IsNullOrEmpty(folder))
                {
                    Directory.CreateDirectory(folder);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new StoreUnavailableException(
                    $"SQLite store '{_path}' cannot be opened: its folder '{folder}' cannot be created ({e.Message}). "
                    + "Create the folder with write access for this user, or point the store at a writable path.", e);
            }

            SqliteConnection? connection = null;
            try
            {
                connection = SqliteConnections.Open(_writerConnectionString, _options);
                OpenSchema(connection);
                _sequence = new FrontierSequence(connection);
                _commands = new WriteCommands(connection, LoadDictionaries(connection), _options.CaptureKeyBlockSize);
                _writer = connection;
                _ready = true;
            }
            catch (SqliteException e)
            {
                _sequence?.Dispose();
                _sequence = null;
                connection?.Dispose();
                throw Unavailable(e, "cannot be opened");
            }
            catch
            {
                _sequence?.Dispose();
                _sequence = null;
                connection?.Dispose();
                throw;
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private void OpenSchema(SqliteConnection connection)
    {
        // journal_mode is stored in the file; the per-connection pragmas (busy_timeout first) are set by Open.
        SqliteConnections.EnsureWal(connection);

        var version = Convert.ToInt64(Scalar(connection, "PRAGMA user_version"), System.Globalization.CultureInfo.InvariantCulture);
        if (version > SqliteSchema.Version)
        {
            throw new StoreUnavailableException(
                $"SQLite store '{_path}' has schema version {version}, newer than this program understands ({SqliteSchema.Version}). "
                + "Run a newer crawler, or point the store at another path.");
        }

        // Under the write lock: processes opening one new file at once create the schema one after another.
        using var tx = SqliteConnections.BeginWrite(connection);
        Execute(connection, SqliteSchema.Create, tx);
        foreach (var (table, column, add) in SqliteSchema.AddedColumns)
        {
            if (Convert.ToInt64(Scalar(connection, SqliteSchema.HasColumn(table, column), tx), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                Execute(connection, add, tx); // a file of an older version
            }
        }

        Execute(connection, SqliteSchema.Upgrade, tx);
        if (version < 6)
        {
            // A file of version 5 or older has captures without keys (a new file has no captures: nothing is read).
            connection.CreateFunction(SqliteSchema.SurtKeyFunction, (string url) => Crawler.Core.Cdx.Surt.Key(url), isDeterministic: true);
            connection.CreateFunction(SqliteSchema.HostKeyFunction, (string urlkey) => SqliteSchema.HostKey(urlkey), isDeterministic: true);
            Execute(connection, SqliteSchema.FillCaptureKeys, tx);
            Execute(connection, SqliteSchema.FillCaptureKeyHosts, tx);
        }

        if (version < 7)
        {
            // Version 6 and older have no key blocks; a new file fills none.
            CaptureKeyBlocks.Fill(connection, tx, _options.CaptureKeyBlockSize);
        }

        Execute(connection, SqliteSchema.SetVersion, tx);
        Execute(connection, FrontierSequence.Create, tx);
        tx.Commit();
    }

    /// <summary>The stored dictionaries, each scope's newest one in use, so a restarted writer keeps compressing with them.</summary>
    private static SiteDictionaries LoadDictionaries(SqliteConnection connection)
    {
        var dictionaries = new SiteDictionaries();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT digest, scope, data, compression FROM dictionaries ORDER BY id";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var data = CompressionDictionary.DataFromStored(Text(reader, 3), reader.GetFieldValue<byte[]>(2));
            dictionaries.Use(new CompressionDictionary(reader.GetString(0), reader.GetString(1), data));
        }

        return dictionaries;
    }

    /// <summary>
    /// A dictionary's data by its dictionaries.id, read once per id: a stored dictionary never changes nor goes away
    /// (a rolled-back id is never seen by a reader), so the cache is never stale.
    /// </summary>
    private byte[] DictionaryData(SqliteConnection connection, long id) => _dictionaryData.GetOrAdd(id, key =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT data, compression FROM dictionaries WHERE id = $id";
        command.Parameters.AddWithValue("$id", key);
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? CompressionDictionary.DataFromStored(Text(reader, 1), reader.GetFieldValue<byte[]>(0))
            : throw new InvalidDataException($"SQLite store '{_path}': dictionary {key} named by a stored record is missing.");
    });

    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, byte[]> _dictionaryData = new();

    public async Task<int> AddToFrontierAsync(IReadOnlyList<FrontierEntry> entries, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        for (var i = 0; i < entries.Count; i++)
        {
            BatchValidation.Entry(entries[i], nameof(entries), i);
        }

        if (entries.Count == 0)
        {
            return 0;
        }

        return await InTransactionAsync("could not add to the frontier", commands =>
        {
            var added = 0;
            foreach (var entry in entries)
            {
                added += commands.InsertFrontier(entry, ++_lastSeq);
            }

            return added;
        }, ct).ConfigureAwait(false);
    }

    public async Task CommitAsync(IReadOnlyList<FetchCommit> batch, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        for (var i = 0; i < batch.Count; i++)
        {
            BatchValidation.Commit(batch[i], i);
        }

        if (batch.Count == 0)
        {
            return;
        }

        // Disposing an uncommitted transaction rolls the whole batch back.
        await InTransactionAsync("could not commit a batch", commands =>
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var commit = batch[i];
                var capture = commit.Capture;
                try
                {
                    // A replay of this very fetch inserts nothing; the frontier and schedule writes below only move forward.
                    commands.InsertCapture(capture);
                }
                catch (Exception e) when (e is InvalidOperationException || (e is SqliteException s && s.SqliteErrorCode == raw.SQLITE_CONSTRAINT))
                {
                    throw new ArgumentException(
                        $"Batch rejected, nothing of it was stored: commit #{i} (capture '{capture.Id}' of {capture.Url}) "
                        + $"conflicts with a stored capture ({e.Message}).", nameof(batch), e);
                }

                if (commit.Payload is { } payload && !commands.PayloadExists(capture.PayloadDigest!))
                {
                    commands.InsertPayload(capture.PayloadDigest!, payload, capture.Host);
                }

                commands.UpsertFetched(capture, commit.UrlState, ++_lastSeq, commit.RetryAt, commit.Outcome);
                foreach (var entry in commit.Discovered)
                {
                    commands.InsertFrontier(entry, ++_lastSeq);
                }

                if (commit.Schedule is { } schedule)
                {
                    commands.UpsertSchedule(schedule);
                }

                commands.UpsertCrawlLog(commit.Declined);
            }

            return 0;
        }, ct).ConfigureAwait(false);
    }

    public async Task UpdateFrontierAsync(IReadOnlyList<FrontierUpdate> updates, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(updates);
        for (var i = 0; i < updates.Count; i++)
        {
            BatchValidation.Update(updates[i], nameof(updates), i);
        }

        if (updates.Count == 0)
        {
            return;
        }

        await InTransactionAsync("could not update the frontier", commands =>
        {
            foreach (var update in updates)
            {
                commands.UpsertSettled(update, ++_lastSeq);
                foreach (var entry in update.Discovered)
                {
                    commands.InsertFrontier(entry, ++_lastSeq);
                }

                commands.UpsertCrawlLog(update.Declined);
            }

            return 0;
        }, ct).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<FrontierEntry>> GetPendingAsync(string host, int epoch, int limit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return await QueryFrontierAsync(
            $"SELECT {SqliteSchema.FrontierColumns} FROM frontier WHERE epoch = $epoch AND host = $host AND state = 0 ORDER BY added_seq LIMIT $limit",
            host, epoch, limit, ct).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<FrontierEntry>> GetFrontierAsync(string host, int epoch, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        return await QueryFrontierAsync(
            $"SELECT {SqliteSchema.FrontierColumns} FROM frontier WHERE epoch = $epoch AND host = $host ORDER BY added_seq LIMIT $limit",
            host, epoch, -1, ct).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<FrontierEntry>> QueryFrontierAsync(string sql, string host, int epoch, int limit, CancellationToken ct)
    {
        var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.AddWithValue("$epoch", epoch);
            command.Parameters.AddWithValue("$host", host);
            command.Parameters.AddWithValue("$limit", limit);
            try
            {
                var result = new List<FrontierEntry>();
                var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        result.Add(new FrontierEntry
                        {
                            Url = reader.GetString(0),
                            Host = reader.GetString(1),
                            Epoch = reader.GetInt32(2),
                            Depth = reader.GetInt32(3),
                            Via = reader.IsDBNull(4) ? null : reader.GetString(4),
                            Kind = reader.GetString(5),
                            State = (FrontierState)reader.GetInt32(6),
                            Attempts = reader.GetInt32(7),
                            RetryAt = reader.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)),
                        });
                    }
                }

                return result;
            }
            catch (SqliteException e)
            {
                throw Unavailable(e, "could not be read");
            }
        }
    }

    public async Task<IReadOnlyList<string>> GetHostsWithPendingAsync(int epoch, CancellationToken ct = default)
    {
        var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT DISTINCT host FROM frontier WHERE epoch = $epoch AND state = 0 ORDER BY host";
            command.Parameters.AddWithValue("$epoch", epoch);
            try
            {
                var hosts = new List<string>();
                var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        hosts.Add(reader.GetString(0));
                    }
                }

                return hosts;
            }
            catch (SqliteException e)
            {
                throw Unavailable(e, "could not be read");
            }
        }
    }

    public async IAsyncEnumerable<CaptureRecord> GetCapturesAsync(CaptureQuery query, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // Key ranges are read one statement each, one after another: each streams from capture_keys in key order.
            // An offset skips whole ranges by their counts, then part of one.
            long left = query.Limit is { } limit ? Math.Max(0, limit) : -1;
            long skip = Math.Max(0, query.Offset ?? 0);
            foreach (var range in query.UrlKeys ?? (IReadOnlyList<UrlKeyRange?>)[null])
            {
                if (left == 0)
                {
                    yield break;
                }

                if (skip > 0 && range is not null && query.UrlKeys!.Count > 1)
                {
                    var inRange = await CountCapturesAsync(query with { UrlKeys = [range], Offset = null, Limit = null }, ct).ConfigureAwait(false);
                    if (inRange <= skip)
                    {
                        skip -= inRange;
                        continue;
                    }
                }

                var from = range;
                if (skip > 0 && range is not null && query.UrlKeysFrom is null && IsBare(query))
                {
                    // A deep page: whole key blocks skipped by their counts, then fewer than a block's entries stepped.
                    try
                    {
                        (from, skip) = await CaptureKeyBlocks.SkipAsync(connection, range, skip, ct).ConfigureAwait(false);
                    }
                    catch (SqliteException e)
                    {
                        throw Unavailable(e, "could not be read");
                    }
                }

                using var command = connection.CreateCommand();
                CaptureSelect(command, query, from, count: false, left, skip);
                skip = 0;
                SqliteDataReader reader;
                try
                {
                    reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                }
                catch (SqliteException e)
                {
                    throw Unavailable(e, "could not be read");
                }

                await using (reader.ConfigureAwait(false))
                {
                    while (left != 0)
                    {
                        bool more;
                        try
                        {
                            more = await reader.ReadAsync(ct).ConfigureAwait(false);
                        }
                        catch (SqliteException e)
                        {
                            throw Unavailable(e, "could not be read");
                        }

                        if (!more)
                        {
                            break;
                        }

                        left = left > 0 ? left - 1 : left;
                        yield return ReadCapture(reader, connection);
                    }
                }
            }
        }
    }

    public async Task<long> CountCapturesAsync(CaptureQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            long count = 0;
            foreach (var range in query.UrlKeys ?? (IReadOnlyList<UrlKeyRange?>)[null])
            {
                using var command = connection.CreateCommand();
                CaptureSelect(command, query, range, count: true, -1, 0);
                try
                {
                    count += Convert.ToInt64(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
                }
                catch (SqliteException e)
                {
                    throw Unavailable(e, "could not be read");
                }
            }

            return count;
        }
    }

    /// <summary>Whether the query selects by key ranges alone (every capture_keys entry of a range is one answer).</summary>
    private static bool IsBare(CaptureQuery query) => query.Url is null && query.Urls is null && query.Host is null && query.Epoch is null;

    /// <summary>
    /// The statement that reads (or counts) the query's captures, within one key range when given: capture_keys is
    /// walked in key order and each capture looked up by id; a count of a key range alone reads capture_keys only.
    /// </summary>
    private static void CaptureSelect(SqliteCommand command, CaptureQuery query, UrlKeyRange? range, bool count, long limit, long offset)
    {
        var sql = new StringBuilder("SELECT ");
        var bare = IsBare(query);
        var from = range is null ? null : query.UrlKeysFrom;
        if (count && bare && from is null && range is not null && SqliteSchema.CountsByHost(range))
        {
            // A few rows of capture_key_hosts rather than a site's keys (SqliteSchema.CountsByHost).
            command.CommandText = "SELECT COALESCE(SUM(captures), 0) FROM capture_key_hosts WHERE host_key >= $key_from AND host_key < $key_to";
            command.Parameters.AddWithValue("$key_from", range.From);
            command.Parameters.AddWithValue("$key_to", range.To);
            return;
        }

        if (!count && bare && range is not null && offset > 0 && limit >= 0)
        {
            // The offset stepped in capture_keys alone (a join would look every skipped capture up), then the few
            // captures after it joined: where a deep CDX page begins.
            command.CommandText = $"SELECT {SqliteSchema.QualifiedCaptureColumns} FROM (SELECT urlkey, fetched_at, id FROM capture_keys"
                + (from is null ? " WHERE urlkey >= $key_from" : " WHERE urlkey >= max($key_from, $from_key)") + " AND urlkey < $key_to"
                + (from is null ? string.Empty : " AND (urlkey, fetched_at) >= ($from_key, $from_at)")
                + " ORDER BY urlkey, fetched_at, id LIMIT $limit OFFSET $offset) AS k CROSS JOIN captures ON captures.id = k.id"
                + " ORDER BY k.urlkey, k.fetched_at, k.id";
            command.Parameters.AddWithValue("$key_from", range.From);
            command.Parameters.AddWithValue("$key_to", range.To);
            if (from is not null)
            {
                command.Parameters.AddWithValue("$from_key", from.UrlKey);
                command.Parameters.AddWithValue("$from_at", from.FetchedAt.ToUnixTimeMilliseconds());
            }

            command.Parameters.AddWithValue("$limit", limit);
            command.Parameters.AddWithValue("$offset", offset);
            return;
        }

        if (range is null)
        {
            sql.Append(count ? "COUNT(*)" : SqliteSchema.CaptureColumns).Append(" FROM captures WHERE 1 = 1");
        }
        else
        {
            sql.Append(count ? "COUNT(*)" : SqliteSchema.QualifiedCaptureColumns)
                .Append(count && bare ? " FROM capture_keys AS k" : " FROM capture_keys AS k CROSS JOIN captures ON captures.id = k.id")
                // From a position: the seek begins at its key (SQLite seeks by the plain bounds only; the row value
                // below would otherwise be tested on every key of the range before it).
                .Append(from is null ? " WHERE k.urlkey >= $key_from" : " WHERE k.urlkey >= max($key_from, $from_key)")
                .Append(" AND k.urlkey < $key_to");
            command.Parameters.AddWithValue("$key_from", range.From);
            command.Parameters.AddWithValue("$key_to", range.To);
            if (from is not null)
            {
                // A row value: answered by capture_keys' primary key (urlkey, fetched_at, id) as one seek.
                sql.Append(" AND (k.urlkey, k.fetched_at) >= ($from_key, $from_at)");
                command.Parameters.AddWithValue("$from_key", from.UrlKey);
                command.Parameters.AddWithValue("$from_at", from.FetchedAt.ToUnixTimeMilliseconds());
            }
        }

        if (query.Url is not null)
        {
            sql.Append(" AND url = $url");
            command.Parameters.AddWithValue("$url", query.Url);
        }

        if (query.Urls is { } urls)
        {
            // One statement whatever the number of matches (a seek of captures_url_nocase per [from, to) pair of the
            // JSON list): an OR of many ranges is planned as a full scan by SQLite 3.53, and a subquery per match
            // costs its parsing on every read.
            sql.Append(" AND captures.rowid IN (SELECT c.rowid FROM json_each($urls) AS j CROSS JOIN captures AS c"
                + " WHERE c.url COLLATE NOCASE >= j.value ->> 0 AND c.url COLLATE NOCASE < j.value ->> 1)");
            command.Parameters.AddWithValue("$urls", FoldedRanges(urls));
        }

        if (query.Host is not null)
        {
            sql.Append(" AND host = $host");
            command.Parameters.AddWithValue("$host", query.Host);
        }

        if (query.Epoch is { } epoch)
        {
            sql.Append(" AND epoch = $epoch");
            command.Parameters.AddWithValue("$epoch", epoch);
        }

        if (!count)
        {
            sql.Append(range is null ? " ORDER BY fetched_at, id" : " ORDER BY k.urlkey, k.fetched_at, k.id").Append(" LIMIT $limit OFFSET $offset");
            command.Parameters.AddWithValue("$limit", limit);
            command.Parameters.AddWithValue("$offset", offset);
        }

        command.CommandText = sql.ToString();
    }

    /// <summary>The matches as a JSON list of [from, to) pairs in NOCASE order (an exact URL: up to its successor, U+0001 appended).</summary>
    private static string FoldedRanges(IReadOnlyList<UrlMatch> urls)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var url in urls)
            {
                json.WriteStartArray();
                json.WriteStringValue(url.Folded);
                json.WriteStringValue(url.Prefix ? url.FoldedEnd : url.Folded + '\u0001');
                json.WriteEndArray();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public Task<CaptureRecord?> GetLatestCaptureAsync(string url, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        return LatestCaptureAsync("url = $key", url, ct);
    }

    public Task<CaptureRecord?> GetLatestHostCaptureAsync(string host, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        return LatestCaptureAsync("host = $key", host, ct);
    }

    /// <summary>The newest capture matching <paramref name="where"/> (indexed: captures_url_time, captures_host_time).</summary>
    private async Task<CaptureRecord?> LatestCaptureAsync(string where, string key, CancellationToken ct)
    {
        var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {SqliteSchema.CaptureColumns} FROM captures WHERE {where} ORDER BY fetched_at DESC, id DESC LIMIT 1";
            command.Parameters.AddWithValue("$key", key);
            try
            {
                var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadCapture(reader, connection) : null;
                }
            }
            catch (SqliteException e)
            {
                throw Unavailable(e, "could not be read");
            }
        }
    }

    public async Task<byte[]?> GetPayloadAsync(string digest, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT compression, raw_length, data, dictionary FROM payloads WHERE digest IN ($digest, $digest_text) LIMIT 1";
            command.Parameters.AddWithValue("$digest", BinaryKeys.Digest(digest));
            command.Parameters.AddWithValue("$digest_text", digest);
            try
            {
                var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    if (!await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        return null;
                    }

                    var dictionary = reader.IsDBNull(3) ? null : DictionaryData(connection, reader.GetInt64(3));
                    return PayloadCodec.Decode(reader.GetString(0), reader.GetInt64(1), reader.GetFieldValue<byte[]>(2), dictionary);
                }
            }
            catch (SqliteException e)
            {
                throw Unavailable(e, "could not be read");
            }
        }
    }

    public async Task<StoreStats> GetStatsAsync(CancellationToken ct = default)
    {
        var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = SqliteSchema.Stats;
            try
            {
                var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    await reader.ReadAsync(ct).ConfigureAwait(false);
                    return new StoreStats(
                        Captures: reader.GetInt64(0),
                        Payloads: reader.GetInt64(1),
                        PayloadBytesStored: reader.GetInt64(2),
                        PayloadBytesRaw: reader.GetInt64(3),
                        FrontierPending: reader.GetInt64(4),
                        FrontierDone: reader.GetInt64(5),
                        FrontierFailed: reader.GetInt64(6),
                        Hosts: reader.GetInt32(7),
                        LastCaptureAt: reader.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)));
                }
            }
            catch (SqliteException e)
            {
                throw Unavailable(e, "could not be read");
            }
        }
    }

    public async Task<IReadOnlyList<HostStats>> GetHostStatsAsync(int epoch, CancellationToken ct = default)
    {
        var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = SqliteSchema.HostStats;
            command.Parameters.AddWithValue("$epoch", epoch);
            try
            {
                var result = new List<HostStats>();
                var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        result.Add(new HostStats(
                            Host: reader.GetString(0),
                            Captures: reader.GetInt64(1),
                            Pending: reader.GetInt64(2),
                            Done: reader.GetInt64(3),
                            Failed: reader.GetInt64(4),
                            Errors: reader.GetInt64(5),
                            LastCaptureAt: reader.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6))));
                    }
                }

                return result;
            }
            catch (SqliteException e)
            {
                throw Unavailable(e, "could not be read");
            }
        }
    }

    public async Task<IReadOnlyList<UrlSchedule>> GetSchedulesAsync(string host, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {SqliteSchema.ScheduleColumns} FROM recrawl_schedules WHERE host = $host ORDER BY url";
            command.Parameters.AddWithValue("$host", host);
            try
            {
                var result = new List<UrlSchedule>();
                var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        result.Add(new UrlSchedule
                        {
                            Url = reader.GetString(0),
                            Host = reader.GetString(1),
                            PageClass = (Core.Policies.PageClass)reader.GetInt32(2),
                            Interval = TimeSpan.FromTicks(reader.GetInt64(3)),
                            LastFetchedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                            LastChangedAt = reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                            DueAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
                            PayloadDigest = Digest(reader, 7),
                            Fetches = reader.GetInt32(8),
                            Changes = reader.GetInt32(9),
                            Epoch = reader.GetInt32(10),
                        });
                    }
                }

                return result;
            }
            catch (SqliteException e)
            {
                throw Unavailable(e, "could not be read");
            }
        }
    }

    public async Task UpsertSchedulesAsync(IReadOnlyList<UrlSchedule> schedules, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(schedules);
        for (var i = 0; i < schedules.Count; i++)
        {
            BatchValidation.Schedule(schedules[i], nameof(schedules), i);
        }

        if (schedules.Count == 0)
        {
            return;
        }

        await InTransactionAsync("could not store recrawl schedules", commands =>
        {
            foreach (var schedule in schedules)
            {
                commands.UpsertSchedule(schedule);
            }

            return 0;
        }, ct).ConfigureAwait(false);
    }

    public async Task MarkJobAsync(string host, int epoch, DateTimeOffset? startedAt, DateTimeOffset? finishedAt, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        await InTransactionAsync("could not mark a job", commands =>
        {
            commands.MarkJob(host, epoch, startedAt, finishedAt);
            return 0;
        }, ct).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<CrawlJob>> GetJobsAsync(JobQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = SqliteSchema.JobsSql(query.Host is not null, query.Epoch is not null);
            if (query.Host is not null)
            {
                command.Parameters.AddWithValue("$host", query.Host);
            }

            if (query.Epoch is { } epoch)
            {
                command.Parameters.AddWithValue("$epoch", epoch);
            }

            try
            {
                var result = new List<CrawlJob>();
                var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        result.Add(new CrawlJob(reader.GetString(0), reader.GetInt32(1))
                        {
                            StartedAt = reader.IsDBNull(2) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                            FinishedAt = reader.IsDBNull(3) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                            New = reader.GetInt64(4),
                            Changed = reader.GetInt64(5),
                            Unchanged = reader.GetInt64(6),
                            Failed = reader.GetInt64(7),
                            NotDue = reader.GetInt64(8),
                            Skipped = reader.GetInt64(9),
                            Pending = reader.GetInt64(10),
                            Captures = reader.GetInt64(11),
                            Errors = reader.GetInt64(12),
                        });
                    }
                }

                return result;
            }
            catch (SqliteException e)
            {
                throw Unavailable(e, "could not be read");
            }
        }
    }

    public async Task<string?> GetSettingAsync(string key, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT value FROM settings WHERE key = $key";
            command.Parameters.AddWithValue("$key", key);
            try
            {
                return (string?)await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
            }
            catch (SqliteException e)
            {
                throw Unavailable(e, "could not be read");
            }
        }
    }

    public async Task SetSettingAsync(string key, string value, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        await WriteSettingAsync(commands => { commands.SetSetting(key, value); return true; }, ct).ConfigureAwait(false);
    }

    public Task<bool> CompareAndSetSettingAsync(string key, string? expected, string value, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        return WriteSettingAsync(commands => commands.CompareAndSetSetting(key, expected, value), ct);
    }

    /// <summary>One setting statement on the writer connection, outside any transaction, under the write lock.</summary>
    private async Task<bool> WriteSettingAsync(Func<WriteCommands, bool> write, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var commands = ReadyCommands();
            try
            {
                return write(commands);
            }
            catch (SqliteException e)
            {
                throw Unavailable(e, "could not save a setting");
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        // Waits for a write in flight: what was acknowledged stays acknowledged.
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _ready = false;
            _commands?.Dispose();
            _commands = null;
            _sequence?.Dispose();
            _sequence = null;
            if (_writer is not null)
            {
                await _writer.DisposeAsync().ConfigureAwait(false);
                _writer = null;
            }

            // Idle pooled readers keep the file open; release them.
            using var pooled = new SqliteConnection(_readerConnectionString);
            SqliteConnection.ClearPool(pooled);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> in one immediate transaction under the write lock: all of it
    /// is stored or none (an exception rolls back); SQLite failures become StoreUnavailableException.
    /// The frontier counter is read after BEGIN IMMEDIATE (no other process can write until the
    /// commit) and stored back with the batch.
    /// </summary>
    private async Task<T> InTransactionAsync<T>(string what, Func<WriteCommands, T> body, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var commands = ReadyCommands();
            try
            {
                using var tx = SqliteConnections.BeginWrite(_writer!);
                var first = _lastSeq = _sequence!.Read(tx);
                var result = body(commands);
                if (_lastSeq != first)
                {
                    _sequence.Write(tx, _lastSeq);
                }

                tx.Commit();
                return result;
            }
            catch (SqliteException e)
            {
                throw Unavailable(e, what);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private WriteCommands ReadyCommands()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _commands ?? throw new InvalidOperationException("Call InitializeAsync before using the store.");
    }

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_ready)
        {
            throw new InvalidOperationException("Call InitializeAsync before using the store.");
        }

        try
        {
            return await SqliteConnections.OpenAsync(_readerConnectionString, _options, ct).ConfigureAwait(false);
        }
        catch (SqliteException e)
        {
            throw Unavailable(e, "cannot be opened for reading");
        }
    }

    private StoreUnavailableException Unavailable(SqliteException e, string what)
    {
        if (SqliteConnections.IsBusy(e))
        {
            return SqliteConnections.Busy(_path, what, _options, e);
        }

        var advice = e.SqliteErrorCode switch
        {
            raw.SQLITE_CANTOPEN or raw.SQLITE_PERM or raw.SQLITE_READONLY or raw.SQLITE_AUTH =>
                "check that the file and its folder exist and are writable by this user, or point the store at another path",
            raw.SQLITE_NOTADB or raw.SQLITE_CORRUPT =>
                "the file is not a usable SQLite database: move it aside (a new one is created on start) or restore a backup",
            raw.SQLITE_FULL => "the disk is full: free space, then retry",
            raw.SQLITE_IOERR => "the disk reported an I/O error: check it, then retry",
            _ => "check the file and the disk, then retry",
        };
        return new StoreUnavailableException($"SQLite store '{_path}' {what}: {e.Message} ({advice}).", e);
    }

    private CaptureRecord ReadCapture(SqliteDataReader r, SqliteConnection connection)
    {
        var capture = ReadCaptureColumns(r);
        if (r.IsDBNull(24))
        {
            return capture; // a row of schema version 3 or older: headers and outlinks in their own columns
        }

        var stored = r.GetFieldValue<byte[]>(24);
        var dictionaryRef = CaptureBulk.DictionaryRef(stored);
        return CaptureBulk.Load(stored, dictionaryRef == 0 ? null : DictionaryData(connection, dictionaryRef), capture);
    }

    private static CaptureRecord ReadCaptureColumns(SqliteDataReader r) => new()
    {
        Id = BinaryKeys.IdText(r.GetValue(0)),
        Url = r.GetString(1),
        Host = r.GetString(2),
        Epoch = r.GetInt32(3),
        FetchedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)),
        DurationMs = r.GetInt64(5),
        IpAddress = Text(r, 6),
        Status = r.IsDBNull(7) ? null : r.GetInt32(7),
        RequestHeaders = r.GetFieldValue<byte[]>(8),
        ResponseHeaders = r.IsDBNull(9) ? null : r.GetFieldValue<byte[]>(9),
        PayloadDigest = Digest(r, 10),
        PayloadLength = r.GetInt64(11),
        ContentType = Text(r, 12),
        Error = Text(r, 13),
        ErrorDetail = Text(r, 14),
        Truncated = Text(r, 15),
        RedirectTo = Text(r, 16),
        ETag = Text(r, 17),
        LastModified = Text(r, 18),
        Title = Text(r, 19),
        Language = Text(r, 20),
        Charset = Text(r, 21),
        Outlinks = r.IsDBNull(24) ? JsonSerializer.Deserialize(r.GetString(22), OutlinkJson.Default.OutlinkArray) ?? [] : [],
        Attempt = r.GetInt32(23),
    };

    private static string? Text(SqliteDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    /// <summary>A payload digest column: a BLOB (version 5) or the TEXT of older rows.</summary>
    private static string? Digest(SqliteDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : BinaryKeys.DigestText(r.GetValue(ordinal));

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        return command.ExecuteScalar();
    }
}
