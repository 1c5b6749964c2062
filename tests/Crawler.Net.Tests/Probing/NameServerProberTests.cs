using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Crawler.Core.Uptime;
using Crawler.Net.Probing;
using Microsoft.Extensions.Time.Testing;

namespace Crawler.Net.Tests.Probing;

public sealed class NameServerProberTests
{
    private static readonly DateTimeOffset Scheduled = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private const uint Serial = 2026030101;

    private static NameServerProber Prober(IHostResolver? resolver = null, AddressGuard? guard = null, TimeSpan? timeout = null) =>
        new(timeout ?? TimeSpan.FromSeconds(5), resolver ?? new StubResolver([]), guard ?? Fixtures.LoopbackAllowed, TimeProvider.System);

    private static NameServerTarget Target(string nameServer, AuthoritativeDnsServer server, string zone = "kp") =>
        new("ns:" + nameServer, nameServer, zone) { Port = server.Port };

    /// <summary>Probes <paramref name="server"/> by its address and checks it is a DNS error with exactly <paramref name="detail"/>.</summary>
    private static async Task<ProbeResult> AssertDnsErrorAsync(AuthoritativeDnsServer server, string detail)
    {
        var result = await Prober().ProbeAsync(Target("127.0.0.1", server), Scheduled, CancellationToken.None);

        Assert.Equal(ProbeFailure.DnsError, result.Failure);
        Assert.Equal(detail, result.Detail);
        return result;
    }

    [Fact]
    public async Task An_authoritative_soa_answer_is_up_with_the_serial_and_both_steps_timed()
    {
        using var server = new AuthoritativeDnsServer("kp", Serial);
        // The name server's own name is looked up with a real DNS exchange on loopback, as the crawler's resolver does.
        using var dns = new TinyDnsServer(new() { ["ns1.kptc.kp"] = ([IPAddress.Loopback], 300) });
        var resolver = LoopbackResolvers.Over(dns, queryAaaa: false);

        var result = await Prober(resolver).ProbeAsync(Target("ns1.kptc.kp", server), Scheduled, CancellationToken.None);

        Assert.True(result.Success, result.Detail);
        Assert.Equal(ProbeFailure.None, result.Failure);
        Assert.Equal("ns:ns1.kptc.kp", result.Site);
        Assert.Equal(Scheduled, result.At);
        Assert.Equal($"serial {Serial}; mname ns1.kptc.kp.; zone kp.; server 127.0.0.1:{server.Port}", result.Detail);
        Assert.Equal(1, dns.Queries);
        var question = Assert.Single(server.Questions);
        Assert.Equal(("kp", (ushort)6, false), question); // SOA, recursion not desired
        var resolve = Assert.NotNull(result.Resolve);
        var total = Assert.NotNull(result.Total);
        Assert.True(resolve > TimeSpan.Zero, $"resolve {resolve}");
        Assert.True(resolve <= total, $"resolve {resolve} > total {total}");
        Assert.Null(result.Connect);
        Assert.Null(result.HttpStatus);
    }

    [Fact]
    public async Task An_ip_literal_is_asked_directly_without_a_lookup()
    {
        using var server = new AuthoritativeDnsServer("kp", Serial);
        var resolver = new StubResolver([]);

        var result = await Prober(resolver).ProbeAsync(Target("127.0.0.1", server, zone: "KP."), Scheduled, CancellationToken.None);

        Assert.True(result.Success, result.Detail);
        Assert.StartsWith($"serial {Serial};", result.Detail, StringComparison.Ordinal);
        Assert.Equal(0, resolver.Lookups);
        Assert.Equal(TimeSpan.Zero, result.Resolve);
        Assert.Equal(1, server.QueryCount);
    }

