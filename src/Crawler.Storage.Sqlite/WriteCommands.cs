using Microsoft.Data.Sqlite;

namespace Crawler.Storage.Sqlite;

/// <summary>
/// The writer connection's prepared statements, compiled once and re-bound for every row
/// (thousands of commits per second). Not thread-safe: used under the store's write lock.
/// </summary>
internal sealed class WriteCommands : IDisposable
{
    private readonly SqliteCommand _insertCapture;
    private readonly SqliteCommand _insertCaptureKey;
    private readonly SqliteCommand _countCaptureKey;
    private readonly SqliteCommand _countInBlock;
    private readonly SqliteCommand _blockOf;
    private readonly SqliteCommand _insertBlock;
    private readonly SqliteCommand _subtractFromBlock;
    private readonly SqliteCommand _nextBlock;
    private readonly SqliteCommand _keyAt;
    private readonly SqliteCommand _keyAfter;
    private readonly SqliteCommand _countBetween;
    private readonly int _blockSize;
    private long _keysCounted;
    private readonly SqliteCommand _payloadExists;
    private readonly SqliteCommand _insertPayload;
    private readonly SqliteCommand _upsertFetched;
    private readonly SqliteCommand _insertFrontier;
    private readonly SqliteCommand _upsertSettled;
    private readonly SqliteCommand _setSetting;
    private readonly SqliteCommand _createSetting;
    private readonly SqliteCommand _replaceSetting;
    private readonly SqliteCommand _upsertSchedule;
    private readonly SqliteCommand _markJob;
    private readonly SqliteCommand _captureIdentity;
    private readonly SqliteCommand _dictionaryId;
    private readonly SqliteCommand _insertDictionary;
    private readonly SqliteCommand _recodePayload;
    private readonly SqliteCommand _recodeCapture;
    private readonly SqliteCommand _upsertCrawlLog;
    private readonly SqliteCommand[] _all;
    private readonly SiteDictionaries _dictionaries;

