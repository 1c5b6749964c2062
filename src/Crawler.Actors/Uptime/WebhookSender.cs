using Crawler.Actors.Serialization;
using System.Globalization;
using Akka.Actor;
using Crawler.Net.Notifications;
using Microsoft.Extensions.Logging;

namespace Crawler.Actors.Uptime;

/// <summary>
/// Sends every stored state change (and every country-wide outage start and end) to the configured webhook,
/// one at a time in the order they happened; <see cref="WebhookNotifier"/> retries each with backoff.
/// </summary>
internal sealed class WebhookSender : ReceiveActor
{
    private readonly WebhookNotifier _notifier;
    private readonly ILogger _logger;
    private readonly Queue<WebhookEvent> _queue = new();
    private bool _sending;

    public WebhookSender(WebhookNotifier notifier, ILogger logger)
    {
        _notifier = notifier;
        _logger = logger;

        Receive<ProbeProtocol.StateChanged>(c => Enqueue(Event(c)));
        Receive<ProbeProtocol.CountryOutageChanged>(c => Enqueue(Event(c)));
        Receive<Sent>(OnSent);
        Receive<Akka.Cluster.Tools.PublishSubscribe.SubscribeAck>(_ => { });
    }

    protected override void PreStart()
    {
        CrawlerEvents.Subscribe(Context, typeof(ProbeProtocol.StateChanged));
        CrawlerEvents.Subscribe(Context, typeof(ProbeProtocol.CountryOutageChanged));
    }

    protected override void PostStop()
    {
        CrawlerEvents.Unsubscribe(Context, typeof(ProbeProtocol.StateChanged));
        CrawlerEvents.Unsubscribe(Context, typeof(ProbeProtocol.CountryOutageChanged));
    }

    internal static WebhookEvent Event(ProbeProtocol.StateChanged changed)
    {
        var c = changed.Change;
        return new WebhookEvent(
            $"{c.Site}/{c.ConfirmedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}/{c.To}",
            "state-change",
            c.Site,
            c.From.ToString().ToLowerInvariant(),
            c.To.ToString().ToLowerInvariant(),
            c.At,
            c.ConfirmedAt,
            c.Reason.ToString())
        {
            OutageStart = changed.Outage?.Start,
            OutageEnd = changed.Outage?.End,
            OutageSeconds = changed.Outage?.Duration?.TotalSeconds,
        };
    }

    internal static WebhookEvent Event(ProbeProtocol.CountryOutageChanged changed)
    {
        var (kind, outage) = (changed.Event.Kind, changed.Event.Outage);
        var started = kind == Core.Uptime.CountryOutageEventKind.Started;
        return new WebhookEvent(
            $"country/{outage.Start.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}/{kind}",
            "country-outage",
            "kp",
            started ? "up" : "down",
            started ? "down" : "up",
            started ? outage.Start : outage.End ?? outage.ConfirmedAt,
            outage.ConfirmedAt,
            $"{outage.FailedTargets.ToString(CultureInfo.InvariantCulture)} of {outage.Targets.ToString(CultureInfo.InvariantCulture)} targets failing")
        {
            OutageStart = outage.Start,
            OutageEnd = outage.End,
            OutageSeconds = outage.Duration?.TotalSeconds,
        };
    }

    private void Enqueue(WebhookEvent evt)
    {
        _queue.Enqueue(evt);
        SendNext();
    }

    private void SendNext()
    {
        if (_sending || !_queue.TryDequeue(out var evt))
        {
            return;
        }

        _sending = true;
        _notifier.SendAsync(evt, CancellationToken.None).PipeTo(
            Self,
            success: d => new Sent(evt, d),
            failure: ex => new Sent(evt, new WebhookDelivery(false, 0, null, ex.Message)));
    }

    private void OnSent(Sent sent)
    {
        _sending = false;
        if (!sent.Delivery.Delivered)
        {
            Log.WebhookFailed(_logger, sent.Event.Kind, sent.Event.Site, sent.Delivery.Attempts, sent.Delivery.Error);
        }

        SendNext();
    }

    private sealed record Sent(WebhookEvent Event, WebhookDelivery Delivery) : INoSerializationVerificationNeeded;
}
