using Crawler.Core.Policies;

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

    /// <summary>Not fetched in this epoch: its recrawl schedule (<see cref="UrlSchedule"/>) is not due yet. Its links
    /// were followed from its latest capture, so the URLs beneath it are still reached.</summary>
    NotDue = 4,
}

/// <summary>What the final fetch of a scheduled URL in an epoch found (the statistics of the site's <see cref="CrawlJob"/>).</summary>
public enum RecrawlOutcome
{
    /// <summary>The URL's first fetch under the recrawl schedule.</summary>
    New = 1,

    /// <summary>A new version: another payload digest than the version last seen.</summary>
    Changed = 2,

    /// <summary>The same version (HTTP 304, or the payload digest last seen): archived as a revisit.</summary>
    Unchanged = 3,

    /// <summary>No usable answer after every attempt (the schedule is left as it was).</summary>
    Failed = 4,
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

    /// <summary>The URL's recrawl schedule after this fetch, stored in the same transaction; null leaves the stored one as it is.</summary>
    public UrlSchedule? Schedule { get; init; }

    /// <summary>What this fetch found when it is the URL's final fetch in the epoch; null for robots.txt and a retry to come.</summary>
    public RecrawlOutcome? Outcome { get; init; }

    /// <summary>The crawl log rows of this fetch, written in the same transaction: links it declined to follow and, when
    /// the URL itself could not be archived, its own verdict, without a via (see <see cref="ICrawlStore.GetCrawlLogAsync"/>).</summary>
    public IReadOnlyList<CrawlLogEntry> Declined { get; init; } = [];
}

/// <summary>Settles a URL without a fetch (robots disallowed it, the site's page limit was reached, it is not due).</summary>
public sealed record FrontierUpdate(string Url, string Host, int Epoch, FrontierState State, string Reason)
{
    /// <summary>URLs to add to the frontier in the same transaction (a URL not due: the links of its latest capture).</summary>
    public IReadOnlyList<FrontierEntry> Discovered { get; init; } = [];

    /// <summary>The outcome to count in the site's job (a URL whose processing failed: <see cref="RecrawlOutcome.Failed"/>).</summary>
    public RecrawlOutcome? Outcome { get; init; }

    /// <summary>Crawl log rows written in the same transaction (the settled URL's own, links its latest capture declined).</summary>
    public IReadOnlyList<CrawlLogEntry> Declined { get; init; } = [];
}

/// <summary>
/// One URL the crawl declined or could not archive in an epoch, with the reason (issue 11's "no silent gaps", issue 10's
/// crawl log): what tells "not archived" from "did not exist". Keyed by (epoch, url).
/// </summary>
public sealed record CrawlLogEntry
{
    public required string Url { get; init; }

    /// <summary>The URL's host (for a link out of scope, the other site's).</summary>
    public required string Host { get; init; }

    public required int Epoch { get; init; }

    /// <summary>One of <see cref="DeclineReason"/>: "out-of-scope", "robots", "depth", "trap", "dns-failure", ...</summary>
    public required string Reason { get; init; }

    /// <summary>The particulars ("calendar step to 2006-11-01 is more than 20 years back", "HTTP 503 after 3 attempts").</summary>
    public string? Detail { get; init; }

    /// <summary>The page the link was found on; null for a URL's own verdict (robots.txt, the page budget, an error...).</summary>
    public string? Via { get; init; }

    public int Depth { get; init; }

    public required DateTimeOffset At { get; init; }
}

/// <summary>Which crawl log rows <see cref="ICrawlStore.GetCrawlLogAsync"/> returns; every filter is optional.</summary>
public sealed record CrawlLogQuery(string? Host = null, int? Epoch = null, string? Reason = null)
{
    public int? Limit { get; init; }
}

/// <summary>How many URLs of a host were not archived in an epoch for one reason.</summary>
public sealed record CrawlLogCount(string Host, int Epoch, string Reason, long Count);

/// <summary>
/// One URL's adaptive recrawl schedule (<see cref="RecrawlPolicy"/>), written with the fetch that set it. Kept per URL
/// across epochs; an epoch fetches the URL only once <see cref="DueAt"/> has come.
/// </summary>
public sealed record UrlSchedule
{
    public required string Url { get; init; }

    public required string Host { get; init; }

    /// <summary>The class the URL had at its last fetch (its interval's bounds).</summary>
    public PageClass PageClass { get; init; }

    /// <summary>The current fetch interval (exact to the tick).</summary>
    public required TimeSpan Interval { get; init; }

    public required DateTimeOffset LastFetchedAt { get; init; }

    /// <summary>The last fetch that found a new version (the first fetch counts); what sync-delta measures the change period from.</summary>
    public DateTimeOffset? LastChangedAt { get; init; }

    /// <summary>When the URL is next worth fetching: <see cref="LastFetchedAt"/> + <see cref="Interval"/> (stores keep times to the millisecond).</summary>
    public required DateTimeOffset DueAt { get; init; }

    /// <summary>The payload digest of the version last seen (what "unchanged" compares with).</summary>
    public string? PayloadDigest { get; init; }

    /// <summary>Fetches under the schedule so far.</summary>
    public int Fetches { get; init; }

    /// <summary>Of those, the ones that found a new version (the first included).</summary>
    public int Changes { get; init; }

    /// <summary>The epoch of the last fetch.</summary>
    public int Epoch { get; init; }

    /// <summary>The policy's view of this schedule.</summary>
    public RecrawlSchedule ToPolicy() => new(Interval, LastFetchedAt, LastChangedAt, DueAt);
}

