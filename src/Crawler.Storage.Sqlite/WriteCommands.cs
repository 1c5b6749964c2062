using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Crawler.Storage.Sqlite;

/// <summary>
/// The writer connection's prepared statements, compiled once and re-bound for every row
/// (thousands of commits per second), bound by position (<see cref="RawStatement"/>). Not thread-safe: used under the
/// store's write lock.
/// </summary>
internal sealed class WriteCommands : IDisposable
{
    private readonly RawStatement _insertCapture;
    private readonly RawStatement _captureIdTextExists;
    private readonly RawStatement _insertCaptureKey;
    private readonly RawStatement _countCaptureKey;
    private readonly RawStatement _countInBlock;
    private readonly RawStatement _blockOf;
    private readonly RawStatement _insertBlock;
    private readonly RawStatement _subtractFromBlock;
    private readonly RawStatement _nextBlock;
    private readonly RawStatement _keyAt;
    private readonly RawStatement _keyAfter;
    private readonly RawStatement _countBetween;
    private readonly int _blockSize;
    private long _keysCounted;
    private readonly RawStatement _payloadExists;
    private readonly RawStatement _insertPayload;
    private readonly RawStatement _upsertFetched;
    private readonly RawStatement _insertFrontier;
    private readonly RawStatement _upsertSettled;
    private readonly RawStatement _setSetting;
    private readonly RawStatement _createSetting;
    private readonly RawStatement _replaceSetting;
    private readonly RawStatement _upsertSchedule;
    private readonly RawStatement _markJob;
    private readonly RawStatement _captureIdentity;
    private readonly RawStatement _dictionaryId;
    private readonly RawStatement _insertDictionary;
    private readonly RawStatement _recodePayload;
    private readonly RawStatement _recodeCapture;
    private readonly RawStatement _upsertCrawlLog;
    private readonly RawStatement[] _all;
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
            "$attempt", "$bulk");
        _captureIdTextExists = Prepare(connection, SqliteSchema.CaptureIdTextExists, "$id_text");
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
        _all = [_upsertCrawlLog, _insertCapture, _captureIdTextExists, _insertCaptureKey, _countCaptureKey, _countInBlock, _blockOf, _insertBlock, _subtractFromBlock, _nextBlock, _keyAt, _keyAfter, _countBetween, _payloadExists, _insertPayload, _upsertFetched, _insertFrontier, _upsertSettled, _setSetting, _upsertSchedule, _markJob, _captureIdentity, _createSetting, _replaceSetting, _dictionaryId, _insertDictionary, _recodePayload, _recodeCapture];
    }

    /// <summary>Inserts the capture; false when this very fetch is stored already (a replay). Throws when its id is another fetch's.</summary>
    public bool InsertCapture(CaptureRecord c)
    {
        // Headers, outlinks and the text fields no query filters on go to the compressed bulk (CaptureBulk); their
        // columns keep empty values.
        var columns = CaptureBulk.Columns(c);
        var p = _insertCapture;
        p.Bind(0, BinaryKeys.Id(c.Id));
        p.Bind(1, c.Url);
        p.Bind(2, c.Host);
        p.Bind(3, c.Epoch);
        p.Bind(4, c.FetchedAt.ToUnixTimeMilliseconds());
        p.Bind(5, c.DurationMs);
        p.Bind(6, columns.IpAddress);
        p.Bind(7, c.Status);
        p.Bind(8, Array.Empty<byte>());
        p.Bind(9, (byte[]?)null);
        p.Bind(10, c.PayloadDigest is null ? null : BinaryKeys.Digest(c.PayloadDigest));
        p.Bind(11, c.PayloadLength);
        p.Bind(12, columns.ContentType);
        p.Bind(13, c.Error);
        p.Bind(14, columns.ErrorDetail);
        p.Bind(15, columns.Truncated);
        p.Bind(16, columns.RedirectTo);
        p.Bind(17, columns.ETag);
        p.Bind(18, columns.LastModified);
        p.Bind(19, columns.Title);
        p.Bind(20, columns.Language);
        p.Bind(21, columns.Charset);
        p.Bind(22, string.Empty);
        p.Bind(23, c.Attempt);
        var bulk = CaptureBulk.Pack(c);
        p.Bind(24, StoredBulk(_dictionaries.Encode("capture " + c.Host, bulk, c.Id), bulk.Length));
        _captureIdTextExists.Bind(0, c.Id);
        var inserted = !_captureIdTextExists.HasRow() && _insertCapture.Execute() == 1;
        RecodeCaptures();
        if (inserted)
        {
            if (c.Status is not null)
            {
                // Listed by the CDX server: its key, for host and domain matches in key order (SqliteSchema.Create).
                var urlkey = Crawler.Core.Cdx.Surt.Key(c.Url);
                var k = _insertCaptureKey;
                k.Bind(0, urlkey);
                k.Bind(1, c.FetchedAt.ToUnixTimeMilliseconds());
                k.Bind(2, BinaryKeys.Id(c.Id));
                if (_insertCaptureKey.Execute() == 1)
                {
                    _countCaptureKey.Bind(0, SqliteSchema.HostKey(urlkey));
                    _countCaptureKey.Execute();
                    CountInBlock(urlkey);
                }
            }

            return true;
        }

        // The id is stored already: the same fetch written again (a replay) is nothing new; another fetch under it is refused.
        _captureIdentity.Bind(0, BinaryKeys.Id(c.Id));
        _captureIdentity.Bind(1, c.Id);
        var replay = _captureIdentity.FirstRow(row =>
            raw.sqlite3_column_text(row, 0).utf8_to_string() == c.Url
            && raw.sqlite3_column_int64(row, 1) == c.FetchedAt.ToUnixTimeMilliseconds()
            && raw.sqlite3_column_int(row, 2) == c.Attempt);
        return replay
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
            var p = _recodeCapture;
            p.Bind(0, BinaryKeys.Id(recoded.Key));
            p.Bind(1, StoredBulk(recoded.Record, recoded.RawLength));
            _recodeCapture.Execute();
        }
    }

    public bool PayloadExists(string digest)
    {
        _payloadExists.Bind(0, BinaryKeys.Digest(digest));
        _payloadExists.Bind(1, digest);
        return _payloadExists.HasRow();
    }

    /// <summary>Stores a payload, encoded with the dictionary of <paramref name="host"/>'s payloads once it has one; the
    /// site's first payloads (stored before the dictionary was trained) are encoded again with it when it is.</summary>
    public void InsertPayload(string digest, byte[] raw, string host)
    {
        var (compression, dictionary, data) = _dictionaries.Encode("payload " + host, raw, digest);
        var p = _insertPayload;
        p.Bind(5, dictionary is null ? null : DictionaryId(dictionary));
        p.Bind(0, BinaryKeys.Digest(digest));
        p.Bind(1, compression);
        p.Bind(2, (long)raw.Length);
        p.Bind(3, (long)data.Length);
        p.Bind(4, data);
        _insertPayload.Execute();
        foreach (var recoded in _dictionaries.TakeRecoded())
        {
            var r = _recodePayload;
            r.Bind(0, BinaryKeys.Digest(recoded.Key));
            r.Bind(1, recoded.Record.Compression);
            r.Bind(2, (long)recoded.Record.Data.Length);
            r.Bind(3, recoded.Record.Data);
            r.Bind(4, DictionaryId(recoded.Record.Dictionary!));
            _recodePayload.Execute();
        }
    }

    /// <summary>
    /// The dictionaries.id of <paramref name="dictionary"/>, stored in this transaction when absent. Looked up for every
    /// record rather than cached: a rolled-back batch takes a dictionary it stored with it.
    /// </summary>
    private long DictionaryId(CompressionDictionary dictionary)
    {
        _dictionaryId.Bind(0, dictionary.Digest);
        if (_dictionaryId.ScalarInt64() is { } id)
        {
            return id;
        }

        var p = _insertDictionary;
        p.Bind(0, dictionary.Digest);
        p.Bind(1, dictionary.Scope);
        p.Bind(2, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        p.Bind(3, dictionary.StoredData());
        p.Bind(4, CompressionDictionary.StoredCompression);
        return _insertDictionary.ScalarInt64() ?? throw new InvalidOperationException("INSERT ... RETURNING gave no id");
    }

    public void UpsertFetched(CaptureRecord c, FrontierState state, long seq, DateTimeOffset? retryAt, RecrawlOutcome? outcome)
    {
        var p = _upsertFetched;
        p.Bind(0, c.Epoch);
        p.Bind(1, c.Url);
        p.Bind(2, c.Host);
        p.Bind(3, (int)state);
        p.Bind(4, seq);
        p.Bind(5, state == FrontierState.Pending ? retryAt?.ToUnixTimeMilliseconds() : null);
        p.Bind(6, state == FrontierState.Pending ? null : (int?)outcome);
        p.Bind(7, c.Attempt);
        _upsertFetched.Execute();
    }

    public void UpsertSchedule(UrlSchedule s)
    {
        var p = _upsertSchedule;
        p.Bind(0, s.Url);
        p.Bind(1, s.Host);
        p.Bind(2, (int)s.PageClass);
        p.Bind(3, s.Interval.Ticks);
        p.Bind(4, s.LastFetchedAt.ToUnixTimeMilliseconds());
        p.Bind(5, s.LastChangedAt?.ToUnixTimeMilliseconds());
        p.Bind(6, s.DueAt.ToUnixTimeMilliseconds());
        p.Bind(7, s.PayloadDigest is null ? null : BinaryKeys.Digest(s.PayloadDigest));
        p.Bind(8, s.Fetches);
        p.Bind(9, s.Changes);
        p.Bind(10, s.Epoch);
        _upsertSchedule.Execute();
    }

    public void MarkJob(string host, int epoch, DateTimeOffset? startedAt, DateTimeOffset? finishedAt)
    {
        var p = _markJob;
        p.Bind(0, host);
        p.Bind(1, epoch);
        p.Bind(2, startedAt?.ToUnixTimeMilliseconds());
        p.Bind(3, finishedAt?.ToUnixTimeMilliseconds());
        _markJob.Execute();
    }

    /// <summary>Inserts unless (epoch, url) is known; returns 1 when inserted, 0 when ignored.</summary>
    public int InsertFrontier(FrontierEntry e, long seq)
    {
        var p = _insertFrontier;
        p.Bind(0, e.Epoch);
        p.Bind(1, e.Url);
        p.Bind(2, e.Host);
        p.Bind(3, e.Depth);
        p.Bind(4, e.Via);
        p.Bind(5, e.Kind);
        p.Bind(6, (int)e.State);
        p.Bind(7, e.Attempts);
        p.Bind(8, seq);
        p.Bind(9, e.State == FrontierState.Pending ? e.RetryAt?.ToUnixTimeMilliseconds() : null);
        return _insertFrontier.Execute();
    }

    public void UpsertSettled(FrontierUpdate u, long seq)
    {
        var p = _upsertSettled;
        p.Bind(0, u.Epoch);
        p.Bind(1, u.Url);
        p.Bind(2, u.Host);
        p.Bind(3, (int)u.State);
        p.Bind(4, seq);
        p.Bind(5, u.Reason);
        p.Bind(6, (int?)u.Outcome);
        _upsertSettled.Execute();
    }

    /// <summary>Crawl log rows: a URL's own verdict (no via) replaces, a declined link fills.</summary>
    public void UpsertCrawlLog(IReadOnlyList<CrawlLogEntry> rows)
    {
        var p = _upsertCrawlLog;
        foreach (var row in rows)
        {
            p.Bind(0, row.Epoch);
            p.Bind(1, row.Url);
            p.Bind(2, row.Host);
            p.Bind(3, row.Reason);
            p.Bind(4, row.Detail);
            p.Bind(5, row.Via);
            p.Bind(6, row.Depth);
            p.Bind(7, row.At.ToUnixTimeMilliseconds());
            p.Bind(8, row.Via is null ? 1 : 0);
            _upsertCrawlLog.Execute();
        }
    }

    public void SetSetting(string key, string value)
    {
        _setSetting.Bind(0, key);
        _setSetting.Bind(1, value);
        _setSetting.Execute();
    }

    /// <summary>Sets the setting only while it holds <paramref name="expected"/> (null: while absent); true when it did.</summary>
    public bool CompareAndSetSetting(string key, string? expected, string value)
    {
        if (expected is null)
        {
            _createSetting.Bind(0, key);
            _createSetting.Bind(1, value);
            return _createSetting.Execute() == 1;
        }

        _replaceSetting.Bind(0, key);
        _replaceSetting.Bind(1, expected);
        _replaceSetting.Bind(2, value);
        return _replaceSetting.Execute() == 1;
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
        _countInBlock.Bind(0, urlkey);
        if (_countInBlock.Execute() == 0)
        {
            // Before every block (or the first key of all): a block of its own.
            _insertBlock.Bind(0, urlkey);
            _insertBlock.Bind(1, 1L);
            _insertBlock.Execute();
            return;
        }

        if (++_keysCounted % CaptureKeyBlocks.CheckEvery(_blockSize) != 0)
        {
            return;
        }

        _blockOf.Bind(0, urlkey);
        var (first, captures) = _blockOf.FirstRow(row => (raw.sqlite3_column_text(row, 0).utf8_to_string(), raw.sqlite3_column_int64(row, 1)));
        if (first is not null && captures >= 2L * _blockSize)
        {
            SplitBlock(first);
        }
    }

    /// <summary>Splits the block at <paramref name="first"/> at the key of its middle entry, or at its second key when the middle is still its first.</summary>
    private void SplitBlock(string first)
    {
        _nextBlock.Bind(0, first);
        object next = Text(_nextBlock) ?? (object)CaptureKeyBlocks.End;
        _keyAt.Bind(0, first);
        _keyAt.Bind(1, next);
        _keyAt.Bind(2, (long)_blockSize);
        var middle = Text(_keyAt);
        if (middle is null || middle == first)
        {
            _keyAfter.Bind(0, first);
            _keyAfter.Bind(1, next);
            middle = Text(_keyAfter);
            if (middle is null)
            {
                return; // one key: stays one block
            }
        }

        _countBetween.Bind(0, middle);
        _countBetween.Bind(1, next);
        var upper = _countBetween.ScalarInt64() ?? 0;
        _insertBlock.Bind(0, middle);
        _insertBlock.Bind(1, upper);
        _insertBlock.Execute();
        _subtractFromBlock.Bind(0, first);
        _subtractFromBlock.Bind(1, upper);
        _subtractFromBlock.Execute();
    }

    /// <summary>The first column of the statement's first row as text; null when there is no row.</summary>
    private static string? Text(RawStatement statement) => statement.FirstRow(row => raw.sqlite3_column_text(row, 0).utf8_to_string());

    private static RawStatement Prepare(SqliteConnection connection, string sql, params string[] names) => new(connection, sql, names);
}
