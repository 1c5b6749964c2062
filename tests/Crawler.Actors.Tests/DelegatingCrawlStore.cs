using Crawler.Storage;

namespace Crawler.Actors.Tests;

/// <summary>A store that passes every call to a real one; tests override the calls they make fail.</summary>
internal abstract class DelegatingCrawlStore(ICrawlStore inner) : ICrawlStore
{
    public virtual Task InitializeAsync(CancellationToken ct = default) => inner.InitializeAsync(ct);

    public virtual Task<int> AddToFrontierAsync(IReadOnlyList<FrontierEntry> entries, CancellationToken ct = default) => inner.AddToFrontierAsync(entries, ct);

    public virtual Task CommitAsync(IReadOnlyList<FetchCommit> batch, CancellationToken ct = default) => inner.CommitAsync(batch, ct);

    public virtual Task UpdateFrontierAsync(IReadOnlyList<FrontierUpdate> updates, CancellationToken ct = default) => inner.UpdateFrontierAsync(updates, ct);

    public virtual Task<IReadOnlyList<FrontierEntry>> GetPendingAsync(string host, int epoch, int limit, CancellationToken ct = default) => inner.GetPendingAsync(host, epoch, limit, ct);

    public virtual Task<IReadOnlyList<FrontierEntry>> GetFrontierAsync(string host, int epoch, CancellationToken ct = default) => inner.GetFrontierAsync(host, epoch, ct);

    public virtual Task<IReadOnlyList<string>> GetHostsWithPendingAsync(int epoch, CancellationToken ct = default) => inner.GetHostsWithPendingAsync(epoch, ct);

    public virtual IAsyncEnumerable<CaptureRecord> GetCapturesAsync(CaptureQuery query, CancellationToken ct = default) => inner.GetCapturesAsync(query, ct);

    public virtual Task<long> CountCapturesAsync(CaptureQuery query, CancellationToken ct = default) => inner.CountCapturesAsync(query, ct);

    public virtual Task<CaptureRecord?> GetLatestCaptureAsync(string url, CancellationToken ct = default) => inner.GetLatestCaptureAsync(url, ct);

    public virtual Task<CaptureRecord?> GetLatestHostCaptureAsync(string host, CancellationToken ct = default) => inner.GetLatestHostCaptureAsync(host, ct);

    public virtual Task<byte[]?> GetPayloadAsync(string digest, CancellationToken ct = default) => inner.GetPayloadAsync(digest, ct);

    public virtual Task<StoreStats> GetStatsAsync(CancellationToken ct = default) => inner.GetStatsAsync(ct);

    public virtual Task<IReadOnlyList<HostStats>> GetHostStatsAsync(int epoch, CancellationToken ct = default) => inner.GetHostStatsAsync(epoch, ct);

    public virtual Task<IReadOnlyList<UrlSchedule>> GetSchedulesAsync(string host, CancellationToken ct = default) => inner.GetSchedulesAsync(host, ct);

    public virtual Task UpsertSchedulesAsync(IReadOnlyList<UrlSchedule> schedules, CancellationToken ct = default) => inner.UpsertSchedulesAsync(schedules, ct);

    public virtual Task MarkJobAsync(string host, int epoch, DateTimeOffset? startedAt, DateTimeOffset? finishedAt, CancellationToken ct = default) =>
        inner.MarkJobAsync(host, epoch, startedAt, finishedAt, ct);

    public virtual Task<IReadOnlyList<CrawlJob>> GetJobsAsync(JobQuery query, CancellationToken ct = default) => inner.GetJobsAsync(query, ct);

    public virtual IAsyncEnumerable<CrawlLogEntry> GetCrawlLogAsync(CrawlLogQuery query, CancellationToken ct = default) => inner.GetCrawlLogAsync(query, ct);

    public virtual Task<IReadOnlyList<CrawlLogCount>> GetCrawlLogCountsAsync(int? epoch, CancellationToken ct = default) => inner.GetCrawlLogCountsAsync(epoch, ct);

    public virtual IAsyncEnumerable<CrawlLogEntry> ExportCrawlLogAsync(CancellationToken ct = default) => inner.ExportCrawlLogAsync(ct);

    public virtual Task AddToCrawlLogAsync(IReadOnlyList<CrawlLogEntry> rows, CancellationToken ct = default) => inner.AddToCrawlLogAsync(rows, ct);

    public virtual Task<string?> GetSettingAsync(string key, CancellationToken ct = default) => inner.GetSettingAsync(key, ct);

    public virtual Task SetSettingAsync(string key, string value, CancellationToken ct = default) => inner.SetSettingAsync(key, value, ct);

    public virtual Task<bool> CompareAndSetSettingAsync(string key, string? expected, string value, CancellationToken ct = default) =>
        inner.CompareAndSetSettingAsync(key, expected, value, ct);

    public virtual IAsyncEnumerable<FrontierRecord> ExportFrontierAsync(CancellationToken ct = default) => inner.ExportFrontierAsync(ct);

    public virtual IAsyncEnumerable<UrlSchedule> ExportSchedulesAsync(CancellationToken ct = default) => inner.ExportSchedulesAsync(ct);

    public virtual IAsyncEnumerable<JobMark> ExportJobMarksAsync(CancellationToken ct = default) => inner.ExportJobMarksAsync(ct);

    public virtual IAsyncEnumerable<KeyValuePair<string, string>> ExportSettingsAsync(CancellationToken ct = default) => inner.ExportSettingsAsync(ct);

    public virtual ValueTask DisposeAsync() => inner.DisposeAsync();
}
