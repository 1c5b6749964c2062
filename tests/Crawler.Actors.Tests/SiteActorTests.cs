using System.Net;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Crawler.Actors.Archive;
using Crawler.Actors.Dns;
using Crawler.Actors.Politeness;
using Crawler.Actors.Sites;
using Crawler.Actors.Tests.Sites;
using Crawler.Core.Policies;
using Crawler.Net;
using Crawler.Storage;
using Crawler.Storage.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Crawler.Actors.Tests;

/// <summary>
/// One site actor against a real loopback server and a real SQLite store; the resolver, the address gate, the
/// archive writer, the coordinator and the site region are probes the test answers. Time is the test's: a fake
/// clock and Akka's test scheduler move together. Messages are serialized as a cluster would (serialize-messages).
/// </summary>
public sealed class SiteActorTests : TestKit, IAsyncLifetime
{
    private const string Host = "site.kp";
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(60);
    private readonly string _path = Path.Combine(Path.GetTempPath(), "site-" + Guid.NewGuid().ToString("N") + ".db");

    // Captures are dated by the fetcher's wall clock: the fake clock starts at the real time (to the millisecond).
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
    private readonly LoopbackSite _server = new();
    private readonly HttpFetcher _fetcher = new(new FetcherOptions { BodyTimeout = TimeSpan.FromSeconds(1) }, new AddressGuard(new AddressGuardOptions { Allow = ["127.0.0.0/8"], AllowPublic = false }));
    private readonly TestProbe _resolver;
    private readonly TestProbe _gate;
    private readonly TestProbe _writer;
    private readonly TestProbe _coordinator;
    private readonly TestProbe _region;
    private ICrawlStore _store = null!;
    private ILogger _logger = NullLogger.Instance;

    public SiteActorTests()
        : base(ManualTime.SchedulerConfig + "\nakka.actor.serialize-messages = on\nakka.test.single-expect-default = 10s")
    {
        _resolver = CreateTestProbe("resolver");
        _gate = CreateTestProbe("gate");
        _writer = CreateTestProbe("writer");
        _coordinator = CreateTestProbe("coordinator");
        _region = CreateTestProbe("region");
    }

    private string Origin => $"http://{Host}:{_server.Port}";

    public async Task InitializeAsync()
    {
        _store = new SqliteCrawlStore(new SqliteStoreOptions { Path = _path });
        await _store.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _fetcher.Dispose();
        await _store.DisposeAsync();
        File.Delete(_path);
    }

