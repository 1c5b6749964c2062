namespace Crawler.Storage;

/// <summary>
/// The crawl's persistent state: frontier, captures and payloads. One contract for every
/// store (SQLite embedded, MongoDB for the cluster); the contract tests in
/// Crawler.Storage.Tests run against each implementation.
/// </summary>
/// <remarks>
/// A call that returned has been made durable: a crash after <see cref="CommitAsync"/> or
/// <see cref="AddToFrontierAsync"/> returns loses nothing of it. Implementations must be safe
/// for concurrent callers; the crawler batches writes through one writer actor.
/// </remarks>
public interface ICrawlStore : IAsyncDisposable
{
    /// <summary>Creates the schema / indexes when absent. Idempotent.</summary>
    Task InitializeAsync(CancellationToken ct = default);

    /// <summary>Adds entries unless the (epoch, url) pair is already known. Returns how many were new.</summary>
    Task<int> AddToFrontierAsync(IReadOnlyList<FrontierEntry> entries, CancellationToken ct = default);

    /// <summary>Commits fetch results in one transaction, in order: captures, payloads, frontier states, discovered URLs
    /// and recrawl schedules (<see cref="FetchCommit.Schedule"/>).</summary>
    Task CommitAsync(IReadOnlyList<FetchCommit> batch, CancellationToken ct = default);

    /// <summary>Sets the state of URLs settled without a fetch (upsert: inserts rows that are absent), and adds the
    /// URLs they lead to (<see cref="FrontierUpdate.Discovered"/>), in one transaction.</summary>
    Task UpdateFrontierAsync(IReadOnlyList<FrontierUpdate> updates, CancellationToken ct = default);

    /// <summary>Pending URLs of one host in one epoch, oldest first.</summary>
    Task<IReadOnlyList<FrontierEntry>> GetPendingAsync(string host, int epoch, int limit, CancellationToken ct = default);

    /// <summary>Every URL of a host known in an epoch with its state (to rebuild a seen-set after a restart).</summary>
    Task<IReadOnlyList<FrontierEntry>> GetFrontierAsync(string host, int epoch, CancellationToken ct = default);

    /// <summary>Hosts that have pending URLs in the epoch.</summary>
    Task<IReadOnlyList<string>> GetHostsWithPendingAsync(int epoch, CancellationToken ct = default);

    /// <summary>Captures in fetch order (then id), filtered; with <see cref="CaptureQuery.UrlKeys"/>, in key order.</summary>
    IAsyncEnumerable<CaptureRecord> GetCapturesAsync(CaptureQuery query, CancellationToken ct = default);

    /// <summary>
    /// How many captures <see cref="GetCapturesAsync"/> would return without <see cref="CaptureQuery.Offset"/> and <see cref="CaptureQuery.Limit"/>, counted
    /// by the store (for <see cref="CaptureQuery.UrlKeys"/> alone, from the key index only: a CDX page count without
    /// reading the captures).
    /// </summary>
    Task<long> CountCapturesAsync(CaptureQuery query, CancellationToken ct = default);

    /// <summary>The latest capture of a URL (any epoch), or null.</summary>
    Task<CaptureRecord?> GetLatestCaptureAsync(string url, CancellationToken ct = default);

    /// <summary>The most recently fetched capture of any URL of a host (any epoch), or null: when the host last
    /// saw a request from this crawl, so that a site starting anew keeps its politeness pause.</summary>
    Task<CaptureRecord?> GetLatestHostCaptureAsync(string host, CancellationToken ct = default);

    /// <summary>Payload bytes by digest ("sha256:hex"), decompressed; null when unknown.</summary>
    Task<byte[]?> GetPayloadAsync(string digest, CancellationToken ct = default);

    Task<StoreStats> GetStatsAsync(CancellationToken ct = default);

    Task<IReadOnlyList<HostStats>> GetHostStatsAsync(int epoch, CancellationToken ct = default);

    /// <summary>The recrawl schedules of a host's URLs (each URL fetched under the schedule has one).</summary>
    Task<IReadOnlyList<UrlSchedule>> GetSchedulesAsync(string host, CancellationToken ct = default);

    /// <summary>
    /// Inserts or replaces schedules, in one transaction. A schedule whose <see cref="UrlSchedule.LastFetchedAt"/> is
    /// older than the stored one's is ignored (a late write never undoes a newer fetch); commits follow the same rule.
    /// </summary>
    Task UpsertSchedulesAsync(IReadOnlyList<UrlSchedule> schedules, CancellationToken ct = default);

