using Crawler.Core.Uptime;

namespace Crawler.Storage;

/// <summary>
/// One site's current uptime state: its latest state change (<see cref="SiteState.Unknown"/> and a null
/// <paramref name="Since"/> when it has none), its latest raw probe result (null once purged), and
/// <paramref name="MonitoredSince"/>, its earliest evidence: the first raw result, or the start of its first
/// hourly aggregate when that hour's raw results were purged, or its first state change if earlier. Uptime
/// windows start there (<see cref="UptimeMath.MonitoredUptime"/>). <paramref name="LastProbed"/> is the latest
/// evidence of a probe: the latest raw result's time, or, once those are purged, the end of its last aggregated hour.
/// </summary>
public sealed record SiteUptimeStatus(
    string Site,
    SiteState State,
    DateTimeOffset? Since,
    ProbeResult? LastResult,
    DateTimeOffset? MonitoredSince = null,
    DateTimeOffset? LastProbed = null);

/// <summary>
/// Uptime history: raw probe results (kept about 30 days, see <see cref="PurgeResultsAsync"/>), per-site
/// per-UTC-hour aggregates (kept for years), state changes, site outages and country-wide outages.
/// One contract for every store, tested by the uptime contract suite in Crawler.Storage.Tests.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Times are kept to the millisecond (sub-millisecond parts are truncated; BSON dates hold no
/// more); durations (<see cref="ProbeResult"/> timings, aggregate response times) are kept exactly,
/// in 100 ns ticks, so percentiles read from stored aggregates equal those of the live ones.</item>
/// <item>Windows are half-open, [from, to): results and state changes by their <c>At</c>, aggregates
/// by <see cref="HourlyAggregate.HourStart"/> (as <see cref="UptimeMath.ProbeUptime"/> counts them);
/// outages are returned when they <em>overlap</em> the window (an open one lasts to now).</item>
/// <item>Degraded counts in the aggregates use the <see cref="UptimeThresholds"/> the store was built
/// with (a constructor argument of each implementation); changing them later does not rewrite the
/// hours already stored.</item>
/// <item>A call that returned is durable. Implementations are safe for concurrent callers.</item>
/// </list>
/// </remarks>
public interface IUptimeStore : IAsyncDisposable
{
    /// <summary>Creates the tables / indexes when absent. Idempotent.</summary>
    Task InitializeAsync(CancellationToken ct = default);

    /// <summary>
    /// Stores raw results and folds them into the hourly aggregates of their site and UTC hour, in one
    /// transaction. A result is identified by (Site, At): one already stored is ignored, so a retried
    /// batch is neither stored nor counted twice.
    /// </summary>
    Task AddResultsAsync(IReadOnlyList<ProbeResult> results, CancellationToken ct = default);

    /// <summary>A site's raw results with At in [from, to), oldest first.</summary>
    Task<IReadOnlyList<ProbeResult>> GetResultsAsync(string site, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default);

    /// <summary>Hourly aggregates with HourStart in [from, to) of one site (null: every site), ordered by site (ordinal) then hour.</summary>
    Task<IReadOnlyList<HourlyAggregate>> GetHourlyAsync(string? site, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default);

    /// <summary>Records state changes; a change is identified by (Site, ConfirmedAt) and one already stored is ignored.</summary>
    Task AddStateChangesAsync(IReadOnlyList<StateChange> changes, CancellationToken ct = default);

    /// <summary>State changes with At in [from, to) of one site (null: every site), ordered by At, then ConfirmedAt, then site.</summary>
    Task<IReadOnlyList<StateChange>> GetStateChangesAsync(string? site, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default);

    /// <summary>Inserts or replaces the outage of (Site, Start): upsert an open outage again with its End to close it.</summary>
    Task UpsertOutageAsync(Outage outage, CancellationToken ct = default);

    /// <summary>
    /// Outages of one site (null: every site) overlapping [from, to): Start &lt; to and (End is null or
    /// End &gt; from). Ordered by Start, then site.
    /// </summary>
    Task<IReadOnlyList<Outage>> GetOutagesAsync(string? site, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default);

    /// <summary>Inserts or replaces the country-wide outage that started at <see cref="CountryOutage.Start"/>.</summary>
    Task UpsertCountryOutageAsync(CountryOutage outage, CancellationToken ct = default);

    /// <summary>Country-wide outages overlapping [from, to) (open ones included), ordered by Start.</summary>
    Task<IReadOnlyList<CountryOutage>> GetCountryOutagesAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default);

    /// <summary>Deletes raw results with At &lt; <paramref name="olderThan"/>; aggregates, changes and outages stay. Returns how many were deleted.</summary>
    Task<int> PurgeResultsAsync(DateTimeOffset olderThan, CancellationToken ct = default);

    /// <summary>Every site that has a raw result or a state change, ordered by site (ordinal), with its latest state and result and when its monitoring began.</summary>
    Task<IReadOnlyList<SiteUptimeStatus>> GetLatestAsync(CancellationToken ct = default);

    // ---- export and import (crawler migrate): every row, streamed in pages, never held in memory at once ----

    /// <summary>Every raw result, ordered by site (ordinal), then At.</summary>
    IAsyncEnumerable<ProbeResult> ExportResultsAsync(CancellationToken ct = default);

    /// <summary>Every hourly aggregate, ordered by site (ordinal), then hour.</summary>
    IAsyncEnumerable<HourlyAggregate> ExportHourlyAsync(CancellationToken ct = default);

    /// <summary>Every state change, ordered by site (ordinal), then ConfirmedAt.</summary>
    IAsyncEnumerable<StateChange> ExportStateChangesAsync(CancellationToken ct = default);

    /// <summary>Every site outage, open or closed, ordered by site (ordinal), then Start.</summary>
    IAsyncEnumerable<Outage> ExportOutagesAsync(CancellationToken ct = default);

    /// <summary>Every country-wide outage, ordered by Start.</summary>
    IAsyncEnumerable<CountryOutage> ExportCountryOutagesAsync(CancellationToken ct = default);

    /// <summary>
    /// Inserts or replaces the aggregates of (Site, HourStart) with these, in one transaction: how a migration carries the
    /// hours whose raw results were purged. Raw results added later still fold in once each (results already stored are
    /// not folded again), so import aggregates after <see cref="AddResultsAsync"/> of the same hours.
    /// </summary>
    Task ImportHourlyAsync(IReadOnlyList<HourlyAggregate> aggregates, CancellationToken ct = default);
}
