using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Crawler.Simulation.Dns;

/// <summary>An AXFR request as the server received it: the zone asked for, and the local endpoint it arrived at.</summary>
public sealed record ZoneTransferRequest(string Zone, IPEndPoint LocalEndPoint, IPEndPoint RemoteEndPoint, bool Answered);

/// <summary>
/// The authoritative name server of the simulated .kp web (playing ns2.kptc.kp), on 127.0.0.1 over UDP and TCP on one
/// port, and with <see cref="SimulatedDnsOptions.ListenOnNameServerAddresses"/> also on every name-server glue address
/// of its zones (the same port), playing each zone's own servers. Answers from a live <see cref="ZoneCatalog"/> with the
/// AA flag: A, AAAA, NS, SOA, MX, TXT, CNAME (followed through its zones), SRV, PTR under 127.in-addr.arpa, ANY;
/// NXDOMAIN or NODATA with the zone's SOA in the authority section; REFUSED for names outside its zones; AXFR over TCP
/// when <see cref="SimulatedDnsOptions.AllowAxfr"/> (SOA, records, SOA; REFUSED over UDP or when disabled), each
/// recorded in <see cref="ZoneTransfers"/> with the local endpoint it arrived at. Silenced queries
/// (<see cref="SimulatedDnsOptions"/>) are counted and then never answered.
/// </summary>
public sealed class SimulatedDnsServer : IAsyncDisposable
{
    private const int TransportTimeoutMs = 5000;
    private const int TcpKeepAliveMs = 30000;
    private const int PortAttempts = 20;

    private readonly ZoneCatalog _catalog;
    private readonly List<DnsServer> _servers = [];
    private readonly ConcurrentDictionary<string, long> _queriesByName = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ZoneTransferRequest> _zoneTransfers = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _queryCount;
    private int _disposed;

    private SimulatedDnsServer(ZoneCatalog catalog, SimulatedDnsOptions options, IReadOnlyList<IPEndPoint> endPoints)
    {
        _catalog = catalog;
        Options = options;
        EndPoints = endPoints;
    }

    /// <summary>127.0.0.1 and the port, the same for UDP and TCP.</summary>
    public IPEndPoint EndPoint => EndPoints[0];

    /// <summary>
    /// Every endpoint listened on (UDP and TCP): <see cref="EndPoint"/> first, then, with
    /// <see cref="SimulatedDnsOptions.ListenOnNameServerAddresses"/>, each name-server address on the same port.
    /// </summary>
    public IReadOnlyList<IPEndPoint> EndPoints { get; }

    /// <summary>The live options (change Silent, AllowAxfr or silenced zones here while running).</summary>
    public SimulatedDnsOptions Options { get; }

    public ZoneCatalog Catalog => _catalog;

    /// <summary>Queries received (over UDP and TCP, including dropped and refused ones).</summary>
    public long QueryCount => Interlocked.Read(ref _queryCount);

    /// <summary>A snapshot of the number of queries per question name (normalised: lower case, no trailing dot).</summary>
    public IReadOnlyDictionary<string, long> QueryCountsByName => new Dictionary<string, long>(_queriesByName, StringComparer.Ordinal);

    /// <summary>
    /// A snapshot of every AXFR request received, in arrival order: the zone (normalised), the local endpoint it arrived
    /// at, the client, and whether it was answered with the zone (false when refused or dropped).
    /// </summary>
    public IReadOnlyList<ZoneTransferRequest> ZoneTransfers => [.. _zoneTransfers];

    /// <summary>Queries received whose question name is <paramref name="name"/> (any type, case-insensitive).</summary>
    public long GetQueryCount(string name) => _queriesByName.GetValueOrDefault(DnsNames.Normalize(name));

    public static Task<SimulatedDnsServer> StartAsync(ZoneCatalog catalog, SimulatedDnsOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Port, IPEndPoint.MaxPort);