    /// <summary>
    /// Marks the job of (host, epoch): <paramref name="startedAt"/> is kept only when the job has no start yet (a site
    /// that starts again keeps the first), <paramref name="finishedAt"/> replaces the finish (the last time the site
    /// ran out of work). A null leaves that time as it is.
    /// </summary>
    Task MarkJobAsync(string host, int epoch, DateTimeOffset? startedAt, DateTimeOffset? finishedAt, CancellationToken ct = default);

    /// <summary>
    /// Jobs (one per host and epoch with a frontier, captures or a mark) and their statistics, counted from what the
    /// store holds: every URL of the job's frontier once, by its state and outcome. Ordered by epoch, then host.
    /// </summary>
    Task<IReadOnlyList<CrawlJob>> GetJobsAsync(JobQuery query, CancellationToken ct = default);

    /// <summary>
    /// The crawl log: URLs declined or not archived (<see cref="FetchCommit.Declined"/>, <see cref="FrontierUpdate.Declined"/>),
    /// ordered by epoch, host, then URL (ordinal). One row per (epoch, url): a URL's own verdict (a row without
    /// <see cref="CrawlLogEntry.Via"/>) replaces what was stored, a declined link is kept only when nothing was stored for it. A declined link (a row with a
    /// <see cref="CrawlLogEntry.Via"/>) is left out once the frontier holds its URL in that epoch: queued from another page, the
    /// frontier and the URL's own verdict tell the rest.
    /// </summary>
    IAsyncEnumerable<CrawlLogEntry> GetCrawlLogAsync(CrawlLogQuery query, CancellationToken ct = default);

    /// <summary>The crawl log counted by epoch, host and reason (the same rows as <see cref="GetCrawlLogAsync"/>), in that order.</summary>
    Task<IReadOnlyList<CrawlLogCount>> GetCrawlLogCountsAsync(int? epoch, CancellationToken ct = default);

    /// <summary>A small key/value area for crawl-wide state (current epoch, ...).</summary>
    Task<string?> GetSettingAsync(string key, CancellationToken ct = default);

    Task SetSettingAsync(string key, string value, CancellationToken ct = default);

    /// <summary>
    /// Sets <paramref name="key"/> to <paramref name="value"/> only while it holds <paramref name="expected"/> (null: only
    /// while it is absent), in one step on the store. True when this call set it (or it already held the value on that
    /// condition); false when another writer changed it first: read it again and decide. For settings more than one
    /// writer may change (two coordinators during a hand-over, seeds added from two nodes).
    /// </summary>
    Task<bool> CompareAndSetSettingAsync(string key, string? expected, string value, CancellationToken ct = default);

    // ---- export (crawler migrate): every row of a collection, streamed in pages, never held in memory at once ----

    /// <summary>Every frontier row of every epoch, with its reason and outcome, in the order the rows were added (so that a copy
    /// added in this order keeps the order <see cref="GetPendingAsync"/> and <see cref="GetFrontierAsync"/> return).</summary>
    IAsyncEnumerable<FrontierRecord> ExportFrontierAsync(CancellationToken ct = default);

    /// <summary>Every recrawl schedule, ordered by URL (ordinal).</summary>
    IAsyncEnumerable<UrlSchedule> ExportSchedulesAsync(CancellationToken ct = default);

    /// <summary>Every job mark (<see cref="MarkJobAsync"/>), ordered by epoch, then host (ordinal).</summary>
    IAsyncEnumerable<JobMark> ExportJobMarksAsync(CancellationToken ct = default);

    /// <summary>Every crawl log row as stored (declined links whose URL was queued after all included), ordered by epoch, then URL (ordinal).</summary>
    IAsyncEnumerable<CrawlLogEntry> ExportCrawlLogAsync(CancellationToken ct = default);

    /// <summary>Writes crawl log rows by the rule of <see cref="GetCrawlLogAsync"/> (what a copy of an archive writes), in one transaction.</summary>
    Task AddToCrawlLogAsync(IReadOnlyList<CrawlLogEntry> rows, CancellationToken ct = default);

    /// <summary>Every setting, ordered by key (ordinal).</summary>
    IAsyncEnumerable<KeyValuePair<string, string>> ExportSettingsAsync(CancellationToken ct = default);
}

/// <summary>Thrown when the store cannot be reached or written; the message says what to do.</summary>
public sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException(string message, Exception? inner = null) : base(message, inner) { }

    public StoreUnavailableException() { }

    public StoreUnavailableException(string message) : base(message) { }
}
