using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Crawler.Actors.Hosting;
using Crawler.Actors.Sites;
using Crawler.Actors.Uptime;
using Crawler.Core.Uptime;
using Crawler.Net;
using Crawler.Net.Notifications;
using Crawler.Net.Probing;
using Crawler.Simulation;
using Crawler.Simulation.Web;
using Crawler.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Crawler.Actors.Tests;

/// <summary>
/// The uptime monitor against the simulated web with scripted up / down / slow schedules. Time is the
/// test's: a fake clock and Akka's test scheduler move together, one script minute per probe round.
/// </summary>
public sealed class UptimeMonitorTests : TestKit, IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private readonly string _path = Path.Combine(Path.GetTempPath(), "uptime-" + Guid.NewGuid().ToString("N") + ".db");
    private readonly FakeTimeProvider _clock = new(T0);
    private SimulatedWeb _web = null!;
    private SqliteUptimeStore _store = null!;
    private IActorRef _region = ActorRefs.Nobody;
    private WebhookReceiver _receiver = null!;
    private WebhookNotifier _notifier = null!;

    public UptimeMonitorTests()
        : base(ManualTime.SchedulerConfig)
    {
    }

    private UptimeOptions Options { get; set; } = new()
    {
        Interval = Minute,
        Timeout = TimeSpan.FromSeconds(5),
        DegradedAfter = TimeSpan.FromSeconds(1),
        CountryMinimumTargets = 10,
    };

    public async Task InitializeAsync()
    {
        _web = await SimulatedWeb.StartAsync(new SimulationOptions { Seed = 4, SiteCount = 12, PagesPerSite = 1 });

        // The simulated authoritative server stands for the .kp name servers: probed with an SOA query for "kp".
        Options = Options with { NameServers = ["127.0.0.1"], NameServerPort = _web.DnsEndPoint.Port };
        _store = new SqliteUptimeStore(new SqliteStoreOptions { Path = _path }, Options.Thresholds);
        await _store.InitializeAsync();
        var resolver = new DnsClientResolver(new DnsResolverOptions { Servers = [_web.DnsEndPoint.ToString()], Retries = 0 });
        var guard = new AddressGuard(new AddressGuardOptions { Allow = ["127.0.0.0/8"], AllowPublic = false });

        // The probe measures real durations (slow is slow in wall time); the schedule and every date are the fake clock's.
        var prober = new SiteProber(new ProbeOptions { Timeout = Options.Timeout, ConnectTo = [.. _web.ConnectToRules] }, resolver, guard, TimeProvider.System);
        var nameServers = new NameServerProber(TimeSpan.FromSeconds(1), resolver, guard, TimeProvider.System);
        var uptimeStore = _store;
        var writer = Sys.ActorOf(Props.Create(() => new UptimeWriter(uptimeStore, TimeSpan.FromSeconds(1), NullLogger.Instance)));
        var context = new ProbeContext(UptimeHosting.Runner(prober, nameServers), _store, new UptimeMetrics(), Options, _clock, NullLogger.Instance) { Writer = writer };
        _region = Sys.ActorOf(Props.Create(() => new LocalSiteRegion(host => Props.Create(() => new ProbeActor(host, context)))));
        var store = _store;
        var clock = _clock;
        var options = Options;
        Sys.ActorOf(Props.Create(() => new CountryMonitor(store, context.Metrics, options, clock, NullLogger.Instance)));

        // Webhooks go to a real receiver that fails every first attempt; retries run on real (short) delays.
        _receiver = new WebhookReceiver();
        _notifier = new WebhookNotifier(new WebhookOptions
        {
            Url = _receiver.Url,
            MaxAttempts = 5,
            BaseDelay = TimeSpan.FromMilliseconds(20),
            MaxDelay = TimeSpan.FromMilliseconds(200),
        });
        var notifier = _notifier;
        Sys.ActorOf(Props.Create(() => new WebhookSender(notifier, store, options, null, clock, NullLogger.Instance)));
        Sys.EventStream.Subscribe(TestActor, typeof(ProbeProtocol.ProbeCompleted));
        Sys.EventStream.Subscribe(TestActor, typeof(ProbeProtocol.CountryOutageChanged));
    }

    private static ProbeFailure? DnsTimeoutOrNull(IReadOnlyList<ProbeResult> results) => results.Count == 1 ? results[0].Failure : null;

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _notifier.Dispose();
        await _web.DisposeAsync();
        await _store.DisposeAsync();
        File.Delete(_path);
    }

    [Fact]
    public async Task Scripted_outages_slowness_and_a_country_wide_blackout_are_reported_exactly()
    {
        var sites = _web.Sites.Select(s => s.Host).Where(h => h.EndsWith(".kp", StringComparison.Ordinal)).ToList();
        var (flaky, dead, slow) = (sites[0], sites[1], sites[2]);

        // One letter per minute: U up, D down (connection aborted), S slow (2 s > the 1 s degraded threshold; a wide
        // margin, as a loaded machine makes a fast answer take a few hundred milliseconds).
        // Every site is down in minutes 10-13: the country-wide blackout.
        var scripts = sites.ToDictionary(s => s, _ => "UUUUUUUUUUDDDDUUUU", StringComparer.Ordinal);
        scripts[flaky] = "UUDUUUUUUUDDDDUUUU";
        scripts[dead] = "UUUDDDDDUUDDDDUUUU";
        scripts[slow] = "UUSSSSSUUUDDDDUUUU";

        foreach (var watch in UptimeHosting.Targets(_web.Sites.Select(s => s.SeedUrl), Options))
        {
            _region.Tell(watch);
        }

        const string nameServer = "dns:127.0.0.1";
        var targets = _web.Sites.Select(s => s.Host).Append(nameServer).ToList();
        foreach (var site in targets)
        {
            // Answered once the actor has loaded its state and scheduled its first slot.
            _region.Tell(new ProbeProtocol.GetStatus(site));
            ExpectMsg<ProbeProtocol.SiteStatus>(TimeSpan.FromSeconds(10));
        }

        var countryEvents = new List<CountryOutageEvent>();
        for (var minute = 0; minute < scripts[flaky].Length + 2; minute++)
        {
            foreach (var site in _web.Sites.Select(s => s.Host))
            {
                var letter = scripts.TryGetValue(site, out var script) && minute < script.Length ? script[minute] : 'U';
                _web.SetAvailability(site, letter switch
                {
                    'D' => SiteAvailability.Down,
                    'S' => SiteAvailability.Slow,
                    _ => SiteAvailability.Up,
                }, TimeSpan.FromSeconds(2));
            }

            _web.Dns.Options.Silent = minute is >= 10 and <= 13; // the name server falls silent with the blackout

            // One round: every site's slot comes once; then wait for every probe of the round to finish.
            for (var step = 0; step < 12; step++)
            {
                _clock.Advance(TimeSpan.FromSeconds(5));
                ((TestScheduler)Sys.Scheduler).Advance(TimeSpan.FromSeconds(5));
            }

            var probed = 0;
            while (probed < targets.Count)
            {
                var message = ExpectMsg<object>(TimeSpan.FromSeconds(20));
                if (message is ProbeProtocol.ProbeCompleted)
                {
                    probed++;
                }
                else if (message is ProbeProtocol.CountryOutageChanged changed)
                {
                    countryEvents.Add(changed.Event);
                }
            }
        }

        // The country-wide outage's end is judged two rounds after it (minute 17) and published once stored; the
        // last rounds can pass faster than a write on a loaded machine, so wait for it rather than read the store early.
        while (!countryEvents.Any(e => e.Kind == CountryOutageEventKind.Ended))
        {
            if (ExpectMsg<object>(TimeSpan.FromSeconds(20)) is ProbeProtocol.CountryOutageChanged changed)
            {
                countryEvents.Add(changed.Event);
            }
        }

        DateTimeOffset Slot(string site, int minute) => T0 + (Minute * minute) + ProbeSchedule.Phase(site, Minute);
        var window = (From: T0, To: T0 + (Minute * 18));
        var outages = (await _store.GetOutagesAsync(null, window.From, window.To)).ToLookup(o => o.Site);

        // One failed probe opens no outage: the flaky site has only the blackout.
        Assert.Equal([(Slot(flaky, 10), (DateTimeOffset?)Slot(flaky, 14))], outages[flaky].Select(o => (o.Start, o.End)));

        // Five failed minutes: down from the first failure to the first success, and the blackout after it.
        Assert.Equal(
            [(Slot(dead, 3), (DateTimeOffset?)Slot(dead, 8)), (Slot(dead, 10), Slot(dead, 14))],
            outages[dead].Select(o => (o.Start, o.End)));

        // Slow is degraded, not down.
        Assert.Equal([(Slot(slow, 10), (DateTimeOffset?)Slot(slow, 14))], outages[slow].Select(o => (o.Start, o.End)));
        var slowChanges = await _store.GetStateChangesAsync(slow, window.From, window.To);
        Assert.Contains(slowChanges, c => c.To == SiteState.Degraded && c.At == Slot(slow, 2) && c.ConfirmedAt == Slot(slow, 3));
        Assert.Contains(slowChanges, c => c.From == SiteState.Degraded && c.To == SiteState.Up && c.At == Slot(slow, 7));

        // Uptime over the script equals its true value: minutes inside confirmed outages are down.
        foreach (var (site, downMinutes) in new[] { (flaky, 4), (dead, 9), (slow, 4) })
        {
            var from = Slot(site, 0);
            var uptime = UptimeMath.TimeUptime(outages[site], from, from + (Minute * 18));
            Assert.Equal(1 - (downMinutes / 18.0), uptime, 9);
        }

        // The name server is a target like the sites: down with them, never before.
        Assert.Equal([(Slot(nameServer, 10), (DateTimeOffset?)Slot(nameServer, 14))], outages[nameServer].Select(o => (o.Start, o.End)));
        Assert.Equal(DnsTimeoutOrNull(await _store.GetResultsAsync(nameServer, Slot(nameServer, 11), Slot(nameServer, 12))), ProbeFailure.DnsTimeout);
        Assert.All(await _store.GetResultsAsync(nameServer, window.From, Slot(nameServer, 10)), r => Assert.True(r.Success, r.Detail));

        // One country-wide outage: the four blackout rounds, not the single sites' troubles.
        var country = Assert.Single(await _store.GetCountryOutagesAsync(window.From, window.To));
        Assert.Equal((T0 + (Minute * 10), (DateTimeOffset?)(T0 + (Minute * 14))), (country.Start, country.End));
        Assert.Equal([CountryOutageEventKind.Started, CountryOutageEventKind.Ended], countryEvents.Select(e => e.Kind));

        // Every state change and both country events reached the webhook exactly once, each after a failed first attempt.
        var changes = await _store.GetStateChangesAsync(null, window.From, window.To + Minute * 3);
        var expected = changes.Count + 2;
        await AwaitConditionAsync(() => Task.FromResult(_receiver.Accepted.Count >= expected), TimeSpan.FromSeconds(20));
        Assert.Equal(expected, _receiver.Accepted.Count);
        Assert.Equal(expected, _receiver.Accepted.Select(a => a.Key).Distinct().Count());
        Assert.All(_receiver.Attempts.Values, n => Assert.Equal(2, n));
        var deadDown = _receiver.Accepted.Single(a => a.Body.Contains($"\"site\":\"{dead}\"", StringComparison.Ordinal)
            && a.Body.Contains("\"to\":\"down\"", StringComparison.Ordinal) && a.Body.Contains(Slot(dead, 3).ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        Assert.Contains("\"kind\":\"state-change\"", deadDown.Body, StringComparison.Ordinal);
        Assert.Equal(2, _receiver.Accepted.Count(a => a.Body.Contains("\"kind\":\"country-outage\"", StringComparison.Ordinal)));
    }
}
