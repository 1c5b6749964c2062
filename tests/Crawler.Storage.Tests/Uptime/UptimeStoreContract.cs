using Crawler.Core.Uptime;
using Crawler.Storage.Mongo;
using Crawler.Storage.Sqlite;
using Crawler.Storage.Tests.Mongo;

namespace Crawler.Storage.Tests.Uptime;

/// <summary>The uptime store contract, written once and run against every store. Times are whole milliseconds (what stores keep).</summary>
public abstract class UptimeStoreContract : IAsyncLifetime
{
    /// <summary>Not the default (2 s), so a store that ignores its thresholds counts Degraded wrongly.</summary>
    protected static readonly UptimeThresholds Thresholds = new() { DegradedAfter = TimeSpan.FromMilliseconds(500) };

    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly List<IUptimeStore> _stores = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task Results_round_trip_with_every_field_in_time_order()
    {
        var store = await Store();
        var failed = new ProbeResult("kcna.kp", T0, ProbeFailure.TlsError)
        {
            Resolve = TimeSpan.FromTicks(123_457),
            Connect = TimeSpan.FromTicks(2_345_671),
            Detail = "certificate expired: CN=kcna.kp — «조선중앙통신»",
        };
        var full = new ProbeResult("kcna.kp", T0.AddSeconds(60).ToOffset(TimeSpan.FromHours(9)), ProbeFailure.None)
        {
            Resolve = TimeSpan.FromTicks(11),
            Connect = TimeSpan.FromTicks(2_000_003),
            Tls = TimeSpan.FromTicks(3_000_007),
            FirstByte = TimeSpan.FromTicks(4_500_009),
            Total = TimeSpan.FromTicks(7_654_321),
            HttpStatus = 200,
            TlsCertificateExpiry = new DateTimeOffset(2027, 1, 2, 3, 4, 5, 678, TimeSpan.Zero),
            Detail = "ok",
        };
        var badStatus = new ProbeResult("kcna.kp", T0.AddSeconds(120), ProbeFailure.HttpStatus)
        {
            FirstByte = TimeSpan.FromTicks(9_999_999),
            Total = TimeSpan.FromTicks(10_000_001),
            HttpStatus = 503,
        };
        var otherSite = ProbeResult.Up("rodong.rep.kp", T0.AddSeconds(30), TimeSpan.FromMilliseconds(80));
        var afterWindow = ProbeResult.Up("kcna.kp", T0.AddHours(1), TimeSpan.FromMilliseconds(80));

        await store.AddResultsAsync([badStatus, afterWindow, full, otherSite, failed]);

        var results = await store.GetResultsAsync("kcna.kp", T0, T0.AddHours(1));
        Assert.Equal([failed, full, badStatus], results);
        Assert.Equal(afterWindow, Assert.Single(await store.GetResultsAsync("kcna.kp", T0.AddHours(1), T0.AddHours(2))));
    }

    [SkippableFact]
    public async Task Aggregates_after_two_batches_equal_the_aggregate_of_all_results_across_hour_boundaries()
    {
        var store = await Store();
        var all = Results(["kcna.kp", "naenara.com.kp"], T0.AddMinutes(-30).AddSeconds(7), TimeSpan.FromMinutes(3), 60, seed: 7);
        all.AddRange(
        [
            ProbeResult.Up("kcna.kp", T0.AddMilliseconds(-1), TimeSpan.FromMilliseconds(700)),
            ProbeResult.Up("kcna.kp", T0, TimeSpan.FromMilliseconds(499)),
            ProbeResult.Up("kcna.kp", T0.AddHours(1).AddMilliseconds(-1), TimeSpan.FromMilliseconds(501)),
            ProbeResult.Up("kcna.kp", T0.AddHours(1), TimeSpan.FromSeconds(200)),
            new ProbeResult("kcna.kp", T0.AddMilliseconds(1), ProbeFailure.None),
        ]);

        // Each batch holds part of every hour, so the second one must merge into stored hours.
        await store.AddResultsAsync([.. all.Where((_, i) => i % 2 == 0)]);
        await store.AddResultsAsync([.. all.Where((_, i) => i % 2 == 1)]);

        var expected = UptimeMath.Aggregate(all, Thresholds);
        Assert.Equal(4, expected.Count(a => a.Site == "kcna.kp"));
        Assert.Contains(expected, a => a.Degraded > 0 && a.Degraded < a.Successes);
        Assert.Equal(expected, await store.GetHourlyAsync(null, T0.AddDays(-1), T0.AddDays(1)));
        Assert.Equal(expected.Where(a => a.Site == "naenara.com.kp"), await store.GetHourlyAsync("naenara.com.kp", T0.AddDays(-1), T0.AddDays(1)));
        Assert.Equal(expected.Where(a => a.HourStart == T0), await store.GetHourlyAsync(null, T0, T0.AddHours(1)));
    }