        IReadOnlyList<IPAddress> addresses = options.ListenOnNameServerAddresses
            ? [IPAddress.Loopback, .. catalog.State.NameServerAddresses().Where(a => IPAddress.IsLoopback(a) && !a.Equals(IPAddress.Loopback))]
            : [IPAddress.Loopback];

        // ARSoft's transports bind in DnsServer.Start() and do not expose the bound port, so for Port = 0 a port is
        // picked that is free for both UDP and TCP right now, then bound; if another process takes it in between,
        // Start() fails with AddressInUse and another port is tried.
        for (var attempt = 1; ; attempt++)
        {
            ct.ThrowIfCancellationRequested();
            var port = options.Port != 0 ? options.Port : PickPortFreeForUdpAndTcp();
            var simulated = new SimulatedDnsServer(catalog, options, [.. addresses.Select(a => new IPEndPoint(a, port))]);
            try
            {
                simulated.Listen();
                return Task.FromResult(simulated);
            }
            catch (SocketException ex)
            {
                simulated.StopServers();
                if (ex.SocketErrorCode != SocketError.AddressAlreadyInUse || options.Port != 0 || attempt >= PortAttempts)
                {
                    throw;
                }
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            StopServers();
            _stopped.TrySetResult(); // releases dropped queries; their sockets are closed, so nothing is sent
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// One ARSoft server per endpoint: its query event does not tell which local address a query arrived at, so each
    /// server's handler is bound to its own endpoint.
    /// </summary>
    private void Listen()
    {
        foreach (var endPoint in EndPoints)
        {
            var udp = new UdpServerTransport(endPoint, TransportTimeoutMs);
            var tcp = new TcpServerTransport(endPoint, TransportTimeoutMs, TcpKeepAliveMs);
            var server = new DnsServer(udp, tcp);
            var local = endPoint;
            server.QueryReceived += (_, e) => OnQueryReceivedAsync(e, local);
            try
            {
                server.Start();
            }
            catch (SocketException)
            {
                udp.Close(); // Start() may have bound UDP before TCP failed
                tcp.Close();
                throw;
            }

            _servers.Add(server);
        }
    }

    private void StopServers()
    {
        foreach (var server in _servers)
        {
            try
            {
                server.Stop();
            }
            catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OperationCanceledException))
            {
                // ARSoft's Stop() waits for its transports' listen loops, which end by cancellation;
                // when stopped right after starting, that surfaces as cancelled tasks: stopped all the same.
            }
        }

        _servers.Clear();
    }

