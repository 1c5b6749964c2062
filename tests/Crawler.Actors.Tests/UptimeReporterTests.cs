using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Crawler.Actors.Uptime;
using Crawler.Core.Uptime;
using Crawler.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Crawler.Actors.Tests;

/// <summary>
/// The reporter's <c>crawler_uptime_ratio</c> series over a stored history, read through a MeterListener the
/// way the Prometheus exporter reads them. Time is the test's (fake clock and Akka's test scheduler).
/// </summary>
public sealed class UptimeReporterTests : TestKit, IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(150);
    private readonly string _path = Path.Combine(Path.GetTempPath(), "uptime-reporter-" + Guid.NewGuid().ToString("N") + ".db");
    private readonly FakeTimeProvider _clock = new(T0);
    private readonly UptimeMetrics _metrics = new();
    private readonly UptimeOptions _options = new() { Interval = TimeSpan.FromMinutes(1) };
    private SqliteUptimeStore _store = null!;

    public UptimeReporterTests()
        : base(ManualTime.SchedulerConfig)
    {
    }

    public async Task InitializeAsync()
    {
        _store = new SqliteUptimeStore(new SqliteStoreOptions { Path = _path }, _options.Thresholds);
        await _store.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        _metrics.Dispose();
        await _store.DisposeAsync();
        File.Delete(_path);
    }

    [Fact]
    public async Task Uptime_ratios_count_only_the_time_a_site_was_monitored_and_a_site_no_longer_probed_has_none()
    {
        // new.kp: watched for the last 2 hours, down for the second (an open outage).
        var newSiteStart = T0.AddHours(-2);
        await _store.AddResultsAsync(
        [
            .. Enumerable.Range(0, 60).Select(m => ProbeResult.Up("new.kp", newSiteStart.AddMinutes(m), Fast)),
            .. Enumerable.Range(60, 60).Select(m => ProbeResult.Failed("new.kp", newSiteStart.AddMinutes(m), ProbeFailure.ConnectionRefused, "refused")),
        ]);
        await _store.UpsertOutageAsync(new Outage("new.kp", newSiteStart.AddHours(1), null, ProbeFailure.ConnectionRefused));

        // gone.kp: probed for a day 40 days ago (its raw results since purged), then removed from the targets.
        var goneStart = T0.AddDays(-40);
        await _store.AddResultsAsync([.. Enumerable.Range(0, 24).Select(h => ProbeResult.Up("gone.kp", goneStart.AddHours(h), Fast))]);
        await _store.AddStateChangesAsync([new StateChange("gone.kp", SiteState.Unknown, SiteState.Up, goneStart, goneStart.AddHours(1), ProbeFailure.None)]);
        await _store.PurgeResultsAsync(T0.AddDays(-30));

        var store = _store;
        var metrics = _metrics;
        var options = _options;
        var clock = _clock;
        var reporter = Sys.ActorOf(Props.Create(() => new UptimeReporter(store, metrics, options, clock, NullLogger.Instance)));
        reporter.Tell(new Identify(null), TestActor); // answered once PreStart has started its timer
        ExpectMsg<ActorIdentity>();
        ((TestScheduler)Sys.Scheduler).Advance(_options.Interval);

        await AwaitAssertAsync(() => Assert.Equal(4, Ratios().Count(r => r.Site == "new.kp")), TimeSpan.FromSeconds(10));
        var ratios = Ratios();
        foreach (var window in new[] { "24h", "7d", "30d", "365d" })
        {
            Assert.Equal(0.5, ratios.Single(r => r.Site == "new.kp" && r.Window == window).Value, 9);
        }

        // 40 days ago lies only within the year: 100 % over it; the shorter windows hold no evidence of it.
        Assert.Equal([("365d", 1.0)], ratios.Where(r => r.Site == "gone.kp").Select(r => (r.Window, r.Value)));
    }

    /// <summary>The gauge's current series, collected as an exporter collects them.</summary>
    private List<(string Site, string Window, double Value)> Ratios()
    {
        var ratios = new List<(string Site, string Window, double Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == UptimeMetrics.MeterName && instrument.Name == "crawler_uptime_ratio")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            string? site = null, window = null;
            foreach (var tag in tags)
            {
                (site, window) = tag.Key switch
                {
                    "site" => ((string?)tag.Value, window),
                    "window" => (site, (string?)tag.Value),
                    _ => (site, window),
                };
            }

            lock (ratios)
            {
                ratios.Add((site!, window!, value));
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return ratios;
    }
}