    /// <param name="connection">The writer connection.</param>
    /// <param name="dictionaries">Per-site compression of payloads and capture bulks (scopes "payload host" and
    /// "capture host"), loaded with the store's dictionaries.</param>
    public WriteCommands(SqliteConnection connection, SiteDictionaries dictionaries, int blockSize)
    {
        _dictionaries = dictionaries;
        _insertCapture = Prepare(connection, SqliteSchema.InsertCapture,
            "$id", "$url", "$host", "$epoch", "$fetched_at", "$duration_ms", "$ip", "$status", "$request_headers",
            "$response_headers", "$payload_digest", "$payload_length", "$content_type", "$error", "$error_detail",
            "$truncated", "$redirect_to", "$etag", "$last_modified", "$title", "$language", "$charset", "$outlinks",
            "$attempt", "$bulk", "$id_text");
        _insertCaptureKey = Prepare(connection, SqliteSchema.InsertCaptureKey, "$urlkey", "$fetched_at", "$id");
        _countCaptureKey = Prepare(connection, SqliteSchema.CountCaptureKey, "$host_key");
        _countInBlock = Prepare(connection, CaptureKeyBlocks.CountIn, "$urlkey");
        _blockOf = Prepare(connection, CaptureKeyBlocks.BlockOf, "$urlkey");
        _insertBlock = Prepare(connection, CaptureKeyBlocks.Insert, "$first_key", "$captures");
        _subtractFromBlock = Prepare(connection, CaptureKeyBlocks.Subtract, "$first_key", "$captures");
        _nextBlock = Prepare(connection, CaptureKeyBlocks.Next, "$first_key");
        _keyAt = Prepare(connection, CaptureKeyBlocks.KeyAt, "$from", "$to", "$offset");
        _keyAfter = Prepare(connection, CaptureKeyBlocks.KeyAfter, "$from", "$to");
        _countBetween = Prepare(connection, CaptureKeyBlocks.CountBetween, "$from", "$to");
        _blockSize = blockSize;
        _payloadExists = Prepare(connection, SqliteSchema.PayloadExists, "$digest", "$digest_text");
        _recodePayload = Prepare(connection, SqliteSchema.RecodePayload, "$digest", "$compression", "$stored_length", "$data", "$dictionary");
        _recodeCapture = Prepare(connection, SqliteSchema.RecodeCapture, "$id", "$bulk");
        _insertPayload = Prepare(connection, SqliteSchema.InsertPayload,
            "$digest", "$compression", "$raw_length", "$stored_length", "$data", "$dictionary");
        _dictionaryId = Prepare(connection, SqliteSchema.DictionaryId, "$digest");
        _insertDictionary = Prepare(connection, SqliteSchema.InsertDictionary, "$digest", "$scope", "$created_at", "$data", "$compression");
        _upsertFetched = Prepare(connection, SqliteSchema.UpsertFetched, "$epoch", "$url", "$host", "$state", "$seq", "$retry_at", "$outcome", "$attempt");
        _captureIdentity = Prepare(connection, SqliteSchema.CaptureIdentity, "$id", "$id_text");
        _insertFrontier = Prepare(connection, SqliteSchema.InsertFrontier,
            "$epoch", "$url", "$host", "$depth", "$via", "$kind", "$state", "$attempts", "$seq", "$retry_at");
        _upsertSettled = Prepare(connection, SqliteSchema.UpsertSettled, "$epoch", "$url", "$host", "$state", "$seq", "$reason", "$outcome");
        _setSetting = Prepare(connection, SqliteSchema.SetSetting, "$key", "$value");
        _createSetting = Prepare(connection, SqliteSchema.CreateSetting, "$key", "$value");
        _replaceSetting = Prepare(connection, SqliteSchema.ReplaceSetting, "$key", "$expected", "$value");
        _upsertSchedule = Prepare(connection, SqliteSchema.UpsertSchedule,
            "$url", "$host", "$page_class", "$interval_ticks", "$last_fetched_at", "$last_changed_at", "$due_at",
            "$payload_digest", "$fetches", "$changes", "$epoch");
        _markJob = Prepare(connection, SqliteSchema.MarkJob, "$host", "$epoch", "$started_at", "$finished_at");
        _upsertCrawlLog = Prepare(connection, SqliteSchema.UpsertCrawlLog, "$epoch", "$url", "$host", "$reason", "$detail", "$via", "$depth", "$at", "$own");
        _all = [_upsertCrawlLog, _insertCapture, _insertCaptureKey, _countCaptureKey, _countInBlock, _blockOf, _insertBlock, _subtractFromBlock, _nextBlock, _keyAt, _keyAfter, _countBetween, _payloadExists, _insertPayload, _upsertFetched, _insertFrontier, _upsertSettled, _setSetting, _upsertSchedule, _markJob, _captureIdentity, _createSetting, _replaceSetting, _dictionaryId, _insertDictionary, _recodePayload, _recodeCapture];
    }

    /// <summary>Microsoft.Data.Sqlite requires every command to name the connection's open transaction.</summary>
    public void Enlist(SqliteTransaction? tx)
    {
        foreach (var command in _all)
        {
            command.Transaction = tx;
        }
    }

