using System.Globalization;
using Akka.Actor;
using Akka.Hosting;
using Crawler.Actors.Coordination;
using Crawler.Actors.Hosting;
using Crawler.Archive;
using Crawler.Core.Policies;
using Crawler.Node.Hosting;
using Crawler.Simulation.Web;
using Crawler.Storage;
using Crawler.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;
using Xunit.Abstractions;

namespace Crawler.IntegrationTests;

/// <summary>
/// The adaptive recrawl schedule over many epochs, on the node's own host (the code path of <c>crawler run</c>) with a
/// controlled clock: an epoch an hour of crawl time (seconds of real time), two plain simulated sites whose front
/// pages and first list pages change every hour and whose articles change every hour, every two hours or never.
/// Everything is measured from the store and from the simulated servers' own log.
/// </summary>
public sealed class AdaptiveRecrawlTests(ITestOutputHelper output) : SimulatedWebTest(Sites)
{
    private const int Epochs = 9;
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    // The fetcher dates captures by the wall clock (the site's politeness pause counts from the host's last capture):
    // the controlled clock starts at the real time and only ever runs ahead of it.
    // Taken when this test starts (not when the class is first touched, which may be minutes earlier in a long run: a
    // clock behind the real one would date captures, DNS answers and schedules in the past).
    private readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    /// <summary>Articles 1, 4, 5, 8, 9, 12 never change, 2, 6, 10 every epoch, 3, 7, 11 every two epochs.</summary>
    private static readonly SimulationOptions Sites = new()
    {
        Seed = 11,
        SiteCount = 2,
        PagesPerSite = 12,
        ArticlesPerListPage = 6,
        PlainSites = true,
        ArticleChangeEvery = [0, 1, 2, 0],
        Epoch = 1,
    };

    /// <summary>The policy under test, with bounds of hours so that hourly epochs show the intervals move and settle.</summary>
    private static readonly RecrawlOptions Policy = new()
    {
        FrontPage = new RecrawlBounds(Hour, Hour, 4 * Hour),
        Listing = new RecrawlBounds(Hour, Hour, 4 * Hour),
        Article = new RecrawlBounds(Hour, Hour, 3 * Hour),
        ListingMaxDepth = 0, // classes by the URL alone: an article the front page links to stays an article
    };

    [Fact]
    public async Task Over_nine_hourly_epochs_intervals_follow_the_policy_pages_not_due_get_no_request_and_unchanged_pages_are_stored_once()
    {
        var rounds = await CrawlEpochs();
        await using var archive = await OpenStore();
        var captures = new List<CaptureRecord>();
        await foreach (var capture in archive.GetCapturesAsync(new CaptureQuery()))
        {
            captures.Add(capture);
        }

        Report(rounds, await archive.GetJobsAsync(new JobQuery()));
        await Assert_pages_not_due_get_no_request_and_due_ones_do(archive, rounds);
        Assert_every_schedule_is_the_policy_applied_to_the_urls_history(rounds, captures);
        Assert_intervals_move_as_worked_out_by_hand(rounds);
        await Assert_unchanged_pages_are_stored_once_and_archived_as_revisits(archive, rounds, captures);
        await Assert_job_statistics_add_up(archive, rounds, captures);
    }

    /// <summary>For every epoch after the first: a URL whose schedule was not due when the epoch started gets no request
    /// and is settled as not due; every due one reached is requested; every request is for a due or a new URL.</summary>
    private async Task Assert_pages_not_due_get_no_request_and_due_ones_do(ICrawlStore archive, IReadOnlyList<Round> rounds)
    {
        var notDueSeen = 0;
        for (var epoch = 2; epoch <= Epochs; epoch++)
        {
            var before = rounds[epoch - 2].Schedules;
            var round = rounds[epoch - 1];
            var requested = round.Requests.Where(r => !IsRobots(r)).Select(r => r.Url).ToHashSet(StringComparer.Ordinal);
            var frontier = await Frontier(archive, epoch);
            var notDue = before.Values.Where(s => s.DueAt > round.StartedAt).Select(s => s.Url).ToList();
            var due = before.Values.Where(s => s.DueAt <= round.StartedAt).Select(s => s.Url).ToList();

            Assert.NotEmpty(due);
            notDueSeen += notDue.Count;

            Assert.All(notDue, url =>
            {
                Assert.DoesNotContain(url, requested);
                Assert.Equal(FrontierState.NotDue, frontier[url].State); // reached, through the stored links of pages not due either
            });
            Assert.All(due, url => Assert.Contains(url, requested));
            Assert.All(requested, url => Assert.True(!before.TryGetValue(url, out var s) || s.DueAt <= round.StartedAt, $"{url} requested in epoch {epoch} before it was due"));
        }

        Assert.True(notDueSeen > 300, $"only {notDueSeen} URLs were not due in eight epochs"); // every one of them checked above
    }

