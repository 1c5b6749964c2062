namespace Crawler.Storage.Sqlite;

/// <summary>DDL and statements of the embedded store. Times are unix milliseconds (UTC).</summary>
internal static class SqliteSchema
{
    /// <summary>
    /// 2: frontier.retry_at and captures_host_time. 3: frontier.outcome, recrawl_schedules and crawl_jobs. 4 (issue 9's
    /// archive size): dictionaries, payloads.dictionary and captures.bulk. 5 (issue 9 again): capture ids and payload
    /// digests as BLOBs (<see cref="BinaryKeys"/>; the columns keep their declared type, rows of older versions their
    /// TEXT), the text fields no query filters on in the capture bulk (format 2) with NULL in their columns,
    /// dictionaries.compression, no captures_host_epoch, 16 KB pages in a new file. 6 (issue 10's CDX host and domain
    /// matches): capture_keys, filled from the captures of an older file by <see cref="FillCaptureKeys"/> when it is
    /// opened. 7 (issue 10's deep CDX pages): capture_key_blocks (<see cref="CaptureKeyBlocks"/>), counted afresh
    /// when an older file is opened. Columns added since version 1 are added to an older file by <see cref="AddedColumns"/>; new tables come
    /// with <see cref="Create"/>, and <see cref="Upgrade"/> runs on every open.
    /// </summary>
    public const int Version = 7;

    public const string SetVersion = "PRAGMA user_version = 7";

    /// <summary>The name under which the writer connection knows <see cref="Crawler.Core.Cdx.Surt.Key"/> (for <see cref="FillCaptureKeys"/>).</summary>
    public const string SurtKeyFunction = "crawler_surt_key";

    /// <summary>
    /// The keys of the captures an older file holds (run once, when a file of version 5 or older is opened, in the
    /// transaction that sets version 6: a file is either of version 6 with every key or of its old version). Sorted
    /// first, so that the b-tree is built in key order.
    /// </summary>
    public const string FillCaptureKeys = $"""
        INSERT OR IGNORE INTO capture_keys (urlkey, fetched_at, id)
        SELECT {SurtKeyFunction}(url), fetched_at, id FROM captures WHERE status IS NOT NULL ORDER BY 1, 2, 3
        """;

    public const string InsertCaptureKey = "INSERT OR IGNORE INTO capture_keys (urlkey, fetched_at, id) VALUES ($urlkey, $fetched_at, $id)";

    /// <summary>The name under which the writer connection knows <see cref="HostKey"/> (for <see cref="FillCaptureKeyHosts"/>).</summary>
    public const string HostKeyFunction = "crawler_host_key";

    /// <summary>The counts of the keys <see cref="FillCaptureKeys"/> wrote, counted afresh.</summary>
    public const string FillCaptureKeyHosts = $"""
        DELETE FROM capture_key_hosts;
        INSERT INTO capture_key_hosts (host_key, captures)
        SELECT {HostKeyFunction}(urlkey) AS h, COUNT(*) FROM capture_keys GROUP BY h
        """;

    public const string CountCaptureKey = """
        INSERT INTO capture_key_hosts (host_key, captures) VALUES ($host_key, 1)
        ON CONFLICT (host_key) DO UPDATE SET captures = captures + 1
        """;

    /// <summary>A key's host (and port): the key up to its first <c>)</c>, that included (the whole key when it has none).</summary>
    public static string HostKey(string urlkey)
    {
        ArgumentNullException.ThrowIfNull(urlkey);
        var close = urlkey.IndexOf(')', StringComparison.Ordinal);
        return close < 0 ? urlkey : urlkey[..(close + 1)];
    }

    /// <summary>
    /// Whether the keys of <paramref name="range"/> are those of the hosts of capture_key_hosts in the same range: a
    /// range of every key beginning with a text that has no <c>)</c> but maybe at its end (<c>kp,kcna)</c>, <c>kp,rep,</c>,
    /// <c>kp,kcna:</c>). A key begins with such a text exactly when its host key does (the host key ends at the key's
    /// first <c>)</c>), so the range's count is the sum of those hosts' counts.
    /// </summary>
    public static bool CountsByHost(UrlKeyRange range)
    {
        ArgumentNullException.ThrowIfNull(range);
        var close = range.From.IndexOf(')', StringComparison.Ordinal);
        return range.From.Length > 0 && (close < 0 || close == range.From.Length - 1) && range == UrlKeyRange.Prefix(range.From);
    }

