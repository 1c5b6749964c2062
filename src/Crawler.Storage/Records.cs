namespace Crawler.Storage;

/// <summary>
/// One fetch, as archived: errors and redirects included. Document-shaped so that the
/// MongoDB store can keep it as one document; payload bytes live apart, keyed by digest.
/// </summary>
public sealed record CaptureRecord
{
    /// <summary>Unique id (sortable: time-ordered GUID v7 string).</summary>
    public required string Id { get; init; }

    /// <summary>Canonical absolute URL that was fetched.</summary>
    public required string Url { get; init; }

    /// <summary>Host (site id) the URL belongs to.</summary>
    public required string Host { get; init; }

    /// <summary>Crawl epoch (round) the fetch belongs to.</summary>
    public required int Epoch { get; init; }

    public required DateTimeOffset FetchedAt { get; init; }

    public long DurationMs { get; init; }

    /// <summary>The address actually connected to, when a connection was attempted.</summary>
    public string? IpAddress { get; init; }

    /// <summary>HTTP status; null when no response arrived (see <see cref="Error"/>).</summary>
    public int? Status { get; init; }

    /// <summary>The HTTP request message head as sent (request line + headers + CRLF).</summary>
    public byte[] RequestHeaders { get; init; } = [];

    /// <summary>The HTTP response message head as received (status line + headers + CRLF).</summary>
    public byte[]? ResponseHeaders { get; init; }

    /// <summary>"sha256:&lt;hex&gt;" of the entity body as received (transfer-decoded, not content-decoded).</summary>
    public string? PayloadDigest { get; init; }

    public long PayloadLength { get; init; }

    public string? ContentType { get; init; }

    /// <summary>Failure kind when the fetch failed (e.g. "ConnectTimeout", "AddressRefused").</summary>
    public string? Error { get; init; }

    public string? ErrorDetail { get; init; }

    /// <summary>Why the payload is incomplete ("length", "time"), or null when complete.</summary>
    public string? Truncated { get; init; }

    /// <summary>Resolved redirect target for 3xx responses.</summary>
    public string? RedirectTo { get; init; }

    public string? ETag { get; init; }

    public string? LastModified { get; init; }

    public string? Title { get; init; }

    public string? Language { get; init; }

    public string? Charset { get; init; }

    /// <summary>Outlinks found in the payload (in scope or not), as "url kind" pairs.</summary>
    public IReadOnlyList<Outlink> Outlinks { get; init; } = [];

    /// <summary>1 for the first attempt of this URL in this epoch, 2 for the first retry, ...</summary>
    public int Attempt { get; init; } = 1;
}

public sealed record Outlink(string Url, string Kind, bool InScope);

/// <summary>A URL known to the crawl in one epoch: pending, done or given up.</summary>
public sealed record FrontierEntry
{
    public required string Url { get; init; }

    public required string Host { get; init; }

    public required int Epoch { get; init; }

    public int Depth { get; init; }

    /// <summary>The URL whose fetch discovered this one (null for seeds).</summary>
    public string? Via { get; init; }

    /// <summary>How it was found: "seed", "a@href", "redirect", "sitemap", ...</summary>
    public string Kind { get; init; } = "seed";

    public FrontierState State { get; init; } = FrontierState.Pending;

    public int Attempts { get; init; }

    /// <summary>When a pending URL that failed transiently may be fetched again (null: at once). Kept in the
    /// store so that a site starting elsewhere (a restart, a moved shard) honours the same backoff.</summary>
    public DateTimeOffset? RetryAt { get; init; }
}

public enum FrontierState
{
    Pending = 0,
    Done = 1,
    Failed = 2,

    /// <summary>Never fetched on purpose: robots.txt disallowed it or a limit was reached.</summary>
    Skipped = 3,
}

/// <summary>
/// The result of one fetch, committed atomically: the capture, its payload (stored once per
/// digest), the URL's new frontier state, and the URLs it discovered.
/// </summary>
public sealed record FetchCommit
{
    public required CaptureRecord Capture { get; init; }

    /// <summary>Payload bytes; ignored when a payload with the same digest is already stored.</summary>
    public byte[]? Payload { get; init; }

    /// <summary>State of <see cref="CaptureRecord.Url"/> after this fetch (Pending means "retry later").</summary>
    public FrontierState UrlState { get; init; } = FrontierState.Done;

    /// <summary>With <see cref="UrlState"/> Pending: when the URL may be fetched again (stored on its frontier
    /// row; cleared by a commit that makes it Done or Failed). Ignored for any other state.</summary>
    public DateTimeOffset? RetryAt { get; init; }

    public IReadOnlyList<FrontierEntry> Discovered { get; init; } = [];
}

/// <summary>Settles a URL without a fetch (robots disallowed it, the site's page limit was reached).</summary>
public sealed record FrontierUpdate(string Url, string Host, int Epoch, FrontierState State, string Reason);

public sealed record CaptureQuery
{
    public string? Url { get; init; }

    public string? Host { get; init; }

    public int? Epoch { get; init; }

    public int? Limit { get; init; }
}

public sealed record StoreStats(
    long Captures,
    long Payloads,
    long PayloadBytesStored,
    long PayloadBytesRaw,
    long FrontierPending,
    long FrontierDone,
    long FrontierFailed,
    int Hosts,
    DateTimeOffset? LastCaptureAt);

/// <summary>Per-host counters for status views.</summary>
public sealed record HostStats(string Host, long Captures, long Pending, long Done, long Failed, long Errors, DateTimeOffset? LastCaptureAt);
