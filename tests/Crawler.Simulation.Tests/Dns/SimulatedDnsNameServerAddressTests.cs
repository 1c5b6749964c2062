using System.Net;
using Crawler.Simulation.Dns;
using DnsClient;
using Xunit;

namespace Crawler.Simulation.Tests.Dns;

/// <summary>The simulated server playing each zone's own name servers on their (loopback-mapped) glue addresses.</summary>
public sealed class SimulatedDnsNameServerAddressTests
{
    [Fact]
    public async Task By_default_the_server_listens_on_127_0_0_1_only()
    {
        await using var server = await DnsTestSupport.Start2016Async();

        var endPoint = Assert.Single(server.EndPoints);
        Assert.Equal(server.EndPoint, endPoint);
        Assert.Equal(IPAddress.Loopback, endPoint.Address);
        await Assert.ThrowsAsync<DnsResponseException>(() => DnsTestSupport.Client(
            new IPEndPoint(NameServerAddressesIn2016Zones().First(), server.EndPoint.Port), tcpOnly: true, timeoutMs: 1000)
            .QueryAsync("kcna.kp", QueryType.A));
    }

    [Fact]
    public async Task With_ListenOnNameServerAddresses_it_answers_on_every_name_server_address_over_UDP_and_TCP()
    {
        await using var server = await DnsTestSupport.Start2016Async(new SimulatedDnsOptions { ListenOnNameServerAddresses = true });
        var expected = NameServerAddressesIn2016Zones();

        Assert.Equal(server.EndPoint, server.EndPoints[0]);
        Assert.All(server.EndPoints, e => Assert.Equal(server.EndPoint.Port, e.Port));
        Assert.Equal(
            expected.Select(a => a.ToString()).Order(StringComparer.Ordinal),
            server.EndPoints.Skip(1).Select(e => e.Address.ToString()).Order(StringComparer.Ordinal));
        foreach (var address in expected)
        {
            var endPoint = new IPEndPoint(address, server.EndPoint.Port);
            var udp = await DnsTestSupport.Client(endPoint).QueryAsync("vok.rep.kp", QueryType.A);
            var tcp = await DnsTestSupport.Client(endPoint, tcpOnly: true).QueryAsync("vok.rep.kp", QueryType.A);
            Assert.Equal(2, udp.Answers.ARecords().Count());
            Assert.Equal(2, tcp.Answers.ARecords().Count());
        }
    }

    [Fact]
    public async Task Zone_transfers_record_the_local_endpoint_they_arrived_at_and_whether_they_were_answered()
    {
        await using var server = await DnsTestSupport.Start2016Async(new SimulatedDnsOptions { ListenOnNameServerAddresses = true });
        var ns1CoKp = new IPEndPoint(IPAddress.Parse("127.45.176.15"), server.EndPoint.Port); // ns1.co.kp, 175.45.176.15 in 2016

        var answered = await DnsTestSupport.Client(ns1CoKp, tcpOnly: true).QueryAsync("co.kp", QueryType.AXFR);
        server.Options.AllowAxfr = false;
        var refused = await DnsTestSupport.Client(server.EndPoint, tcpOnly: true).QueryAsync("CO.kp.", QueryType.AXFR);
        await DnsTestSupport.Client(server.EndPoint).QueryAsync("co.kp", QueryType.SOA); // not a transfer: not recorded

        Assert.NotEmpty(answered.Answers.SoaRecords());
        Assert.Equal(DnsHeaderResponseCode.Refused, refused.Header.ResponseCode);
        Assert.Collection(
            server.ZoneTransfers,
            first =>
            {
                Assert.Equal(("co.kp", ns1CoKp, true), (first.Zone, first.LocalEndPoint, first.Answered));
                Assert.Equal(IPAddress.Loopback.AddressFamily, first.RemoteEndPoint.AddressFamily);
            },
            second => Assert.Equal(("co.kp", server.EndPoint, false), (second.Zone, second.LocalEndPoint, second.Answered)));
    }

    /// <summary>
    /// The A records of name-server hosts (targets of NS records) in the 2016 transfers, moved to 127/8: read from the
    /// dig files independently of the catalog.
    /// </summary>
    private static List<IPAddress> NameServerAddressesIn2016Zones()
    {
        var lines = DnsTestSupport.LeakedZones.SelectMany(DnsTestSupport.ExpectedTransferLines)
            .Select(l => l.Split(' '))
            .ToList();
        var hosts = lines.Where(f => f[2] == "NS").Select(f => f[3]).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var addresses = lines.Where(f => f[2] == "A" && hosts.Contains(f[0])).Select(f => IPAddress.Parse(f[3])).Distinct().ToList();
        Assert.NotEmpty(addresses);
        return addresses;
    }
}