    /// <summary>
    /// captures_host_epoch (host, epoch, fetched_at) is gone in version 5: only a query of one host in one epoch needed
    /// it (no caller reads captures that way; the status of one site's job in one epoch reads the site's captures
    /// through captures_host_time), and it cost ~30 bytes a capture.
    /// </summary>
    public const string Upgrade = "DROP INDEX IF EXISTS captures_host_epoch";

    /// <summary>Columns newer than version 1, each with the statement that adds it to an older file.</summary>
    public static readonly (string Table, string Column, string Add)[] AddedColumns =
    [
        ("frontier", "retry_at", "ALTER TABLE frontier ADD COLUMN retry_at INTEGER"), // 2: a pending URL's retry due time
        ("frontier", "outcome", "ALTER TABLE frontier ADD COLUMN outcome INTEGER"), // 3: what a scheduled URL's final fetch found
        // 4: the dictionaries.id a zstd payload was compressed with (null: none).
        ("payloads", "dictionary", "ALTER TABLE payloads ADD COLUMN dictionary INTEGER"),
        // 4: request/response headers and outlinks as one compressed blob (CaptureBulk); a row with it keeps x'', NULL and
        // '' in request_headers, response_headers and outlinks. Rows of older versions have no bulk and keep those.
        ("captures", "bulk", "ALTER TABLE captures ADD COLUMN bulk BLOB"),
        // 5: how dictionaries.data is stored (null: raw, as version 4 wrote it; CompressionDictionary.StoredCompression).
        ("dictionaries", "compression", "ALTER TABLE dictionaries ADD COLUMN compression TEXT"),
    ];

    public static string HasColumn(string table, string column) => $"SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = '{column}'";

