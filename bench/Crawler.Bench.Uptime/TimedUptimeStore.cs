using System.Collections.Concurrent;
using System.Diagnostics;
using Crawler.Core.Uptime;
using Crawler.Storage;

namespace Crawler.Bench.Uptime;

/// <summary>
/// Wraps the uptime store to time the probe actors' writes (<see cref="AddResultsAsync"/>): the whole call, and
/// the part that ran on the calling thread before a task came back (Microsoft.Data.Sqlite runs its async methods
/// synchronously, so for SQLite that part is the thread-pool thread being blocked). With <c>discard</c> set, writes
/// are dropped and reads answer empty: a diagnostic mode to tell the store's cost from the rest, not a node setting.
/// </summary>
internal sealed class TimedUptimeStore(IUptimeStore inner, bool discard) : IUptimeStore
{
    private readonly ConcurrentQueue<(long At, double WallMs, double BlockingMs)> _writes = new();

    /// <summary>(Stopwatch timestamp of the call, whole call ms, ms before the task came back) of every result write.</summary>
    public IReadOnlyCollection<(long At, double WallMs, double BlockingMs)> Writes => _writes;

    public Task InitializeAsync(CancellationToken ct = default) => inner.InitializeAsync(ct);

    public async Task AddResultsAsync(IReadOnlyList<ProbeResult> results, CancellationToken ct = default)
    {
        var start = Stopwatch.GetTimestamp();
        if (discard)
        {
            _writes.Enqueue((start, 0, 0));
            return;
        }

        var task = inner.AddResultsAsync(results, ct);
        var blocking = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        await task.ConfigureAwait(false);
        _writes.Enqueue((start, Stopwatch.GetElapsedTime(start).TotalMilliseconds, blocking));
    }

    public Task<IReadOnlyList<ProbeResult>> GetResultsAsync(string site, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default) =>
        discard ? Task.FromResult<IReadOnlyList<ProbeResult>>([]) : inner.GetResultsAsync(site, from, to, ct);

    public Task<IReadOnlyList<HourlyAggregate>> GetHourlyAsync(string? site, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default) =>
        discard ? Task.FromResult<IReadOnlyList<HourlyAggregate>>([]) : inner.GetHourlyAsync(site, from, to, ct);

    public Task AddStateChangesAsync(IReadOnlyList<StateChange> changes, CancellationToken ct = default) =>
        discard ? Task.CompletedTask : inner.AddStateChangesAsync(changes, ct);

    public Task<IReadOnlyList<StateChange>> GetStateChangesAsync(string? site, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default) =>
        discard ? Task.FromResult<IReadOnlyList<StateChange>>([]) : inner.GetStateChangesAsync(site, from, to, ct);

    public Task UpsertOutageAsync(Outage outage, CancellationToken ct = default) =>
        discard ? Task.CompletedTask : inner.UpsertOutageAsync(outage, ct);

    public Task<IReadOnlyList<Outage>> GetOutagesAsync(string? site, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default) =>
        discard ? Task.FromResult<IReadOnlyList<Outage>>([]) : inner.GetOutagesAsync(site, from, to, ct);

    public Task UpsertCountryOutageAsync(CountryOutage outage, CancellationToken ct = default) =>
        discard ? Task.CompletedTask : inner.UpsertCountryOutageAsync(outage, ct);

    public Task<IReadOnlyList<CountryOutage>> GetCountryOutagesAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default) =>
        discard ? Task.FromResult<IReadOnlyList<CountryOutage>>([]) : inner.GetCountryOutagesAsync(from, to, ct);

    public Task<int> PurgeResultsAsync(DateTimeOffset olderThan, CancellationToken ct = default) =>
        discard ? Task.FromResult(0) : inner.PurgeResultsAsync(olderThan, ct);

    public Task<IReadOnlyList<SiteUptimeStatus>> GetLatestAsync(CancellationToken ct = default) =>
        discard ? Task.FromResult<IReadOnlyList<SiteUptimeStatus>>([]) : inner.GetLatestAsync(ct);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    // Export and import (crawler migrate) are not part of the bench: passed through.
    public IAsyncEnumerable<ProbeResult> ExportResultsAsync(CancellationToken ct = default) => inner.ExportResultsAsync(ct);

    public IAsyncEnumerable<HourlyAggregate> ExportHourlyAsync(CancellationToken ct = default) => inner.ExportHourlyAsync(ct);

    public IAsyncEnumerable<StateChange> ExportStateChangesAsync(CancellationToken ct = default) => inner.ExportStateChangesAsync(ct);

    public IAsyncEnumerable<Outage> ExportOutagesAsync(CancellationToken ct = default) => inner.ExportOutagesAsync(ct);

    public IAsyncEnumerable<CountryOutage> ExportCountryOutagesAsync(CancellationToken ct = default) => inner.ExportCountryOutagesAsync(ct);

    public Task ImportHourlyAsync(IReadOnlyList<HourlyAggregate> aggregates, CancellationToken ct = default) => inner.ImportHourlyAsync(aggregates, ct);
}
