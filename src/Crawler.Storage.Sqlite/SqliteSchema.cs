namespace Crawler.Storage.Sqlite;

/// <summary>DDL and statements of the embedded store. Times are unix milliseconds (UTC).</summary>
internal static class SqliteSchema
{
    /// <summary>2: frontier.retry_at (added to a version-1 file by <see cref="AddRetryAt"/>) and captures_host_time.</summary>
    public const int Version = 2;

    public const string SetVersion = "PRAGMA user_version = 2";

    /// <summary>Version 1 → 2: the frontier row keeps a pending URL's retry due time.</summary>
    public const string AddRetryAt = "ALTER TABLE frontier ADD COLUMN retry_at INTEGER";

    public const string HasRetryAt = "SELECT COUNT(*) FROM pragma_table_info('frontier') WHERE name = 'retry_at'";

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
        CREATE INDEX IF NOT EXISTS captures_host_epoch ON captures (host, epoch, fetched_at);
        CREATE INDEX IF NOT EXISTS captures_epoch_time ON captures (epoch, fetched_at);
        CREATE INDEX IF NOT EXISTS captures_host_time ON captures (host, fetched_at);

        CREATE TABLE IF NOT EXISTS payloads (
            digest        TEXT    NOT NULL PRIMARY KEY,
            compression   TEXT    NOT NULL,
            raw_length    INTEGER NOT NULL,
            stored_length INTEGER NOT NULL,
            data          BLOB    NOT NULL
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
            PRIMARY KEY (epoch, url)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS frontier_host_state ON frontier (epoch, host, state, added_seq);

        CREATE TABLE IF NOT EXISTS settings (
            key   TEXT NOT NULL PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;
        """;

    public const string InsertCapture = """
        INSERT INTO captures (id, url, host, epoch, fetched_at, duration_ms, ip, status, request_headers,
            response_headers, payload_digest, payload_length, content_type, error, error_detail, truncated,
            redirect_to, etag, last_modified, title, language, charset, outlinks, attempt)
        VALUES ($id, $url, $host, $epoch, $fetched_at, $duration_ms, $ip, $status, $request_headers,
            $response_headers, $payload_digest, $payload_length, $content_type, $error, $error_detail, $truncated,
            $redirect_to, $etag, $last_modified, $title, $language, $charset, $outlinks, $attempt)
        """;

    /// <summary>Column list for reading captures; <see cref="SqliteCrawlStore"/> maps by these ordinals.</summary>
    public const string CaptureColumns = """
        id, url, host, epoch, fetched_at, duration_ms, ip, status, request_headers, response_headers,
        payload_digest, payload_length, content_type, error, error_detail, truncated, redirect_to, etag,
        last_modified, title, language, charset, outlinks, attempt
        """;

    public const string PayloadExists = "SELECT 1 FROM payloads WHERE digest = $digest";

    public const string InsertPayload = """
        INSERT INTO payloads (digest, compression, raw_length, stored_length, data)
        VALUES ($digest, $compression, $raw_length, $stored_length, $data)
        ON CONFLICT (digest) DO NOTHING
        """;

    /// <summary>The fetched URL's row: inserted (as a depth-0 "seed") when absent, else its state set and attempts
    /// counted; retry_at is the commit's due time when it stays pending, else cleared.</summary>
    public const string UpsertFetched = """
        INSERT INTO frontier (epoch, url, host, depth, via, kind, state, attempts, added_seq, retry_at)
        VALUES ($epoch, $url, $host, 0, NULL, 'seed', $state, 1, $seq, $retry_at)
        ON CONFLICT (epoch, url) DO UPDATE SET state = excluded.state, attempts = frontier.attempts + 1, reason = NULL,
            retry_at = excluded.retry_at
        """;

    /// <summary>A URL settled without a fetch: state and reason set, attempts untouched; inserted when absent.</summary>
    public const string UpsertSettled = """
        INSERT INTO frontier (epoch, url, host, depth, via, kind, state, attempts, added_seq, reason)
        VALUES ($epoch, $url, $host, 0, NULL, 'seed', $state, 0, $seq, $reason)
        ON CONFLICT (epoch, url) DO UPDATE SET state = excluded.state, reason = excluded.reason, retry_at = NULL
        """;

    public const string InsertFrontier = """
        INSERT INTO frontier (epoch, url, host, depth, via, kind, state, attempts, added_seq, retry_at)
        VALUES ($epoch, $url, $host, $depth, $via, $kind, $state, $attempts, $seq, $retry_at)
        ON CONFLICT (epoch, url) DO NOTHING
        """;

    public const string FrontierColumns = "url, host, epoch, depth, via, kind, state, attempts, retry_at";

    public const string SetSetting = """
        INSERT INTO settings (key, value) VALUES ($key, $value)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value
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
