namespace Crawler.Storage.Sqlite;

/// <summary>
/// Tables of the uptime store, in the same file as the crawl. Times are unix milliseconds (UTC);
/// durations are 100 ns ticks; enums are stored by name so that reordering them cannot corrupt history.
/// </summary>
/// <remarks>
/// Size: <c>uptime_hourly</c> holds one row per site and UTC hour, so rows = sites × hours: 300 sites
/// for a year are 300 × 8,760 ≈ 2.6 M rows. Its histogram is stored sparse (only non-empty buckets,
/// ~14 bytes for ten probes an hour), so a row measured 68 bytes on disk plus 30 for the hour index:
/// ≈ 260 MB a year for 300 sites. A raw result measured ≈ 113 bytes with its indexes, so 30 days of
/// one probe a minute for 300 sites (13 M results) is ≈ 1.5 GB until purged.
/// </remarks>
internal static class SqliteUptimeSchema
{
    public const string Create = """
        CREATE TABLE IF NOT EXISTS uptime_results (
            id          INTEGER PRIMARY KEY,
            site        TEXT    NOT NULL,
            at          INTEGER NOT NULL,
            failure     TEXT    NOT NULL,
            resolve     INTEGER,
            connect     INTEGER,
            tls         INTEGER,
            first_byte  INTEGER,
            total       INTEGER,
            http_status INTEGER,
            cert_expiry INTEGER,
            detail      TEXT
        );
        CREATE UNIQUE INDEX IF NOT EXISTS uptime_results_site_at ON uptime_results (site, at);
        CREATE INDEX IF NOT EXISTS uptime_results_at ON uptime_results (at);

        CREATE TABLE IF NOT EXISTS uptime_hourly (
            site      TEXT    NOT NULL,
            hour      INTEGER NOT NULL,
            probes    INTEGER NOT NULL,
            successes INTEGER NOT NULL,
            degraded  INTEGER NOT NULL,
            rt_sum    INTEGER NOT NULL,
            rt_min    INTEGER,
            rt_max    INTEGER,
            histogram BLOB    NOT NULL,
            PRIMARY KEY (site, hour)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS uptime_hourly_hour ON uptime_hourly (hour);

        CREATE TABLE IF NOT EXISTS uptime_changes (
            id           INTEGER PRIMARY KEY,
            site         TEXT    NOT NULL,
            from_state   TEXT    NOT NULL,
            to_state     TEXT    NOT NULL,
            at           INTEGER NOT NULL,
            confirmed_at INTEGER NOT NULL,
            reason       TEXT    NOT NULL
        );
        CREATE UNIQUE INDEX IF NOT EXISTS uptime_changes_site_confirmed ON uptime_changes (site, confirmed_at);
        CREATE INDEX IF NOT EXISTS uptime_changes_site_at ON uptime_changes (site, at);
        CREATE INDEX IF NOT EXISTS uptime_changes_at ON uptime_changes (at);

        CREATE TABLE IF NOT EXISTS uptime_outages (
            site     TEXT    NOT NULL,
            start_at INTEGER NOT NULL,
            end_at   INTEGER,
            reason   TEXT    NOT NULL,
            PRIMARY KEY (site, start_at)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS uptime_outages_start ON uptime_outages (start_at);

        CREATE TABLE IF NOT EXISTS uptime_country_outages (
            start_at       INTEGER NOT NULL PRIMARY KEY,
            end_at         INTEGER,
            confirmed_at   INTEGER NOT NULL,
            failed_targets INTEGER NOT NULL,
            targets        INTEGER NOT NULL
        ) WITHOUT ROWID;
        """;

    public const string ResultColumns = "site, at, failure, resolve, connect, tls, first_byte, total, http_status, cert_expiry, detail";

    public const string InsertResult = """
        INSERT INTO uptime_results (site, at, failure, resolve, connect, tls, first_byte, total, http_status, cert_expiry, detail)
        VALUES ($site, $at, $failure, $resolve, $connect, $tls, $first_byte, $total, $http_status, $cert_expiry, $detail)
        ON CONFLICT (site, at) DO NOTHING
        """;