    /// <summary>Inserts the capture; false when this very fetch is stored already (a replay). Throws when its id is another fetch's.</summary>
    public bool InsertCapture(CaptureRecord c)
    {
        // Headers, outlinks and the text fields no query filters on go to the compressed bulk (CaptureBulk); their
        // columns keep empty values.
        var columns = CaptureBulk.Columns(c);
        var p = _insertCapture.Parameters;
        Bind(p, 0, BinaryKeys.Id(c.Id));
        Bind(p, 1, c.Url);
        Bind(p, 2, c.Host);
        Bind(p, 3, c.Epoch);
        Bind(p, 4, c.FetchedAt.ToUnixTimeMilliseconds());
        Bind(p, 5, c.DurationMs);
        Bind(p, 6, columns.IpAddress);
        Bind(p, 7, c.Status);
        Bind(p, 8, Array.Empty<byte>());
        Bind(p, 9, null);
        Bind(p, 10, c.PayloadDigest is null ? null : BinaryKeys.Digest(c.PayloadDigest));
        Bind(p, 11, c.PayloadLength);
        Bind(p, 12, columns.ContentType);
        Bind(p, 13, c.Error);
        Bind(p, 14, columns.ErrorDetail);
        Bind(p, 15, columns.Truncated);
        Bind(p, 16, columns.RedirectTo);
        Bind(p, 17, columns.ETag);
        Bind(p, 18, columns.LastModified);
        Bind(p, 19, columns.Title);
        Bind(p, 20, columns.Language);
        Bind(p, 21, columns.Charset);
        Bind(p, 22, string.Empty);
        Bind(p, 23, c.Attempt);
        var bulk = CaptureBulk.Pack(c);
        Bind(p, 24, StoredBulk(_dictionaries.Encode("capture " + c.Host, bulk, c.Id), bulk.Length));
        Bind(p, 25, c.Id);
        var inserted = _insertCapture.ExecuteNonQuery() == 1;
        RecodeCaptures();
        if (inserted)
        {
            if (c.Status is not null)
            {
                // Listed by the CDX server: its key, for host and domain matches in key order (SqliteSchema.Create).
                var urlkey = Crawler.Core.Cdx.Surt.Key(c.Url);
                var k = _insertCaptureKey.Parameters;
                Bind(k, 0, urlkey);
                Bind(k, 1, c.FetchedAt.ToUnixTimeMilliseconds());
                Bind(k, 2, BinaryKeys.Id(c.Id));
                if (_insertCaptureKey.ExecuteNonQuery() == 1)
                {
                    Bind(_countCaptureKey.Parameters, 0, SqliteSchema.HostKey(urlkey));
                    _countCaptureKey.ExecuteNonQuery();
                    CountInBlock(urlkey);
                }
            }

            return true;
        }

        // The id is stored already: the same fetch written again (a replay) is nothing new; another fetch under it is refused.
        Bind(_captureIdentity.Parameters, 0, BinaryKeys.Id(c.Id));
        Bind(_captureIdentity.Parameters, 1, c.Id);
        using var stored = _captureIdentity.ExecuteReader();
        return stored.Read() && stored.GetString(0) == c.Url && stored.GetInt64(1) == c.FetchedAt.ToUnixTimeMilliseconds() && stored.GetInt32(2) == c.Attempt
            ? false
            : throw new InvalidOperationException($"capture id '{c.Id}' is stored for another fetch");
    }

    private byte[] StoredBulk(EncodedRecord encoded, int rawLength) =>
        CaptureBulk.Store(encoded, encoded.Dictionary is { } d ? DictionaryId(d) : 0, rawLength);

    /// <summary>The site's first capture bulks, encoded again once its dictionary was trained (see SiteDictionaries).</summary>
    private void RecodeCaptures()
    {
        foreach (var recoded in _dictionaries.TakeRecoded())
        {
            var p = _recodeCapture.Parameters;
            Bind(p, 0, BinaryKeys.Id(recoded.Key));
            Bind(p, 1, StoredBulk(recoded.Record, recoded.RawLength));
            _recodeCapture.ExecuteNonQuery();
        }
    }

    public bool PayloadExists(string digest)
    {
        Bind(_payloadExists.Parameters, 0, BinaryKeys.Digest(digest));
        Bind(_payloadExists.Parameters, 1, digest);
        return _payloadExists.ExecuteScalar() is not null;
    }