    [Fact]
    public async Task A_silent_name_server_is_a_dns_timeout_within_the_timeout_after_one_query()
    {
        using var server = new AuthoritativeDnsServer("kp", Serial) { Mode = SoaServerMode.Silent };
        var timeout = TimeSpan.FromMilliseconds(300);

        var result = await Prober(timeout: timeout).ProbeAsync(Target("127.0.0.1", server), Scheduled, CancellationToken.None);

        Assert.Equal(ProbeFailure.DnsTimeout, result.Failure);
        Assert.Equal($"no answer to the SOA query for kp. from 127.0.0.1:{server.Port} within 300 ms", result.Detail);
        var total = Assert.NotNull(result.Total);
        Assert.True(total >= timeout - TimeSpan.FromMilliseconds(50), $"total {total}");
        Assert.True(total < TimeSpan.FromSeconds(3), $"total {total}"); // not DnsClient's 5 s default
        // A silent server sends nothing back, so the probe's return does not mean the server has read the query yet
        // (a busy CI machine once counted 0): count only after every datagram sent before a marker was read.
        Assert.Equal(1, await server.QueryCountAfterDrainAsync()); // no retries
    }

    [Theory]
    [InlineData(SoaServerMode.Refused, "REFUSED")]
    [InlineData(SoaServerMode.ServerFailure, "SERVFAIL")]
    public async Task A_server_that_refuses_or_fails_is_a_dns_error(SoaServerMode mode, string code)
    {
        using var server = new AuthoritativeDnsServer("kp", Serial) { Mode = mode };

        var result = await AssertDnsErrorAsync(server, $"127.0.0.1:{server.Port} answered {code} for the SOA of kp.");

        Assert.NotNull(result.Total);
        Assert.Equal(1, server.QueryCount);
    }

    [Fact]
    public async Task An_answer_without_the_authoritative_flag_is_a_dns_error()
    {
        using var server = new AuthoritativeDnsServer("kp", Serial) { Mode = SoaServerMode.NotAuthoritative };

        await AssertDnsErrorAsync(server, $"127.0.0.1:{server.Port} is not authoritative for kp. (AA flag not set)");
    }

    [Fact]
    public async Task An_authoritative_answer_without_the_zones_soa_is_a_dns_error()
    {
        // The server is authoritative for another zone only, and answers with that zone's SOA.
        using var server = new AuthoritativeDnsServer("com.kp", Serial);

        await AssertDnsErrorAsync(server, $"127.0.0.1:{server.Port} answered without an SOA record for kp.");
    }

    [Fact]
    public async Task A_name_server_name_that_does_not_resolve_is_nxdomain_and_nothing_is_asked()
    {
        using var server = new AuthoritativeDnsServer("kp", Serial);
        using var dns = new TinyDnsServer([]);
        var resolver = LoopbackResolvers.Over(dns);

        var result = await Prober(resolver).ProbeAsync(Target("ns9.kptc.kp", server), Scheduled, CancellationToken.None);

        Assert.Equal(ProbeFailure.DnsNxDomain, result.Failure);
        Assert.Equal($"ns9.kptc.kp: NXDOMAIN (from {dns.Endpoint})", result.Detail);
        Assert.NotNull(result.Resolve);
        Assert.Equal(0, server.QueryCount);
    }

    [Fact]
    public async Task A_lookup_that_times_out_is_a_dns_timeout()
    {
        using var server = new AuthoritativeDnsServer("kp", Serial);
        using var dns = new TinyDnsServer([], silent: true);
        var resolver = LoopbackResolvers.Impatient(dns);

        var result = await Prober(resolver).ProbeAsync(Target("ns1.kptc.kp", server), Scheduled, CancellationToken.None);

        Assert.Equal(ProbeFailure.DnsTimeout, result.Failure);
        Assert.StartsWith("ns1.kptc.kp: DNS timeout", result.Detail, StringComparison.Ordinal);
        Assert.Equal(0, server.QueryCount);
    }