    public const string HourlyColumns = "site, hour, probes, successes, degraded, rt_sum, rt_min, rt_max, histogram";

    public const string SelectHour = "SELECT " + HourlyColumns + " FROM uptime_hourly WHERE site = $site AND hour = $hour";

    public const string UpsertHour = """
        INSERT INTO uptime_hourly (site, hour, probes, successes, degraded, rt_sum, rt_min, rt_max, histogram)
        VALUES ($site, $hour, $probes, $successes, $degraded, $rt_sum, $rt_min, $rt_max, $histogram)
        ON CONFLICT (site, hour) DO UPDATE SET
            probes = excluded.probes, successes = excluded.successes, degraded = excluded.degraded,
            rt_sum = excluded.rt_sum, rt_min = excluded.rt_min, rt_max = excluded.rt_max, histogram = excluded.histogram
        """;

    public const string InsertChange = """
        INSERT INTO uptime_changes (site, from_state, to_state, at, confirmed_at, reason)
        VALUES ($site, $from_state, $to_state, $at, $confirmed_at, $reason)
        ON CONFLICT (site, confirmed_at) DO NOTHING
        """;

    public const string UpsertOutage = """
        INSERT INTO uptime_outages (site, start_at, end_at, reason) VALUES ($site, $start, $end, $reason)
        ON CONFLICT (site, start_at) DO UPDATE SET end_at = excluded.end_at, reason = excluded.reason
        """;

    public const string UpsertCountryOutage = """
        INSERT INTO uptime_country_outages (start_at, end_at, confirmed_at, failed_targets, targets)
        VALUES ($start, $end, $confirmed_at, $failed, $targets)
        ON CONFLICT (start_at) DO UPDATE SET end_at = excluded.end_at, confirmed_at = excluded.confirmed_at,
            failed_targets = excluded.failed_targets, targets = excluded.targets
        """;

    /// <summary>
    /// Every site with a result or a change (found by skipping through the (site, …) indexes, one seek
    /// per site rather than a scan of millions of rows), its latest change, its latest result, and its first
    /// result, first and last hour and first change (each one index seek) for when its monitoring began and last ran.
    /// </summary>
    public const string Latest = """
        WITH RECURSIVE
            rs(site) AS (
                SELECT MIN(site) FROM uptime_results
                UNION ALL
                SELECT (SELECT MIN(site) FROM uptime_results WHERE site > rs.site) FROM rs WHERE rs.site IS NOT NULL),
            cs(site) AS (
                SELECT MIN(site) FROM uptime_changes
                UNION ALL
                SELECT (SELECT MIN(site) FROM uptime_changes WHERE site > cs.site) FROM cs WHERE cs.site IS NOT NULL),
            sites(site) AS (
                SELECT site FROM rs WHERE site IS NOT NULL
                UNION
                SELECT site FROM cs WHERE site IS NOT NULL)
        SELECT s.site, c.to_state, c.at,
            r.site, r.at, r.failure, r.resolve, r.connect, r.tls, r.first_byte, r.total, r.http_status, r.cert_expiry, r.detail,
            (SELECT MIN(at) FROM uptime_results WHERE site = s.site),
            (SELECT MIN(hour) FROM uptime_hourly WHERE site = s.site),
            (SELECT MIN(at) FROM uptime_changes WHERE site = s.site),
            (SELECT MAX(hour) FROM uptime_hourly WHERE site = s.site)
        FROM sites s
        LEFT JOIN uptime_changes c ON c.id =
            (SELECT id FROM uptime_changes WHERE site = s.site ORDER BY confirmed_at DESC LIMIT 1)
        LEFT JOIN uptime_results r ON r.id =
            (SELECT id FROM uptime_results WHERE site = s.site ORDER BY at DESC LIMIT 1)
        ORDER BY s.site
        """;
}
