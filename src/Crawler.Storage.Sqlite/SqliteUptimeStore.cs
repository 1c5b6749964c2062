using Crawler.Core.Uptime;
using Microsoft.Data.Sqlite;

namespace Crawler.Storage.Sqlite;

/// <summary>
/// Uptime history in the same SQLite file as the crawl (own tables, see <see cref="SqliteUptimeSchema"/>;
/// own connection per call; WAL with synchronous=FULL, so a call that returned survives a crash).
/// Hourly aggregates are folded in C# with <see cref="UptimeMath.Aggregate"/> and
/// <see cref="UptimeMath.Merge(HourlyAggregate, HourlyAggregate)"/> inside the write transaction
/// (BEGIN IMMEDIATE, so concurrent writers cannot lose an update), and the histogram is stored sparse.
/// </summary>
public sealed partial class SqliteUptimeStore : IUptimeStore
{
    private readonly string _connectionString;
    private readonly string _path;
    private readonly SqliteStoreOptions _options;
    private readonly SqliteTables _tables;

    /// <param name="options">The database file (shared with the crawl store).</param>
    /// <param name="thresholds">Decide which successes count as degraded in the hourly aggregates; default <see cref="UptimeThresholds.Default"/>.</param>
    public SqliteUptimeStore(SqliteStoreOptions options, UptimeThresholds? thresholds = null)
    {
        _path = SqliteConnections.Validate(options);
        _options = options;
        _connectionString = SqliteConnections.ConnectionString(_path, options, pooling: true);
        _tables = new SqliteTables(_path, options);
        Thresholds = thresholds ?? UptimeThresholds.Default;
    }

    public UptimeThresholds Thresholds { get; }

    public Task InitializeAsync(CancellationToken ct = default) => _tables.CreateAsync(SqliteUptimeSchema.Create, "the uptime tables", ct);

    public async Task AddResultsAsync(IReadOnlyList<ProbeResult> results, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0)
        {
            return;
        }

