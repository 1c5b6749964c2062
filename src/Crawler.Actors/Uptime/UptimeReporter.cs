using Akka.Actor;
using Crawler.Core.Uptime;
using Crawler.Storage;
using Microsoft.Extensions.Logging;

namespace Crawler.Actors.Uptime;

/// <summary>
/// Every interval: the time-based uptime of every site over 24 h, 7 d, 30 d and 365 d from the stored
/// outages, counted from when the site's monitoring began (<see cref="UptimeMath.MonitoredUptime"/>), as
/// metrics; once a day, raw results older than the retention are purged (hourly aggregates,
/// changes and outages stay).
/// </summary>
internal sealed class UptimeReporter : ReceiveActor, IWithTimers
{
    /// <summary>The windows uptime is reported over, with their metric labels.</summary>
    public static readonly (string Label, TimeSpan Length)[] Windows =
    [
        ("24h", TimeSpan.FromHours(24)),
        ("7d", TimeSpan.FromDays(7)),
        ("30d", TimeSpan.FromDays(30)),
        ("365d", TimeSpan.FromDays(365)),
    ];

    private readonly IUptimeStore _store;
    private readonly UptimeMetrics _metrics;
    private readonly UptimeOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private DateTimeOffset _purgedAt = DateTimeOffset.MinValue;

    public UptimeReporter(IUptimeStore store, UptimeMetrics metrics, UptimeOptions options, TimeProvider clock, ILogger logger)
    {
        _store = store;
        _metrics = metrics;
        _options = options;
        _clock = clock;
        _logger = logger;

        Receive<Report>(_ => Run());
        Receive<Reported>(OnReported);
        Receive<Status.Failure>(f => Log.UptimeReportFailed(_logger, f.Cause));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Timers.StartPeriodicTimer("report", Report.Instance, _options.Interval, _options.Interval);

    private void Run()
    {
        var now = _clock.GetUtcNow();
        var purge = now - _purgedAt >= TimeSpan.FromDays(1);
        Compute(_store, now, purge ? now - _options.Retention : null).PipeTo(Self);
    }

    private static async Task<Reported> Compute(IUptimeStore store, DateTimeOffset now, DateTimeOffset? purgeBefore)
    {
        var sites = await store.GetLatestAsync().ConfigureAwait(false);
        var outages = await store.GetOutagesAsync(null, now - Windows[^1].Length, now).ConfigureAwait(false);
        var bySite = outages.ToLookup(o => o.Site, StringComparer.Ordinal);
        var ratios = new List<(string Site, string Window, double Ratio)>();
        foreach (var site in sites)
        {
            var siteOutages = bySite[site.Site].ToList();
            foreach (var (label, length) in Windows)
            {
                // Over the part of the window the site was monitored, as `crawler uptime` shows it.
                if (UptimeMath.MonitoredUptime(siteOutages, site.MonitoredSince, site.LastProbed, now - length, now) is { } ratio)
                {
                    ratios.Add((site.Site, label, ratio));
                }
            }
        }

        var purged = purgeBefore is { } before ? await store.PurgeResultsAsync(before).ConfigureAwait(false) : -1;
        return new Reported(ratios, now, purged);
    }

    private void OnReported(Reported reported)
    {
        _metrics.SetUptime(reported.Ratios);

        if (reported.Purged >= 0)
        {
            _purgedAt = reported.At;
        }
    }

    private sealed record Report : INoSerializationVerificationNeeded
    {
        public static Report Instance { get; } = new();
    }

    private sealed record Reported(IReadOnlyList<(string Site, string Window, double Ratio)> Ratios, DateTimeOffset At, int Purged) : INoSerializationVerificationNeeded;
}
