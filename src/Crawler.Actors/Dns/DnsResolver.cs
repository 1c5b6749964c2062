using Akka.Actor;
using Crawler.Core.Dns;
using Crawler.Net;
using Crawler.Net.Dns;
using Crawler.Storage;
using Microsoft.Extensions.Logging;

namespace Crawler.Actors.Dns;

/// <summary>
/// The node's resolver: sites ask it for their host's addresses and connect to exactly the
/// addresses it answers. The same answer (its CNAME chain and A / AAAA records with TTLs, the
/// server that gave it, its outcome) is what it records as evidence, together with the zone's
/// NS, SOA, MX and TXT asked at that moment. An answer is recorded when it differs from the last
/// one recorded (new address, NXDOMAIN, time-out...) and otherwise at most once per
/// <c>max(TTL, minimum interval)</c>, so the record follows the TTLs, not the fetches.
/// </summary>
internal sealed class DnsResolver : ReceiveActor
{
    private readonly IHostResolver _resolver;
    private readonly DnsObserver? _observer;
    private readonly IDnsStore? _store;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly TimeSpan _minInterval;
    private readonly Dictionary<string, DnsObservation> _last = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _due = new(StringComparer.Ordinal);
    private readonly HashSet<string> _recording = new(StringComparer.Ordinal);

    public DnsResolver(IHostResolver resolver, DnsObserver? observer, IDnsStore? store, TimeProvider clock, TimeSpan minInterval, ILogger logger)
    {
        _resolver = resolver;
        _observer = observer;
        _store = store;
        _clock = clock;
        _minInterval = minInterval;
        _logger = logger;

        Receive<DnsResolverProtocol.Resolve>(OnResolve);
        Receive<Answered>(OnAnswered);
        Receive<Recorded>(OnRecorded);
    }

    private void OnResolve(DnsResolverProtocol.Resolve resolve)
    {
        var host = resolve.Host;
        var replyTo = Sender;
        _resolver.ResolveAsync(host, CancellationToken.None).AsTask().PipeTo(
            Self,
            success: r => new Answered(r, replyTo),
            failure: ex => new Answered(new ResolvedHost(host, [], ex.Message, TimeSpan.Zero, null), replyTo));
    }

    private void OnAnswered(Answered answered)
    {
        var answer = answered.Answer;
        answered.ReplyTo.Tell(new DnsResolverProtocol.Resolved(answer));
        if (_store is null || answer.At is not { } at || _recording.Contains(answer.Host))
        {
            return; // an IP literal or localhost (never asked of a server), or a record already on its way
        }

        var outcome = Outcome(answer);
        _last.TryGetValue(answer.Host, out var last);
        if (last is not null && at <= last.At)
        {
            return; // the cached answer that was recorded already
        }

        var changed = last is null
            || last.Outcome != outcome
            || !last.Addresses.Order(StringComparer.Ordinal).SequenceEqual(
                answer.Records.Where(r => r.Type is "A" or "AAAA").Select(r => r.Value).Order(StringComparer.Ordinal),
                StringComparer.Ordinal);
        if (!changed && _due.TryGetValue(answer.Host, out var due) && _clock.GetUtcNow() < due)
        {
            return;
        }

        _recording.Add(answer.Host);
        Record(_observer, _store, answer, outcome, at).PipeTo(Self, failure: ex => new Recorded(answer.Host, null, ex));
    }

    private static async Task<Recorded> Record(DnsObserver? observer, IDnsStore store, ResolvedHost answer, string outcome, DateTimeOffset at)
    {
        var records = new List<DnsRecordData>(answer.Records);
        if (observer is not null && outcome == DnsOutcome.NoError)
        {
            // Only a name that exists has a zone worth asking about; after a time-out the rest would time out too.
            var zone = await observer.ObserveAsync(answer.Host, DnsObserver.ZoneTypes).ConfigureAwait(false);
            records.AddRange(zone.Records);
        }

        var observation = new DnsObservation(answer.Host, at, answer.Server ?? string.Empty, outcome, records);
        await store.AddObservationsAsync([observation]).ConfigureAwait(false);
        return new Recorded(answer.Host, observation, null);
    }

    private void OnRecorded(Recorded recorded)
    {
        _recording.Remove(recorded.Name);
        if (recorded.Observation is not { } current)
        {
            Log.DnsRecordFailed(_logger, recorded.Error!, recorded.Name);
            return;
        }

        _last.TryGetValue(recorded.Name, out var previous);
        foreach (var change in DnsHistory.Compare(previous, current))
        {
            Log.DnsChanged(_logger, change.Name, change.Kind.ToString(), change.Before, change.After);
        }

        _last[recorded.Name] = current;
        var ttl = current.Records.Count > 0 ? TimeSpan.FromSeconds(current.Records.Min(r => r.Ttl)) : TimeSpan.Zero;
        _due[recorded.Name] = current.At + (ttl > _minInterval ? ttl : _minInterval);
    }

    /// <summary>The DNS outcome of a resolver answer (an empty NOERROR answer is NOERROR: the name exists).</summary>
    internal static string Outcome(ResolvedHost answer) => answer.Error switch
    {
        null or "NODATA" => DnsOutcome.NoError,
        "NXDOMAIN" => DnsOutcome.NxDomain,
        "REFUSED" => DnsOutcome.Refused,
        "timeout" => DnsOutcome.Timeout,
        _ => DnsOutcome.ServerFailure,
    };

    private sealed record Answered(ResolvedHost Answer, IActorRef ReplyTo) : INoSerializationVerificationNeeded;

    private sealed record Recorded(string Name, DnsObservation? Observation, Exception? Error) : INoSerializationVerificationNeeded;
}