    /// <summary>
    /// Replays each URL's history through <see cref="RecrawlPolicy.Next"/>: whether each fetch found a change is taken
    /// from the captures (a 304, or the previous capture's digest), the fetch time from the stored schedule.
    /// </summary>
    private static void Assert_every_schedule_is_the_policy_applied_to_the_urls_history(IReadOnlyList<Round> rounds, IReadOnlyList<CaptureRecord> captures)
    {
        var byUrl = captures.GroupBy(c => c.Url, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.OrderBy(c => c.FetchedAt).ThenBy(c => c.Id, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        var replayed = 0;
        for (var epoch = 1; epoch <= Epochs; epoch++)
        {
            var before = epoch > 1 ? rounds[epoch - 2].Schedules : new Dictionary<string, UrlSchedule>();
            foreach (var (url, schedule) in rounds[epoch - 1].Schedules)
            {
                if (schedule.Epoch != epoch)
                {
                    Assert.Equal(before[url], schedule); // not fetched: left as it was
                    continue;
                }

                var history = byUrl[url];
                var fetch = history.Last(c => c.Epoch == epoch);
                var previous = history.LastOrDefault(c => c.Epoch < epoch);
                var changed = previous is null || !(fetch.Status == 304 || fetch.PayloadDigest == previous.PayloadDigest);
                var expected = RecrawlPolicy.Next(Policy, schedule.PageClass, before.GetValueOrDefault(url)?.ToPolicy(), changed, schedule.LastFetchedAt);

                Assert.Equal(expected.Interval, schedule.Interval);
                Assert.Equal(expected.LastChangedAt, schedule.LastChangedAt);
                Assert.Equal(expected.DueAt.ToUnixTimeMilliseconds(), schedule.DueAt.ToUnixTimeMilliseconds());
                Assert.True(Expected(url) == schedule.PageClass, $"{url} is a {schedule.PageClass}");
                replayed++;
            }
        }

        Assert.True(replayed > 200, $"only {replayed} fetches replayed");
    }

    /// <summary>
    /// The intervals worked out by hand from the policy's rules (unchanged × 1.4, at most the class's max; a change
    /// never raises the interval, and the min holds it at an hour): a page changing every hour stays at the min and is
    /// fetched every epoch, a page that never changes goes 1 → 1.4 → 1.96 → 2.744 → 3 hours (the article max), fetched
    /// in epochs 1, 2, 4, 6 and 9; an article changing every two hours is fetched every other epoch.
    /// </summary>
    private static void Assert_intervals_move_as_worked_out_by_hand(IReadOnlyList<Round> rounds)
    {
        foreach (var site in SimulationModel.Build(Sites).Sites)
        {
            foreach (var hourly in new[] { site.Url("/"), site.Url("/articles?page=1"), site.Url("/article/2"), site.Url("/article/6") })
            {
                Assert.Equal([.. Enumerable.Range(1, Epochs)], EpochsRequested(rounds, hourly));
                Assert.All(rounds, r => Assert.Equal(Hour, r.Schedules[hourly].Interval));
            }

            foreach (var never in new[] { site.Url("/article/1"), site.Url("/article/5"), site.Url("/about.html") })
            {
                Assert.Equal([1, 2, 4, 6, 9], EpochsRequested(rounds, never));
                Assert.Equal(
                    [1, 1.4, 1.4, 1.96, 1.96, 2.744, 2.744, 2.744, 3],
                    rounds.Select(r => Math.Round(r.Schedules[never].Interval.TotalHours, 9)));
            }

            var everyOther = site.Url("/article/3");
            Assert.Equal([1, 2, 3, 5, 7, 9], EpochsRequested(rounds, everyOther));
            Assert.InRange(rounds[^1].Schedules[everyOther].Interval, Hour + TimeSpan.FromMinutes(18), Hour + TimeSpan.FromMinutes(24)); // 1.375 h
        }
    }

    /// <summary>A page that never changes: one payload, its first capture a 200, every later one a 304 the store keeps
    /// without bytes and the WARC export writes as a revisit.</summary>
    private async Task Assert_unchanged_pages_are_stored_once_and_archived_as_revisits(ICrawlStore archive, IReadOnlyList<Round> rounds, IReadOnlyList<CaptureRecord> captures)
    {
        var pages = captures.Where(c => !c.Url.EndsWith("/robots.txt", StringComparison.Ordinal)).GroupBy(c => c.Url, StringComparer.Ordinal).ToList();
        var unchanged = pages.Where(g => g.Count() > 1 && g.Select(c => c.PayloadDigest).Distinct().Count() == 1 && g.Any(c => c.Status == 200)).ToList();
        Assert.True(unchanged.Count >= 20, $"{unchanged.Count} unchanged pages fetched more than once");
        Assert.All(unchanged, g =>
        {
            var ordered = g.OrderBy(c => c.FetchedAt).ToList();
            Assert.Equal((200, true), (ordered[0].Status, ordered[0].PayloadLength > 0));
            Assert.All(ordered.Skip(1), c => Assert.Equal((304, 0L), (c.Status, c.PayloadLength)));
            Assert.Equal([200, .. Enumerable.Repeat(304, ordered.Count - 1)], rounds.SelectMany(r => r.Requests).Where(r => r.Url == g.Key).Select(r => r.Status));
        });

        var digests = captures.Where(c => c.PayloadDigest is not null).Select(c => c.PayloadDigest).Distinct(StringComparer.Ordinal).Count();
        Assert.Equal(digests, (await archive.GetStatsAsync()).Payloads);

        // In the export's order (fetch time, then id): a 304, or a 2xx whose digest a 2xx response already wrote, is a revisit
        // (a redirect or an error page never is: replayers answer a revisit with its original's status and headers).
        var written = new HashSet<string>(StringComparer.Ordinal);
        var revisits = captures.Count(c => c.Status == 304 || (c.PayloadDigest is { } d && c.PayloadLength > 0 && c.Status is >= 200 and < 300 && !written.Add(d)));
        var export = await WarcExporter.ExportAsync(archive, new WarcExportOptions { OutputDirectory = Path.Combine(Data, "warc") });
        Assert.Equal(revisits, export.Revisits);
        Assert.True(export.Revisits >= unchanged.Sum(g => g.Count() - 1));
    }

    /// <summary>Each site's job per epoch counts what the servers saw and what the frontier holds, each URL once.</summary>
    private async Task Assert_job_statistics_add_up(ICrawlStore archive, IReadOnlyList<Round> rounds, IReadOnlyList<CaptureRecord> captures)
    {
        // Unchanged: a 304, or (an answer without validators, the 404 page) the digest of the URL's previous capture.
        var previousDigest = new Dictionary<string, string?>(StringComparer.Ordinal);
        var unchanged = new HashSet<string>(StringComparer.Ordinal); // capture ids
        foreach (var capture in captures)
        {
            if (previousDigest.TryGetValue(capture.Url, out var before) && (capture.Status == 304 || capture.PayloadDigest == before))
            {
                unchanged.Add(capture.Id);
            }

            previousDigest[capture.Url] = capture.PayloadDigest;
        }

        var jobs = await archive.GetJobsAsync(new JobQuery());
        var hosts = SimulationModel.Build(Sites).Sites.Select(s => s.Host).ToList();
        Assert.Equal(Epochs * hosts.Count, jobs.Count);
        var requestedBefore = new HashSet<string>(StringComparer.Ordinal);
        for (var epoch = 1; epoch <= Epochs; epoch++)
        {
            var round = rounds[epoch - 1];
            foreach (var host in hosts)
            {
                var job = jobs.Single(j => j.Host == host && j.Epoch == epoch);
                var requests = round.Requests.Where(r => r.Host == host).ToList();
                var pages = requests.Where(r => !IsRobots(r)).ToList();
                var frontier = await archive.GetFrontierAsync(host, epoch);

                var fetched = captures.Where(c => c.Host == host && c.Epoch == epoch && !c.Url.EndsWith("/robots.txt", StringComparison.Ordinal)).ToList();

                Assert.Equal((long)requests.Count, job.Captures);
                Assert.Equal((long)pages.Count, job.Due);
                Assert.Equal((long)pages.Count(r => !requestedBefore.Contains(r.Url)), job.New);
                Assert.Equal((long)fetched.Count(c => unchanged.Contains(c.Id)), job.Unchanged);
                Assert.Equal((long)fetched.Count(c => requestedBefore.Contains(c.Url) && !unchanged.Contains(c.Id)), job.Changed);
                Assert.True(job.Unchanged >= pages.Count(r => r.Status == 304));
                Assert.Equal((0L, 0L, 0L), (job.Failed, job.Pending, job.Errors));
                Assert.Equal((long)frontier.Count(f => f.State == FrontierState.NotDue), job.NotDue);
                Assert.Equal((long)frontier.Count(f => f.State == FrontierState.Skipped), job.Skipped);
                Assert.Equal((long)frontier.Count, job.Due + job.NotDue + job.Skipped + requests.Count(IsRobots));
                // The store keeps milliseconds.
                Assert.True(job.StartedAt >= round.StartedAt.AddTicks(-(round.StartedAt.Ticks % TimeSpan.TicksPerMillisecond)) && job.FinishedAt >= job.StartedAt, $"{host} epoch {epoch} ({round.StartedAt:O}): {job.StartedAt:O} … {job.FinishedAt:O}");
                if (epoch < Epochs)
                {
                    Assert.True(job.FinishedAt < rounds[epoch].StartedAt);
                }
            }

            Assert.Equal(jobs.Where(j => j.Epoch == epoch).Sum(j => j.NotDue), round.ReportedNotDue); // what the sites told the coordinator
            requestedBefore.UnionWith(round.Requests.Select(r => r.Url));
        }
    }

    /// <summary>Runs the node through <see cref="Epochs"/> epochs, the clock an hour further before each next one.</summary>
    private async Task<List<Round>> CrawlEpochs()
    {
        var clock = new ControlledClock(T0);
        var rounds = new List<Round>();
        using var host = NodeHost.BuildRunHost(
            NodeHost.BuildConfiguration(Settings()),
            logging => logging.AddFilter(level => level >= LogLevel.Warning).AddSimpleConsole(),
            services => services.AddSingleton<TimeProvider>(clock));
        await host.StartAsync();
        try
        {
            var coordinator = host.Services.GetRequiredService<ActorRegistry>().Get<CoordinatorKey>();
            await using var store = await OpenStore();
            var seen = 0;
            for (var epoch = 1; epoch <= Epochs; epoch++)
            {
                if (epoch > 1)
                {
                    Web.SetEpoch(epoch); // this hour's pages
                    clock.Jump(Hour); // the coordinator's next epoch is due an hour after the last one completed
                }

                var status = await Completed(coordinator, epoch);
                var log = Web.Log.Requests;
                var schedules = new Dictionary<string, UrlSchedule>(StringComparer.Ordinal);
                foreach (var site in Web.Sites)
                {
                    foreach (var schedule in await store.GetSchedulesAsync(site.Host))
                    {
                        schedules.Add(schedule.Url, schedule);
                    }
                }

                rounds.Add(new Round(epoch, status.EpochStartedAt!.Value, [.. log.Skip(seen)], schedules, status.Sites.Sum(s => s.NotDue)));
                seen = log.Count;
            }
        }
        finally
        {
            await host.StopAsync();
        }

        return rounds;
    }

    private List<KeyValuePair<string, string?>> Settings()
    {
        var settings = SimulatedWebSettings.For(Web, Data);
        settings.Add(new("Crawler:Crawl:RecrawlInterval", "01:00:00"));
        settings.Add(new("Crawler:Crawl:CheckInterval", "00:00:00.050"));
        settings.Add(new("Crawler:Crawl:Recrawl:ListingMaxDepth", Policy.ListingMaxDepth.ToString(CultureInfo.InvariantCulture)));
        foreach (var (name, bounds) in new[] { ("FrontPage", Policy.FrontPage), ("Listing", Policy.Listing), ("Article", Policy.Article) })
        {
            settings.Add(new($"Crawler:Crawl:Recrawl:{name}:Min", bounds.Min.ToString("c", CultureInfo.InvariantCulture)));
            settings.Add(new($"Crawler:Crawl:Recrawl:{name}:Initial", bounds.Initial.ToString("c", CultureInfo.InvariantCulture)));
            settings.Add(new($"Crawler:Crawl:Recrawl:{name}:Max", bounds.Max.ToString("c", CultureInfo.InvariantCulture)));
        }

        return settings;
    }

    private async Task<SqliteCrawlStore> OpenStore()
    {
        var store = new SqliteCrawlStore(new SqliteStoreOptions { Path = Path.Combine(Data, "crawler.db") });
        await store.InitializeAsync();
        return store;
    }

    /// <summary>Bounded poll of the coordinator's status until <paramref name="epoch"/> is complete (the controlled clock starts
    /// epochs; the crawl itself runs on real time). Shared with <see cref="TwoEpochArchive"/>.</summary>
    internal static async Task<CoordinatorProtocol.CrawlStatus> Completed(IActorRef coordinator, int epoch)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            var status = await coordinator.Ask<CoordinatorProtocol.CrawlStatus>(new CoordinatorProtocol.GetStatus(), TimeSpan.FromSeconds(10));
            if (status.Epoch == epoch && status.EpochComplete)
            {
                return status;
            }

            Assert.True(status.Epoch <= epoch, $"epoch {status.Epoch} started while waiting for {epoch} to complete");
            Assert.True(
                DateTime.UtcNow < deadline,
                $"epoch {epoch} not complete after a minute: epoch {status.Epoch}, complete {status.EpochComplete}, "
                + string.Join("; ", status.Sites.Select(r => $"{r.Host} {r.Epoch} {r.Phase} pending {r.Pending} waiting {r.Waiting} fetched {r.Fetched} not due {r.NotDue} in flight {r.InFlight} {r.LastError}")));
            await Task.Delay(20);
        }
    }

