using System.Text.Json;
using Crawler.Core.Policies;
using Crawler.Storage;
using Crawler.Storage.Sqlite;
using Xunit;

namespace Crawler.IntegrationTests;

/// <summary><c>crawler status</c> (and <c>crawler crawllog</c>) as a process, over a data folder filled through <see cref="SqliteCrawlStore"/>: each site's job per epoch.</summary>
public sealed class StatusCommandTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 6, 0, 0, TimeSpan.Zero);
    private readonly string _data = Path.Combine(Path.GetTempPath(), "crawler-status-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Status_shows_each_sites_job_of_the_current_epoch_and_with_site_its_jobs_and_schedules_and_crawllog_the_urls_not_archived()
    {
        await FillAsync();

        var current = await RunJsonAsync("status", "--data", _data, "--json");
        Assert.Equal(2, current.GetProperty("epoch").GetInt32());
        var job = Assert.Single(current.GetProperty("jobs").EnumerateArray());
        Assert.Equal(
            ("a.kp", 2, 1L, 1L, 1L, 1L, 2L),
            (job.GetProperty("site").GetString(), job.GetProperty("epoch").GetInt32(), job.GetProperty("due").GetInt64(), job.GetProperty("changed").GetInt64(),
                job.GetProperty("notDue").GetInt64(), job.GetProperty("captures").GetInt64(), job.GetProperty("pending").GetInt64()));
        Assert.Equal(T0.AddHours(24), job.GetProperty("startedAt").GetDateTimeOffset());
        Assert.Equal(
            [("a.kp", 2, DeclineReason.Robots, 1L), ("a.kp", 2, DeclineReason.Trap, 2L)],
            current.GetProperty("notArchived").EnumerateArray().Select(n => (n.GetProperty("site").GetString(), n.GetProperty("epoch").GetInt32(), n.GetProperty("reason").GetString(), n.GetProperty("urls").GetInt64())));

        // The archive's totals and each site's counts, as the tables show them.
        Assert.True(current.GetProperty("archive").GetProperty("captures").GetInt64() >= 1);
        var counts = Assert.Single(current.GetProperty("sites").EnumerateArray());
        Assert.Equal(("a.kp", 2L), (counts.GetProperty("host").GetString(), counts.GetProperty("pending").GetInt64()));

        var site = await RunJsonAsync("status", "--data", _data, "--site", "a.kp", "--json");
        Assert.False(site.TryGetProperty("sites", out _));
        Assert.Equal([(1, 2L, 2L), (2, 1L, 0L)], site.GetProperty("jobs").EnumerateArray().Select(j => (j.GetProperty("epoch").GetInt32(), j.GetProperty("due").GetInt64(), j.GetProperty("new").GetInt64())));
        var classes = site.GetProperty("schedules").EnumerateArray().ToList();
        Assert.Equal(["FrontPage", "Article"], classes.Select(c => c.GetProperty("pageClass").GetString()));
        Assert.Equal(30 * 24, classes[1].GetProperty("maxIntervalHours").GetDouble());

        using var table = CrawlerProcess.Start(new Dictionary<string, string>(), "status", "--data", _data);
        Assert.True(await table.WaitForExitAsync(TimeSpan.FromMinutes(1)) == 0, table.Output);
        Assert.Contains("Jobs of epoch 2", table.Output, StringComparison.Ordinal);
        Assert.Contains("not due", table.Output, StringComparison.Ordinal);
        Assert.Contains("Not archived in epoch 2", table.Output, StringComparison.Ordinal);
        Assert.Contains(table.Output.Split('\n'), l => l.Contains(DeclineReason.Trap, StringComparison.Ordinal) && l.Contains('2', StringComparison.Ordinal));

        using var log = CrawlerProcess.Start(new Dictionary<string, string>(), "crawllog", "--data", _data, "--reason", DeclineReason.Trap);
        Assert.True(await log.WaitForExitAsync(TimeSpan.FromMinutes(1)) == 0, log.Output);
        Assert.Equal(
            ["2\ta.kp\ttrap\thttp://a.kp/cal/1990/01\thttp://a.kp/\t-", "2\ta.kp\ttrap\thttp://a.kp/x?sid=1\thttp://a.kp/\t-"],
            log.Output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith("2\t", StringComparison.Ordinal)));

        using var unknown = CrawlerProcess.Start(new Dictionary<string, string>(), "status", "--data", _data, "--site", "b.kp");
        Assert.Equal(1, await unknown.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        Assert.Contains("Nothing stored for b.kp", unknown.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_tables_fit_80_columns_when_piped_and_a_long_site_name_is_never_split()
    {
        const string host = "ryongnamsan-university.edu.kp";
        await using (var store = new SqliteCrawlStore(new SqliteStoreOptions { Path = Path.Combine(_data, "crawler.db") }))
        {
            await store.InitializeAsync();
            await store.MarkJobAsync(host, 1, T0, null);
            await store.CommitAsync([Commit("http://" + host + "/", 1, T0.AddMinutes(1), RecrawlOutcome.New, PageClass.FrontPage, TimeSpan.FromHours(6)) with
            {
                Capture = new CaptureRecord { Id = Guid.CreateVersion7(T0).ToString("N"), Url = "http://" + host + "/", Host = host, Epoch = 1, FetchedAt = T0.AddMinutes(1), Status = 200 },
            }]);
        }

        // Piped output is 80 columns wide unless COLUMNS says otherwise (pinned here, whatever the caller's).
        using var narrow = CrawlerProcess.Start(new Dictionary<string, string> { ["COLUMNS"] = "80" }, "status", "--data", _data);
        Assert.True(await narrow.WaitForExitAsync(TimeSpan.FromMinutes(1)) == 0, narrow.Output);
        var lines = narrow.Output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.All(lines.Where(l => !l.StartsWith("epoch ", StringComparison.Ordinal)), l => Assert.True(l.Length <= 80, $"wider than 80 columns: {l}"));
        Assert.Equal(2, lines.Count(l => l.Trim() == host)); // one heading line per table, the name whole
        Assert.Contains(lines, l => l.Contains("captures 1", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("ryongnamsan-univ", StringComparison.Ordinal) && !l.Contains(host, StringComparison.Ordinal));

        // A wide console gets the tables, one row per site.
        using var wide = CrawlerProcess.Start(new Dictionary<string, string> { ["COLUMNS"] = "200" }, "status", "--data", _data);
        Assert.True(await wide.WaitForExitAsync(TimeSpan.FromMinutes(1)) == 0, wide.Output);
        Assert.Contains(wide.Output.Split('\n'), l => l.Contains(host, StringComparison.Ordinal) && l.Contains("2026-12-01 06:01:00Z", StringComparison.Ordinal));
        Assert.Contains(wide.Output.Split('\n'), l => l.Contains("site", StringComparison.Ordinal) && l.Contains("not due", StringComparison.Ordinal));

        var json = await RunJsonAsync("status", "--data", _data, "--json");
        Assert.Equal(host, Assert.Single(json.GetProperty("jobs").EnumerateArray()).GetProperty("site").GetString());
    }

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    /// <summary>Epoch 1: / and /article fetched for the first time. Epoch 2: / changed, /article not due, two URLs pending.</summary>
    private async Task FillAsync()
    {
        await using var store = new SqliteCrawlStore(new SqliteStoreOptions { Path = Path.Combine(_data, "crawler.db") });
        await store.InitializeAsync();
        await store.SetSettingAsync("epoch", "2");
        await store.MarkJobAsync("a.kp", 1, T0, T0.AddMinutes(5));
        await store.CommitAsync(
        [
            Commit("http://a.kp/", 1, T0.AddMinutes(1), RecrawlOutcome.New, PageClass.FrontPage, TimeSpan.FromHours(6)),
            Commit("http://a.kp/article", 1, T0.AddMinutes(2), RecrawlOutcome.New, PageClass.Article, TimeSpan.FromDays(30)),
        ]);
        await store.MarkJobAsync("a.kp", 2, T0.AddHours(24), null);
        await store.AddToFrontierAsync([Entry("http://a.kp/more"), Entry("http://a.kp/other")]);
        await store.CommitAsync([Commit("http://a.kp/", 2, T0.AddHours(24).AddMinutes(1), RecrawlOutcome.Changed, PageClass.FrontPage, TimeSpan.FromHours(5)) with
        {
            Declined = [Declined("http://a.kp/cal/1990/01", DeclineReason.Trap), Declined("http://a.kp/x?sid=1", DeclineReason.Trap)],
        }]);
        await store.UpdateFrontierAsync(
        [
            new FrontierUpdate("http://a.kp/article", "a.kp", 2, FrontierState.NotDue, "not due"),
            new FrontierUpdate("http://a.kp/private", "a.kp", 2, FrontierState.Skipped, "robots.txt disallows it") { Declined = [Declined("http://a.kp/private", DeclineReason.Robots) with { Via = null }] },
        ]);
    }

    private static CrawlLogEntry Declined(string url, string reason) =>
        new() { Url = url, Host = "a.kp", Epoch = 2, Reason = reason, Via = "http://a.kp/", Depth = 1, At = T0.AddHours(24) };

    private static FrontierEntry Entry(string url) => new() { Url = url, Host = "a.kp", Epoch = 2, Depth = 1, Kind = "a@href" };

    private static FetchCommit Commit(string url, int epoch, DateTimeOffset at, RecrawlOutcome outcome, PageClass pageClass, TimeSpan interval) => new()
    {
        Capture = new CaptureRecord { Id = Guid.CreateVersion7(at).ToString("N"), Url = url, Host = "a.kp", Epoch = epoch, FetchedAt = at, Status = 200 },
        Outcome = outcome,
        Schedule = new UrlSchedule { Url = url, Host = "a.kp", PageClass = pageClass, Interval = interval, LastFetchedAt = at, LastChangedAt = at, DueAt = at + interval, Fetches = epoch, Changes = epoch, Epoch = epoch },
    };

    private static async Task<JsonElement> RunJsonAsync(params string[] args)
    {
        using var crawler = CrawlerProcess.Start(new Dictionary<string, string>(), args);
        Assert.True(await crawler.WaitForExitAsync(TimeSpan.FromMinutes(1)) == 0, crawler.Output);
        var output = crawler.Output;
        using var document = JsonDocument.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..]);
        return document.RootElement.Clone();
    }
}