    [SkippableFact]
    public async Task A_result_added_twice_is_stored_and_counted_once()
    {
        var store = await Store();
        var batch = Results(["kcna.kp"], T0, TimeSpan.FromMinutes(1), 30, seed: 3);

        await store.AddResultsAsync(batch);
        await store.AddResultsAsync([.. batch.Take(10), ProbeResult.Failed("kcna.kp", T0.AddMinutes(30), ProbeFailure.ConnectTimeout)]);

        Assert.Equal(31, (await store.GetResultsAsync("kcna.kp", T0, T0.AddHours(1))).Count);
        var hour = Assert.Single(await store.GetHourlyAsync("kcna.kp", T0, T0.AddHours(1)));
        Assert.Equal(31, hour.Probes);
        Assert.Equal(UptimeMath.Aggregate([.. batch, ProbeResult.Failed("kcna.kp", T0.AddMinutes(30), ProbeFailure.ConnectTimeout)], Thresholds), [hour]);
    }

    [SkippableFact]
    public async Task Storage_is_one_aggregate_per_site_and_hour_however_many_batches_fed_it()
    {
        var store = await Store();
        var results = Results(["a.kp", "b.kp", "c.kp"], T0, TimeSpan.FromMinutes(5), 48, seed: 11);

        foreach (var chunk in results.Chunk(7))
        {
            await store.AddResultsAsync(chunk);
        }

        // rows = sites × hours: 3 sites × 4 hours (48 probes 5 minutes apart), each hour's 12 probes in one row.
        var hours = await store.GetHourlyAsync(null, T0, T0.AddDays(1));
        Assert.Equal(12, hours.Count);
        Assert.All(hours, h => Assert.Equal(12, h.Probes));
        Assert.Equal(12, hours.Select(h => (h.Site, h.HourStart)).Distinct().Count());
    }

    [SkippableFact]
    public async Task Purge_removes_only_raw_results_older_than_the_cutoff_and_keeps_aggregates_changes_and_outages()
    {
        var store = await Store();
        var cutoff = T0.AddDays(-30);
        var old = ProbeResult.Failed("kcna.kp", cutoff.AddMilliseconds(-1), ProbeFailure.DnsTimeout);
        var older = ProbeResult.Up("kcna.kp", cutoff.AddDays(-5), TimeSpan.FromMilliseconds(90));
        var atCutoff = ProbeResult.Up("kcna.kp", cutoff, TimeSpan.FromMilliseconds(91));
        var recent = ProbeResult.Up("kcna.kp", T0, TimeSpan.FromMilliseconds(92));
        await store.AddResultsAsync([old, older, atCutoff, recent]);
        var change = new StateChange("kcna.kp", SiteState.Unknown, SiteState.Down, older.At, older.At, ProbeFailure.DnsTimeout);
        await store.AddStateChangesAsync([change]);
        var outage = new Outage("kcna.kp", older.At, cutoff.AddMinutes(-1), ProbeFailure.DnsTimeout);
        await store.UpsertOutageAsync(outage);
        var aggregates = await store.GetHourlyAsync(null, DateTimeOffset.UnixEpoch, T0.AddDays(1));

        var purged = await store.PurgeResultsAsync(cutoff);

        Assert.Equal(2, purged);
        Assert.Equal([atCutoff, recent], await store.GetResultsAsync("kcna.kp", DateTimeOffset.UnixEpoch, T0.AddDays(1)));
        Assert.Equal(4, aggregates.Sum(a => a.Probes));
        Assert.Equal(aggregates, await store.GetHourlyAsync(null, DateTimeOffset.UnixEpoch, T0.AddDays(1)));
        Assert.Equal([change], await store.GetStateChangesAsync("kcna.kp", DateTimeOffset.UnixEpoch, T0));
        Assert.Equal([outage], await store.GetOutagesAsync("kcna.kp", DateTimeOffset.UnixEpoch, T0));
    }

