using Microsoft.Extensions.Logging;

namespace Crawler.Actors;

/// <summary>The actors' structured log events.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Store write failed; {Pending} writes kept, retrying in {DelaySeconds} s")]
    public static partial void StoreWriteFailed(ILogger logger, Exception error, int pending, double delaySeconds);

    [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "The store refuses the capture of {Url} for good; it is dropped and the crawl goes on")]
    public static partial void CommitRefused(ILogger logger, Exception error, string url);

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Epoch {Epoch} started with {Seeds} seeds")]
    public static partial void EpochStarted(ILogger logger, int epoch, int seeds);

    [LoggerMessage(EventId = 206, Level = LogLevel.Information, Message = "Discovery: {Found} names ({New} new), {Zones} zones transferred, {Failures} transfer failures, {Sites} sites in scope with an address, {WithoutAddress} names in scope without one (recorded, not crawled)")]
    public static partial void DiscoveryCompleted(ILogger logger, int found, int @new, int zones, int failures, int sites, int withoutAddress);

    [LoggerMessage(EventId = 207, Level = LogLevel.Warning, Message = "Discovery failed; it runs again at its next interval")]
    public static partial void DiscoveryFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 205, Level = LogLevel.Information, Message = "{Count} new seeds joined epoch {Epoch}")]
    public static partial void SeedsAdded(ILogger logger, int count, int epoch);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Epoch {Epoch} complete: {Sites} sites idle, no pending URL")]
    public static partial void EpochCompleted(ILogger logger, int epoch, int sites);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Next epoch {Epoch} in {Delay}")]
    public static partial void NextEpochScheduled(ILogger logger, int epoch, TimeSpan delay);

    [LoggerMessage(EventId = 203, Level = LogLevel.Error, Message = "Coordinator store call failed; retrying")]
    public static partial void CoordinatorStoreFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "Recording the DNS of {Name} failed")]
    public static partial void DnsRecordFailed(ILogger logger, Exception error, string name);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "DNS of {Name}: {Kind} ({Before} → {After})")]
    public static partial void DnsChanged(ILogger logger, string name, string kind, string? before, string? after);

    [LoggerMessage(EventId = 300, Level = LogLevel.Debug, Message = "{Host}: resolved to {Addresses} ({Error})")]
    public static partial void HostResolved(ILogger logger, string host, string addresses, string? error);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "{Host}: loading the frontier failed; retrying")]
    public static partial void FrontierLoadFailed(ILogger logger, Exception error, string host);

    [LoggerMessage(EventId = 302, Level = LogLevel.Debug, Message = "{Host}: robots.txt for {Origin} gave {Status}: {Summary}")]
    public static partial void RobotsDecided(ILogger logger, string host, string origin, int? status, string summary);

    [LoggerMessage(EventId = 303, Level = LogLevel.Error, Message = "{Host}: processing {Url} failed")]
    public static partial void FetchProcessingFailed(ILogger logger, Exception error, string host, string url);

    [LoggerMessage(EventId = 304, Level = LogLevel.Error, Message = "{Host}: the site actor failed and restarts; its address slot is released and epoch {Epoch} resumes in {Delay}")]
    public static partial void SiteRestarting(ILogger logger, Exception error, string host, int epoch, TimeSpan delay);

    [LoggerMessage(EventId = 305, Level = LogLevel.Debug, Message = "{Host}: handed off ({Unacknowledged} writes awaited)")]
    public static partial void SiteHandedOff(ILogger logger, string host, int unacknowledged);

    [LoggerMessage(EventId = 306, Level = LogLevel.Warning, Message = "{Host}: {Url} is not due but nothing stored leads on from it ({Problem}); fetched instead")]
    public static partial void NotDueFetchedAnyway(ILogger logger, string host, string url, string? problem);

    [LoggerMessage(EventId = 307, Level = LogLevel.Warning, Message = "{Host}: marking the end of its job in epoch {Epoch} failed (the statistics are complete; only the time is missing)")]
    public static partial void JobMarkFailed(ILogger logger, Exception error, string host, int epoch);

    [LoggerMessage(EventId = 500, Level = LogLevel.Warning, Message = "{Site}: storing uptime results failed; kept and retried")]
    public static partial void ProbeStoreFailed(ILogger logger, Exception error, string site);

    [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "{Site}: probe slot {Scheduled} skipped, the previous probe is still running")]
    public static partial void ProbeSkipped(ILogger logger, string site, DateTimeOffset scheduled);

    [LoggerMessage(EventId = 502, Level = LogLevel.Information, Message = "{Site}: {From} -> {To} since {At} ({Reason})")]
    public static partial void SiteStateChanged(ILogger logger, string site, string from, string to, DateTimeOffset at, string reason);

    [LoggerMessage(EventId = 503, Level = LogLevel.Warning, Message = "Country-wide outage {Kind}: started {Start}, {Failed} of {Targets} targets failing")]
    public static partial void CountryOutage(ILogger logger, string kind, DateTimeOffset start, int failed, int targets);

    [LoggerMessage(EventId = 504, Level = LogLevel.Warning, Message = "Uptime report failed; retried at the next interval")]
    public static partial void UptimeReportFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 505, Level = LogLevel.Warning, Message = "Webhook for {Kind} of {Site} not delivered after {Attempts} attempts: {Error}")]
    public static partial void WebhookFailed(ILogger logger, string kind, string site, int attempts, string? error);

    [LoggerMessage(EventId = 506, Level = LogLevel.Information, Message = "Uptime: {Count} sites found by discovery are probed from now on")]
    public static partial void ProbeTargetsAdded(ILogger logger, int count);

    [LoggerMessage(EventId = 507, Level = LogLevel.Warning, Message = "Uptime: could not read the sites added while crawling; they are probed once discovery finds them again")]
    public static partial void ProbeTargetsLoadFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 508, Level = LogLevel.Warning, Message = "Storing a country-wide outage change failed; retried in {Delay}")]
    public static partial void CountryOutageStoreFailed(ILogger logger, Exception error, TimeSpan delay);

    [LoggerMessage(EventId = 509, Level = LogLevel.Warning, Message = "Webhook: reading the events owed from the store failed; read again in {Delay}")]
    public static partial void WebhookReadFailed(ILogger logger, Exception error, TimeSpan delay);

    [LoggerMessage(EventId = 510, Level = LogLevel.Warning, Message = "Webhook: keeping the ids sent in the store failed; a sender that takes over may send up to {Count} events again (receivers drop them by Idempotency-Key)")]
    public static partial void WebhookSentNotKept(ILogger logger, Exception error, int count);
}