    public const string Create = """
        CREATE TABLE IF NOT EXISTS captures (
            id               TEXT    NOT NULL PRIMARY KEY,
            url              TEXT    NOT NULL,
            host             TEXT    NOT NULL,
            epoch            INTEGER NOT NULL,
            fetched_at       INTEGER NOT NULL,
            duration_ms      INTEGER NOT NULL,
            ip               TEXT,
            status           INTEGER,
            request_headers  BLOB    NOT NULL,
            response_headers BLOB,
            payload_digest   TEXT,
            payload_length   INTEGER NOT NULL,
            content_type     TEXT,
            error            TEXT,
            error_detail     TEXT,
            truncated        TEXT,
            redirect_to      TEXT,
            etag             TEXT,
            last_modified    TEXT,
            title            TEXT,
            language         TEXT,
            charset          TEXT,
            outlinks         TEXT    NOT NULL,
            attempt          INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS captures_url_time ON captures (url, fetched_at);
        CREATE INDEX IF NOT EXISTS captures_url_nocase ON captures (url COLLATE NOCASE);
        CREATE INDEX IF NOT EXISTS captures_epoch_time ON captures (epoch, fetched_at);
        CREATE INDEX IF NOT EXISTS captures_host_time ON captures (host, fetched_at);

        -- 6: the SURT key of every capture with a response (what a CDX server lists), in CDX order: key, time, id
        -- (captures.id as stored: BLOB, or TEXT in rows of version 4 and older). A host match reads one range of it and
        -- a domain match a few, in the answer's order, so that a read stops after the first lines; a page count counts
        -- its entries. A table of its own rather than a column of captures with an index: the key is stored once, and
        -- an older file gains it without its captures being rewritten.
        CREATE TABLE IF NOT EXISTS capture_keys (
            urlkey     TEXT    NOT NULL,
            fetched_at INTEGER NOT NULL,
            id         TEXT    NOT NULL,
            PRIMARY KEY (urlkey, fetched_at, id)
        ) WITHOUT ROWID;

        -- 6: how many capture_keys each host has (with its port: host_key is the key up to its first ')'), so that the
        -- page count of a host or domain match adds up a few rows instead of counting a site's keys. Kept in the
        -- transaction that writes the keys.
        CREATE TABLE IF NOT EXISTS capture_key_hosts (
            host_key TEXT    NOT NULL PRIMARY KEY,
            captures INTEGER NOT NULL
        ) WITHOUT ROWID;

        -- 7: capture_keys cut into blocks of consecutive keys, each with its number of rows (CaptureKeyBlocks): where
        -- a deep CDX page begins is found by adding up counts. Kept in the transaction that writes the keys.
        CREATE TABLE IF NOT EXISTS capture_key_blocks (
            first_key TEXT    NOT NULL PRIMARY KEY,
            captures  INTEGER NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS payloads (
            digest        TEXT    NOT NULL PRIMARY KEY,
            compression   TEXT    NOT NULL,
            raw_length    INTEGER NOT NULL,
            stored_length INTEGER NOT NULL,
            data          BLOB    NOT NULL
        );

        CREATE TABLE IF NOT EXISTS dictionaries (
            id         INTEGER NOT NULL PRIMARY KEY,
            digest     TEXT    NOT NULL UNIQUE,
            scope      TEXT    NOT NULL,
            created_at INTEGER NOT NULL,
            data       BLOB    NOT NULL,
            compression TEXT
        );

        CREATE TABLE IF NOT EXISTS frontier (
            epoch     INTEGER NOT NULL,
            url       TEXT    NOT NULL,
            host      TEXT    NOT NULL,
            depth     INTEGER NOT NULL,
            via       TEXT,
            kind      TEXT    NOT NULL,
            state     INTEGER NOT NULL,
            attempts  INTEGER NOT NULL,
            added_seq INTEGER NOT NULL,
            reason    TEXT,
            retry_at  INTEGER,
            outcome   INTEGER,
            PRIMARY KEY (epoch, url)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS frontier_host_state ON frontier (epoch, host, state, added_seq);

        CREATE TABLE IF NOT EXISTS recrawl_schedules (
            url             TEXT    NOT NULL PRIMARY KEY,
            host            TEXT    NOT NULL,
            page_class      INTEGER NOT NULL,
            interval_ticks  INTEGER NOT NULL,
            last_fetched_at INTEGER NOT NULL,
            last_changed_at INTEGER,
            due_at          INTEGER NOT NULL,
            payload_digest  TEXT,
            fetches         INTEGER NOT NULL,
            changes         INTEGER NOT NULL,
            epoch           INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS recrawl_schedules_host ON recrawl_schedules (host, due_at);

        CREATE TABLE IF NOT EXISTS crawl_jobs (
            host        TEXT    NOT NULL,
            epoch       INTEGER NOT NULL,
            started_at  INTEGER,
            finished_at INTEGER,
            PRIMARY KEY (host, epoch)
        ) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS crawl_log (
            epoch  INTEGER NOT NULL,
            url    TEXT    NOT NULL,
            host   TEXT    NOT NULL,
            reason TEXT    NOT NULL,
            detail TEXT,
            via    TEXT,
            depth  INTEGER NOT NULL,
            at     INTEGER NOT NULL,
            PRIMARY KEY (epoch, url)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS crawl_log_host ON crawl_log (epoch, host, url);

        CREATE TABLE IF NOT EXISTS settings (
            key   TEXT NOT NULL PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;
        """;

    public const string InsertCapture = """
        INSERT INTO captures (id, url, host, epoch, fetched_at, duration_ms, ip, status, request_headers,
            response_headers, payload_digest, payload_length, content_type, error, error_detail, truncated,
            redirect_to, etag, last_modified, title, language, charset, outlinks, attempt, bulk)
        VALUES ($id, $url, $host, $epoch, $fetched_at, $duration_ms, $ip, $status, $request_headers,
            $response_headers, $payload_digest, $payload_length, $content_type, $error, $error_detail, $truncated,
            $redirect_to, $etag, $last_modified, $title, $language, $charset, $outlinks, $attempt, $bulk)
        ON CONFLICT (id) DO NOTHING
        """;

    /// <summary>
    /// Whether a row of version 4 or older holds the capture id as text ($id_text), checked before <see cref="InsertCapture"/>
    /// (whose ON CONFLICT catches the stored form). Not one INSERT ... SELECT ... WHERE NOT EXISTS: an INSERT from a SELECT
    /// may write several rows, so SQLite keeps a statement journal of every page it changes (the table and its five
    /// indexes, 16 KB each), spilled to a temp file past 64 KiB: 2.1 GB written to /var/tmp for issue 11's one-site bench.
    /// </summary>
    public const string CaptureIdTextExists = "SELECT 1 FROM captures WHERE id = $id_text";

