using System.Text;
using System.Text.Json;
using Crawler.Core.Dns;
using Crawler.Core.Policies;
using Crawler.Core.Uptime;
using Crawler.Storage.Migration;
using Crawler.Storage.Sqlite;
using static Crawler.Storage.Tests.Contract.TestData;

namespace Crawler.Storage.Tests.Migration;

/// <summary>
/// <see cref="ArchiveMigrator"/> between two SQLite archives: every collection copied as stored (what the interfaces read
/// back, in their order), again without duplicates, resumed after an interruption, and verified.
/// </summary>
public sealed class ArchiveMigratorTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "migrate-" + Guid.NewGuid().ToString("N"));
    private readonly List<IAsyncDisposable> _opened = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _opened)
        {
            await store.DisposeAsync();
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task A_copy_reads_back_exactly_as_the_source_and_verifies()
    {
        var source = await OpenAsync("a.db");
        await FillAsync(source);
        var target = await OpenAsync("b.db");

        var copied = await new ArchiveMigrator(source, target, batchSize: 2).CopyAsync();
        var verification = await new ArchiveMigrator(source, target).VerifyAsync();

        Assert.Equal(await SnapshotAsync(source), await SnapshotAsync(target));
        Assert.True(verification.Succeeded, string.Join("; ", verification.Counts.Where(c => !c.Equal)));
        Assert.Equal(ArchiveMigrator.Collections, verification.Counts.Select(c => c.Collection));
        Assert.All(verification.Counts, c => Assert.True(c.Target > 0, $"{c.Collection} is empty: the test data does not cover it"));
        Assert.Equal(2, verification.PayloadsChecked);
        Assert.Equal(6, copied[ArchiveMigrator.Captures]);
        Assert.Equal(2, copied[ArchiveMigrator.Payloads]); // three captures share one payload: read once
    }

    [Fact]
    public async Task A_second_copy_adds_nothing()
    {
        var source = await OpenAsync("a.db");
        await FillAsync(source);
        var target = await OpenAsync("b.db");
        await new ArchiveMigrator(source, target).CopyAsync();
        var first = await SnapshotAsync(target);

        await new ArchiveMigrator(source, target).CopyAsync();

        Assert.Equal(first, await SnapshotAsync(target));
        Assert.True((await new ArchiveMigrator(source, target).VerifyAsync()).Succeeded);
    }

    [Fact]
    public async Task A_copy_interrupted_in_the_captures_is_completed_by_running_it_again()
    {
        var source = await OpenAsync("a.db");
        await FillAsync(source);
        var target = await OpenAsync("b.db");
        using var stop = new CancellationTokenSource();
        var interrupted = new ArchiveMigrator(source, target, step =>
        {
            if (step is { Collection: ArchiveMigrator.Captures, Rows: >= 2 })
            {
                stop.Cancel();
            }
        }, batchSize: 2);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => interrupted.CopyAsync(stop.Token));
        Assert.False((await new ArchiveMigrator(source, target).VerifyAsync()).Succeeded);

        await new ArchiveMigrator(source, target).CopyAsync();

        Assert.Equal(await SnapshotAsync(source), await SnapshotAsync(target));
    }

    [Fact]
    public async Task Verification_names_a_payload_whose_bytes_in_the_target_do_not_hash_to_its_digest()
    {
        var source = await OpenAsync("a.db");
        await FillAsync(source);
        var target = await OpenAsync("b.db");
        var page = (await source.Crawl.GetCapturesAsync(new CaptureQuery { Url = "http://a.kp/" }).ToListAsync())[0];
        await target.Crawl.CommitAsync([new FetchCommit { Capture = page, Payload = Encoding.UTF8.GetBytes("not the page"), UrlState = FrontierState.Pending }]);

        await new ArchiveMigrator(source, target).CopyAsync();
        var verification = await new ArchiveMigrator(source, target).VerifyAsync();

        Assert.False(verification.Succeeded);
        Assert.Equal([page.PayloadDigest!], verification.CorruptPayloads);
        Assert.Empty(verification.MissingPayloads);
        Assert.All(verification.Counts, c => Assert.True(c.Equal, c.ToString()));
    }

    [Theory]
    [InlineData("hello", true)]
    [InlineData("hello!", false)]
    public void A_digest_matches_only_the_bytes_it_was_made_of(string text, bool matches)
    {
        var digest = Digest(Encoding.UTF8.GetBytes("hello"));

        Assert.Equal(matches, ArchiveMigrator.DigestMatches(digest, Encoding.UTF8.GetBytes(text)));
        Assert.Equal(matches, ArchiveMigrator.DigestMatches(digest.ToUpperInvariant().Replace("SHA256:", "sha256:", StringComparison.Ordinal), Encoding.UTF8.GetBytes(text)));
        Assert.False(ArchiveMigrator.DigestMatches("md5:" + digest[7..], Encoding.UTF8.GetBytes(text)));
    }

    private async Task<ArchiveStores> OpenAsync(string file)
    {
        var options = new SqliteStoreOptions { Path = Path.Combine(_folder, file) };
        var stores = new ArchiveStores(new SqliteCrawlStore(options), new SqliteDnsStore(options), new SqliteUptimeStore(options));
        _opened.Add(stores.Crawl);
        _opened.Add(stores.Dns);
        _opened.Add(stores.Uptime);
        await stores.Crawl.InitializeAsync();
        await stores.Dns.InitializeAsync();
        await stores.Uptime.InitializeAsync();
        return stores;
    }

    /// <summary>
    /// Two epochs of a.kp and b.kp: a page fetched new then unchanged (one payload for three captures), a page skipped by
    /// robots.txt, one not due, one failed, one pending with a due time after a time-out; schedules, job marks, settings;
    /// DNS history (a name observed twice); uptime with an hour whose raw results are purged.
    /// </summary>
    private static async Task FillAsync(ArchiveStores a)
    {
        var page = Html("home");
        var other = Html("other");
        await a.Crawl.SetSettingAsync("epoch", "2");
        await a.Crawl.MarkJobAsync("a.kp", 1, At(0), At(100));
        await a.Crawl.MarkJobAsync("a.kp", 2, At(3600), null);
        await a.Crawl.AddToFrontierAsync([Entry("http://a.kp/"), Entry("http://b.kp/")]);
        var home1 = CommitWithPayload(Capture("http://a.kp/", at: 1), page);
        await a.Crawl.CommitAsync(
        [
            home1 with
            {
                Outcome = RecrawlOutcome.New,
                Discovered = [Entry("http://a.kp/x", via: "http://a.kp/", depth: 1, kind: "a@href"), Entry("http://a.kp/y", via: "http://a.kp/", depth: 1, kind: "a@href")],
                Schedule = Schedule("http://a.kp/", At(1), 1),
                Declined =
                [
                    new CrawlLogEntry { Url = "http://example.com/", Host = "example.com", Epoch = 1, Reason = "out-of-scope", Via = "http://a.kp/", Depth = 1, At = At(1) },
                    new CrawlLogEntry { Url = "http://a.kp/y", Host = "a.kp", Epoch = 1, Reason = "error", Detail = "HTTP 500", Depth = 1, At = At(3) },
                ],
            },
            CommitWithPayload(Capture("http://b.kp/", at: 2), other) with { Outcome = RecrawlOutcome.New, Schedule = Schedule("http://b.kp/", At(2), 1) },
        ]);
        await a.Crawl.UpdateFrontierAsync([new FrontierUpdate("http://a.kp/x", "a.kp", 1, FrontierState.Skipped, "robots")]);
        await a.Crawl.CommitAsync([Commit(Capture("http://a.kp/y", at: 3) with { Status = 500 }, FrontierState.Failed) with { Outcome = RecrawlOutcome.Failed }]);

        await a.Crawl.AddToFrontierAsync([Entry("http://a.kp/", epoch: 2), Entry("http://b.kp/", epoch: 2), Entry("http://a.kp/z", epoch: 2, depth: 1, kind: "sitemap")]);
        var home2 = CommitWithPayload(Capture("http://a.kp/", epoch: 2, at: 3601), page);
        await a.Crawl.CommitAsync([home2 with { Outcome = RecrawlOutcome.Unchanged, Schedule = Schedule("http://a.kp/", At(3601), 2) }]);
        await a.Crawl.UpdateFrontierAsync([new FrontierUpdate("http://b.kp/", "b.kp", 2, FrontierState.NotDue, "not due") { Outcome = null }]);
        var timeout = Capture("http://a.kp/z", epoch: 2, at: 3602) with { Status = null, Error = "ConnectTimeout" };
        await a.Crawl.CommitAsync([new FetchCommit { Capture = timeout, UrlState = FrontierState.Pending, RetryAt = At(4000) }]);
        await a.Crawl.CommitAsync([CommitWithPayload(Capture("http://a.kp/", epoch: 2, at: 3603) with { Attempt = 2 }, page) with { UrlState = FrontierState.Done }]);

        await a.Dns.AddObservationsAsync(
        [
            new DnsObservation("a.kp", At(0), "127.0.0.1:53", DnsOutcome.NoError, [new DnsRecordData("A", "127.0.0.2", 300)]),
            new DnsObservation("a.kp", At(3600), "127.0.0.1:53", DnsOutcome.NoError, [new DnsRecordData("A", "127.0.0.3", 300)]),
            new DnsObservation("b.kp", At(0), "127.0.0.1:53", "NXDOMAIN", []),
        ]);
        await a.Dns.AddDiscoveredNamesAsync([new DiscoveredNameRecord("c.kp", "axfr", "kp", "127.0.0.1:53", At(5))]);

        var old = T0.AddDays(-40);
        await a.Uptime.AddResultsAsync([ProbeResult.Up("a.kp", old, TimeSpan.FromMilliseconds(120)), ProbeResult.Up("a.kp", T0, TimeSpan.FromMilliseconds(80)), ProbeResult.Failed("b.kp", T0, ProbeFailure.ConnectTimeout, "no answer")]);
        await a.Uptime.PurgeResultsAsync(T0.AddDays(-30));
        await a.Uptime.AddStateChangesAsync([new StateChange("b.kp", SiteState.Up, SiteState.Down, T0, T0.AddMinutes(2), ProbeFailure.ConnectTimeout)]);
        await a.Uptime.UpsertOutageAsync(new Outage("b.kp", T0, null, ProbeFailure.ConnectTimeout));
        await a.Uptime.UpsertCountryOutageAsync(new CountryOutage(old, old.AddHours(1), old.AddMinutes(5), 2, 2));
    }

    private static UrlSchedule Schedule(string url, DateTimeOffset at, int fetches) => new()
    {
        Url = url,
        Host = new Uri(url).Host,
        PageClass = PageClass.FrontPage,
        Interval = TimeSpan.FromTicks(216_000_000_007),
        LastFetchedAt = at,
        LastChangedAt = at,
        DueAt = at.AddHours(6),
        Fetches = fetches,
        Changes = 1,
        Epoch = fetches,
    };

    /// <summary>What the archive answers, collection by collection, in the interfaces' order: equal snapshots are equal archives.</summary>
    private static async Task<List<string>> SnapshotAsync(ArchiveStores s)
    {
        var lines = new List<string>();
        async Task Add<T>(string name, IAsyncEnumerable<T> rows)
        {
            await foreach (var row in rows)
            {
                lines.Add(name + " " + JsonSerializer.Serialize(row));
            }
        }

        await Add("setting", s.Crawl.ExportSettingsAsync());
        await Add("frontier", s.Crawl.ExportFrontierAsync());
        await Add("capture", s.Crawl.GetCapturesAsync(new CaptureQuery()));
        await foreach (var capture in s.Crawl.GetCapturesAsync(new CaptureQuery()))
        {
            if (capture.PayloadDigest is { } digest)
            {
                lines.Add("payload " + digest + " " + Convert.ToBase64String(await s.Crawl.GetPayloadAsync(digest) ?? []));
            }
        }

        foreach (var (host, epoch) in new[] { ("a.kp", 1), ("a.kp", 2), ("b.kp", 1), ("b.kp", 2) })
        {
            lines.AddRange((await s.Crawl.GetFrontierAsync(host, epoch)).Select(e => "host frontier " + JsonSerializer.Serialize(e)));
            lines.AddRange((await s.Crawl.GetPendingAsync(host, epoch, 100)).Select(e => "pending " + JsonSerializer.Serialize(e)));
        }

        lines.AddRange((await s.Crawl.GetJobsAsync(new JobQuery())).Select(j => "job " + JsonSerializer.Serialize(j)));
        await Add("schedule", s.Crawl.ExportSchedulesAsync());
        await Add("mark", s.Crawl.ExportJobMarksAsync());
        await Add("crawl log", s.Crawl.ExportCrawlLogAsync());
        await Add("not archived", s.Crawl.GetCrawlLogAsync(new CrawlLogQuery()));
        await Add("dns", s.Dns.ExportObservationsAsync());
        lines.AddRange((await s.Dns.GetDiscoveredNamesAsync()).Select(n => "discovered " + JsonSerializer.Serialize(n)));
        await Add("result", s.Uptime.ExportResultsAsync());
        await foreach (var hour in s.Uptime.ExportHourlyAsync())
        {
            lines.Add(string.Join(' ', "hour", hour.Site, hour.HourStart, hour.Probes, hour.Successes, hour.Degraded, hour.ResponseTimeSum.Ticks, hour.ResponseTimeMin, hour.ResponseTimeMax, string.Join(',', hour.ResponseTimes.Counts)));
        }

        await Add("change", s.Uptime.ExportStateChangesAsync());
        await Add("outage", s.Uptime.ExportOutagesAsync());
        await Add("country", s.Uptime.ExportCountryOutagesAsync());
        lines.AddRange((await s.Uptime.GetLatestAsync()).Select(l => "latest " + JsonSerializer.Serialize(l)));
        return lines;
    }
}
