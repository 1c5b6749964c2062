using System.Text.Json;
using Akka.Actor;
using Crawler.Actors.Serialization;
using Crawler.Core.Uptime;
using Crawler.Net.Notifications;
using Crawler.Storage;
using Microsoft.Extensions.Logging;

namespace Crawler.Actors.Uptime;

/// <summary>
/// Sends every stored state change (and every country-wide outage start and end) to the configured webhook, one at a time,
/// oldest confirmation first; <see cref="WebhookNotifier"/> retries each with backoff. What to send is read from the uptime
/// store (<see cref="WebhookOutbox"/>), never taken from an announcement alone: announcements cross nodes through
/// Distributed Pub-Sub, which drops what is published before a subscription has spread or while this singleton moves, and a
/// probe's node can stop between storing a change and announcing it. An announcement wakes the sender; it also reads the
/// store every <see cref="WebhookOptions.PollInterval"/>. The ids sent are kept in the crawl store's settings, so a sender
/// that takes over on another node sends what its predecessor had not, and nothing twice.
/// </summary>
internal sealed class WebhookSender : ReceiveActor, IWithTimers
{
    /// <summary>The crawl store setting that holds the ids sent (a JSON array) whose events are still in the read window.</summary>
    internal const string SentSetting = "uptime.webhook.sent";

    private const string PollTimer = "poll";
    private readonly WebhookNotifier _notifier;
    private readonly IUptimeStore _store;
    private readonly ICrawlStore? _settings;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _lookback;
    private readonly ILogger _logger;
    private readonly Queue<WebhookEvent> _queue = new();
    private WebhookOutbox _outbox = new();
    private WebhookEvent? _inFlight;
    private bool _keeping;
    private bool _reading;
    private bool _readAgain;