    /// <summary>Stores a payload, encoded with the dictionary of <paramref name="host"/>'s payloads once it has one; the
    /// site's first payloads (stored before the dictionary was trained) are encoded again with it when it is.</summary>
    public void InsertPayload(string digest, byte[] raw, string host)
    {
        var (compression, dictionary, data) = _dictionaries.Encode("payload " + host, raw, digest);
        var p = _insertPayload.Parameters;
        Bind(p, 5, dictionary is null ? null : DictionaryId(dictionary));
        Bind(p, 0, BinaryKeys.Digest(digest));
        Bind(p, 1, compression);
        Bind(p, 2, (long)raw.Length);
        Bind(p, 3, (long)data.Length);
        Bind(p, 4, data);
        _insertPayload.ExecuteNonQuery();
        foreach (var recoded in _dictionaries.TakeRecoded())
        {
            var r = _recodePayload.Parameters;
            Bind(r, 0, BinaryKeys.Digest(recoded.Key));
            Bind(r, 1, recoded.Record.Compression);
            Bind(r, 2, (long)recoded.Record.Data.Length);
            Bind(r, 3, recoded.Record.Data);
            Bind(r, 4, DictionaryId(recoded.Record.Dictionary!));
            _recodePayload.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// The dictionaries.id of <paramref name="dictionary"/>, stored in this transaction when absent. Looked up for every
    /// record rather than cached: a rolled-back batch takes a dictionary it stored with it.
    /// </summary>
    private long DictionaryId(CompressionDictionary dictionary)
    {
        Bind(_dictionaryId.Parameters, 0, dictionary.Digest);
        if (_dictionaryId.ExecuteScalar() is long id)
        {
            return id;
        }

        var p = _insertDictionary.Parameters;
        Bind(p, 0, dictionary.Digest);
        Bind(p, 1, dictionary.Scope);
        Bind(p, 2, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Bind(p, 3, dictionary.StoredData());
        Bind(p, 4, CompressionDictionary.StoredCompression);
        return (long)_insertDictionary.ExecuteScalar()!;
    }

    public void UpsertFetched(CaptureRecord c, FrontierState state, long seq, DateTimeOffset? retryAt, RecrawlOutcome? outcome)
    {
        var p = _upsertFetched.Parameters;
        Bind(p, 0, c.Epoch);
        Bind(p, 1, c.Url);
        Bind(p, 2, c.Host);
        Bind(p, 3, (int)state);
        Bind(p, 4, seq);
        Bind(p, 5, state == FrontierState.Pending ? retryAt?.ToUnixTimeMilliseconds() : null);
        Bind(p, 6, state == FrontierState.Pending ? null : (int?)outcome);
        Bind(p, 7, c.Attempt);
        _upsertFetched.ExecuteNonQuery();
    }

    public void UpsertSchedule(UrlSchedule s)
    {
        var p = _upsertSchedule.Parameters;
        Bind(p, 0, s.Url);
        Bind(p, 1, s.Host);
        Bind(p, 2, (int)s.PageClass);
        Bind(p, 3, s.Interval.Ticks);
        Bind(p, 4, s.LastFetchedAt.ToUnixTimeMilliseconds());
        Bind(p, 5, s.LastChangedAt?.ToUnixTimeMilliseconds());
        Bind(p, 6, s.DueAt.ToUnixTimeMilliseconds());
        Bind(p, 7, s.PayloadDigest is null ? null : BinaryKeys.Digest(s.PayloadDigest));
        Bind(p, 8, s.Fetches);
        Bind(p, 9, s.Changes);
        Bind(p, 10, s.Epoch);
        _upsertSchedule.ExecuteNonQuery();
    }

    public void MarkJob(string host, int epoch, DateTimeOffset? startedAt, DateTimeOffset? finishedAt)
    {
        var p = _markJob.Parameters;
        Bind(p, 0, host);
        Bind(p, 1, epoch);
        Bind(p, 2, startedAt?.ToUnixTimeMilliseconds());
        Bind(p, 3, finishedAt?.ToUnixTimeMilliseconds());
        _markJob.ExecuteNonQuery();
    }

    /// <summary>Inserts unless (epoch, url) is known; returns 1 when inserted, 0 when ignored.</summary>
    public int InsertFrontier(FrontierEntry e, long seq)
    {
        var p = _insertFrontier.Parameters;
        Bind(p, 0, e.Epoch);
        Bind(p, 1, e.Url);
        Bind(p, 2, e.Host);
        Bind(p, 3, e.Depth);
        Bind(p, 4, e.Via);
        Bind(p, 5, e.Kind);
        Bind(p, 6, (int)e.State);
        Bind(p, 7, e.Attempts);
        Bind(p, 8, seq);
        Bind(p, 9, e.State == FrontierState.Pending ? e.RetryAt?.ToUnixTimeMilliseconds() : null);
        return _insertFrontier.ExecuteNonQuery();
    }

    public void UpsertSettled(FrontierUpdate u, long seq)
    {
        var p = _upsertSettled.Parameters;
        Bind(p, 0, u.Epoch);
        Bind(p, 1, u.Url);
        Bind(p, 2, u.Host);
        Bind(p, 3, (int)u.State);
        Bind(p, 4, seq);
        Bind(p, 5, u.Reason);
        Bind(p, 6, (int?)u.Outcome);
        _upsertSettled.ExecuteNonQuery();
    }

    /// <summary>Crawl log rows: a URL's own verdict (no via) replaces, a declined link fills.</summary>
    public void UpsertCrawlLog(IReadOnlyList<CrawlLogEntry> rows)
    {
        var p = _upsertCrawlLog.Parameters;
        foreach (var row in rows)
        {
            Bind(p, 0, row.Epoch);
            Bind(p, 1, row.Url);
            Bind(p, 2, row.Host);
            Bind(p, 3, row.Reason);
            Bind(p, 4, row.Detail);
            Bind(p, 5, row.Via);
            Bind(p, 6, row.Depth);
            Bind(p, 7, row.At.ToUnixTimeMilliseconds());
            Bind(p, 8, row.Via is null ? 1 : 0);
            _upsertCrawlLog.ExecuteNonQuery();
        }
    }

    public void SetSetting(string key, string value)
    {
        Bind(_setSetting.Parameters, 0, key);
        Bind(_setSetting.Parameters, 1, value);
        _setSetting.ExecuteNonQuery();
    }

    /// <summary>Sets the setting only while it holds <paramref name="expected"/> (null: while absent); true when it did.</summary>
    public bool CompareAndSetSetting(string key, string? expected, string value)
    {
        if (expected is null)
        {
            Bind(_createSetting.Parameters, 0, key);
            Bind(_createSetting.Parameters, 1, value);
            return _createSetting.ExecuteNonQuery() == 1;
        }

        Bind(_replaceSetting.Parameters, 0, key);
        Bind(_replaceSetting.Parameters, 1, expected);
        Bind(_replaceSetting.Parameters, 2, value);
        return _replaceSetting.ExecuteNonQuery() == 1;
    }

    public void Dispose()
    {
        foreach (var command in _all)
        {
            command.Dispose();
        }
    }

    /// <summary>Counts a new key in its block (<see cref="CaptureKeyBlocks"/>), and now and then splits its block when it has reached twice the block size.</summary>
    private void CountInBlock(string urlkey)
    {
        Bind(_countInBlock.Parameters, 0, urlkey);
        if (_countInBlock.ExecuteNonQuery() == 0)
        {
            // Before every block (or the first key of all): a block of its own.
            Bind(_insertBlock.Parameters, 0, urlkey);
            Bind(_insertBlock.Parameters, 1, 1L);
            _insertBlock.ExecuteNonQuery();
            return;
        }

        if (++_keysCounted % CaptureKeyBlocks.CheckEvery(_blockSize) != 0)
        {
            return;
        }

        Bind(_blockOf.Parameters, 0, urlkey);
        string first;
        long captures;
        using (var reader = _blockOf.ExecuteReader())
        {
            reader.Read();
            first = reader.GetString(0);
            captures = reader.GetInt64(1);
        }

        if (captures >= 2L * _blockSize)
        {
            SplitBlock(first);
        }
    }

    /// <summary>Splits the block at <paramref name="first"/> at the key of its middle entry, or at its second key when the middle is still its first.</summary>
    private void SplitBlock(string first)
    {
        Bind(_nextBlock.Parameters, 0, first);
        object next = _nextBlock.ExecuteScalar() as string ?? (object)CaptureKeyBlocks.End;
        Bind(_keyAt.Parameters, 0, first);
        Bind(_keyAt.Parameters, 1, next);
        Bind(_keyAt.Parameters, 2, (long)_blockSize);
        var middle = _keyAt.ExecuteScalar() as string;
        if (middle is null || middle == first)
        {
            Bind(_keyAfter.Parameters, 0, first);
            Bind(_keyAfter.Parameters, 1, next);
            middle = _keyAfter.ExecuteScalar() as string;
            if (middle is null)
            {
                return; // one key: stays one block
            }
        }

        Bind(_countBetween.Parameters, 0, middle);
        Bind(_countBetween.Parameters, 1, next);
        var upper = Convert.ToInt64(_countBetween.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        Bind(_insertBlock.Parameters, 0, middle);
        Bind(_insertBlock.Parameters, 1, upper);
        _insertBlock.ExecuteNonQuery();
        Bind(_subtractFromBlock.Parameters, 0, first);
        Bind(_subtractFromBlock.Parameters, 1, upper);
        _subtractFromBlock.ExecuteNonQuery();
    }

    private static void Bind(SqliteParameterCollection parameters, int index, object? value) =>
        parameters[index].Value = value ?? DBNull.Value;

    private static SqliteCommand Prepare(SqliteConnection connection, string sql, params string[] names)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in names)
        {
            command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
        }

        command.Prepare();
        return command;
    }
}