    [SkippableFact]
    public async Task State_changes_come_back_in_time_order_for_one_site_or_all_and_a_repeat_is_ignored()
    {
        var store = await Store();
        var up = new StateChange("kcna.kp", SiteState.Unknown, SiteState.Up, T0, T0.AddMinutes(1), ProbeFailure.None);
        var down = new StateChange("kcna.kp", SiteState.Up, SiteState.Down, T0.AddMinutes(10), T0.AddMinutes(12), ProbeFailure.ConnectionRefused);
        var slow = new StateChange("kass.org.kp", SiteState.Up, SiteState.Degraded, T0.AddMinutes(5), T0.AddMinutes(6), ProbeFailure.TooSlow);
        var later = new StateChange("kcna.kp", SiteState.Down, SiteState.Up, T0.AddHours(2), T0.AddHours(2).AddMinutes(1), ProbeFailure.None);

        await store.AddStateChangesAsync([later, down, slow]);
        await store.AddStateChangesAsync([up, down]);

        Assert.Equal([up, down], await store.GetStateChangesAsync("kcna.kp", T0, T0.AddHours(1)));
        Assert.Equal([up, slow, down], await store.GetStateChangesAsync(null, T0, T0.AddHours(1)));
        Assert.Equal([up, slow, down, later], await store.GetStateChangesAsync(null, T0, T0.AddDays(1)));
    }

    [SkippableFact]
    public async Task Upserting_an_open_outage_with_its_end_closes_it()
    {
        var store = await Store();
        var open = new Outage("kcna.kp", T0, null, ProbeFailure.ConnectTimeout);
        var sameStartOtherSite = new Outage("rodong.rep.kp", T0, null, ProbeFailure.DnsTimeout);
        await store.UpsertOutageAsync(open);
        await store.UpsertOutageAsync(sameStartOtherSite);
        Assert.Equal([open], await store.GetOutagesAsync("kcna.kp", T0, T0.AddHours(1)));

        var closed = open with { End = T0.AddMinutes(90) };
        await store.UpsertOutageAsync(closed);

        var stored = Assert.Single(await store.GetOutagesAsync("kcna.kp", T0.AddDays(-1), T0.AddDays(1)));
        Assert.Equal(closed, stored);
        Assert.Equal(TimeSpan.FromMinutes(90), stored.Duration);
        Assert.Equal([sameStartOtherSite], await store.GetOutagesAsync("rodong.rep.kp", T0, T0.AddHours(1)));
    }

    [SkippableFact]
    public async Task An_overlapping_window_includes_an_outage_that_started_before_it_and_one_still_open()
    {
        var store = await Store();
        var from = T0;
        var to = T0.AddHours(1);
        var startedBefore = new Outage("kcna.kp", from.AddMinutes(-30), from.AddMinutes(10), ProbeFailure.ConnectTimeout);
        var stillOpen = new Outage("kcna.kp", from.AddMinutes(40), null, ProbeFailure.DnsNxDomain);
        var openSinceYesterday = new Outage("naenara.com.kp", from.AddDays(-1), null, ProbeFailure.TlsError);
        var spansTheWindow = new Outage("kass.org.kp", from.AddMinutes(-5), to.AddMinutes(5), ProbeFailure.HttpStatus);
        var endedAtFrom = new Outage("kcna.kp", from.AddHours(-2), from, ProbeFailure.Other);
        var endedBefore = new Outage("kass.org.kp", from.AddHours(-3), from.AddHours(-2), ProbeFailure.Other);
        var startsAtTo = new Outage("rodong.rep.kp", to, null, ProbeFailure.Other);
        foreach (var outage in new[] { stillOpen, endedAtFrom, startedBefore, startsAtTo, openSinceYesterday, endedBefore, spansTheWindow })
        {
            await store.UpsertOutageAsync(outage);
        }

        Assert.Equal([openSinceYesterday, startedBefore, spansTheWindow, stillOpen], await store.GetOutagesAsync(null, from, to));
        Assert.Equal([startedBefore, stillOpen], await store.GetOutagesAsync("kcna.kp", from, to));
    }