        await WriteAsync(async (connection, tx) =>
        {
            await using var insert = Command(connection, tx, SqliteUptimeSchema.InsertResult,
                "$site", "$at", "$failure", "$resolve", "$connect", "$tls", "$first_byte", "$total", "$http_status", "$cert_expiry", "$detail");
            var inserted = new List<ProbeResult>(results.Count);
            foreach (var r in results)
            {
                ArgumentNullException.ThrowIfNull(r);
                Set(insert, r.Site, Ms(r.At), r.Failure.ToString(), Ticks(r.Resolve), Ticks(r.Connect), Ticks(r.Tls), Ticks(r.FirstByte),
                    Ticks(r.Total), r.HttpStatus, Ms(r.TlsCertificateExpiry), r.Detail);
                if (await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1)
                {
                    inserted.Add(r);
                }
            }

            await using var select = Command(connection, tx, SqliteUptimeSchema.SelectHour, "$site", "$hour");
            await using var upsert = Command(connection, tx, SqliteUptimeSchema.UpsertHour,
                "$site", "$hour", "$probes", "$successes", "$degraded", "$rt_sum", "$rt_min", "$rt_max", "$histogram");
            foreach (var fresh in UptimeMath.Aggregate(inserted, Thresholds))
            {
                Set(select, fresh.Site, Ms(fresh.HourStart));
                HourlyAggregate? stored = null;
                await using (var reader = await select.ExecuteReaderAsync(ct).ConfigureAwait(false))
                {
                    if (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        stored = ReadHour(reader);
                    }
                }

                var merged = stored is null ? fresh : UptimeMath.Merge(stored, fresh);
                Set(upsert, merged.Site, Ms(merged.HourStart), merged.Probes, merged.Successes, merged.Degraded, merged.ResponseTimeSum.Ticks,
                    Ticks(merged.ResponseTimeMin), Ticks(merged.ResponseTimeMax), EncodeHistogram(merged.ResponseTimes));
                await upsert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
        }, "could not record probe results", ct).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ProbeResult>> GetResultsAsync(string site, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(site);
        return await QueryAsync(
            $"SELECT {SqliteUptimeSchema.ResultColumns} FROM uptime_results WHERE site = $site AND at >= $from AND at < $to ORDER BY at",
            [("$site", site), ("$from", Ms(from)), ("$to", Ms(to))],
            r => ReadResult(r, 0),
            ct).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<HourlyAggregate>> GetHourlyAsync(string? site, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default) =>
        await QueryAsync(
            $"SELECT {SqliteUptimeSchema.HourlyColumns} FROM uptime_hourly WHERE {SiteFilter(site)} hour >= $from AND hour < $to ORDER BY site, hour",
            [("$site", site), ("$from", Ms(from)), ("$to", Ms(to))],
            ReadHour,
            ct).ConfigureAwait(false);

    public async Task AddStateChangesAsync(IReadOnlyList<StateChange> changes, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        await WriteAsync(async (connection, tx) =>
        {
            await using var insert = Command(connection, tx, SqliteUptimeSchema.InsertChange,
                "$site", "$from_state", "$to_state", "$at", "$confirmed_at", "$reason");
            foreach (var c in changes)
            {
                ArgumentNullException.ThrowIfNull(c);
                Set(insert, c.Site, c.From.ToString(), c.To.ToString(), Ms(c.At), Ms(c.ConfirmedAt), c.Reason.ToString());
                await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
        }, "could not record state changes", ct).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StateChange>> GetStateChangesAsync(string? site, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default) =>
        await QueryAsync(
            $"""
            SELECT site, from_state, to_state, at, confirmed_at, reason FROM uptime_changes
            WHERE {SiteFilter(site)} at >= $from AND at < $to ORDER BY at, confirmed_at, site
            """,
            [("$site", site), ("$from", Ms(from)), ("$to", Ms(to))],
            r => new StateChange(r.GetString(0), Enum.Parse<SiteState>(r.GetString(1)), Enum.Parse<SiteState>(r.GetString(2)),
                Time(r.GetInt64(3)), Time(r.GetInt64(4)), Enum.Parse<ProbeFailure>(r.GetString(5))),
            ct).ConfigureAwait(false);

    public async Task UpsertOutageAsync(Outage outage, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(outage);
        await WriteAsync(async (connection, tx) =>
        {
            await using var upsert = Command(connection, tx, SqliteUptimeSchema.UpsertOutage, "$site", "$start", "$end", "$reason");
            Set(upsert, outage.Site, Ms(outage.Start), Ms(outage.End), outage.Reason.ToString());
            await upsert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, "could not record an outage", ct).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<Outage>> GetOutagesAsync(string? site, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default) =>
        await QueryAsync(
            $"""
            SELECT site, start_at, end_at, reason FROM uptime_outages
            WHERE {SiteFilter(site)} start_at < $to AND (end_at IS NULL OR end_at > $from)
            ORDER BY start_at, site
            """,
            [("$site", site), ("$from", Ms(from)), ("$to", Ms(to))],
            r => new Outage(r.GetString(0), Time(r.GetInt64(1)), NullableTime(r, 2), Enum.Parse<ProbeFailure>(r.GetString(3))),
            ct).ConfigureAwait(false);

    public async Task UpsertCountryOutageAsync(CountryOutage outage, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(outage);
        await WriteAsync(async (connection, tx) =>
        {
            await using var upsert = Command(connection, tx, SqliteUptimeSchema.UpsertCountryOutage, "$start", "$end", "$confirmed_at", "$failed", "$targets");
            Set(upsert, Ms(outage.Start), Ms(outage.End), Ms(outage.ConfirmedAt), outage.FailedTargets, outage.Targets);
            await upsert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, "could not record a country-wide outage", ct).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<CountryOutage>> GetCountryOutagesAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default) =>
        await QueryAsync(
            """
            SELECT start_at, end_at, confirmed_at, failed_targets, targets FROM uptime_country_outages
            WHERE start_at < $to AND (end_at IS NULL OR end_at > $from) ORDER BY start_at
            """,
            [("$from", Ms(from)), ("$to", Ms(to))],
            r => new CountryOutage(Time(r.GetInt64(0)), NullableTime(r, 1), Time(r.GetInt64(2)), r.GetInt32(3), r.GetInt32(4)),
            ct).ConfigureAwait(false);

    public async Task<int> PurgeResultsAsync(DateTimeOffset olderThan, CancellationToken ct = default) =>
        await WriteAsync(async (connection, tx) =>
        {
            await using var delete = Command(connection, tx, "DELETE FROM uptime_results WHERE at < $cutoff", "$cutoff");
            Set(delete, Ms(olderThan));
            return await delete.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, "could not purge old probe results", ct).ConfigureAwait(false);

    public async Task<IReadOnlyList<SiteUptimeStatus>> GetLatestAsync(CancellationToken ct = default) =>
        await QueryAsync(
            SqliteUptimeSchema.Latest,
            [],
            r => new SiteUptimeStatus(
                r.GetString(0),
                r.IsDBNull(1) ? SiteState.Unknown : Enum.Parse<SiteState>(r.GetString(1)),
                NullableTime(r, 2),
                r.IsDBNull(3) ? null : ReadResult(r, 3),
                MonitoredSince(NullableTime(r, 14), NullableTime(r, 15), NullableTime(r, 16)),
                r.IsDBNull(3) ? NullableTime(r, 17)?.AddHours(1) : Time(r.GetInt64(4))),
            ct).ConfigureAwait(false);

    /// <summary>
    /// The earliest evidence of a site: its first raw result, unless an earlier hour was aggregated whose raw
    /// results are purged (then that hour's start); a state change earlier than both (kept when results are not) wins.
    /// </summary>
    private static DateTimeOffset? MonitoredSince(DateTimeOffset? firstResult, DateTimeOffset? firstHour, DateTimeOffset? firstChange)
    {
        DateTimeOffset? since = firstResult;
        if (firstHour is { } hour && (firstResult is not { } result || hour < UptimeMath.HourOf(result)))
        {
            since = hour;
        }

        return firstChange is { } change && (since is not { } s || change < s) ? change : since;
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }

    /// <summary>Non-empty buckets as (index, count) pairs of 7-bit-encoded integers; an empty histogram is an empty blob.</summary>
    internal static byte[] EncodeHistogram(ResponseHistogram histogram)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
        {
            for (var i = 0; i < histogram.Counts.Count; i++)
            {
                if (histogram.Counts[i] != 0)
                {
                    writer.Write7BitEncodedInt(i);
                    writer.Write7BitEncodedInt64(histogram.Counts[i]);
                }
            }
        }

        return stream.ToArray();
    }

    internal static ResponseHistogram DecodeHistogram(byte[] blob)
    {
        var counts = new long[ResponseHistogram.BucketCount];
        using var reader = new BinaryReader(new MemoryStream(blob));
        while (reader.BaseStream.Position < blob.Length)
        {
            var bucket = reader.Read7BitEncodedInt();
            counts[bucket] = reader.Read7BitEncodedInt64();
        }

        return ResponseHistogram.FromCounts(counts);
    }

    private static HourlyAggregate ReadHour(SqliteDataReader r) => new(
        r.GetString(0),
        Time(r.GetInt64(1)),
        r.GetInt32(2),
        r.GetInt32(3),
        r.GetInt32(4),
        TimeSpan.FromTicks(r.GetInt64(5)),
        NullableSpan(r, 6),
        NullableSpan(r, 7),
        DecodeHistogram((byte[])r[8]));

    private static ProbeResult ReadResult(SqliteDataReader r, int o) => new(r.GetString(o), Time(r.GetInt64(o + 1)), Enum.Parse<ProbeFailure>(r.GetString(o + 2)))
    {
        Resolve = NullableSpan(r, o + 3),
        Connect = NullableSpan(r, o + 4),
        Tls = NullableSpan(r, o + 5),
        FirstByte = NullableSpan(r, o + 6),
        Total = NullableSpan(r, o + 7),
        HttpStatus = r.IsDBNull(o + 8) ? null : r.GetInt32(o + 8),
        TlsCertificateExpiry = NullableTime(r, o + 9),
        Detail = r.IsDBNull(o + 10) ? null : r.GetString(o + 10),
    };

    // A literal test, not "$site IS NULL OR site = $site", so that the planner can use the (site, …) index.
    private static string SiteFilter(string? site) => site is null ? string.Empty : "site = $site AND";

    private static long Ms(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    private static long? Ms(DateTimeOffset? at) => at?.ToUnixTimeMilliseconds();

    private static long? Ticks(TimeSpan? span) => span?.Ticks;

    private static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static DateTimeOffset? NullableTime(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : Time(r.GetInt64(i));

    private static TimeSpan? NullableSpan(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : TimeSpan.FromTicks(r.GetInt64(i));

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction tx, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }

    private static void Set(SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }

    private Task<SqliteConnection> OpenAsync(CancellationToken ct) => SqliteConnections.OpenAsync(_connectionString, _options, ct);

    private Task WriteAsync(Func<SqliteConnection, SqliteTransaction, Task> body, string what, CancellationToken ct) =>
        WriteAsync(async (connection, tx) =>
        {
            await body(connection, tx).ConfigureAwait(false);
            return 0;
        }, what, ct);

    private Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> body, string what, CancellationToken ct) => _tables.WriteAsync(body, what, ct);

    private async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, (string Name, object? Value)[] parameters, Func<SqliteDataReader, T> read, CancellationToken ct)
    {
        try
        {
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }

            var rows = new List<T>();
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                rows.Add(read(reader));
            }

            return rows;
        }
        catch (SqliteException e) when (SqliteConnections.IsBusy(e))
        {
            throw SqliteConnections.Busy(_path, "could not be read", _options, e);
        }
        catch (SqliteException e)
        {
            throw new StoreUnavailableException($"The store at {_path} could not be read: {e.Message}.", e);
        }
    }
}