    /// <summary>What identifies a stored capture's fetch: a capture id written again with these equal is a replay. $id is
    /// the stored form (<see cref="BinaryKeys.Id"/>), $id_text the text a row of version 4 or older holds.</summary>
    public const string CaptureIdentity = "SELECT url, fetched_at, attempt FROM captures WHERE id IN ($id, $id_text)";

    /// <summary>A capture bulk stored before its site's dictionary was trained, replaced by its dictionary encoding.</summary>
    public const string RecodeCapture = "UPDATE captures SET bulk = $bulk WHERE id = $id";

    /// <summary>Column list for reading captures; <see cref="SqliteCrawlStore"/> maps by these ordinals.</summary>
    public const string CaptureColumns = """
        id, url, host, epoch, fetched_at, duration_ms, ip, status, request_headers, response_headers,
        payload_digest, payload_length, content_type, error, error_detail, truncated, redirect_to, etag,
        last_modified, title, language, charset, outlinks, attempt, bulk
        """;

    /// <summary><see cref="CaptureColumns"/> named with their table, for statements that join captures to capture_keys.</summary>
    public static readonly string QualifiedCaptureColumns =
        string.Join(", ", CaptureColumns.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(c => "captures." + c));

    /// <summary>$digest is the stored form (<see cref="BinaryKeys.Digest"/>), $digest_text the text a row of version 4 or
    /// older holds.</summary>
    public const string PayloadExists = "SELECT 1 FROM payloads WHERE digest IN ($digest, $digest_text)";

    /// <summary>A payload stored before its site's dictionary was trained, replaced by its dictionary encoding.</summary>
    public const string RecodePayload = """
        UPDATE payloads SET compression = $compression, stored_length = $stored_length, data = $data, dictionary = $dictionary
        WHERE digest = $digest
        """;

    public const string InsertPayload = """
        INSERT INTO payloads (digest, compression, raw_length, stored_length, data, dictionary)
        VALUES ($digest, $compression, $raw_length, $stored_length, $data, $dictionary)
        ON CONFLICT (digest) DO NOTHING
        """;

    public const string DictionaryId = "SELECT id FROM dictionaries WHERE digest = $digest";

    public const string InsertDictionary = """
        INSERT INTO dictionaries (digest, scope, created_at, data, compression)
        VALUES ($digest, $scope, $created_at, $data, $compression) RETURNING id
        """;

    /// <summary>
    /// The fetched URL's row: inserted (as a depth-0 "seed") when absent, else settled forward only, as every store
    /// does for many writers: the state is replaced only by one that ranks higher (pending &lt; not due &lt; skipped &lt;
    /// failed &lt; done), attempts are the larger of the stored count and this fetch's attempt number, the due time
    /// belongs to the latest attempt and only a URL still pending keeps one, and the outcome goes with the latest write
    /// of the state. So a replayed or late commit never makes a done URL pending again nor counts an attempt twice.
    /// </summary>
    public const string UpsertFetched = """
        INSERT INTO frontier (epoch, url, host, depth, via, kind, state, attempts, added_seq, retry_at, outcome)
        VALUES ($epoch, $url, $host, 0, NULL, 'seed', $state, $attempt, $seq, $retry_at, $outcome)
        ON CONFLICT (epoch, url) DO UPDATE SET
            attempts = MAX(frontier.attempts, $attempt),
            retry_at = CASE WHEN (CASE excluded.state WHEN 0 THEN 0 WHEN 4 THEN 1 WHEN 3 THEN 2 WHEN 2 THEN 3 ELSE 4 END) > (CASE frontier.state WHEN 0 THEN 0 WHEN 4 THEN 1 WHEN 3 THEN 2 WHEN 2 THEN 3 ELSE 4 END) THEN excluded.retry_at
                WHEN (CASE excluded.state WHEN 0 THEN 0 WHEN 4 THEN 1 WHEN 3 THEN 2 WHEN 2 THEN 3 ELSE 4 END) = (CASE frontier.state WHEN 0 THEN 0 WHEN 4 THEN 1 WHEN 3 THEN 2 WHEN 2 THEN 3 ELSE 4 END) AND $attempt >= frontier.attempts THEN excluded.retry_at
                ELSE frontier.retry_at END,
            reason = CASE WHEN (CASE excluded.state WHEN 0 THEN 0 WHEN 4 THEN 1 WHEN 3 THEN 2 WHEN 2 THEN 3 ELSE 4 END) > (CASE frontier.state WHEN 0 THEN 0 WHEN 4 THEN 1 WHEN 3 THEN 2 WHEN 2 THEN 3 ELSE 4 END) THEN NULL ELSE frontier.reason END,
            outcome = CASE WHEN (CASE excluded.state WHEN 0 THEN 0 WHEN 4 THEN 1 WHEN 3 THEN 2 WHEN 2 THEN 3 ELSE 4 END) > (CASE frontier.state WHEN 0 THEN 0 WHEN 4 THEN 1 WHEN 3 THEN 2 WHEN 2 THEN 3 ELSE 4 END) OR ((CASE excluded.state WHEN 0 THEN 0 WHEN 4 THEN 1 WHEN 3 THEN 2 WHEN 2 THEN 3 ELSE 4 END) = (CASE frontier.state WHEN 0 THEN 0 WHEN 4 THEN 1 WHEN 3 THEN 2 WHEN 2 THEN 3 ELSE 4 END) AND $attempt >= frontier.attempts) THEN excluded.outcome ELSE frontier.outcome END,
            state = CASE WHEN (CASE excluded.state WHEN 0 THEN 0 WHEN 4 THEN 1 WHEN 3 THEN 2 WHEN 2 THEN 3 ELSE 4 END) > (CASE frontier.state WHEN 0 THEN 0 WHEN 4 THEN 1 WHEN 3 THEN 2 WHEN 2 THEN 3 ELSE 4 END) THEN excluded.state ELSE frontier.state END
        """;

