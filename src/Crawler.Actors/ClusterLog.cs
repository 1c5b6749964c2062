using Microsoft.Extensions.Logging;

namespace Crawler.Actors;

/// <summary>The cluster's log events (event ids 600-699).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Warning, Message = "Address {Address}: the lease of {Holder} ({Purpose}) ran out without news; the address goes to the next in line")]
    public static partial void AddressLeaseExpired(ILogger logger, string address, string holder, string purpose);

    [LoggerMessage(EventId = 601, Level = LogLevel.Information, Message = "Site {Host} has not reported for {Seconds:F0} s in epoch {Epoch}: woken again (its node may have left)")]
    public static partial void SiteReportStale(ILogger logger, string host, double seconds, int epoch);

    [LoggerMessage(EventId = 602, Level = LogLevel.Information, Message = "Epoch {Epoch} complete before this coordinator started: the next epoch is due at {DueAt}")]
    public static partial void NextEpochResumed(ILogger logger, int epoch, DateTimeOffset dueAt);

    [LoggerMessage(EventId = 603, Level = LogLevel.Information, Message = "Address gate {Gate} started while other nodes are up: it grants nothing for {Seconds:F1} s, until holders with a request in flight have renewed")]
    public static partial void AddressGateQuiet(ILogger logger, string gate, double seconds);
}