    [Fact]
    public async Task A_wedged_resolver_is_a_dns_timeout_at_the_limit_on_the_given_clock()
    {
        var clock = new FakeTimeProvider(Scheduled);
        var prober = new NameServerProber(TimeSpan.FromSeconds(2), new HangingResolver(), Fixtures.LoopbackAllowed, clock);

        var probe = prober.ProbeAsync(new NameServerTarget("ns:ns1.kptc.kp", "ns1.kptc.kp", "kp"), Scheduled, CancellationToken.None);
        Assert.False(probe.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(2));
        var result = await probe;

        Assert.Equal(ProbeFailure.DnsTimeout, result.Failure);
        Assert.Equal("no address for ns1.kptc.kp within 2000 ms", result.Detail);
        Assert.Equal(TimeSpan.FromSeconds(2), result.Resolve);
        Assert.Equal(TimeSpan.FromSeconds(2), result.Total);
    }

    [Fact]
    public async Task A_guard_refused_address_is_other_and_no_query_is_sent()
    {
        using var server = new AuthoritativeDnsServer("kp", Serial);
        var resolver = new StubResolver(new() { ["ns1.kptc.kp"] = [IPAddress.Loopback] });

        var byName = await Prober(resolver, AddressGuard.PublicOnly).ProbeAsync(Target("ns1.kptc.kp", server), Scheduled, CancellationToken.None);
        var byLiteral = await Prober(resolver, AddressGuard.PublicOnly).ProbeAsync(Target("127.0.0.1", server), Scheduled, CancellationToken.None);

        foreach (var result in new[] { byName, byLiteral })
        {
            Assert.Equal(ProbeFailure.Other, result.Failure);
            Assert.Equal("address 127.0.0.1 refused by the address guard: loopback (127.0.0.0/8)", result.Detail);
        }

        Assert.Equal(1, resolver.Lookups);
        Assert.Equal(0, server.QueryCount);
    }

    [Fact]
    public async Task A_cancelled_probe_is_a_result_not_an_exception()
    {
        using var server = new AuthoritativeDnsServer("kp", Serial) { Mode = SoaServerMode.Silent };
        using var cts = new CancellationTokenSource();
        var probe = Prober().ProbeAsync(Target("127.0.0.1", server), Scheduled, cts.Token);
        await cts.CancelAsync();

        var result = await probe;

        Assert.Equal(ProbeFailure.Other, result.Failure);
        Assert.Equal("probe cancelled", result.Detail);
    }
}

public enum SoaServerMode
{
    Authoritative,
    NotAuthoritative,
    Refused,
    ServerFailure,
    Silent,
}

/// <summary>
/// A minimal UDP name server on 127.0.0.1:0 authoritative for one zone: answers every query with that zone's SOA
/// (AA set), or per <see cref="Mode"/> without AA, REFUSED, SERVFAIL or not at all; records every question.
/// Hand-written because the simulation's SimulatedDnsServer lives in Crawler.Simulation, which this test project
/// does not reference, and TinyDnsServer answers only A/AAAA as a recursive resolver (RA, no AA).
/// </summary>
internal sealed class AuthoritativeDnsServer : IDisposable
{
    private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly CancellationTokenSource _stop = new();
    private readonly string _zone;
    private readonly uint _serial;
    private readonly List<(string Name, ushort Type, bool RecursionDesired)> _questions = [];

    public AuthoritativeDnsServer(string zone, uint serial)
    {
        _zone = zone;
        _serial = serial;
        _ = Task.Run(ServeAsync);
    }

    public SoaServerMode Mode { get; init; }

    public int Port => ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;

    public IReadOnlyList<(string Name, ushort Type, bool RecursionDesired)> Questions
    {
        get
        {
            lock (_questions)
            {
                return [.. _questions];
            }
        }
    }

    public int QueryCount => Questions.Count;

    /// <summary>
    /// The number of questions once every datagram that reached the socket before this call has been read: sends a
    /// marker query to the server's own port and waits (up to 10 s) until the serve loop reads it. One socket's
    /// receive queue is first in, first out, so everything sent earlier has been counted by then.
    /// </summary>
    public async Task<int> QueryCountAfterDrainAsync()
    {
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await client.SendAsync(MarkerQuery, new IPEndPoint(IPAddress.Loopback, Port));
        await _drained.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return QueryCount;
    }

