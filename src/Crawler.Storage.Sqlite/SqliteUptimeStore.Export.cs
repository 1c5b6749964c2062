using Crawler.Core.Uptime;
using Microsoft.Data.Sqlite;

namespace Crawler.Storage.Sqlite;

/// <summary>The exports and the aggregate import of <see cref="IUptimeStore"/> (crawler migrate).</summary>
public sealed partial class SqliteUptimeStore
{
    public IAsyncEnumerable<ProbeResult> ExportResultsAsync(CancellationToken ct = default) =>
        ExportAsync($"SELECT {SqliteUptimeSchema.ResultColumns} FROM uptime_results ORDER BY site, at", r => ReadResult(r, 0), ct);

    public IAsyncEnumerable<HourlyAggregate> ExportHourlyAsync(CancellationToken ct = default) =>
        ExportAsync($"SELECT {SqliteUptimeSchema.HourlyColumns} FROM uptime_hourly ORDER BY site, hour", ReadHour, ct);

    public IAsyncEnumerable<StateChange> ExportStateChangesAsync(CancellationToken ct = default) =>
        ExportAsync(
            "SELECT site, from_state, to_state, at, confirmed_at, reason FROM uptime_changes ORDER BY site, confirmed_at",
            r => new StateChange(r.GetString(0), Enum.Parse<SiteState>(r.GetString(1)), Enum.Parse<SiteState>(r.GetString(2)),
                Time(r.GetInt64(3)), Time(r.GetInt64(4)), Enum.Parse<ProbeFailure>(r.GetString(5))),
            ct);

    public IAsyncEnumerable<Outage> ExportOutagesAsync(CancellationToken ct = default) =>
        ExportAsync(
            "SELECT site, start_at, end_at, reason FROM uptime_outages ORDER BY site, start_at",
            r => new Outage(r.GetString(0), Time(r.GetInt64(1)), NullableTime(r, 2), Enum.Parse<ProbeFailure>(r.GetString(3))),
            ct);

    public IAsyncEnumerable<CountryOutage> ExportCountryOutagesAsync(CancellationToken ct = default) =>
        ExportAsync(
            "SELECT start_at, end_at, confirmed_at, failed_targets, targets FROM uptime_country_outages ORDER BY start_at",
            r => new CountryOutage(Time(r.GetInt64(0)), NullableTime(r, 1), Time(r.GetInt64(2)), r.GetInt32(3), r.GetInt32(4)),
            ct);

    public async Task ImportHourlyAsync(IReadOnlyList<HourlyAggregate> aggregates, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(aggregates);
        if (aggregates.Count == 0)
        {
            return;
        }

        await WriteAsync(async (connection, tx) =>
        {
            await using var upsert = Command(connection, tx, SqliteUptimeSchema.UpsertHour,
                "$site", "$hour", "$probes", "$successes", "$degraded", "$rt_sum", "$rt_min", "$rt_max", "$histogram");
            foreach (var a in aggregates)
            {
                ArgumentNullException.ThrowIfNull(a);
                Set(upsert, a.Site, Ms(a.HourStart), a.Probes, a.Successes, a.Degraded, a.ResponseTimeSum.Ticks,
                    Ticks(a.ResponseTimeMin), Ticks(a.ResponseTimeMax), EncodeHistogram(a.ResponseTimes));
                await upsert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
        }, "could not import hourly aggregates", ct).ConfigureAwait(false);
    }

    private IAsyncEnumerable<T> ExportAsync<T>(string sql, Func<SqliteDataReader, T> read, CancellationToken ct) =>
        SqliteStreams.ReadAllAsync(
            OpenAsync,
            sql,
            read,
            e => SqliteConnections.IsBusy(e)
                ? SqliteConnections.Busy(_path, "could not be read", _options, e)
                : new StoreUnavailableException($"The store at {_path} could not be read: {e.Message}.", e),
            ct);
}
