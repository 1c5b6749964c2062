using System.Globalization;
using System.Net;
using Crawler.Core.Dns;
using DnsClient;
using DnsClient.Protocol;

namespace Crawler.Net.Dns;

/// <summary>
/// Asks a name server everything archivists record about a name (A, AAAA, CNAME, NS, SOA, MX,
/// TXT) and returns it as one <see cref="DnsObservation"/>, time-outs and errors included.
/// </summary>
public sealed class DnsObserver
{
    private static readonly QueryType[] AllTypes = [QueryType.A, QueryType.AAAA, QueryType.CNAME, QueryType.NS, QueryType.SOA, QueryType.MX, QueryType.TXT];

    /// <summary>What a resolver's address answer lacks: the zone's servers and serial, mail and text records.</summary>
    public static IReadOnlyList<QueryType> ZoneTypes { get; } = [QueryType.NS, QueryType.SOA, QueryType.MX, QueryType.TXT];
    private readonly LookupClient _client;
    private readonly TimeProvider _clock;
    private readonly string _server;

    public DnsObserver(IPEndPoint server, TimeSpan timeout, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        _server = server.ToString();
        _clock = clock ?? TimeProvider.System;
        _client = new LookupClient(new LookupClientOptions(server)
        {
            UseCache = false,
            Retries = 0,
            Timeout = timeout,
            ThrowDnsErrors = false,
            ContinueOnDnsError = false,
            ContinueOnEmptyResponse = false,
        });
    }

    /// <summary>Asks every record type of <see cref="DnsObservation"/> (A, AAAA, CNAME, NS, SOA, MX, TXT).</summary>
    public Task<DnsObservation> ObserveAsync(string name, CancellationToken ct = default) => ObserveAsync(name, AllTypes, ct);

    /// <summary>Asks <paramref name="types"/> at once (in parallel: a silent server costs one time-out, not one per type).
    /// The outcome is the first type's that answered, in the order given; TIMEOUT when none did.</summary>
    public async Task<DnsObservation> ObserveAsync(string name, IReadOnlyList<QueryType> types, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(types);
        var at = _clock.GetUtcNow();
        var answers = await Task.WhenAll(types.Select(t => AskAsync(name, t, ct))).ConfigureAwait(false);
        var records = answers.SelectMany(a => a.Records).ToList();
        var outcome = answers.Select(a => a.Outcome).FirstOrDefault(o => o is not DnsOutcome.Timeout) ?? DnsOutcome.Timeout;
        return new DnsObservation(name.TrimEnd('.').ToLowerInvariant(), at, _server, outcome, records);
    }

    private async Task<(string Outcome, IEnumerable<DnsRecordData> Records)> AskAsync(string name, QueryType type, CancellationToken ct)
    {
        IDnsQueryResponse response;
        try
        {
            response = await _client.QueryAsync(name, type, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (DnsResponseException ex) when (ex.Code is DnsResponseCode.ConnectionTimeout)
        {
            return (DnsOutcome.Timeout, []);
        }

        var outcome = response.Header.ResponseCode switch
        {
            DnsHeaderResponseCode.NoError => DnsOutcome.NoError,
            DnsHeaderResponseCode.NotExistentDomain => DnsOutcome.NxDomain,
            DnsHeaderResponseCode.Refused => DnsOutcome.Refused,
            _ => DnsOutcome.ServerFailure,
        };
        return (outcome, response.Answers.Where(r => r.RecordType == (ResourceRecordType)(int)type).Select(Data).OfType<DnsRecordData>().ToList());
    }

    private static DnsRecordData? Data(DnsResourceRecord record) => record switch
    {
        ARecord a => new("A", a.Address.ToString(), a.TimeToLive),
        AaaaRecord a => new("AAAA", a.Address.ToString(), a.TimeToLive),
        CNameRecord c => new("CNAME", c.CanonicalName.Value, c.TimeToLive),
        NsRecord n => new("NS", n.NSDName.Value, n.TimeToLive),
        SoaRecord s => new("SOA", string.Create(CultureInfo.InvariantCulture, $"{s.MName.Value} {s.RName.Value} {s.Serial} {s.Refresh} {s.Retry} {s.Expire} {s.Minimum}"), s.TimeToLive),
        MxRecord m => new("MX", string.Create(CultureInfo.InvariantCulture, $"{m.Preference} {m.Exchange.Value}"), m.TimeToLive),
        TxtRecord t => new("TXT", string.Join(" ", t.Text.Select(x => "\"" + x.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"")), t.TimeToLive),
        _ => null,
    };
}