    [Fact]
    public async Task Two_fetches_are_apart_by_the_politeness_pause_and_each_holds_the_gate_slot_through_it()
    {
        _server.Serve("/robots.txt", 200, "User-agent: *\nAllow: /\n", "text/plain");
        _server.Serve("/a", 200, $"<html><body><a href=\"{Origin}/b\">b</a><a href=\"http://other.kp/x\">x</a></body></html>");
        _server.Serve("/b", 200, "<html><body>b</body></html>");
        await Seed("/a");
        var site = Start();

        site.Tell(new SiteProtocol.Crawl(Host, 1));
        AnswerResolve();
        await FetchGranted("/robots.txt");
        Settled(site);
        // The request is over and the slot is kept through the pause: the gate hears how long.
        Assert.Equal(Pause, _gate.ExpectMsg<AddressGateProtocol.RequestDone>(d => d.Address == "127.0.0.1" && d.Holder == Host).Pause);
        Assert.False(_gate.HasMessages);

        // A second grant of the address it holds (its Acquire, asked again, crossed the first grant) is no reason to let go.
        site.Tell(new AddressGateProtocol.Granted("127.0.0.1"), _gate.Ref);
        Settled(site);
        Assert.False(_gate.HasMessages);

        Advance(Pause - TimeSpan.FromMilliseconds(1));
        Settled(site);
        Assert.False(_gate.HasMessages);
        Advance(TimeSpan.FromMilliseconds(1));
        ExpectRelease(r => r.Address == "127.0.0.1");
        var acquire = _gate.ExpectMsg<AddressGateProtocol.Acquire>();
        Settled(site);
        Assert.Equal(["/robots.txt"], _server.Requests); // nothing is fetched before the grant

        // A grant of the robots.txt request, asked again while its first grant was on its way, comes late: it is not the
        // grant of this request (the gate may have let another holder in since the release), and the site does not let go.
        site.Tell(new AddressGateProtocol.Granted(acquire.Address, acquire.Ticket - 1), _gate.Ref);
        Settled(site);
        Assert.False(_gate.HasMessages);

        // Still waiting, the site asks again a renew interval later, under the same ticket (a fetch would renew instead).
        Advance(TimeSpan.FromSeconds(1));
        var askedAgain = _gate.ExpectMsg<AddressGateProtocol.Acquire>();
        Assert.Equal((acquire.Address, acquire.Ticket), (askedAgain.Address, askedAgain.Ticket));
        Assert.Equal(["/robots.txt"], _server.Requests);

        Grant(askedAgain);
        await Land(_writer.ExpectMsg<ArchiveWriterProtocol.Persist>(p => p.Commit.Capture.Url == Origin + "/a"));
        var elsewhere = _region.ExpectMsg<SiteProtocol.Discovered>();
        Assert.Equal(new SiteProtocol.DiscoveredUrl("http://other.kp/x", 1, Origin + "/a", "a@href"), Assert.Single(elsewhere.Urls));
        Assert.Equal("other.kp", elsewhere.Host);

        Advance(Pause);
        ExpectRelease();
        await FetchGranted("/b");
        Assert.Equal(["/robots.txt", "/a", "/b"], _server.Requests);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task With_politeness_off_the_site_keeps_its_address_and_has_at_most_MaxConcurrentPerHost_requests_under_way(int concurrency)
    {
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.Serve("/robots.txt", 404, "none", "text/plain");
        var pages = Enumerable.Range(1, 6).Select(i => $"/p{i}").ToArray();
        foreach (var page in pages)
        {
            _server.Serve(page, 200, $"<html><body>{page}</body></html>", gate: answer);
        }

        await Seed(pages);
        var site = Start(new PolitenessOptions { MinDelay = TimeSpan.Zero, DelayFactor = 0, MaxConcurrentPerHost = concurrency });
        site.Tell(new SiteProtocol.Crawl(Host, 1));
        AnswerResolve();
        await FetchGranted("/robots.txt");

        // No pause: the address is kept, and the pages go out without asking the gate again, as many at once as allowed.
        AwaitCondition(() => _server.Requests.Count == 1 + concurrency, TimeSpan.FromSeconds(10));
        Settled(site);
        Assert.Equal(1 + concurrency, _server.Requests.Count);
        Assert.False(_gate.HasMessages);

        answer.SetResult();
        var written = Enumerable.Range(0, pages.Length).Select(_ => _writer.ExpectMsg<ArchiveWriterProtocol.Persist>().Commit.Capture.Url).ToHashSet();
        Assert.Equal(pages.Select(p => Origin + p).ToHashSet(), written);
        Assert.Equal(concurrency, _server.MaxInFlight);

        // Out of work, the site lets the address go at once (its request over, no pause).
        Assert.Equal(TimeSpan.Zero, _gate.ExpectMsg<AddressGateProtocol.RequestDone>().Pause);
        ExpectRelease();
        Assert.Single(_server.Requests, "/robots.txt");
    }

    [Fact]
    public async Task A_site_that_keeps_its_address_lets_it_go_after_a_while_and_asks_again_behind_the_others()
    {
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.Serve("/robots.txt", 404, "none", "text/plain");
        var pages = Enumerable.Range(1, 4).Select(i => $"/p{i}").ToArray();
        foreach (var page in pages)
        {
            _server.Serve(page, 200, $"<html><body>{page}</body></html>", gate: answer);
        }

        await Seed(pages);
        var site = Start(new PolitenessOptions { MinDelay = TimeSpan.Zero, DelayFactor = 0 });
        site.Tell(new SiteProtocol.Crawl(Host, 1));
        AnswerResolve();
        await FetchGranted("/robots.txt");
        AwaitCondition(() => _server.Requests.Count == 2, TimeSpan.FromSeconds(10)); // the first page, on the slot kept
        Advance(SiteGateClient.MaxHold);
        answer.SetResult();
        await Land(_writer.ExpectMsg<ArchiveWriterProtocol.Persist>());

        // Held for MaxHold: the address goes back, and the next page waits for a new grant.
        var again = (AddressGateProtocol.Acquire)_gate.FishForMessage(m => m is AddressGateProtocol.Acquire);
        Assert.Equal(Host, again.Holder);
        Settled(site);
        Assert.Equal(2, _server.Requests.Count);
        _gate.Reply(new AddressGateProtocol.Granted(again.Address, again.Ticket));
        for (var i = 0; i < 3; i++)
        {
            await Land(_writer.ExpectMsg<ArchiveWriterProtocol.Persist>());
        }

        Assert.Equal(5, _server.Requests.Count);
        Assert.Equal(1, _server.MaxInFlight);
    }

    [Fact]
    public async Task A_request_given_up_stays_in_flight_a_moment_after_so_no_probe_meets_the_server_still_at_it()
    {
        _server.Serve("/robots.txt", 404, "none", "text/plain");
        _server.Serve("/cut", 200, "<html><body>half of it</body></html>", hangs: true); // the body times out (1 s)
        await Seed("/cut");
        var site = Start();

        site.Tell(new SiteProtocol.Crawl(Host, 1));
        AnswerResolve();
        await FetchGranted("/robots.txt");
        Settled(site);
        _gate.ExpectMsg<AddressGateProtocol.RequestDone>(); // answered whole: probes may use the pause
        Advance(Pause);
        ExpectRelease();
        var cut = await FetchGranted("/cut");
        Assert.Equal(nameof(FetchErrorKind.BodyTimeout), cut.Commit.Capture.Error);

        // No RequestDone yet: to the gate the request is still in flight while the server may be at it.
        Settled(site);
        Assert.False(_gate.HasMessages);
        Advance(AddressUse.SettleAfterGivingUp - TimeSpan.FromMilliseconds(1));
        Settled(site);
        Assert.False(_gate.HasMessages);
        Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(Pause - AddressUse.SettleAfterGivingUp, _gate.ExpectMsg<AddressGateProtocol.RequestDone>(d => d.Holder == Host).Pause);
        Advance(Pause - AddressUse.SettleAfterGivingUp);
        _gate.ExpectMsg<AddressGateProtocol.Release>(r => r.Address == "127.0.0.1" && r.Holder == Host);
    }

    [Fact]
    public async Task A_response_the_server_cut_short_ends_the_request_so_a_probe_may_use_the_pause()
    {
        _server.Serve("/robots.txt", 404, "none", "text/plain");
        _server.Serve("/cut", 200, "<html><body>half of it</body></html>", cutShort: true);
        await Seed("/cut");
        var site = Start();

        await PastRobotsTxt(site, 1);
        var cut = await FetchGranted("/cut");
        Assert.NotNull(cut.Commit.Capture.Error);
        Assert.NotEqual(nameof(FetchErrorKind.BodyTimeout), cut.Commit.Capture.Error);

        // The server closed the connection itself: its side is over.
        Assert.Equal(Pause, _gate.ExpectMsg<AddressGateProtocol.RequestDone>(d => d.Holder == Host).Pause);
    }

    [Fact]
    public async Task A_retry_due_time_is_stored_and_honoured_by_the_next_incarnation()
    {
        _server.Serve("/robots.txt", 404, "none", "text/plain");
        _server.Serve("/flaky", 503, "busy");
        await Seed("/flaky");
        var first = Start();
        await PastRobotsTxt(first, 1);
        var retry = await FetchGranted("/flaky");
        Assert.Equal(FrontierState.Pending, retry.Commit.UrlState);
        Assert.Equal(_clock.GetUtcNow() + RetryDelay, retry.Commit.RetryAt);

        // The site moves (a rebalance, a node's death): the new incarnation knows only what the store holds.
        Watch(first);
        first.Tell(SiteProtocol.Stop.Instance);
        ExpectRelease();
        ExpectTerminated(first);
        var second = Start();
        second.Tell(new SiteProtocol.Crawl(Host, 1));
        var waiting = Loaded(second);
        Assert.Equal((SitePhase.Waiting, 1, 0), (waiting.Phase, waiting.Waiting, waiting.Pending));
        Assert.False(_resolver.HasMessages);

        Advance(RetryDelay - TimeSpan.FromSeconds(1));
        Settled(second);
        Assert.False(_resolver.HasMessages);
        Advance(TimeSpan.FromSeconds(1));
        AnswerResolve();
        var again = await FetchGranted("/flaky");
        Assert.Equal(2, again.Commit.Capture.Attempt);
        Assert.Equal(["/robots.txt", "/flaky", "/flaky"], _server.Requests); // robots.txt came from the store
    }

    [Fact]
    public async Task A_new_incarnation_waits_out_the_pause_since_the_hosts_last_stored_fetch()
    {
        _server.Serve("/robots.txt", 404, "none", "text/plain");
        await Seed("/a");
        var lastFetch = _clock.GetUtcNow() - TimeSpan.FromSeconds(4);
        await _store.CommitAsync([new FetchCommit
        {
            Capture = new CaptureRecord { Id = Guid.CreateVersion7().ToString("N"), Url = Origin + "/old", Host = Host, Epoch = 1, FetchedAt = lastFetch, Status = 200 },
        }]);
        var site = Start();

        site.Tell(new SiteProtocol.Crawl(Host, 1));
        Loaded(site);
        Assert.False(_resolver.HasMessages);
        Advance(TimeSpan.FromSeconds(6) - TimeSpan.FromMilliseconds(1));
        Settled(site);
        Assert.False(_resolver.HasMessages);
        Advance(TimeSpan.FromMilliseconds(1));
        AnswerResolve();
        await FetchGranted("/robots.txt");
    }

    [Fact]
    public async Task On_a_leaving_node_a_site_releases_nothing_and_asks_for_nothing_new()
    {
        _server.Serve("/robots.txt", 404, "none", "text/plain");
        _server.Serve("/a", 200, "<html>a</html>");
        await Seed("/a");
        var leaving = false;
        var site = Start(leaving: () => Volatile.Read(ref leaving));
        site.Tell(new SiteProtocol.Crawl(Host, 1));
        AnswerResolve();
        await FetchGranted("/robots.txt");
        _gate.ExpectMsg<AddressGateProtocol.RequestDone>();

        // The node's shutdown begins during the pause: at its end the site lets go without telling the gate (its region
        // may be handing shards over; the gate drops the claim when the site stops), and it asks for no new slot.
        Volatile.Write(ref leaving, true);
        Advance(Pause);
        Advance(TimeSpan.FromSeconds(2)); // two renew intervals: a site waiting would have asked again
        Settled(site);
        Assert.False(_gate.HasMessages);
        Assert.Equal(["/robots.txt"], _server.Requests);
    }

    [Fact]
    public async Task An_idle_site_woken_again_in_its_epoch_reads_the_work_added_to_the_store_meanwhile()
    {
        _server.Serve("/robots.txt", 404, "none", "text/plain");
        _server.Serve("/a", 200, "<html>a</html>");
        _server.Serve("/added", 200, "<html>added</html>");
        await Seed("/a");
        var site = Start();
        await PastRobotsTxt(site, 1);
        await FetchGranted("/a");
        Advance(Pause);
        ExpectRelease();
        Assert.Equal(SitePhase.Idle, Settled(site).Phase);

        // A URL of this epoch reaches the store by another way (a seed added through the API): the coordinator wakes the site.
        await Seed("/added");
        site.Tell(new SiteProtocol.Crawl(Host, 1));
        await FetchGranted("/added");
        Assert.Equal(["/robots.txt", "/a", "/added"], _server.Requests);
    }

    [Fact]
    public async Task Stop_during_a_fetch_lets_it_finish_and_stops_once_its_write_is_acknowledged()
    {
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.Serve("/robots.txt", 404, "none", "text/plain");
        _server.Serve("/slow", 200, "<html>slow</html>", gate: answer);
        _server.Serve("/next", 200, "<html>next</html>");
        await Seed("/slow", "/next");
        var site = Start();
        Watch(site);
        await PastRobotsTxt(site, 1);
        Grant(_gate.ExpectMsg<AddressGateProtocol.Acquire>());
        AwaitCondition(() => _server.Requests.Contains("/slow"), TimeSpan.FromSeconds(10));

        site.Tell(SiteProtocol.Stop.Instance);
        Settled(site);
        answer.SetResult();
        var write = _writer.ExpectMsg<ArchiveWriterProtocol.Persist>(TimeSpan.FromSeconds(10));
        Assert.Equal(Origin + "/slow", write.Commit.Capture.Url);
        var stopping = Settled(site); // still there: its write is not acknowledged yet
        Assert.Equal(Host, stopping.Host);
        _gate.ExpectMsg<AddressGateProtocol.RequestDone>(); // the request is over, the address not yet released
        Assert.False(_gate.HasMessages);

        await _store.CommitAsync([write.Commit]);
        _writer.Reply(new ArchiveWriterProtocol.Persisted(write.Commit.Capture.Url));
        ExpectRelease();
        ExpectTerminated(site);
        Assert.DoesNotContain("/next", _server.Requests);
    }

    [Fact]
    public async Task A_fetch_whose_pipeline_throws_is_recorded_as_failed_and_the_site_goes_on()
    {
        _store = new ThrowingStore(_store);
        _server.Serve("/robots.txt", 404, "none", "text/plain");
        _server.Serve("/b", 200, "<html>b</html>");
        await Seed(2, "/a", "/b");
        var site = Start();

        await PastRobotsTxt(site, 2);
        Grant(_gate.ExpectMsg<AddressGateProtocol.Acquire>());
        var failed = _writer.ExpectMsg<ArchiveWriterProtocol.Settle>();
        Assert.Equal((Origin + "/a", FrontierState.Failed), (failed.Update.Url, failed.Update.State));
        Assert.Contains(ThrowingStore.Message, failed.Update.Reason, StringComparison.Ordinal);
        var row = Assert.Single(failed.Update.Declined);
        Assert.Equal((Origin + "/a", DeclineReason.Error, failed.Update.Reason), (row.Url, row.Reason, row.Detail));
        _writer.Reply(new ArchiveWriterProtocol.Persisted(failed.Update.Url));

        Advance(Pause);
        ExpectRelease(); // the slot is not held forever
        await FetchGranted("/b");
    }

    [Fact]
    public async Task A_restart_gives_the_address_slot_back_and_resumes_the_epoch()
    {
        _logger = new ThrowOnceLogger(eventId: 302); // robots.txt decided: thrown while the slot is held
        _server.Serve("/robots.txt", 404, "none", "text/plain");
        await Seed(3, "/a");
        var site = Start();

        site.Tell(new SiteProtocol.Crawl(Host, 3));
        AnswerResolve();
        Grant(_gate.ExpectMsg<AddressGateProtocol.Acquire>());
        ExpectRelease(); // at once, not after a pause: the restart gave it back
        Settled(site);

        Advance(Pause);
        AnswerResolve();
        _gate.ExpectMsg<AddressGateProtocol.Acquire>();
        Assert.Equal(3, Settled(site).Epoch);
    }

    [Fact]
    public async Task Urls_robots_txt_disallows_are_settled_without_a_request()
    {
        _server.Serve("/robots.txt", 200, "User-agent: *\nDisallow: /private\n", "text/plain");
        await Seed("/private/x");
        var site = Start();

        site.Tell(new SiteProtocol.Crawl(Host, 1));
        AnswerResolve();
        await FetchGranted("/robots.txt");
        Advance(Pause);
        var settled = _writer.ExpectMsg<ArchiveWriterProtocol.Settle>();
        Assert.Equal((Origin + "/private/x", FrontierState.Skipped, "robots.txt disallows it"), (settled.Update.Url, settled.Update.State, settled.Update.Reason));
        var own = Assert.Single(settled.Update.Declined);
        Assert.Equal((Origin + "/private/x", DeclineReason.Robots, null), (own.Url, own.Reason, own.Via));
        _writer.Reply(new ArchiveWriterProtocol.Persisted(settled.Update.Url));
        Assert.Equal(SitePhase.Idle, Settled(site).Phase);
        Assert.Equal(["/robots.txt"], _server.Requests);
    }

    [Fact]
    public async Task A_url_not_due_is_settled_without_a_request_and_its_stored_links_lead_to_the_due_urls_beneath_it()
    {
        const string body = "<html><body>a</body></html>";
        _server.Serve("/robots.txt", 404, "none", "text/plain");
        _server.Serve("/a", 200, body);
        var now = _clock.GetUtcNow();
        await _store.CommitAsync([new FetchCommit
        {
            Capture = new CaptureRecord
            {
                Id = Guid.CreateVersion7().ToString("N"),
                Url = Origin + "/",
                Host = Host,
                Epoch = 1,
                FetchedAt = now.AddHours(-2),
                Status = 200,
                Outlinks = [new Outlink(Origin + "/a", "a@href", true), new Outlink("http://other.kp/x", "a@href", true), new Outlink("http://example.com/", "a@href", false)],
            },
        }]);
        var digest = Crawling.PageProcessor.PayloadDigest(System.Text.Encoding.UTF8.GetBytes(body));
        await _store.UpsertSchedulesAsync(
        [
            Schedule("/", now.AddHours(-2), TimeSpan.FromHours(6), PageClass.FrontPage, null), // due in 4 hours
            Schedule("/a", now.AddDays(-1), TimeSpan.FromDays(1), PageClass.Listing, digest), // due now
        ]);
        await Seed(2, "/");
        var site = Start();

        site.Tell(new SiteProtocol.Crawl(Host, 2));
        var notDue = _writer.ExpectMsg<ArchiveWriterProtocol.Settle>();
        Assert.Equal((Origin + "/", FrontierState.NotDue), (notDue.Update.Url, notDue.Update.State));
        Assert.Equal([(Origin + "/a", 1), ("http://other.kp/x", 1)], notDue.Update.Discovered.Select(d => (d.Url, d.Depth)));
        Assert.Equal([new SiteProtocol.DiscoveredUrl("http://other.kp/x", 1, Origin + "/", "a@href")], _region.ExpectMsg<SiteProtocol.Discovered>(d => d.Host == "other.kp").Urls);
        await _store.UpdateFrontierAsync([notDue.Update]);
        _writer.Reply(new ArchiveWriterProtocol.Persisted(notDue.Update.Url));

        AnswerResolve();
        await FetchGranted("/robots.txt");
        Advance(Pause);
        ExpectRelease();
        var a = await FetchGranted("/a");

        Assert.Equal(["/robots.txt", "/a"], _server.Requests);
        Assert.Equal(RecrawlOutcome.Unchanged, a.Commit.Outcome);
        Assert.Equal((TimeSpan.FromDays(1.4), 2, 0), (a.Commit.Schedule!.Interval, a.Commit.Schedule.Fetches, a.Commit.Schedule.Changes - 1));
        var report = Settled(site);
        Assert.Equal((SitePhase.Idle, 1L), (report.Phase, report.NotDue));
        await AwaitAssertAsync(async () =>
        {
            var job = Assert.Single(await _store.GetJobsAsync(new JobQuery(Host, 2)));
            Assert.Equal((now, (long)1, (long)1, (long)2), (job.StartedAt, job.NotDue, job.Unchanged, job.Captures));
            Assert.NotNull(job.FinishedAt);
        });
    }

    [Fact]
    public async Task A_url_not_due_with_nothing_stored_to_follow_is_fetched_after_all()
    {
        _server.Serve("/robots.txt", 404, "none", "text/plain");
        _server.Serve("/", 200, "<html>home</html>");
        await _store.UpsertSchedulesAsync([Schedule("/", _clock.GetUtcNow(), TimeSpan.FromHours(6), PageClass.FrontPage, null)]);
        await Seed(2, "/");
        var site = Start();

        await PastRobotsTxt(site, 2);
        var home = await FetchGranted("/");

        Assert.Equal(RecrawlOutcome.Changed, home.Commit.Outcome);
        Assert.Equal(0, Settled(site).NotDue);
    }

    private UrlSchedule Schedule(string path, DateTimeOffset fetchedAt, TimeSpan interval, PageClass pageClass, string? digest) => new()
    {
        Url = Origin + path,
        Host = Host,
        PageClass = pageClass,
        Interval = interval,
        LastFetchedAt = fetchedAt,
        LastChangedAt = fetchedAt,
        DueAt = fetchedAt + interval,
        PayloadDigest = digest,
        Fetches = 1,
        Changes = 1,
        Epoch = 1,
    };

    private IActorRef Start(PolitenessOptions? politeness = null, Func<bool>? leaving = null)
    {
        var options = new CrawlOptions
        {
            Politeness = politeness ?? new PolitenessOptions { MinDelay = Pause, DelayFactor = 0.001 },
            Retry = new RetryOptions { BaseDelay = RetryDelay, MaxAttempts = 3 },
            ReportInterval = TimeSpan.FromHours(1),
        };
        var context = new SiteContext(
            _store, _fetcher, options, new CrawlScope(["kp"]), 1 << 20, _clock, _writer, _gate, _coordinator, _logger)
        {
            Resolver = _resolver,
            Region = _region,
            Leaving = leaving ?? (static () => false),
        };
        _site = Sys.ActorOf(Props.Create(() => new SiteActor(Host, context)));
        return _site;
    }

    /// <summary>The site last started (time moves only once it has handled what it was sent).</summary>
    private IActorRef? _site;

    private Task Seed(params string[] paths) => Seed(1, paths);

    private Task Seed(int epoch, params string[] paths) =>
        _store.AddToFrontierAsync([.. paths.Select(p => new FrontierEntry { Url = Origin + p, Host = Host, Epoch = epoch })]);

    private void Advance(TimeSpan by)
    {
        // The site's timers must be set before time moves past them: a report round trip waits for its handlers.
        if (_site is { } site && !site.IsNobody())
        {
            try
            {
                Settled(site);
            }
            catch (AggregateException)
            {
                // stopped already
            }
        }

        _clock.Advance(by);
        ((TestScheduler)Sys.Scheduler).Advance(by);
    }

    /// <summary>A report from the site: every message it sent before has reached its probe.</summary>
    private SiteProtocol.SiteReport Settled(IActorRef site) => site.Ask<SiteProtocol.SiteReport>(new SiteProtocol.GetReport(Host), TimeSpan.FromSeconds(10)).Result;

    /// <summary>A report once the site has loaded its frontier from the store.</summary>
    private SiteProtocol.SiteReport Loaded(IActorRef site)
    {
        SiteProtocol.SiteReport? report = null;
        AwaitCondition(() => (report = Settled(site)).Phase != SitePhase.Loading, TimeSpan.FromSeconds(10));
        return report!;
    }

    /// <summary>Starts the epoch: the site resolves, fetches robots.txt (granted), waits out the pause and gives the address back.</summary>
    private async Task PastRobotsTxt(IActorRef site, int epoch)
    {
        site.Tell(new SiteProtocol.Crawl(Host, epoch));
        AnswerResolve();
        await FetchGranted("/robots.txt");
        Advance(Pause);
        ExpectRelease();
    }

    private void AnswerResolve()
    {
        _resolver.ExpectMsg<DnsResolverProtocol.Resolve>(r => r.Host == Host);
        _resolver.Reply(new DnsResolverProtocol.Resolved(new ResolvedHost(Host, [IPAddress.Loopback], null, TimeSpan.FromHours(1), null)));
    }

    /// <summary>The site's next Release to the gate (the RequestDone that starts each pause is passed over).</summary>
    private AddressGateProtocol.Release ExpectRelease(Func<AddressGateProtocol.Release, bool>? check = null) =>
        (AddressGateProtocol.Release)_gate.FishForMessage(m => m is AddressGateProtocol.Release r && (check is null || check(r)));

    /// <summary>The gate's answer to <paramref name="acquire"/> (its ticket echoed).</summary>
    private void Grant(AddressGateProtocol.Acquire acquire) => _gate.Reply(new AddressGateProtocol.Granted(acquire.Address, acquire.Ticket));

    /// <summary>Grants the next Acquire, expects the fetch of <paramref name="path"/> to be written, stores it and acknowledges it.</summary>
    private async Task<ArchiveWriterProtocol.Persist> FetchGranted(string path)
    {
        var acquire = _gate.ExpectMsg<AddressGateProtocol.Acquire>();
        Assert.Equal((acquire.Address, acquire.Holder), ("127.0.0.1", Host));
        Grant(acquire);
        var write = _writer.ExpectMsg<ArchiveWriterProtocol.Persist>(TimeSpan.FromSeconds(10));
        Assert.Equal(Origin + path, write.Commit.Capture.Url);
        await Land(write);
        return write;
    }

    private async Task Land(ArchiveWriterProtocol.Persist write)
    {
        await _store.CommitAsync([write.Commit]);
        _writer.Reply(new ArchiveWriterProtocol.Persisted(write.Commit.Capture.Url));
    }

    /// <summary>The real store, whose capture lookups for one page throw as a broken store would.</summary>
    private sealed class ThrowingStore(ICrawlStore inner) : DelegatingCrawlStore(inner)
    {
        public const string Message = "store broken (test)";

        public override Task<CaptureRecord?> GetLatestCaptureAsync(string url, CancellationToken ct = default) =>
            url.EndsWith("/a", StringComparison.Ordinal) ? throw new InvalidOperationException(Message) : base.GetLatestCaptureAsync(url, ct);
    }

    /// <summary>A logger whose first entry with one event id throws, as a faulty handler would.</summary>
    private sealed class ThrowOnceLogger(int eventId) : ILogger
    {
        private int _thrown;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (id.Id == eventId && Interlocked.Exchange(ref _thrown, 1) == 0)
            {
                throw new InvalidOperationException("handler failure (test)");
            }
        }
    }
}