    private static async Task<Dictionary<string, FrontierEntry>> Frontier(ICrawlStore store, int epoch)
    {
        var frontier = new Dictionary<string, FrontierEntry>(StringComparer.Ordinal);
        foreach (var site in SimulationModel.Build(Sites).Sites)
        {
            foreach (var entry in await store.GetFrontierAsync(site.Host, epoch))
            {
                frontier.Add(entry.Url, entry);
            }
        }

        return frontier;
    }

    private static List<int> EpochsRequested(IReadOnlyList<Round> rounds, string url) =>
        [.. rounds.Where(r => r.Requests.Any(q => q.Url == url)).Select(r => r.Epoch)];

    private static bool IsRobots(RequestRecord request) => request.PathAndQuery == "/robots.txt";

    /// <summary>The class of each URL of the plain sites, by hand (the listing depth is off).</summary>
    private static PageClass Expected(string url)
    {
        var pathAndQuery = new Uri(url).PathAndQuery;
        return pathAndQuery switch
        {
            "/" => PageClass.FrontPage,
            "/en/" or "/docs/" or "/news.html" or "/sitemap.xml" => PageClass.Listing,
            "/js/menu.js" => PageClass.Listing, // the policy goes by the last segment's name, extension or not

            _ when pathAndQuery.StartsWith("/articles?page=", StringComparison.Ordinal) => PageClass.Listing,
            _ => PageClass.Article,
        };
    }

