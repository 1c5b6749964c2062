using Akka.Actor;
using Crawler.Core.Dns;
using Crawler.Net.Dns;
using Crawler.Storage;
using Microsoft.Extensions.Logging;

namespace Crawler.Actors.Dns;

/// <summary>
/// Records the DNS of the names the crawl resolves (A, AAAA, CNAME, NS, SOA, MX, TXT, with the
/// answering server and outcome) as observations in the store, at most once per TTL, and logs
/// what changed since the last one. Sites ask whenever their resolved address expires, so the
/// schedule follows the records' TTLs, not the fetches.
/// </summary>
internal sealed class DnsRecorder : ReceiveActor
{
    private readonly DnsObserver _observer;
    private readonly IDnsStore _store;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly TimeSpan _minInterval;
    private readonly Dictionary<string, DnsObservation> _last = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _due = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);

    public DnsRecorder(DnsObserver observer, IDnsStore store, TimeProvider clock, TimeSpan minInterval, ILogger logger)
    {
        _observer = observer;
        _store = store;
        _clock = clock;
        _minInterval = minInterval;
        _logger = logger;

        Receive<DnsRecorderProtocol.Observe>(OnObserve);
        Receive<Observed>(OnObserved);
    }

    private void OnObserve(DnsRecorderProtocol.Observe observe)
    {
        var name = observe.Name;
        if (_inFlight.Contains(name) || (_due.TryGetValue(name, out var due) && _clock.GetUtcNow() < due))
        {
            return;
        }

        _inFlight.Add(name);
        var observer = _observer;
        var store = _store;
        Observe(observer, store, name).PipeTo(Self, failure: ex => new Observed(name, null, ex));
    }

    private static async Task<Observed> Observe(DnsObserver observer, IDnsStore store, string name)
    {
        var observation = await observer.ObserveAsync(name).ConfigureAwait(false);
        await store.AddObservationsAsync([observation]).ConfigureAwait(false);
        return new Observed(name, observation, null);
    }

    private void OnObserved(Observed observed)
    {
        _inFlight.Remove(observed.Name);
        if (observed.Observation is not { } current)
        {
            Log.DnsRecordFailed(_logger, observed.Error!, observed.Name);
            _due[observed.Name] = _clock.GetUtcNow() + _minInterval;
            return;
        }

        _last.TryGetValue(observed.Name, out var previous);
        foreach (var change in DnsHistory.Compare(previous, current))
        {
            Log.DnsChanged(_logger, change.Name, change.Kind.ToString(), change.Before, change.After);
        }

        _last[observed.Name] = current;
        var ttl = current.Records.Count > 0 ? TimeSpan.FromSeconds(current.Records.Min(r => r.Ttl)) : TimeSpan.Zero;
        _due[observed.Name] = current.At + (ttl > _minInterval ? ttl : _minInterval);
    }

    private sealed record Observed(string Name, DnsObservation? Observation, Exception? Error);
}
