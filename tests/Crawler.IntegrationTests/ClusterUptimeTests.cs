using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json;
using Crawler.Node.Hosting;
using Crawler.Simulation.Web;
using Crawler.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;
using Xunit.Abstractions;

namespace Crawler.IntegrationTests;

/// <summary>
/// Three nodes probe one simulated web: sites go down and up, then the whole country does. The uptime singletons
/// act once per cluster: every state change and the country-wide outage reach the webhook once, and only one node
/// exports the uptime ratios.
/// </summary>
public sealed class ClusterUptimeTests(ITestOutputHelper output)
    : SimulatedWebTest(new SimulationOptions { Seed = 53, SiteCount = 10, PagesPerSite = 2 })
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Three_nodes_send_each_state_change_and_the_country_outage_once_and_one_node_reports_uptime()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var receiver = await HookReceiver.StartAsync();
        var settings = SimulatedWebSettings.For(Web, Data);
        settings.AddRange(
        [
            new("Crawler:Uptime:Enabled", "true"),

            // Nodes stopped one right after another mid-crawl wait out the shard hand-off time-out (half of this, 10 s at least).
            new("Crawler:Cluster:ShutdownTimeout", "00:00:20"),
            // Every 2 s with a 2 s time-out, as the three-node crawl test: at 1 s, twelve targets on three nodes sharing two
            // cores (and, for eight sites, one address) left a site without two successes in a row for 30 s in CI.
            new("Crawler:Uptime:Interval", "00:00:02"),
            new("Crawler:Uptime:Timeout", "00:00:02"),
            new("Crawler:Uptime:FailuresToDown", "2"),
            new("Crawler:Uptime:SuccessesToUp", "2"),
            new("Crawler:Uptime:CountryMinimumTargets", "5"),
            // The two simulated name servers stay up and count as targets: 10 of 12 failing is an outage, 1 of 12 is not.
            new("Crawler:Uptime:CountryFailingFraction", "0.8"),
            new("Crawler:Uptime:CountryRoundsToConfirm", "2"),
            new("Crawler:Uptime:Webhook:Url", receiver.Url),
            new("Crawler:Uptime:Webhook:BaseDelay", "00:00:00.200"),
            new("Crawler:Uptime:Webhook:MaxDelay", "00:00:01"),
        ]);
        var sites = Web.Sites.Select(s => s.Host).ToList();
        await using var nodes = await ClusterNodes.StartAsync(3, settings);
        await nodes.WaitForMembersUpAsync(3, TimeSpan.FromSeconds(60));
        await UntilEverySiteHasAProbeResult(nodes, sites);
        foreach (var site in sites)
        {
            await receiver.WaitForAsync(e => e.Kind == "state-change" && e.Site == site && e.To == "up", EventTimeout, $"{site}'s first state, up", () => StoredChanges(site));
        }

        output.WriteLine($"{clock.Elapsed}: every site probed and up");

        // One site down, then up again.
        var one = sites[0];
        Web.SetAvailability(one, SiteAvailability.Down);
        await receiver.WaitForAsync(e => e.Kind == "state-change" && e.Site == one && e.From == "up" && e.To == "down", EventTimeout, "the site's up → down");
        Web.SetAvailability(one, SiteAvailability.Up);
        await receiver.WaitForAsync(e => e.Kind == "state-change" && e.Site == one && e.From == "down" && e.To == "up", EventTimeout, "the site's down → up");
        output.WriteLine($"{clock.Elapsed}: one site down and up");

        // Every site down: a country-wide outage; then up again: it ends.
        sites.ForEach(s => Web.SetAvailability(s, SiteAvailability.Down));
        await receiver.WaitForAsync(e => e.Kind == "country-outage" && e.To == "down", EventTimeout, "the country-wide outage's start");
        sites.ForEach(s => Web.SetAvailability(s, SiteAvailability.Up));
        await receiver.WaitForAsync(e => e.Kind == "country-outage" && e.To == "up", EventTimeout, "the country-wide outage's end");
        output.WriteLine($"{clock.Elapsed}: country down and up");

        // Every site's recovery has come too (each went down in the outage).
        foreach (var site in sites)
        {
            await receiver.WaitForAsync(e => e.Kind == "state-change" && e.Site == site && e.From == "down" && e.To == "up" && e.At > receiver.FirstCountryStart, EventTimeout, $"{site}'s recovery after the outage");
        }

        // The uptime reporter runs on one node: its ratios are exported there only (the other nodes export none).
        var ratios = await UntilOneNodeReportsEverySite(nodes, sites);
        output.WriteLine($"{clock.Elapsed}: uptime ratio series per node: {string.Join(", ", ratios)}");
        Assert.Equal(1, ratios.Count(n => n > 0));

        // Anything sent twice would have had time to arrive while the test waited above.
        var events = receiver.Events;
        output.WriteLine(string.Join("\n", events.Select(e => $"{e.Key} {e.Event.Kind} {e.Event.Site} {e.Event.From}->{e.Event.To} at {e.Event.At:O}")));
        var repeatedKeys = events.GroupBy(e => e.Key, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(repeatedKeys.Count == 0, $"sent more than once: {string.Join(", ", repeatedKeys)}");
        var repeatedChanges = events.GroupBy(e => (e.Event.Kind, e.Event.Site, e.Event.To, e.Event.At)).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(repeatedChanges.Count == 0, $"one change sent under several ids: {string.Join(", ", repeatedChanges)}");
        Assert.All(events, e => Assert.Equal(e.Key, e.Event.Id));

        var country = events.Where(e => e.Event.Kind == "country-outage").ToList();
        Assert.Single(country, e => e.Event.To == "down");
        Assert.Single(country, e => e.Event.To == "up");

        // Each site went down and came back once in the outage; the first one also once on its own before.
        foreach (var site in sites)
        {
            var expected = site == one ? 2 : 1;
            Assert.Equal(expected, events.Count(e => e.Event.Kind == "state-change" && e.Event.Site == site && e.Event.From == "up" && e.Event.To == "down"));
            Assert.Equal(expected, events.Count(e => e.Event.Kind == "state-change" && e.Event.Site == site && e.Event.From == "down" && e.Event.To == "up"));
        }
    }

    /// <summary>What the store holds of a site (for a failure message: a change stored but not sent, or never confirmed).</summary>
    private async Task<string> StoredChanges(string site)
    {
        var uptime = new SqliteUptimeStore(new SqliteStoreOptions { Path = Path.Combine(Data, "crawler.db") });
        await using (uptime.ConfigureAwait(false))
        {
            await uptime.InitializeAsync();
            var changes = await uptime.GetStateChangesAsync(site, DateTimeOffset.UnixEpoch, DateTimeOffset.UtcNow.AddDays(1));
            var results = await uptime.GetResultsAsync(site, DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddDays(1));
            return $"stored changes of {site}: [{string.Join("; ", changes.Select(c => $"{c.From}->{c.To} at {c.At:O} confirmed {c.ConfirmedAt:O}"))}]; "
                + $"its results: [{string.Join("; ", results.Select(r => $"{r.At:HH:mm:ss.fff} {(r.Success ? "ok" : r.Failure.ToString())}"))}]";
        }
    }

    /// <summary>Waits (bounded) until every site has had a successful probe, on whichever node probes it (each node's event stream).</summary>
    private static async Task UntilEverySiteHasAProbeResult(ClusterNodes nodes, IReadOnlyCollection<string> sites)
    {
        var probed = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var taps = new List<(Akka.Actor.ActorSystem System, Akka.Actor.IActorRef Tap)>();
        foreach (var system in nodes.Hosts.Select((_, i) => nodes.System(i)))
        {
            var tap = system.ActorOf(Tap.For(m =>
            {
                if (m is Crawler.Actors.Uptime.ProbeProtocol.ProbeCompleted { Result.Success: true } completed && sites.Contains(completed.Result.Site))
                {
                    probed[completed.Result.Site] = 0;
                    if (probed.Count == sites.Count)
                    {
                        done.TrySetResult();
                    }
                }
            }));
            system.EventStream.Subscribe(tap, typeof(Crawler.Actors.Uptime.ProbeProtocol.ProbeCompleted));
            taps.Add((system, tap));
        }

        try
        {
            await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"only {probed.Count} of {sites.Count} sites probed successfully within 30 s");
        }
        finally
        {
            taps.ForEach(t => t.System.Stop(t.Tap));
        }
    }

    /// <summary>
    /// Reads every node's own uptime meter (the nodes share this process, so their /metrics endpoints, which select meters
    /// by name, would each show all three) until one reports a ratio for every site; returns the ratio series per node.
    /// </summary>
    private static async Task<List<int>> UntilOneNodeReportsEverySite(ClusterNodes nodes, IReadOnlyCollection<string> sites)
    {
        // The factory hands out the meter it created for the node's UptimeMetrics (one per name).
        var meters = nodes.Hosts.Select(h => h.Services.GetRequiredService<IMeterFactory>().Create(Crawler.Actors.Uptime.UptimeMetrics.MeterName)).ToList();
        var series = meters.Select(_ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal)).ToList();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                var node = meters.FindIndex(m => ReferenceEquals(m, instrument.Meter));
                if (node >= 0 && instrument.Name == "crawler_uptime_ratio")
                {
                    l.EnableMeasurementEvents(instrument, node);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, state) =>
        {
            string? site = null, window = null;
            foreach (var tag in tags)
            {
                site = tag.Key == "site" ? tag.Value as string : site;
                window = tag.Key == "window" ? tag.Value as string : window;
            }

            series[(int)state!][site + "/" + window] = 0;
        });
        listener.Start();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            series.ForEach(s => s.Clear());
            listener.RecordObservableInstruments();
            var complete = series.Any(s => sites.All(site => s.Keys.Any(k => k.StartsWith(site + "/", StringComparison.Ordinal))));
            var counts = series.Select(s => s.Count).ToList();
            if (complete || DateTime.UtcNow > deadline)
            {
                Assert.True(complete, $"no node reports an uptime ratio for every site: series per node {string.Join(", ", counts)}");
                return counts;
            }

            // Bounded poll of the nodes' meters: observable gauges are only read when asked.
            await Task.Delay(250);
        }
    }

    /// <summary>A webhook receiver on loopback that answers 200 and records every delivery with its Idempotency-Key.</summary>
    private sealed class HookReceiver : IAsyncDisposable
    {
        private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<(string Key, Crawler.Net.Notifications.WebhookEvent Event)> _events = new();
        private readonly SemaphoreSlim _arrived = new(0); // released once per delivery: waiters look again

        private HookReceiver(WebApplication app) => _app = app;

        public string Url { get; private set; } = string.Empty;

        public IReadOnlyList<(string Key, Crawler.Net.Notifications.WebhookEvent Event)> Events => [.. _events];

        public DateTimeOffset FirstCountryStart => Events.Where(e => e.Event.Kind == "country-outage").Select(e => e.Event.OutageStart ?? e.Event.At).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();

        public static async Task<HookReceiver> StartAsync()
        {
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.WebHost.UseKestrelCore().UseUrls("http://127.0.0.1:0");
            builder.Services.AddRoutingCore();
            builder.Logging.AddFilter(_ => false);
            var app = builder.Build();
            var receiver = new HookReceiver(app);
            app.MapPost("/hook", async (HttpRequest request) =>
            {
                var evt = await JsonSerializer.DeserializeAsync<Crawler.Net.Notifications.WebhookEvent>(request.Body, Json);
                receiver._events.Enqueue((request.Headers["Idempotency-Key"].ToString(), evt!));
                receiver._arrived.Release();
                return Results.Ok();
            });
            await app.StartAsync();
            receiver.Url = app.Urls.Single() + "/hook";
            return receiver;
        }

        public async Task WaitForAsync(Func<Crawler.Net.Notifications.WebhookEvent, bool> wanted, TimeSpan timeout, string what, Func<Task<string>>? explain = null)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (!_events.Any(e => wanted(e.Event)))
            {
                // Woken by each delivery; the time-out only bounds the wait.
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !await _arrived.WaitAsync(left))
                {
                    var more = explain is null ? string.Empty : "; " + await explain();
                    Assert.Fail($"{what} did not reach the webhook within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s; received: {string.Join("; ", _events.Select(e => $"{e.Event.Kind} {e.Event.Site} {e.Event.From}->{e.Event.To}"))}{more}");
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _arrived.Dispose();
        }
    }
}
