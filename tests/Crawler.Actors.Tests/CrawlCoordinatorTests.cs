using System.Globalization;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Crawler.Actors.Coordination;
using Crawler.Actors.Sites;
using Crawler.Storage;
using Crawler.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Crawler.Actors.Tests;

/// <summary>
/// The coordinator against a real SQLite store and a test probe standing for the site region. Time is the
/// test's: a fake clock and Akka's test scheduler move together.
/// </summary>
public sealed class CrawlCoordinatorTests : TestKit, IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 7, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly string[] Seeds = ["http://a.kp/", "http://b.kp/"];
    private readonly string _path = Path.Combine(Path.GetTempPath(), "coordinator-" + Guid.NewGuid().ToString("N") + ".db");
    private readonly FakeTimeProvider _clock = new(T0);
    private readonly TestProbe _region;
    private SqliteCrawlStore _store = null!;

    public CrawlCoordinatorTests()
        : base(ManualTime.SchedulerConfig)
    {
        _region = CreateTestProbe("region");
    }

    private CrawlOptions Options { get; } = new()
    {
        ReportInterval = TimeSpan.FromSeconds(1),
        RecrawlInterval = TimeSpan.FromHours(1),
    };

    public async Task InitializeAsync()
    {
        _store = new SqliteCrawlStore(new SqliteStoreOptions { Path = _path });
        await _store.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        File.Delete(_path);
    }

    private IActorRef StartCoordinator(CrawlOptions? options = null, ICrawlStore? through = null)
    {
        var (store, region, clock, opts) = (through ?? _store, _region.Ref, _clock, options ?? Options);
        var coordinator = Sys.ActorOf(Props.Create(() => new CrawlCoordinator(store, region, Seeds, opts, clock, NullLogger.Instance)));
        return coordinator;
    }

    /// <summary>Asked, so that every message told before (and the start) has been handled.</summary>
    private CoordinatorProtocol.CrawlStatus StatusOf(IActorRef coordinator)
    {
        var probe = CreateTestProbe();
        coordinator.Tell(new CoordinatorProtocol.GetStatus(), probe);
        return probe.ExpectMsg<CoordinatorProtocol.CrawlStatus>();
    }

    private void Advance(TimeSpan by)
    {
        _clock.Advance(by);
        ((TestScheduler)Sys.Scheduler).Advance(by);
    }

    private void AdvanceBySeconds(int seconds)
    {
        for (var i = 0; i < seconds; i++)
        {
            Advance(TimeSpan.FromSeconds(1));
        }
    }

    private List<SiteProtocol.Crawl> ExpectCrawls(int count) =>
        [.. Enumerable.Range(0, count).Select(_ => _region.ExpectMsg<SiteProtocol.Crawl>()).OrderBy(c => c.Host, StringComparer.Ordinal)];

    private static SiteProtocol.SiteReport Report(string host, int epoch, SitePhase phase, long fetched = 1) =>
        new(host, epoch, phase, phase == SitePhase.Idle ? 0 : 3, 0, phase == SitePhase.Crawling, fetched, 0, 0, "127.0.0.1", null, T0);

    /// <summary>Settles every pending URL of the epoch as done, as the sites' commits would.</summary>
    private async Task SettleAll(int epoch)
    {
        foreach (var host in await _store.GetHostsWithPendingAsync(epoch))
        {
            var pending = await _store.GetPendingAsync(host, epoch, 100);
            await _store.UpdateFrontierAsync([.. pending.Select(p => new FrontierUpdate(p.Url, p.Host, epoch, FrontierState.Done, "test"))]);
        }
    }

    private void ReportIdle(IActorRef coordinator, int epoch)
    {
        coordinator.Tell(Report("a.kp", epoch, SitePhase.Idle, fetched: 2));
        coordinator.Tell(Report("b.kp", epoch, SitePhase.Idle, fetched: 3));
    }

    [Fact]
    public async Task Seeds_added_while_another_writer_adds_its_own_keep_both()
    {
        var racing = new SeedsWrittenMeanwhile(_store, "http://c.kp/");
        var coordinator = StartCoordinator(through: racing);
        ExpectCrawls(2);

        var probe = CreateTestProbe();
        coordinator.Tell(new CoordinatorProtocol.AddSeeds(["http://d.kp/"], "seed"), probe);
        probe.ExpectMsg<CoordinatorProtocol.SeedsAdded>();

        Assert.True(racing.Raced);
        var stored = await _store.GetSettingAsync(CrawlCoordinator.AddedSeedsSetting);
        Assert.Equal(["http://c.kp/", "http://d.kp/"], stored!.Split('\n').Order(StringComparer.Ordinal));
    }

    /// <summary>Another writer (a second node) stores a seed of its own between this one's read and its write.</summary>
    private sealed class SeedsWrittenMeanwhile(ICrawlStore inner, string theirs) : DelegatingCrawlStore(inner)
    {
        private readonly ICrawlStore _inner = inner;

        public bool Raced { get; private set; }

        public override async Task<bool> CompareAndSetSettingAsync(string key, string? expected, string value, CancellationToken ct = default)
        {
            if (key == CrawlCoordinator.AddedSeedsSetting && !Raced)
            {
                Raced = true;
                await _inner.SetSettingAsync(key, theirs, ct);
            }

            return await base.CompareAndSetSettingAsync(key, expected, value, ct);
        }
    }

    [Fact]
    public async Task It_starts_epoch_one_and_wakes_every_seed_host()
    {
        var coordinator = StartCoordinator();

        var crawls = ExpectCrawls(2);
        Assert.Equal([new SiteProtocol.Crawl("a.kp", 1), new SiteProtocol.Crawl("b.kp", 1)], crawls);
        var status = StatusOf(coordinator);
        Assert.Equal(1, status.Epoch);
        Assert.False(status.EpochComplete);
        Assert.Equal(T0, status.EpochStartedAt);
        Assert.Equal("1", await _store.GetSettingAsync(CrawlCoordinator.EpochSetting));
        Assert.Equal(["a.kp", "b.kp"], (await _store.GetHostsWithPendingAsync(1)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_epoch_completes_when_every_site_is_idle_and_nothing_is_pending_and_watchers_are_told()
    {
        var coordinator = StartCoordinator(Options with { ExitWhenDone = true });
        ExpectCrawls(2);
        var watcher = CreateTestProbe();
        coordinator.Tell(new CoordinatorProtocol.WatchCompletion(), watcher);
        Sys.EventStream.Subscribe(TestActor, typeof(CoordinatorProtocol.EpochCompleted));
        await SettleAll(1);

        // b.kp first: an idle report starts a check of the store, which must find a site still crawling.
        coordinator.Tell(Report("b.kp", 1, SitePhase.Crawling));
        coordinator.Tell(Report("a.kp", 1, SitePhase.Idle, fetched: 2));
        Assert.False(StatusOf(coordinator).EpochComplete);
        watcher.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        coordinator.Tell(Report("b.kp", 1, SitePhase.Idle, fetched: 3));
        Assert.Equal(new CoordinatorProtocol.EpochCompleted(1, 5), watcher.ExpectMsg<CoordinatorProtocol.EpochCompleted>());
        Assert.Equal(new CoordinatorProtocol.EpochCompleted(1, 5), ExpectMsg<CoordinatorProtocol.EpochCompleted>());
        Assert.True(StatusOf(coordinator).EpochComplete);

        // Asked after completion, a watcher is answered at once.
        var late = CreateTestProbe();
        coordinator.Tell(new CoordinatorProtocol.WatchCompletion(), late);
        late.ExpectMsg<CoordinatorProtocol.EpochCompleted>();
    }

    [Fact]
    public async Task Readers_of_the_store_see_an_epoch_as_complete_only_once_it_has_completed()
    {
        var coordinator = StartCoordinator();
        ExpectCrawls(2);
        await SettleAll(1);
        Assert.False(await EpochRecords.IsCompleteAsync(_store, 1));

        coordinator.Tell(Report("a.kp", 1, SitePhase.Idle, fetched: 2));
        coordinator.Tell(Report("b.kp", 1, SitePhase.Idle, fetched: 3));
        AwaitCondition(() => StatusOf(coordinator).EpochComplete, TimeSpan.FromSeconds(10));
        await AwaitAssertAsync(async () => Assert.True(await EpochRecords.IsCompleteAsync(_store, 1)), TimeSpan.FromSeconds(10));
        Assert.False(await EpochRecords.IsCompleteAsync(_store, 2));
    }

    [Fact]
    public void Idle_sites_do_not_complete_the_epoch_while_the_store_holds_pending_urls_whose_hosts_are_woken_again()
    {
        var coordinator = StartCoordinator(Options with { ExitWhenDone = true });
        ExpectCrawls(2);
        var watcher = CreateTestProbe();
        coordinator.Tell(new CoordinatorProtocol.WatchCompletion(), watcher);

        ReportIdle(coordinator, 1);

        Assert.Equal([new SiteProtocol.Crawl("a.kp", 1), new SiteProtocol.Crawl("b.kp", 1)], ExpectCrawls(2));
        Assert.False(StatusOf(coordinator).EpochComplete);
        watcher.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_busy_site_whose_report_goes_stale_is_woken_again()
    {
        var coordinator = StartCoordinator();
        ExpectCrawls(2);
        coordinator.Tell(Report("a.kp", 1, SitePhase.Crawling));
        coordinator.Tell(Report("b.kp", 1, SitePhase.Idle));
        _ = StatusOf(coordinator);

        // Stale means no report for more than 5 × ReportInterval (and at least 5 s).
        AdvanceBySeconds(5);
        _ = StatusOf(coordinator);
        _region.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        AdvanceBySeconds(1);
        Assert.Equal(new SiteProtocol.Crawl("a.kp", 1), _region.ExpectMsg<SiteProtocol.Crawl>());
        _ = StatusOf(coordinator);
        _region.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // the idle site is left alone

        // Once per staleness period, not every check.
        AdvanceBySeconds(5);
        _ = StatusOf(coordinator);
        _region.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        AdvanceBySeconds(1);
        Assert.Equal(new SiteProtocol.Crawl("a.kp", 1), _region.ExpectMsg<SiteProtocol.Crawl>());
    }

    [Fact]
    public void A_site_that_keeps_reporting_is_not_woken()
    {
        var coordinator = StartCoordinator();
        ExpectCrawls(2);
        for (var i = 0; i < 10; i++)
        {
            coordinator.Tell(Report("b.kp", 1, SitePhase.Crawling));
            coordinator.Tell(Report("a.kp", 1, SitePhase.Crawling));
            _ = StatusOf(coordinator);
            AdvanceBySeconds(1);
        }

        _ = StatusOf(coordinator);
        _region.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_site_woken_but_never_heard_from_is_woken_again()
    {
        // The Crawl went to a node that died before the site started there: no report ever comes.
        var coordinator = StartCoordinator();
        ExpectCrawls(2);
        coordinator.Tell(Report("a.kp", 1, SitePhase.Crawling));
        for (var i = 0; i < 5; i++)
        {
            coordinator.Tell(Report("a.kp", 1, SitePhase.Crawling));
            _ = StatusOf(coordinator);
            AdvanceBySeconds(1);
        }

        _ = StatusOf(coordinator);
        _region.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        coordinator.Tell(Report("a.kp", 1, SitePhase.Crawling));
        AdvanceBySeconds(1);
        Assert.Equal(new SiteProtocol.Crawl("b.kp", 1), _region.ExpectMsg<SiteProtocol.Crawl>());
    }

    [Fact]
    public void A_stale_threshold_follows_a_longer_report_interval()
    {
        var coordinator = StartCoordinator(Options with { ReportInterval = TimeSpan.FromSeconds(3) });
        ExpectCrawls(2);
        coordinator.Tell(Report("a.kp", 1, SitePhase.Waiting));
        _ = StatusOf(coordinator);

        AdvanceBySeconds(15);
        _ = StatusOf(coordinator);
        _region.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        AdvanceBySeconds(1);
        Assert.Equal(new SiteProtocol.Crawl("a.kp", 1), _region.ExpectMsg<SiteProtocol.Crawl>());
    }

    [Fact]
    public async Task After_completion_the_next_epoch_is_stored_and_a_new_coordinator_keeps_that_time()
    {
        var first = StartCoordinator();
        ExpectCrawls(2);
        await SettleAll(1);
        Advance(TimeSpan.FromMinutes(10));
        var completedAt = _clock.GetUtcNow();
        ReportIdle(first, 1);

        var due = completedAt + Options.RecrawlInterval;
        await AwaitAssertAsync(async () =>
            Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"2 {due:O}"), await _store.GetSettingAsync(CrawlCoordinator.NextEpochSetting)));
        var status = StatusOf(first);
        Assert.True(status.EpochComplete);
        Assert.Equal(due, status.NextEpochAt);

        // The singleton moves (or the node restarts) half an hour later.
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);
        Advance(TimeSpan.FromMinutes(30));
        _region.ReceiveWhile<object>(TimeSpan.FromMilliseconds(300), m => m); // the first one's wake-ups

        var second = StartCoordinator();
        Assert.Equal([new SiteProtocol.Crawl("a.kp", 1), new SiteProtocol.Crawl("b.kp", 1)], ExpectCrawls(2));
        ReportIdle(second, 1);
        await AwaitAssertAsync(() => Assert.True(StatusOf(second).EpochComplete));
        Assert.Equal(due, StatusOf(second).NextEpochAt); // not now + interval

        Advance(TimeSpan.FromMinutes(29));
        _ = StatusOf(second);
        _region.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        Advance(TimeSpan.FromMinutes(1));
        Assert.Equal([new SiteProtocol.Crawl("a.kp", 2), new SiteProtocol.Crawl("b.kp", 2)], ExpectCrawls(2));
        var next = StatusOf(second);
        Assert.Equal(2, next.Epoch);
        Assert.False(next.EpochComplete);
        Assert.Null(next.NextEpochAt);
        Assert.Equal("2", await _store.GetSettingAsync(CrawlCoordinator.EpochSetting));
    }

    [Fact]
    public async Task A_new_epoch_after_the_stored_one_schedules_its_own_successor_from_its_completion()
    {
        var coordinator = StartCoordinator();
        ExpectCrawls(2);
        await SettleAll(1);
        ReportIdle(coordinator, 1);
        await AwaitAssertAsync(async () => Assert.NotNull(await _store.GetSettingAsync(CrawlCoordinator.NextEpochSetting)));

        Advance(Options.RecrawlInterval);
        ExpectCrawls(2);
        await SettleAll(2);
        Advance(TimeSpan.FromMinutes(5));
        ReportIdle(coordinator, 2);

        var due = _clock.GetUtcNow() + Options.RecrawlInterval;
        await AwaitAssertAsync(async () =>
            Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"3 {due:O}"), await _store.GetSettingAsync(CrawlCoordinator.NextEpochSetting)));
        Assert.Equal(due, StatusOf(coordinator).NextEpochAt);
    }

    [Fact]
    public async Task The_next_epoch_starts_by_the_clock_one_check_after_the_clock_reaches_its_due_time()
    {
        var coordinator = StartCoordinator();
        ExpectCrawls(2);
        await SettleAll(1);
        ReportIdle(coordinator, 1);
        await AwaitAssertAsync(() => Assert.True(StatusOf(coordinator).EpochComplete));

        // The clock jumps (a host woken from sleep, a test's controlled time); the scheduler only ticks once.
        _clock.Advance(Options.RecrawlInterval - TimeSpan.FromSeconds(1));
        ((TestScheduler)Sys.Scheduler).Advance(Options.CheckInterval);
        _ = StatusOf(coordinator);
        _region.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        _clock.Advance(TimeSpan.FromSeconds(1));
        ((TestScheduler)Sys.Scheduler).Advance(Options.CheckInterval);
        Assert.Equal([new SiteProtocol.Crawl("a.kp", 2), new SiteProtocol.Crawl("b.kp", 2)], ExpectCrawls(2));
    }

    [Fact]
    public void ParseNext_reads_the_due_time_of_the_epoch_after_this_one()
    {
        var due = new DateTimeOffset(2026, 7, 2, 9, 30, 15, 123, TimeSpan.FromHours(9));
        Assert.Equal(due, CrawlCoordinator.ParseNext("4 " + due.ToString("O", CultureInfo.InvariantCulture), 3));
        Assert.Equal(TimeSpan.FromHours(9), CrawlCoordinator.ParseNext("4 " + due.ToString("O", CultureInfo.InvariantCulture), 3)?.Offset);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("4")]
    [InlineData("3 2026-07-02T09:30:15.0000000+00:00")] // this epoch's, not the next one's
    [InlineData("5 2026-07-02T09:30:15.0000000+00:00")]
    [InlineData("-4 2026-07-02T09:30:15.0000000+00:00")]
    [InlineData("x 2026-07-02T09:30:15.0000000+00:00")]
    [InlineData("4 tomorrow")]
    [InlineData("4  2026-07-02T09:30:15.0000000+00:00 extra")]
    public void ParseNext_ignores_a_setting_that_is_not_the_next_epochs(string? setting)
    {
        Assert.Null(CrawlCoordinator.ParseNext(setting, 3));
    }
}
