using Crawler.Core.Policies;
using Crawler.Core.Robots;

namespace Crawler.Actors;

/// <summary>What the crawl actors do, bound from the "Crawler:Crawl" configuration section.</summary>
public sealed record CrawlOptions
{
    /// <summary>The robots.txt product token this crawler obeys (and the start of its User-Agent).</summary>
    public string ProductToken { get; init; } = "crawler";

    /// <summary>Domains in scope besides nothing: hosts equal to or under any of them are fetched.</summary>
    public IReadOnlyList<string> ScopeDomains { get; init; } = ["kp"];

    /// <summary>CIDRs whose address-literal hosts (<c>http://175.45.176.71/</c>) are in scope. The address guard
    /// still judges every address; this only decides which literal links the crawl follows.</summary>
    public IReadOnlyList<string> ScopeAddressRanges { get; init; } = [];

    public PolitenessOptions Politeness { get; init; } = new();

    public RetryOptions Retry { get; init; } = new();

    public TrapGuardOptions Traps { get; init; } = new();

    public RobotsCacheOptions Robots { get; init; } = new();

    /// <summary>Captures per site and epoch, at most; URLs beyond are settled as skipped.</summary>
    public int MaxPagesPerSite { get; init; } = 100_000;

    /// <summary>
    /// Fetches a site may have written but not yet seen acknowledged by the store. Each store commit waits for the disk
    /// (SQLite synchronous=FULL): with 32 a fast site fetched at most 32 pages per commit round, about 800 pages/s here
    /// whatever the server's speed; 256 (the writer's batch) took a 20,800-page site from 27 s to 11 s
    /// (docs/benchmarks.md, one site vs wget). It bounds the memory of pages awaiting the store per site.
    /// </summary>
    public int MaxUnacknowledged { get; init; } = 256;

    /// <summary>How often sites report progress to the coordinator while busy.</summary>
    public TimeSpan ReportInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Pause between the end of one epoch and the start of the next. Each epoch fetches only the URLs whose
    /// recrawl schedule (<see cref="Recrawl"/>) is due, so this is how finely those schedules are honoured.</summary>
    public TimeSpan RecrawlInterval { get; init; } = TimeSpan.FromDays(1);

    /// <summary>The adaptive per-URL recrawl schedule: interval bounds per page class and how they move ("Crawler:Crawl:Recrawl").</summary>
    public RecrawlOptions Recrawl { get; init; } = new();

    /// <summary>How often the coordinator checks whether the epoch is complete and whether the next one is due (on its clock).</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Stop after one complete epoch instead of crawling continuously.</summary>
    public bool ExitWhenDone { get; init; }

    /// <summary>An unchanged DNS answer is recorded again after its records' TTL, but never more often than this (a changed one at once).</summary>
    public TimeSpan MinDnsRecordInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a resolved address is used before resolving again (bounded by the record's TTL).</summary>
    public TimeSpan MaxAddressCache { get; init; } = TimeSpan.FromMinutes(10);
}
