using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Crawler.Core.Uptime;
using Crawler.Node.Hosting;
using Crawler.Simulation;
using Crawler.Simulation.Web;
using Crawler.Storage;
using Crawler.Storage.Sqlite;
using Xunit;

namespace Crawler.IntegrationTests;

/// <summary>One crawl of a small simulated web into SQLite archive A (plus uptime history written to it), shared by the migrate tests.</summary>
public sealed class MigrateArchiveFixture : IAsyncLifetime
{
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "crawler-migrate-" + Guid.NewGuid().ToString("N"));

    public string SourcePath => Path.Combine(Folder, "a", "crawler.db");

    public async Task InitializeAsync()
    {
        await using var web = await SimulatedWeb.StartAsync(new SimulationOptions { Seed = 23, SiteCount = 4, PagesPerSite = 12 });
        await InProcessNode.RunUntilEpochCompleteAsync(SimulatedWebSettings.For(web, Path.Combine(Folder, "a")), TimeSpan.FromMinutes(4));

        // The crawl ran without probes (they would be counted by the sites): uptime history as a node stores it, an hour of it purged.
        await using var uptime = new SqliteUptimeStore(new SqliteStoreOptions { Path = SourcePath });
        await uptime.InitializeAsync();
        var t0 = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        await uptime.AddResultsAsync([.. Enumerable.Range(0, 90).Select(m => ProbeResult.Up("kcna.kp", t0.AddDays(-40).AddMinutes(m), TimeSpan.FromMilliseconds(100 + m)))]);
        await uptime.AddResultsAsync([.. Enumerable.Range(0, 30).Select(m => m % 7 == 0 ? ProbeResult.Failed("kcna.kp", t0.AddMinutes(m), ProbeFailure.ConnectTimeout) : ProbeResult.Up("kcna.kp", t0.AddMinutes(m), TimeSpan.FromMilliseconds(2500)))]);
        await uptime.PurgeResultsAsync(t0.AddDays(-30));
        await uptime.AddStateChangesAsync([new StateChange("kcna.kp", SiteState.Up, SiteState.Down, t0, t0.AddMinutes(2), ProbeFailure.ConnectTimeout)]);
        await uptime.UpsertOutageAsync(new Outage("kcna.kp", t0, t0.AddMinutes(20), ProbeFailure.ConnectTimeout));
        await uptime.UpsertCountryOutageAsync(new CountryOutage(t0.AddDays(-3), null, t0.AddDays(-3).AddMinutes(5), 4, 4));
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// <c>crawler migrate</c> as a process (issue 9): a crawled SQLite archive copied to another SQLite archive answers every
/// query the same, a second run adds nothing, and the verification catches a payload corrupt in the target.
/// (MongoDB is never run here: its side is covered by the server-free query rendering tests of Crawler.Storage.Tests.)
/// </summary>
public sealed class MigrateCommandTests(MigrateArchiveFixture archive) : IClassFixture<MigrateArchiveFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_crawled_archive_migrated_answers_the_same_queries_and_a_second_migrate_adds_nothing()
    {
        var target = Path.Combine(archive.Folder, "b-" + Guid.NewGuid().ToString("N"), "crawler.db");
        var clock = Stopwatch.StartNew();

        using (var migrate = CrawlerProcess.Start(new Dictionary<string, string>(), "migrate", "--from", "sqlite:" + archive.SourcePath, "--to", "sqlite:" + target))
        {
            Assert.True(await migrate.WaitForExitAsync(Timeout) == 0, migrate.Output);
            Assert.Contains("Verified: ", migrate.Output, StringComparison.Ordinal);
        }

        var firstRun = clock.Elapsed;
        var source = await AnswersAsync(archive.SourcePath);
        var copy = await AnswersAsync(target);
        Assert.Contains(source, l => l.StartsWith("dns ", StringComparison.Ordinal));
        Assert.Contains(source, l => l.StartsWith("payload ", StringComparison.Ordinal));
        Assert.Contains(source, l => l.StartsWith("job ", StringComparison.Ordinal));
        Assert.Contains(source, l => l.StartsWith("hour ", StringComparison.Ordinal));
        Assert.Equal(source, copy);

        using (var again = CrawlerProcess.Start(new Dictionary<string, string>(), "migrate", "--from", "sqlite:" + archive.SourcePath, "--to", "sqlite:" + target))
        {
            Assert.True(await again.WaitForExitAsync(Timeout) == 0, again.Output);
        }

        Assert.Equal(source, await AnswersAsync(target));
        Console.WriteLine($"migrate: {source.Count(l => l.StartsWith("capture ", StringComparison.Ordinal))} captures, {source.Count} answers compared; first run {firstRun.TotalSeconds:F1} s (process included)");
    }

    [Fact]
    public async Task A_payload_corrupt_in_the_target_fails_the_verification_with_exit_1_naming_its_digest()
    {
        var target = Path.Combine(archive.Folder, "c-" + Guid.NewGuid().ToString("N"), "crawler.db");
        CaptureRecord page;
        await using (var source = await OpenAsync(archive.SourcePath))
        {
            page = await source.GetCapturesAsync(new CaptureQuery()).FirstAsync(c => c.PayloadDigest is not null && c.PayloadLength > 0);
        }

        // A target holding that capture with other bytes under its digest (a disk that corrupted it, an earlier broken copy): the copy keeps what is stored.
        await using (var corrupt = await OpenAsync(target))
        {
            await corrupt.CommitAsync([new FetchCommit { Capture = page, Payload = Encoding.UTF8.GetBytes("<html>not what was fetched</html>"), UrlState = FrontierState.Pending }]);
        }

        using var migrate = CrawlerProcess.Start(new Dictionary<string, string>(), "migrate", "--from", "sqlite:" + archive.SourcePath, "--to", "sqlite:" + target);

        Assert.Equal(1, await migrate.WaitForExitAsync(Timeout));
        Assert.Contains($"payload {page.PayloadDigest} in the target does not hash to its digest", migrate.Output, StringComparison.Ordinal);
        Assert.Contains("Verification failed", migrate.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_store_as_both_or_one_that_cannot_be_opened_exits_2_with_one_line_naming_the_option()
    {
        using (var same = CrawlerProcess.Start(new Dictionary<string, string>(), "migrate", "--from", "sqlite:" + archive.SourcePath, "--to", "sqlite:" + archive.SourcePath))
        {
            Assert.Equal(2, await same.WaitForExitAsync(Timeout));
            Assert.Contains("--from and --to name the same store", same.Output, StringComparison.Ordinal);
        }

        using (var missing = CrawlerProcess.Start(new Dictionary<string, string>(), "migrate", "--from", "sqlite:" + Path.Combine(archive.Folder, "none", "crawler.db"), "--to", "sqlite:" + Path.Combine(archive.Folder, "d", "crawler.db")))
        {
            Assert.Equal(2, await missing.WaitForExitAsync(Timeout));
            Assert.Contains("--from: no archive at", missing.Output, StringComparison.Ordinal);
        }

        // A closed loopback port: the driver finds no server (nothing leaves the machine).
        using var unreachable = CrawlerProcess.Start(new Dictionary<string, string>(), "migrate", "--from", "sqlite:" + archive.SourcePath, "--to", $"mongodb://crawler:hunter2@127.0.0.1:{LoopbackPorts.Free()}/crawler");
        Assert.Equal(2, await unreachable.WaitForExitAsync(Timeout));
        Assert.Single(unreachable.Output.Split('\n'), l => l.Contains("Store unavailable (--to)", StringComparison.Ordinal));
        Assert.DoesNotContain("hunter2", unreachable.Output, StringComparison.Ordinal);
    }

    private static async Task<SqliteCrawlStore> OpenAsync(string path)
    {
        var store = new SqliteCrawlStore(new SqliteStoreOptions { Path = path });
        await store.InitializeAsync();
        return store;
    }

    /// <summary>What an archive answers to the queries the crawler and its commands ask, one line each: equal lists are equal archives.</summary>
    private static async Task<List<string>> AnswersAsync(string path)
    {
        var options = new SqliteStoreOptions { Path = path };
        await using var crawl = new SqliteCrawlStore(options);
        await using var dns = new SqliteDnsStore(options);
        await using var uptime = new SqliteUptimeStore(options);
        await crawl.InitializeAsync();
        await dns.InitializeAsync();
        await uptime.InitializeAsync();
        var lines = new List<string> { "epoch " + await crawl.GetSettingAsync("epoch") };
        var hosts = new SortedSet<string>(StringComparer.Ordinal);
        var digests = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var capture in crawl.GetCapturesAsync(new CaptureQuery()))
        {
            lines.Add("capture " + JsonSerializer.Serialize(capture));
            hosts.Add(capture.Host);
            if (capture.PayloadDigest is { } digest)
            {
                digests.Add(digest);
            }
        }

        foreach (var digest in digests)
        {
            lines.Add("payload " + digest + " " + Convert.ToBase64String(await crawl.GetPayloadAsync(digest) ?? []));
        }

        var jobs = await crawl.GetJobsAsync(new JobQuery());
        lines.AddRange(jobs.Select(j => "job " + JsonSerializer.Serialize(j)));
        foreach (var job in jobs)
        {
            lines.AddRange((await crawl.GetFrontierAsync(job.Host, job.Epoch)).Select(e => "frontier " + JsonSerializer.Serialize(e)));
            lines.AddRange((await crawl.GetPendingAsync(job.Host, job.Epoch, 1000)).Select(e => "pending " + JsonSerializer.Serialize(e)));
            lines.AddRange((await crawl.GetHostStatsAsync(job.Epoch)).Select(h => "host stats " + JsonSerializer.Serialize(h)));
        }

        lines.Add("stats " + JsonSerializer.Serialize((await crawl.GetStatsAsync()) with { PayloadBytesStored = 0 }));
        foreach (var host in hosts)
        {
            lines.AddRange((await crawl.GetSchedulesAsync(host)).Select(s => "schedule " + JsonSerializer.Serialize(s)));
            lines.AddRange((await dns.GetObservationsAsync(host)).Select(o => "dns " + JsonSerializer.Serialize(o)));
        }

        lines.AddRange((await dns.GetDiscoveredNamesAsync()).Select(n => "discovered " + JsonSerializer.Serialize(n)));
        var from = DateTimeOffset.UnixEpoch;
        var to = new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);
        lines.AddRange((await uptime.GetLatestAsync()).Select(s => "latest " + JsonSerializer.Serialize(s)));
        lines.AddRange((await uptime.GetResultsAsync("kcna.kp", from, to)).Select(r => "result " + JsonSerializer.Serialize(r)));
        lines.AddRange((await uptime.GetHourlyAsync(null, from, to)).Select(h =>
            string.Join(' ', "hour", h.Site, h.HourStart, h.Probes, h.Successes, h.Degraded, h.ResponseTimeSum.Ticks, h.ResponseTimeMin, h.ResponseTimeMax, string.Join(',', h.ResponseTimes.Counts))));
        lines.AddRange((await uptime.GetStateChangesAsync(null, from, to)).Select(c => "change " + JsonSerializer.Serialize(c)));
        lines.AddRange((await uptime.GetOutagesAsync(null, from, to)).Select(o => "outage " + JsonSerializer.Serialize(o)));
        lines.AddRange((await uptime.GetCountryOutagesAsync(from, to)).Select(o => "country " + JsonSerializer.Serialize(o)));
        return lines;
    }
}