    private static int PickPortFreeForUdpAndTcp()
    {
        for (var i = 0; i < 100; i++)
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
                // UDP side taken: try another
            }
        }

        throw new InvalidOperationException("no loopback port free for both UDP and TCP");
    }

    private async Task OnQueryReceivedAsync(QueryReceivedEventArgs e, IPEndPoint localEndPoint)
    {
        if (e.Query is not DnsMessage query)
        {
            return;
        }

        Interlocked.Increment(ref _queryCount);
        var question = query.Questions.Count == 1 ? query.Questions[0] : null;
        var qname = question is null ? null : DnsNames.Normalize(question.Name.ToString());
        if (qname is not null)
        {
            _queriesByName.AddOrUpdate(qname, 1, static (_, n) => n + 1);
        }

        var isTransfer = qname is not null && question!.RecordType == RecordType.Axfr;
        if (Options.IsSilenced(qname ?? string.Empty))
        {
            if (isTransfer)
            {
                _zoneTransfers.Enqueue(new ZoneTransferRequest(qname!, localEndPoint, e.RemoteEndpoint, Answered: false));
            }

            // Drop: hold the query until the server stops. ARSoft answers SERVFAIL when a handler sets no response,
            // so the only way to stay silent is never to return while the socket is open.
            await _stopped.Task.ConfigureAwait(false);
            return;
        }

        var response = Answer(query, question, qname, e.TransportProtocol);
        if (isTransfer)
        {
            _zoneTransfers.Enqueue(new ZoneTransferRequest(qname!, localEndPoint, e.RemoteEndpoint, response.ReturnCode == ReturnCode.NoError));
        }

        e.Response = response;
    }

    private DnsMessage Answer(DnsMessage query, DnsQuestion? question, string? qname, TransportProtocol transport)
    {
        var response = query.CreateResponseInstance();
        response.IsRecursionAllowed = false;
        if (question is null || qname is null)
        {
            response.ReturnCode = ReturnCode.FormatError;
            return response;
        }

        if (query.OperationCode != OperationCode.Query)
        {
            response.ReturnCode = ReturnCode.NotImplemented;
            return response;
        }

        if (question.RecordClass != RecordClass.INet && question.RecordClass != RecordClass.Any)
        {
            response.ReturnCode = ReturnCode.Refused;
            return response;
        }

        var state = _catalog.State;
        switch (question.RecordType)
        {
            case RecordType.Axfr:
            {
                var transfer = transport == TransportProtocol.Tcp && Options.AllowAxfr ? ZoneResolver.Transfer(state, qname) : null;
                if (transfer is null)
                {
                    response.ReturnCode = ReturnCode.Refused;
                    return response;
                }

                response.IsAuthoritiveAnswer = true;
                response.ReturnCode = ReturnCode.NoError;
                response.AnswerRecords.AddRange(transfer.Select(ToWire));
                return response;
            }

            case RecordType.Ixfr:
                response.ReturnCode = ReturnCode.NotImplemented;
                return response;
        }

        var resolution = ZoneResolver.Resolve(state, qname, (ushort)question.RecordType);
        response.ReturnCode = resolution.Code switch
        {
            ResolutionCode.NxDomain => ReturnCode.NxDomain,
            ResolutionCode.Refused => ReturnCode.Refused,
            _ => ReturnCode.NoError,
        };
        response.IsAuthoritiveAnswer = resolution.Authoritative;
        response.AnswerRecords.AddRange(resolution.Answer.Select(ToWire));
        response.AuthorityRecords.AddRange(resolution.Authority.Select(ToWire));
        response.AdditionalRecords.AddRange(resolution.Additional.Select(ToWire));
        return response;
    }

    private static DnsRecordBase ToWire(ZoneRecord record)
    {
        var name = ToDomainName(record.Name);
        return record switch
        {
            AddressRr { Type: RrType.A } a => new ARecord(name, a.Ttl, a.Address),
            AddressRr aaaa => new AaaaRecord(name, aaaa.Ttl, aaaa.Address),
            NameRr { Type: RrType.NS } ns => new NsRecord(name, ns.Ttl, ToDomainName(ns.Target)),
            NameRr { Type: RrType.CNAME } cname => new CNameRecord(name, cname.Ttl, ToDomainName(cname.Target)),
            NameRr ptr => new PtrRecord(name, ptr.Ttl, ToDomainName(ptr.Target)),
            SoaRr soa => new SoaRecord(
                name,
                soa.Ttl,
                ToDomainName(soa.PrimaryNameServer),
                ToDomainName(soa.ResponsibleMailbox),
                soa.Serial,
                soa.Refresh,
                soa.Retry,
                soa.Expire,
                soa.Minimum),
            MxRr mx => new MxRecord(name, mx.Ttl, mx.Preference, ToDomainName(mx.Exchange)),
            TxtRr txt => new TxtRecord(name, txt.Ttl, txt.Texts),
            SrvRr srv => new SrvRecord(name, srv.Ttl, srv.Priority, srv.Weight, srv.Port, ToDomainName(srv.Target)),
            _ => throw new InvalidOperationException($"unsupported record {record}"),
        };
    }

    private static DomainName ToDomainName(string name) => name.Length == 0 ? DomainName.Root : DomainName.Parse(name);
}