    /// <summary>A URL settled without a fetch, forward only as <see cref="UpsertFetched"/> (as an attempt numbered 0): state
    /// and reason set when the state ranks higher, attempts untouched; inserted when absent.</summary>
    public const string UpsertSettled = """
        INSERT INTO frontier (epoch, url, host, depth, via, kind, state, attempts, added_seq, reason, outcome)
        VALUES ($epoch, $url, $host, 0, NULL, 'seed', $state, 0, $seq, $reason, $outcome)
        ON CONFLICT (epoch, url) DO UPDATE SET
            retry_at = CASE WHEN (CASE excluded.state WHEN 0 THEN 0 WHEN 4 THEN 1 WHEN 3 THEN 2 WHEN 2 THEN 3 ELSE 4 END) > (CASE frontier.state WHEN 0 THEN 0 WHEN 4 THEN 1 WHEN 3 THEN 2 WHEN 2 THEN 3 ELSE 4 END) THEN NULL ELSE frontier.retry_at END,
            reason = CASE WHEN (CASE excluded.state WHEN 0 THEN 0 WHEN 4 THEN 1 WHEN 3 THEN 2 WHEN 2 THEN 3 ELSE 4 END) > (CASE frontier.state WHEN 0 THEN 0 WHEN 4 THEN 1 WHEN 3 THEN 2 WHEN 2 THEN 3 ELSE 4 END) THEN excluded.reason ELSE frontier.reason END,
            outcome = CASE WHEN (CASE excluded.state WHEN 0 THEN 0 WHEN 4 THEN 1 WHEN 3 THEN 2 WHEN 2 THEN 3 ELSE 4 END) > (CASE frontier.state WHEN 0 THEN 0 WHEN 4 THEN 1 WHEN 3 THEN 2 WHEN 2 THEN 3 ELSE 4 END) OR ((CASE excluded.state WHEN 0 THEN 0 WHEN 4 THEN 1 WHEN 3 THEN 2 WHEN 2 THEN 3 ELSE 4 END) = (CASE frontier.state WHEN 0 THEN 0 WHEN 4 THEN 1 WHEN 3 THEN 2 WHEN 2 THEN 3 ELSE 4 END) AND frontier.attempts = 0) THEN excluded.outcome ELSE frontier.outcome END,
            state = CASE WHEN (CASE excluded.state WHEN 0 THEN 0 WHEN 4 THEN 1 WHEN 3 THEN 2 WHEN 2 THEN 3 ELSE 4 END) > (CASE frontier.state WHEN 0 THEN 0 WHEN 4 THEN 1 WHEN 3 THEN 2 WHEN 2 THEN 3 ELSE 4 END) THEN excluded.state ELSE frontier.state END
        """;

