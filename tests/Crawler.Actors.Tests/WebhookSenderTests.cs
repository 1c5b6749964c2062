using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Crawler.Actors.Uptime;
using Crawler.Core.Uptime;
using Crawler.Net.Notifications;
using Crawler.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Crawler.Actors.Tests;

/// <summary>
/// The webhook sender reads what it owes from the uptime store: a change whose announcement never came is sent, an
/// announcement wakes it, and a sender that takes over sends what its predecessor had not, and nothing twice. A real
/// receiver on loopback fails every first attempt (so each event is retried once); the poll runs on the test scheduler.
/// </summary>
public sealed class WebhookSenderTests : TestKit, IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 8, 3, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Poll = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Delivered = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Check = TimeSpan.FromMilliseconds(50);
    private readonly string _path = Path.Combine(Path.GetTempPath(), "webhook-" + Guid.NewGuid().ToString("N") + ".db");
    private readonly FakeTimeProvider _clock = new(T0);
    private SqliteUptimeStore _uptime = null!;
    private SqliteCrawlStore _settings = null!;
    private WebhookReceiver _receiver = null!;
    private WebhookNotifier _notifier = null!;

    public WebhookSenderTests()
        : base(ManualTime.SchedulerConfig)
    {
    }

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    public async Task InitializeAsync()
    {
        _uptime = new SqliteUptimeStore(new SqliteStoreOptions { Path = _path });
        await _uptime.InitializeAsync();
        _settings = new SqliteCrawlStore(new SqliteStoreOptions { Path = _path });
        await _settings.InitializeAsync();
        _receiver = new WebhookReceiver();
        _notifier = new WebhookNotifier(new WebhookOptions
        {
            Url = _receiver.Url,
            BaseDelay = TimeSpan.FromMilliseconds(20),
            MaxDelay = TimeSpan.FromMilliseconds(200),
            PollInterval = Poll,
            Lookback = TimeSpan.FromHours(1),
        });
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _notifier.Dispose();
        await _settings.DisposeAsync();
        await _uptime.DisposeAsync();
        File.Delete(_path);
    }

    private IActorRef StartSender(bool keepSent = true)
    {
        var (notifier, store, settings, clock) = (_notifier, _uptime, keepSent ? _settings : null, _clock);
        return Sys.ActorOf(Props.Create(() => new WebhookSender(notifier, store, new UptimeOptions(), settings, clock, NullLogger.Instance)));
    }

    private async Task<StateChange> Stored(string site, int minutesAgo)
    {
        var change = new StateChange(site, SiteState.Unknown, SiteState.Up, T0.AddMinutes(-minutesAgo - 1), T0.AddMinutes(-minutesAgo), ProbeFailure.None);
        await _uptime.AddStateChangesAsync([change]);
        return change;
    }

    private static string Id(StateChange change) => WebhookOutbox.Event(change, null).Id;

    private async Task UntilAccepted(params StateChange[] changes) =>
        await AwaitConditionAsync(() => Task.FromResult(changes.All(c => _receiver.Accepted.Any(a => a.Key == Id(c)))), Delivered, Check);

    /// <summary>A change stored, then a sender started; returns the change once the receiver has accepted it.</summary>
    private async Task<StateChange> SenderStartedAndSentOne()
    {
        var first = await Stored("a.kp", 30);
        StartSender();
        await UntilAccepted(first);
        return first;
    }

    private int TimesAccepted(StateChange change) => _receiver.Accepted.Count(a => a.Key == Id(change));

    [Fact]
    public async Task A_stored_change_never_announced_is_sent_at_start_and_one_stored_later_at_the_next_poll()
    {
        var first = await SenderStartedAndSentOne();

        var second = await Stored("b.kp", 20);
        Scheduler.Advance(Poll);
        await UntilAccepted(second);
        Assert.Equal([1, 1], new[] { first, second }.Select(TimesAccepted));
    }

    [Fact]
    public async Task An_announcement_wakes_the_sender_before_its_next_poll()
    {
        await SenderStartedAndSentOne();

        var second = await Stored("b.kp", 20);
        Sys.EventStream.Publish(new ProbeProtocol.StateChanged(second, null));
        await UntilAccepted(second);
    }

    [Fact]
    public async Task A_sender_that_takes_over_sends_what_its_predecessor_had_not_and_nothing_twice()
    {
        var (a, b) = (await Stored("a.kp", 40), await Stored("b.kp", 30));
        var first = StartSender();
        await UntilAccepted(a, b);
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);

        // Stored while no sender ran; the next sends it, after what it would repeat (it sends oldest first).
        var c = await Stored("c.kp", 10);
        StartSender();
        await UntilAccepted(c);
        Assert.Equal([1, 1, 1], new[] { a, b, c }.Select(TimesAccepted));
        Assert.Equal([2, 2, 2], new[] { a, b, c }.Select(x => _receiver.Attempts[Id(x)]));
    }

    [Fact]
    public void The_read_window_is_the_setting_or_as_long_as_the_slowest_site_takes_to_confirm_a_change()
    {
        var webhook = new WebhookOptions { Lookback = TimeSpan.FromHours(1) };
        Assert.Equal(TimeSpan.FromHours(1), WebhookSender.Lookback(webhook, new UptimeOptions()));

        // A site probed hourly needs three failures to go down: its change is dated up to three hours before it is stored.
        var hourly = new UptimeOptions { Sites = [new ProbeSiteOptions { Site = "slow.kp", Interval = TimeSpan.FromHours(1) }] };
        Assert.Equal(TimeSpan.FromHours(5), WebhookSender.Lookback(webhook, hourly));
    }

    [Fact]
    public async Task Without_a_store_for_the_ids_sent_a_new_sender_sends_the_window_again()
    {
        var a = await Stored("a.kp", 40);
        var first = StartSender(keepSent: false);
        await UntilAccepted(a);
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);

        StartSender(keepSent: false);
        await AwaitConditionAsync(() => Task.FromResult(TimesAccepted(a) == 2), Delivered, Check);
    }
}