/// <summary>
/// One crawl round of one site: the job of (host, epoch), with its statistics. URLs are counted once each, by how
/// their epoch ended; <see cref="Captures"/> counts every request archived (robots.txt and retries included).
/// </summary>
public sealed record CrawlJob(string Host, int Epoch)
{
    /// <summary>When the site first started the epoch.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the site last ran out of work in the epoch (null while it never has).</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>URLs fetched for the first time under the recrawl schedule.</summary>
    public long New { get; init; }

    /// <summary>URLs fetched again and found changed.</summary>
    public long Changed { get; init; }

    /// <summary>URLs fetched again and found unchanged (archived as revisits).</summary>
    public long Unchanged { get; init; }

    /// <summary>URLs whose fetch gave no usable answer after every attempt.</summary>
    public long Failed { get; init; }

    /// <summary>URLs settled without a request: not due yet.</summary>
    public long NotDue { get; init; }

    /// <summary>URLs never fetched on purpose (robots.txt, the page limit).</summary>
    public long Skipped { get; init; }

    /// <summary>URLs still to do.</summary>
    public long Pending { get; init; }

    /// <summary>Captures archived (every request, robots.txt and retries included).</summary>
    public long Captures { get; init; }

    /// <summary>Captures without a response (time-outs, refused connections, DNS failures).</summary>
    public long Errors { get; init; }

    /// <summary>URLs that were due and fetched: <see cref="New"/> + <see cref="Changed"/> + <see cref="Unchanged"/> + <see cref="Failed"/>.</summary>
    public long Due => New + Changed + Unchanged + Failed;
}

/// <summary>Which jobs <see cref="ICrawlStore.GetJobsAsync"/> returns: every one, a host's, an epoch's or one.</summary>
public sealed record JobQuery(string? Host = null, int? Epoch = null);

public sealed record CaptureQuery
{
    public string? Url { get; init; }

    /// <summary>
    /// When set, only captures whose URL is one of these or begins with one, ignoring the case of ASCII letters (an
    /// empty list selects none): a URL's spellings or a path's URLs, read through the URL index, not a whole site.
    /// </summary>
    public IReadOnlyList<UrlMatch>? Urls { get; init; }

    /// <summary>
    /// When set, only captures with a response (a status) whose SURT key (<see cref="Crawler.Core.Cdx.Surt.Key"/> of the
    /// URL) lies in one of these ranges, read in key order: by key, then fetch time, then id, the ranges one after
    /// another in the order given (give them ascending and disjoint for one key order). What a CDX host or domain match
    /// reads: a read that can stop after the first lines of the answer.
    /// </summary>
    public IReadOnlyList<UrlKeyRange>? UrlKeys { get; init; }

    /// <summary>With <see cref="UrlKeys"/>: only the captures at or after this place of the key order (a later key, or
    /// this key fetched at or after this time). Where a CDX page begins when its first lines are found apart.</summary>
    public UrlKeyPosition? UrlKeysFrom { get; init; }

    /// <summary>This many of the captures selected, in their order, are skipped (before <see cref="Limit"/> counts).</summary>
    public int? Offset { get; init; }

    public string? Host { get; init; }

    public int? Epoch { get; init; }

    public int? Limit { get; init; }
}

/// <summary>A place in the key order: the key, and a fetch time among its captures.</summary>
public sealed record UrlKeyPosition(string UrlKey, DateTimeOffset FetchedAt);

/// <summary>The SURT keys from <see cref="From"/> (included) to <see cref="To"/> (excluded), compared ordinally.</summary>
public sealed record UrlKeyRange(string From, string To)
{
    /// <summary>Every key that begins with <paramref name="prefix"/> (<c>kp,kcna)</c>: the keys of kcna.kp's URLs).</summary>
    public static UrlKeyRange Prefix(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        return prefix[^1] == char.MaxValue
            ? throw new ArgumentException($"The prefix '{prefix}' ends in U+FFFF; give one that does not.", nameof(prefix))
            : new UrlKeyRange(prefix, prefix[..^1] + (char)(prefix[^1] + 1));
    }
}

/// <summary>A URL (<see cref="Prefix"/>: or every URL beginning with it), matched ignoring the case of ASCII letters.</summary>
public sealed record UrlMatch(string Url, bool Prefix)
{
    /// <summary>The URL in lower case (ASCII letters only, as SQLite's NOCASE folds them).</summary>
    public string Folded => string.Create(Url.Length, Url, static (span, url) =>
    {
        for (var i = 0; i < url.Length; i++)
        {
            span[i] = char.IsAsciiLetterUpper(url[i]) ? (char)(url[i] + ('a' - 'A')) : url[i];
        }
    });

    /// <summary>The least string after every one that begins with <see cref="Folded"/> (its last character incremented).</summary>
    public string FoldedEnd => Url.Length == 0 || Url[^1] == char.MaxValue
        ? throw new InvalidOperationException($"The prefix '{Url}' is empty or ends in U+FFFF; give one that does not.")
        : Folded[..^1] + (char)(Folded[^1] + 1);
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

/// <summary>
/// A frontier row as the store keeps it, for export (<see cref="ICrawlStore.ExportFrontierAsync"/>): the entry and what only
/// the store knows of it, the reason a URL was settled without a fetch and the outcome its job counts.
/// </summary>
public sealed record FrontierRecord(FrontierEntry Entry, string? Reason, RecrawlOutcome? Outcome);

/// <summary>The marks of a job as stored by <see cref="ICrawlStore.MarkJobAsync"/> (its statistics are counted, not stored).</summary>
public sealed record JobMark(string Host, int Epoch, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);