    /// <summary>A URL's schedule, unless the stored one comes from a later fetch.</summary>
    public const string UpsertSchedule = """
        INSERT INTO recrawl_schedules (url, host, page_class, interval_ticks, last_fetched_at, last_changed_at, due_at,
            payload_digest, fetches, changes, epoch)
        VALUES ($url, $host, $page_class, $interval_ticks, $last_fetched_at, $last_changed_at, $due_at,
            $payload_digest, $fetches, $changes, $epoch)
        ON CONFLICT (url) DO UPDATE SET host = excluded.host, page_class = excluded.page_class,
            interval_ticks = excluded.interval_ticks, last_fetched_at = excluded.last_fetched_at,
            last_changed_at = excluded.last_changed_at, due_at = excluded.due_at, payload_digest = excluded.payload_digest,
            fetches = excluded.fetches, changes = excluded.changes, epoch = excluded.epoch
        WHERE excluded.last_fetched_at >= recrawl_schedules.last_fetched_at
        """;

    /// <summary>Column list for reading schedules; <see cref="SqliteCrawlStore"/> maps by these ordinals.</summary>
    public const string ScheduleColumns = """
        url, host, page_class, interval_ticks, last_fetched_at, last_changed_at, due_at, payload_digest, fetches, changes, epoch
        """;

    /// <summary>The first start is kept, the last finish replaces the one before.</summary>
    public const string MarkJob = """
        INSERT INTO crawl_jobs (host, epoch, started_at, finished_at) VALUES ($host, $epoch, $started_at, $finished_at)
        ON CONFLICT (host, epoch) DO UPDATE SET started_at = COALESCE(crawl_jobs.started_at, excluded.started_at),
            finished_at = COALESCE(excluded.finished_at, crawl_jobs.finished_at)
        """;

    /// <summary>
    /// Jobs counted from the frontier (each URL once, by state and outcome), the captures and the marks; {filter} is
    /// replaced by the query's conditions (<see cref="JobsFilter"/>), so that the indexes serve them. Outcomes: 1 new, 2 changed, 3 unchanged, 4 failed; state 0 pending, 3 skipped, 4 not due.
    /// </summary>
    public const string Jobs = """
        WITH f AS (
            SELECT host, epoch, SUM(outcome = 1) AS new, SUM(outcome = 2) AS changed, SUM(outcome = 3) AS unchanged,
                   SUM(outcome = 4) AS failed, SUM(state = 4) AS not_due, SUM(state = 3) AS skipped, SUM(state = 0) AS pending
            FROM frontier WHERE {filter} GROUP BY host, epoch),
        c AS (
            SELECT host, epoch, COUNT(*) AS captures, SUM(error IS NOT NULL) AS errors
            FROM captures WHERE {filter} GROUP BY host, epoch),
        j AS (
            SELECT host, epoch, started_at, finished_at
            FROM crawl_jobs WHERE {filter}),
        k AS (SELECT host, epoch FROM f UNION SELECT host, epoch FROM c UNION SELECT host, epoch FROM j)
        SELECT k.host, k.epoch, j.started_at, j.finished_at, COALESCE(f.new, 0), COALESCE(f.changed, 0),
               COALESCE(f.unchanged, 0), COALESCE(f.failed, 0), COALESCE(f.not_due, 0), COALESCE(f.skipped, 0),
               COALESCE(f.pending, 0), COALESCE(c.captures, 0), COALESCE(c.errors, 0)
        FROM k
        LEFT JOIN f ON f.host = k.host AND f.epoch = k.epoch
        LEFT JOIN c ON c.host = k.host AND c.epoch = k.epoch
        LEFT JOIN j ON j.host = k.host AND j.epoch = k.epoch
        ORDER BY k.epoch, k.host
        """;

    public static string JobsSql(bool host, bool epoch) => Jobs.Replace("{filter}", JobsFilter(host, epoch), StringComparison.Ordinal);

    private static string JobsFilter(bool host, bool epoch) => (host, epoch) switch
    {
        (true, true) => "host = $host AND epoch = $epoch",
        (true, false) => "host = $host",
        (false, true) => "epoch = $epoch",
        _ => "1 = 1",
    };

    public const string InsertFrontier = """
        INSERT INTO frontier (epoch, url, host, depth, via, kind, state, attempts, added_seq, retry_at)
        VALUES ($epoch, $url, $host, $depth, $via, $kind, $state, $attempts, $seq, $retry_at)
        ON CONFLICT (epoch, url) DO NOTHING
        """;