    private const string Marker = "drain.marker.invalid";

    private static readonly byte[] MarkerQuery = [.. new byte[] { 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 }, .. Name(Marker), 0, 6, 0, 1];

    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose()
    {
        _stop.Cancel();
        _udp.Dispose();
        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (true)
        {
            var (stopped, received) = await ServerStop.OrStoppedAsync(() => _udp.ReceiveAsync(_stop.Token));
            if (stopped)
            {
                return;
            }

            var (name, type, questionEnd) = Question(received.Buffer);
            var recursionDesired = (received.Buffer[2] & 0x01) != 0;
            if (name == Marker)
            {
                _drained.TrySetResult();
                continue;
            }

            lock (_questions)
            {
                _questions.Add((name, type, recursionDesired));
            }

            if (Mode == SoaServerMode.Silent)
            {
                continue;
            }

            var answer = Answer(received.Buffer, questionEnd);
            var (sendStopped, _) = await ServerStop.OrStoppedAsync(() => _udp.SendAsync(answer, received.RemoteEndPoint, _stop.Token));
            if (sendStopped)
            {
                return;
            }
        }
    }

    private static (string Name, ushort Type, int QuestionEnd) Question(byte[] query)
    {
        var offset = 12;
        var labels = new List<string>();
        while (query[offset] != 0)
        {
            labels.Add(Encoding.ASCII.GetString(query, offset + 1, query[offset]));
            offset += query[offset] + 1;
        }

        var type = BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(offset + 1));
        return (string.Join('.', labels).ToLowerInvariant(), type, offset + 5);
    }

    private byte[] Answer(byte[] query, int questionEnd)
    {
        var rcode = Mode switch
        {
            SoaServerMode.Refused => 5,
            SoaServerMode.ServerFailure => 2,
            _ => 0,
        };
        var authoritative = Mode == SoaServerMode.Authoritative;
        var withSoa = Mode is SoaServerMode.Authoritative or SoaServerMode.NotAuthoritative;

        using var reply = new MemoryStream();
        reply.Write(query, 0, 2); // id
        Span<byte> header = stackalloc byte[10];
        var flags = 0x8000 | (query[2] & 0x01) << 8 | (authoritative ? 0x0400 : 0) | rcode; // QR, RD echoed, AA
        BinaryPrimitives.WriteUInt16BigEndian(header, (ushort)flags);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], 1);
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], (ushort)(withSoa ? 1 : 0));
        reply.Write(header);
        reply.Write(query, 12, questionEnd - 12);
        if (withSoa)
        {
            var owner = Name(_zone);
            using var data = new MemoryStream();
            data.Write(Name("ns1.kptc.kp"));
            data.Write(Name("root.kptc.kp"));
            Span<byte> numbers = stackalloc byte[20];
            BinaryPrimitives.WriteUInt32BigEndian(numbers, _serial);
            BinaryPrimitives.WriteUInt32BigEndian(numbers[4..], 28800);
            BinaryPrimitives.WriteUInt32BigEndian(numbers[8..], 7200);
            BinaryPrimitives.WriteUInt32BigEndian(numbers[12..], 1209600);
            BinaryPrimitives.WriteUInt32BigEndian(numbers[16..], 3600);
            data.Write(numbers);
            Span<byte> record = stackalloc byte[10];
            BinaryPrimitives.WriteUInt16BigEndian(record, 6); // SOA
            BinaryPrimitives.WriteUInt16BigEndian(record[2..], 1); // IN
            BinaryPrimitives.WriteInt32BigEndian(record[4..], 3600);
            BinaryPrimitives.WriteUInt16BigEndian(record[8..], (ushort)data.Length);
            reply.Write(owner);
            reply.Write(record);
            reply.Write(data.ToArray());
        }

        return reply.ToArray();
    }

    private static byte[] Name(string name)
    {
        var bytes = new List<byte>();
        foreach (var label in name.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }

        bytes.Add(0);
        return [.. bytes];
    }
}