    [SkippableFact]
    public async Task Country_outages_are_upserted_by_start_and_found_when_they_overlap_the_window()
    {
        var store = await Store();
        var open = new CountryOutage(T0.AddMinutes(-20), null, T0.AddMinutes(-15), 290, 300);
        var earlier = new CountryOutage(T0.AddDays(-2), T0.AddDays(-2).AddHours(3), T0.AddDays(-2).AddMinutes(5), 300, 300);
        await store.UpsertCountryOutageAsync(open);
        await store.UpsertCountryOutageAsync(earlier);
        Assert.Equal([open], await store.GetCountryOutagesAsync(T0, T0.AddHours(1)));

        var closed = open with { End = T0.AddMinutes(25) };
        await store.UpsertCountryOutageAsync(closed);

        Assert.Equal([closed], await store.GetCountryOutagesAsync(T0, T0.AddHours(1)));
        Assert.Empty(await store.GetCountryOutagesAsync(T0.AddMinutes(25), T0.AddHours(1)));
        Assert.Equal([earlier, closed], await store.GetCountryOutagesAsync(T0.AddDays(-3), T0.AddDays(1)));
    }

    [SkippableFact]
    public async Task Latest_per_site_is_its_last_state_change_and_its_last_result()
    {
        var store = await Store();
        var kcnaUp = new StateChange("kcna.kp", SiteState.Unknown, SiteState.Up, T0, T0.AddMinutes(1), ProbeFailure.None);
        var kcnaDown = new StateChange("kcna.kp", SiteState.Up, SiteState.Down, T0.AddMinutes(10), T0.AddMinutes(12), ProbeFailure.ConnectTimeout);
        var onlyChange = new StateChange("kass.org.kp", SiteState.Unknown, SiteState.Degraded, T0, T0.AddMinutes(2), ProbeFailure.TooSlow);
        await store.AddStateChangesAsync([kcnaDown, onlyChange]);
        await store.AddStateChangesAsync([kcnaUp]);
        var kcnaResults = Enumerable.Range(0, 13)
            .Select(i => i < 10 ? ProbeResult.Up("kcna.kp", T0.AddMinutes(i), TimeSpan.FromMilliseconds(100 + i)) : ProbeResult.Failed("kcna.kp", T0.AddMinutes(i), ProbeFailure.ConnectTimeout, "no answer"))
            .ToList();
        var naenaraLast = ProbeResult.Up("naenara.com.kp", T0.AddMinutes(5), TimeSpan.FromMilliseconds(300));
        await store.AddResultsAsync([.. kcnaResults.Skip(6), naenaraLast]);
        await store.AddResultsAsync([.. kcnaResults.Take(6), naenaraLast with { At = T0.AddMinutes(4) }]);

        var latest = await store.GetLatestAsync();

        Assert.Equal(
            [
                new SiteUptimeStatus("kass.org.kp", SiteState.Degraded, T0, null, MonitoredSince: T0, LastProbed: null),
                new SiteUptimeStatus("kcna.kp", SiteState.Down, T0.AddMinutes(10), kcnaResults[^1], MonitoredSince: T0, LastProbed: T0.AddMinutes(12)),
                new SiteUptimeStatus("naenara.com.kp", SiteState.Unknown, null, naenaraLast, MonitoredSince: T0.AddMinutes(4), LastProbed: T0.AddMinutes(5)),
            ],
            latest);
    }

    [SkippableFact]
    public async Task Monitoring_began_at_the_first_result_or_at_the_first_aggregated_hour_once_that_is_purged()
    {
        var store = await Store();
        var first = T0.AddDays(-40).AddMinutes(17);
        await store.AddResultsAsync([ProbeResult.Up("kcna.kp", first, TimeSpan.FromMilliseconds(200))]);
        await store.AddResultsAsync([ProbeResult.Up("kcna.kp", T0.AddMinutes(3), TimeSpan.FromMilliseconds(200))]);

        Assert.Equal(first, Assert.Single(await store.GetLatestAsync()).MonitoredSince);

        await store.PurgeResultsAsync(T0.AddDays(-30));

        var latest = Assert.Single(await store.GetLatestAsync());
        Assert.Equal(UptimeMath.HourOf(first), latest.MonitoredSince);
        Assert.Equal(T0.AddMinutes(3), latest.LastResult!.At);
        Assert.Equal(T0.AddMinutes(3), latest.LastProbed);
    }