    private void Report(IReadOnlyList<Round> rounds, IReadOnlyList<CrawlJob> jobs)
    {
        output.WriteLine("epoch  start(h)  requests  due  new  changed  unchanged(304)  not-due  skipped");
        foreach (var round in rounds)
        {
            var epochJobs = jobs.Where(j => j.Epoch == round.Epoch).ToList();
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{round.Epoch,5}  {(round.StartedAt - T0).TotalHours,8:F3}  {round.Requests.Count,8}  {epochJobs.Sum(j => j.Due),3}  {epochJobs.Sum(j => j.New),3}  {epochJobs.Sum(j => j.Changed),7}  {epochJobs.Sum(j => j.Unchanged),14}  {epochJobs.Sum(j => j.NotDue),7}  {epochJobs.Sum(j => j.Skipped),7}"));
        }

        output.WriteLine("intervals after the last epoch, per class (hours): count, min, median, max");
        foreach (var group in rounds[^1].Schedules.Values.GroupBy(s => s.PageClass).OrderBy(g => g.Key))
        {
            var hours = group.Select(s => s.Interval.TotalHours).Order().ToList();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {group.Key,-9} {hours.Count,4}  {hours[0]:F3}  {hours[hours.Count / 2]:F3}  {hours[^1]:F3}"));
        }
    }

    /// <summary>One epoch as measured: when it started (the coordinator's clock), the requests the servers logged during
    /// it, the schedules the store held once it completed, and the not-due URLs the sites reported.</summary>
    private sealed record Round(int Epoch, DateTimeOffset StartedAt, IReadOnlyList<RequestRecord> Requests, IReadOnlyDictionary<string, UrlSchedule> Schedules, long ReportedNotDue);
}
