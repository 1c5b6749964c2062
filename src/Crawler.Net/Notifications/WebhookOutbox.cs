using System.Globalization;
using Crawler.Core.Uptime;

namespace Crawler.Net.Notifications;

/// <summary>
/// Which stored uptime events the webhook still owes. The uptime store is the outbox: every state change and country-wide
/// outage is stored before anything announces it, and the sender reads a recent window of the store and sends what this
/// outbox has not seen sent. Announcements (Distributed Pub-Sub) only wake the sender up; one lost in transit, or a
/// sender that moved to another node, loses no event.
/// <para>
/// The ids sent are kept only while the store still returns their events: a read forgets every sent id it no longer holds.
/// The window only moves forward, so an event that left it cannot come back, and the set stays as small as the window.
/// The caller keeps the set in the store, so the next sender (after a node left) sends neither less nor twice.
/// </para>
/// Hand-written: this is the crawler's own bookkeeping over its own store (no library keeps an outbox of these records).
/// </summary>
public sealed class WebhookOutbox
{
    private static readonly TimeSpan SameInstant = TimeSpan.FromMilliseconds(1);
    private readonly HashSet<string> _sent;

    public WebhookOutbox(IEnumerable<string>? sent = null) => _sent = new(sent ?? [], StringComparer.Ordinal);

    /// <summary>The ids sent whose events the last read still held.</summary>
    public IReadOnlyCollection<string> Sent => _sent;

    public bool IsSent(string id) => _sent.Contains(id);

    public void MarkSent(string id) => _sent.Add(id);

    /// <summary>
    /// The events of one read of the store not sent yet, oldest confirmation first; forgets the sent ids the read does not hold.
    /// </summary>
    /// <param name="changes">State changes of every site with At in the window.</param>
    /// <param name="outages">Site outages overlapping the window (they give a change its outage start, end and length).</param>
    /// <param name="countryOutages">Country-wide outages overlapping the window.</param>
    public IReadOnlyList<WebhookEvent> Owed(IReadOnlyList<StateChange> changes, IReadOnlyList<Outage> outages, IReadOnlyList<CountryOutage> countryOutages)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(outages);
        ArgumentNullException.ThrowIfNull(countryOutages);
        var all = new List<(DateTimeOffset Order, WebhookEvent Event)>();
        foreach (var change in changes)
        {
            all.Add((change.ConfirmedAt, Event(change, OutageOf(change, outages))));
        }

        foreach (var outage in countryOutages)
        {
            all.Add((outage.ConfirmedAt, Event(new CountryOutageEvent(CountryOutageEventKind.Started, outage with { End = null }))));
            if (outage.End is { } end)
            {
                all.Add((end, Event(new CountryOutageEvent(CountryOutageEventKind.Ended, outage))));
            }
        }

        _sent.IntersectWith(all.Select(e => e.Event.Id));
        return [.. all.Where(e => !_sent.Contains(e.Event.Id)).OrderBy(e => e.Order).ThenBy(e => e.Event.Id, StringComparer.Ordinal).Select(e => e.Event)];
    }

    /// <summary>The outage a change opened (to Down: still open as the change was announced) or closed (from Down).</summary>
    private static Outage? OutageOf(StateChange change, IReadOnlyList<Outage> outages)
    {
        if (change.To == SiteState.Down)
        {
            return outages.FirstOrDefault(o => o.Site == change.Site && (o.Start - change.At).Duration() < SameInstant) is { } opened ? opened with { End = null } : null;
        }

        return change.From == SiteState.Down
            ? outages.FirstOrDefault(o => o.Site == change.Site && o.End is { } end && (end - change.At).Duration() < SameInstant)
            : null;
    }

    /// <summary>The notification of a site's state change; its id is the site, the confirmation time and the new state.</summary>
    public static WebhookEvent Event(StateChange change, Outage? outage)
    {
        ArgumentNullException.ThrowIfNull(change);
        return new WebhookEvent(
            $"{change.Site}/{change.ConfirmedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}/{change.To}",
            "state-change",
            change.Site,
            change.From.ToString().ToLowerInvariant(),
            change.To.ToString().ToLowerInvariant(),
            change.At,
            change.ConfirmedAt,
            change.Reason.ToString())
        {
            OutageStart = outage?.Start,
            OutageEnd = outage?.End,
            OutageSeconds = outage?.Duration?.TotalSeconds,
        };
    }

    /// <summary>The notification of a country-wide outage's start or end; its id is the outage's start and the kind.</summary>
    public static WebhookEvent Event(CountryOutageEvent changed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        var (kind, outage) = (changed.Kind, changed.Outage);
        var started = kind == CountryOutageEventKind.Started;
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
}