    [SkippableFact]
    public async Task A_site_whose_results_are_all_purged_was_last_probed_by_the_end_of_its_last_hour()
    {
        var store = await Store();
        var start = T0.AddDays(-40);
        await store.AddResultsAsync([.. Enumerable.Range(0, 90).Select(m => ProbeResult.Up("kcna.kp", start.AddMinutes(m), TimeSpan.FromMilliseconds(200)))]);
        await store.AddStateChangesAsync([new StateChange("kcna.kp", SiteState.Unknown, SiteState.Up, start, start.AddMinutes(1), ProbeFailure.None)]);

        await store.PurgeResultsAsync(T0);

        var latest = Assert.Single(await store.GetLatestAsync());
        Assert.Null(latest.LastResult);
        Assert.Equal(start, latest.MonitoredSince);
        Assert.Equal(start.AddHours(2), latest.LastProbed); // the results ended in the hour [start+1h, start+2h)
    }

    [SkippableFact]
    public async Task The_exports_list_every_result_hour_change_and_outage_purged_hours_included()
    {
        var store = await Store();
        var old = ProbeResult.Up("kcna.kp", T0.AddDays(-40), TimeSpan.FromMilliseconds(90));
        var kcna = ProbeResult.Failed("kcna.kp", T0, ProbeFailure.ConnectTimeout, "no answer");
        var air = ProbeResult.Up("airkoryo.com.kp", T0.AddMinutes(1), TimeSpan.FromMilliseconds(700));
        await store.AddResultsAsync([kcna, old, air]);
        await store.PurgeResultsAsync(T0.AddDays(-30));
        var down = new StateChange("kcna.kp", SiteState.Up, SiteState.Down, T0, T0.AddMinutes(2), ProbeFailure.ConnectTimeout);
        var up = new StateChange("airkoryo.com.kp", SiteState.Unknown, SiteState.Up, T0, T0.AddMinutes(1), ProbeFailure.None);
        await store.AddStateChangesAsync([down, up]);
        var open = new Outage("kcna.kp", T0, null, ProbeFailure.ConnectTimeout);
        var closed = new Outage("airkoryo.com.kp", T0.AddDays(-3), T0.AddDays(-2), ProbeFailure.DnsTimeout);
        await store.UpsertOutageAsync(open);
        await store.UpsertOutageAsync(closed);
        var country = new CountryOutage(T0.AddDays(-2), T0.AddDays(-2).AddHours(1), T0.AddDays(-2).AddMinutes(5), 290, 300);
        await store.UpsertCountryOutageAsync(country);

        Assert.Equal([air, kcna], await store.ExportResultsAsync().ToListAsync());
        Assert.Equal(
            await store.GetHourlyAsync(null, DateTimeOffset.UnixEpoch, T0.AddDays(1)),
            await store.ExportHourlyAsync().ToListAsync());
        Assert.Equal(3, (await store.ExportHourlyAsync().ToListAsync()).Count); // the purged hour of `old` too
        Assert.Equal([up, down], await store.ExportStateChangesAsync().ToListAsync());
        Assert.Equal([closed, open], await store.ExportOutagesAsync().ToListAsync());
        Assert.Equal([country], await store.ExportCountryOutagesAsync().ToListAsync());
    }

    [SkippableFact]
    public async Task Imported_hours_replace_the_stored_ones_and_a_result_added_again_is_not_counted_twice()
    {
        var source = await Store();
        var results = Enumerable.Range(0, 6).Select(i => ProbeResult.Up("kcna.kp", T0.AddMinutes(10 * i), TimeSpan.FromMilliseconds(100 + (300 * i)))).ToList();
        await source.AddResultsAsync(results);
        var hours = await source.ExportHourlyAsync().ToListAsync();
        var target = await Store();
        await target.AddResultsAsync(results.Take(3).ToList());

        await target.ImportHourlyAsync(hours);
        await target.AddResultsAsync(results.Take(3).ToList());
        await target.ImportHourlyAsync(hours);

        Assert.Equal(hours, await target.ExportHourlyAsync().ToListAsync());
        var purgedHour = hours[0] with { Site = "rodong.rep.kp" };
        await target.ImportHourlyAsync([purgedHour]);
        Assert.Equal([.. hours, purgedHour], await target.GetHourlyAsync(null, T0, T0.AddHours(1)));
    }

    /// <summary>A fresh, empty store that counts Degraded with <paramref name="thresholds"/>; not yet initialized.</summary>
    protected abstract Task<IUptimeStore> CreateStoreAsync(UptimeThresholds thresholds);