    /// <param name="notifier">Delivers one event, with its retries.</param>
    /// <param name="store">The uptime store: the outbox.</param>
    /// <param name="uptime">The probes' settings: how long a change may take to be confirmed widens the read window.</param>
    /// <param name="settings">Where the ids sent are kept across senders; null: in memory only (a new sender sends the window again).</param>
    /// <param name="clock">Dates the read window.</param>
    /// <param name="logger">For failed deliveries and store failures.</param>
    public WebhookSender(WebhookNotifier notifier, IUptimeStore store, UptimeOptions uptime, ICrawlStore? settings, TimeProvider clock, ILogger logger)
    {
        _notifier = notifier;
        _store = store;
        _lookback = Lookback(notifier.Options, uptime);
        _settings = settings;
        _clock = clock;
        _logger = logger;
        Become(Loading);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private TimeSpan PollInterval => _notifier.Options.PollInterval;

    /// <summary>
    /// How far back the store is read: the setting, or longer when a change can take longer to be confirmed (it is dated to
    /// the first probe of its run, which may lie that many probes back on the slowest site's interval, plus two to spare).
    /// </summary>
    internal static TimeSpan Lookback(WebhookOptions webhook, UptimeOptions uptime)
    {
        var slowest = uptime.Sites.Select(s => s.Interval ?? uptime.Interval).Append(uptime.Interval).Max();
        var probes = Math.Max(Math.Max(uptime.FailuresToDown, uptime.SuccessesToUp), uptime.SlowToDegraded) + 2;
        var confirming = slowest * probes;
        return confirming > webhook.Lookback ? confirming : webhook.Lookback;
    }

    protected override void PreStart()
    {
        CrawlerEvents.Subscribe(Context, typeof(ProbeProtocol.StateChanged));
        CrawlerEvents.Subscribe(Context, typeof(ProbeProtocol.CountryOutageChanged));
        Load();
    }

    protected override void PostStop()
    {
        CrawlerEvents.Unsubscribe(Context, typeof(ProbeProtocol.StateChanged));
        CrawlerEvents.Unsubscribe(Context, typeof(ProbeProtocol.CountryOutageChanged));
    }

    private void Load()
    {
        if (_settings is not { } settings)
        {
            Self.Tell(new Loaded([], null));
            return;
        }

        LoadSent(settings).PipeTo(Self, failure: ex => new Loaded([], ex));
    }

    private static async Task<Loaded> LoadSent(ICrawlStore settings)
    {
        var json = await settings.GetSettingAsync(SentSetting).ConfigureAwait(false);
        try
        {
            return new Loaded(json is null ? [] : JsonSerializer.Deserialize<string[]>(json) ?? [], null);
        }
        catch (JsonException)
        {
            // Not what this sender writes: start from nothing sent (the window goes out again; receivers drop repeats by id).
            return new Loaded([], null);
        }
    }

    private void Loading()
    {
        Receive<Loaded>(loaded =>
        {
            if (loaded.Error is not null)
            {
                // Without the ids sent, everything in the window would go out again: wait for the store instead.
                Log.WebhookReadFailed(_logger, loaded.Error, PollInterval);
                Timers.StartSingleTimer(PollTimer, Poll.Instance, PollInterval);
                return;
            }

            _outbox = new WebhookOutbox(loaded.Sent);
            Become(Ready);
            Timers.StartPeriodicTimer(PollTimer, Poll.Instance, PollInterval);
            Read();
        });
        Receive<Poll>(_ => Load());
        Receive<ProbeProtocol.StateChanged>(_ => { }); // read from the store once loaded
        Receive<ProbeProtocol.CountryOutageChanged>(_ => { });
        Receive<Akka.Cluster.Tools.PublishSubscribe.SubscribeAck>(_ => { });
    }

    private void Ready()
    {
        Receive<ProbeProtocol.StateChanged>(_ => Read());
        Receive<ProbeProtocol.CountryOutageChanged>(_ => Read());
        Receive<Poll>(_ => Read());
        Receive<Owed>(OnOwed);
        Receive<Sent>(OnSent);
        Receive<Kept>(OnKept);
        Receive<Akka.Cluster.Tools.PublishSubscribe.SubscribeAck>(_ => { });
    }

    private void Read()
    {
        if (_reading)
        {
            _readAgain = true; // what was stored since this read began is read right after it
            return;
        }

        _reading = true;
        var now = _clock.GetUtcNow();
        ReadWindow(_store, now - _lookback, now.AddDays(1)).PipeTo(Self, failure: ex => new Owed([], [], [], ex));
    }

    private static async Task<Owed> ReadWindow(IUptimeStore store, DateTimeOffset from, DateTimeOffset to)
    {
        var changes = await store.GetStateChangesAsync(null, from, to).ConfigureAwait(false);
        var outages = await store.GetOutagesAsync(null, from, to).ConfigureAwait(false);
        var country = await store.GetCountryOutagesAsync(from, to).ConfigureAwait(false);
        return new Owed(changes, outages, country, null);
    }

    private void OnOwed(Owed read)
    {
        _reading = false;
        if (read.Error is not null)
        {
            Log.WebhookReadFailed(_logger, read.Error, PollInterval);
        }
        else
        {
            _queue.Clear();
            foreach (var evt in _outbox.Owed(read.Changes, read.Outages, read.CountryOutages))
            {
                if (evt.Id != _inFlight?.Id)
                {
                    _queue.Enqueue(evt);
                }
            }

            SendNext();
        }

        if (_readAgain)
        {
            _readAgain = false;
            Read();
        }
    }

    private void SendNext()
    {
        if (_inFlight is not null || _keeping)
        {
            return;
        }

        while (_queue.TryDequeue(out var evt))
        {
            if (_outbox.IsSent(evt.Id))
            {
                continue;
            }

            _inFlight = evt;
            _notifier.SendAsync(evt, CancellationToken.None).PipeTo(
                Self,
                success: d => new Sent(evt, d),
                failure: ex => new Sent(evt, new WebhookDelivery(false, 0, null, ex.Message)));
            return;
        }
    }

    private void OnSent(Sent sent)
    {
        _inFlight = null;
        if (!sent.Delivery.Delivered)
        {
            // Given up after every retry: logged, and not tried again (as an alert that never reached its receiver).
            Log.WebhookFailed(_logger, sent.Event.Kind, sent.Event.Site, sent.Delivery.Attempts, sent.Delivery.Error);
        }

        _outbox.MarkSent(sent.Event.Id);
        if (_settings is not { } settings)
        {
            SendNext();
            return;
        }

        // Kept before the next is sent, so a sender that takes over repeats at most the one in flight.
        _keeping = true;
        var ids = _outbox.Sent.Order(StringComparer.Ordinal).ToArray();
        settings.SetSettingAsync(SentSetting, JsonSerializer.Serialize(ids)).PipeTo(
            Self,
            success: () => new Kept(ids.Length, null),
            failure: ex => new Kept(ids.Length, ex));
    }

    private void OnKept(Kept kept)
    {
        _keeping = false;
        if (kept.Error is not null)
        {
            Log.WebhookSentNotKept(_logger, kept.Error, kept.Count);
        }

        SendNext();
    }

    private sealed record Loaded(IReadOnlyList<string> Sent, Exception? Error) : INoSerializationVerificationNeeded;

    private sealed record Owed(IReadOnlyList<StateChange> Changes, IReadOnlyList<Outage> Outages, IReadOnlyList<CountryOutage> CountryOutages, Exception? Error)
        : INoSerializationVerificationNeeded;

    private sealed record Sent(WebhookEvent Event, WebhookDelivery Delivery) : INoSerializationVerificationNeeded;

    private sealed record Kept(int Count, Exception? Error) : INoSerializationVerificationNeeded;

    private sealed record Poll : INoSerializationVerificationNeeded
    {
        public static Poll Instance { get; } = new();
    }
}