    /// <summary>A crawl log row: a URL's own verdict (<c>$own</c> = 1: no via) replaces the stored row, a declined link only fills an empty place.</summary>
    public const string UpsertCrawlLog = """
        INSERT INTO crawl_log (epoch, url, host, reason, detail, via, depth, at)
        VALUES ($epoch, $url, $host, $reason, $detail, $via, $depth, $at)
        ON CONFLICT (epoch, url) DO UPDATE SET host = excluded.host, reason = excluded.reason, detail = excluded.detail,
            via = excluded.via, depth = excluded.depth, at = excluded.at
        WHERE $own = 1
        """;

    public const string CrawlLogColumns = "l.url, l.host, l.epoch, l.reason, l.detail, l.via, l.depth, l.at";

    /// <summary>The crawl log rows: URLs' own verdicts (no via), and declined links whose URL the frontier does not hold in the epoch; {filter} as in <see cref="CrawlLogSql"/>.</summary>
    private const string CrawlLogRows = """
        FROM crawl_log l
        WHERE {filter} AND (l.via IS NULL OR NOT EXISTS (SELECT 1 FROM frontier f WHERE f.epoch = l.epoch AND f.url = l.url))
        """;

    public static string CrawlLogSql(bool host, bool epoch, bool reason) =>
        $"SELECT {CrawlLogColumns} {CrawlLogRows.Replace("{filter}", CrawlLogFilter(host, epoch, reason), StringComparison.Ordinal)} ORDER BY l.epoch, l.host, l.url LIMIT $limit";

    public static string CrawlLogCountsSql(bool epoch) =>
        $"SELECT l.host, l.epoch, l.reason, COUNT(*) {CrawlLogRows.Replace("{filter}", CrawlLogFilter(false, epoch, false), StringComparison.Ordinal)} GROUP BY l.epoch, l.host, l.reason ORDER BY l.epoch, l.host, l.reason";

    private static string CrawlLogFilter(bool host, bool epoch, bool reason) =>
        string.Join(" AND ", new[] { (host, "l.host = $host"), (epoch, "l.epoch = $epoch"), (reason, "l.reason = $reason"), (true, "1 = 1") }
            .Where(c => c.Item1).Select(c => c.Item2));

    public const string FrontierColumns = "url, host, epoch, depth, via, kind, state, attempts, retry_at";

    public const string SetSetting = """
        INSERT INTO settings (key, value) VALUES ($key, $value)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value
        """;

    /// <summary>A setting created only when absent (compare-and-set with nothing expected).</summary>
    public const string CreateSetting = """
        INSERT INTO settings (key, value) VALUES ($key, $value)
        ON CONFLICT (key) DO NOTHING
        """;

    /// <summary>A setting changed only while it holds the expected value (one statement: atomic across processes).</summary>
    public const string ReplaceSetting = """
        UPDATE settings SET value = $value WHERE key = $key AND value = $expected
        """;

    public const string Stats = """
        SELECT
            (SELECT COUNT(*) FROM captures),
            (SELECT COUNT(*) FROM payloads),
            (SELECT COALESCE(SUM(stored_length), 0) FROM payloads),
            (SELECT COALESCE(SUM(raw_length), 0) FROM payloads),
            (SELECT COUNT(*) FROM frontier WHERE state = 0),
            (SELECT COUNT(*) FROM frontier WHERE state = 1),
            (SELECT COUNT(*) FROM frontier WHERE state = 2),
            (SELECT COUNT(DISTINCT host) FROM frontier),
            (SELECT MAX(fetched_at) FROM captures)
        """;

    public const string HostStats = """
        WITH f AS (
            SELECT host, SUM(state = 0) AS pending, SUM(state = 1) AS done, SUM(state = 2) AS failed
            FROM frontier WHERE epoch = $epoch GROUP BY host),
        c AS (
            SELECT host, COUNT(*) AS captures, SUM(error IS NOT NULL) AS errors, MAX(fetched_at) AS last_at
            FROM captures WHERE epoch = $epoch GROUP BY host),
        h AS (SELECT host FROM f UNION SELECT host FROM c)
        SELECT h.host, COALESCE(c.captures, 0), COALESCE(f.pending, 0), COALESCE(f.done, 0),
               COALESCE(f.failed, 0), COALESCE(c.errors, 0), c.last_at
        FROM h LEFT JOIN f ON f.host = h.host LEFT JOIN c ON c.host = h.host
        ORDER BY h.host
        """;
}