    /// <summary>Probes of each site every <paramref name="step"/>: fast, slow, unmeasured successes and failures, reproducibly mixed.</summary>
    private static List<ProbeResult> Results(string[] sites, DateTimeOffset start, TimeSpan step, int count, int seed)
    {
        var random = new Random(seed);
        var results = new List<ProbeResult>();
        foreach (var site in sites)
        {
            for (var i = 0; i < count; i++)
            {
                var at = start + (step * i);
                results.Add(random.Next(10) switch
                {
                    0 => ProbeResult.Failed(site, at, ProbeFailure.ConnectTimeout, "timed out"),
                    1 => new ProbeResult(site, at, ProbeFailure.None) { HttpStatus = 200 },
                    2 or 3 => ProbeResult.Up(site, at, TimeSpan.FromTicks(random.NextInt64(5_000_000, 30_000_000))),
                    _ => ProbeResult.Up(site, at, TimeSpan.FromTicks(random.NextInt64(1_000, 5_000_000))),
                });
            }
        }

        return results;
    }

    private async Task<IUptimeStore> Store()
    {
        var store = await CreateStoreAsync(Thresholds);
        _stores.Add(store);
        await store.InitializeAsync();
        return store;
    }
}

public sealed class SqliteUptimeStoreContractTests : UptimeStoreContract
{
    protected override Task<IUptimeStore> CreateStoreAsync(UptimeThresholds thresholds) =>
        Task.FromResult<IUptimeStore>(new SqliteUptimeStore(
            new SqliteStoreOptions { Path = Path.Combine(Path.GetTempPath(), "uptime-" + Guid.NewGuid().ToString("N"), "crawler.db") },
            thresholds));
}

/// <summary>
/// The uptime contract against MongoDB (see <see cref="MongoTestServer"/>), on a fresh database per test, dropped
/// afterwards; plus what the MongoDB store promises for many writers.
/// </summary>
[Collection(MongoServerCollection.Name)]
public sealed class MongoUptimeStoreContractTests(MongoTestServer server) : UptimeStoreContract, IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _database = MongoTestServer.NewDatabaseName();

    protected override Task<IUptimeStore> CreateStoreAsync(UptimeThresholds thresholds) =>
        Task.FromResult<IUptimeStore>(new MongoUptimeStore(server.Options(_database), thresholds));

    [SkippableFact]
    public async Task A_late_write_of_an_open_outage_never_reopens_it()
    {
        await using var store = await InitializedAsync();
        var open = new Outage("kcna.kp", T0, null, ProbeFailure.ConnectTimeout);
        var closed = open with { End = T0.AddMinutes(30) };

        await store.UpsertOutageAsync(open);
        await store.UpsertOutageAsync(closed);
        await store.UpsertOutageAsync(open);
        await store.UpsertCountryOutageAsync(new CountryOutage(T0, T0.AddMinutes(20), T0.AddMinutes(2), 290, 300));
        await store.UpsertCountryOutageAsync(new CountryOutage(T0, null, T0.AddMinutes(2), 290, 300));

        Assert.Equal([closed], await store.GetOutagesAsync("kcna.kp", T0.AddDays(-1), T0.AddDays(1)));
        Assert.Equal(T0.AddMinutes(20), Assert.Single(await store.GetCountryOutagesAsync(T0.AddDays(-1), T0.AddDays(1))).End);
    }

    [SkippableFact]
    public async Task Two_stores_folding_the_same_and_different_results_at_once_count_each_result_once()
    {
        await using var one = await InitializedAsync();
        await using var two = await InitializedAsync();
        var results = Enumerable.Range(0, 120)
            .Select(i => ProbeResult.Up(i % 2 == 0 ? "kcna.kp" : "rodong.rep.kp", T0.AddSeconds(30 * i), TimeSpan.FromMilliseconds(40 + i)))
            .ToList();

        // Both write every result, in batches that start new hours at the same time.
        await Task.WhenAll(
            Task.Run(async () => { foreach (var batch in results.Chunk(7)) { await one.AddResultsAsync(batch); } }),
            Task.Run(async () => { foreach (var batch in results.Chunk(5)) { await two.AddResultsAsync(batch); } }));

        Assert.Equal(UptimeMath.Aggregate(results, Thresholds), await one.GetHourlyAsync(null, T0, T0.AddDays(1)));
    }

    public void Dispose() => server.Drop(_database);

    private async Task<IUptimeStore> InitializedAsync()
    {
        var store = new MongoUptimeStore(server.Options(_database), Thresholds);
        await store.InitializeAsync();
        return store;
    }
}
