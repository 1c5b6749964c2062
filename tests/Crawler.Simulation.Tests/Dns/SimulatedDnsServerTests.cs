using System.Net;
using Crawler.Simulation.Dns;
using Xunit;
using DnsClient;
using DnsClient.Protocol;

namespace Crawler.Simulation.Tests.Dns;

public sealed class SimulatedDnsServerTests
{
    [Fact]
    public async Task Kcna_kp_resolves_authoritatively_to_its_two_2016_addresses_on_loopback()
    {
        await using var server = await DnsTestSupport.Start2016Async();

        var response = await DnsTestSupport.Client(server.EndPoint).QueryAsync("kcna.kp", QueryType.A);

        Assert.Equal(DnsHeaderResponseCode.NoError, response.Header.ResponseCode);
        Assert.True(response.Header.HasAuthorityAnswer);
        Assert.Equal(
            [IPAddress.Parse("127.45.176.71"), IPAddress.Parse("127.45.176.74")],
            response.Answers.ARecords().Select(a => a.Address).OrderBy(a => a.ToString()));
    }

    [Fact]
    public async Task Server_listens_on_loopback_with_one_port_for_UDP_and_TCP()
    {
        await using var server = await DnsTestSupport.Start2016Async();

        var udp = await DnsTestSupport.Client(server.EndPoint).QueryAsync("vok.rep.kp", QueryType.A);
        var tcp = await DnsTestSupport.Client(server.EndPoint, tcpOnly: true).QueryAsync("vok.rep.kp", QueryType.A);

        Assert.Equal(IPAddress.Loopback, server.EndPoint.Address);
        Assert.NotEqual(0, server.EndPoint.Port);
        Assert.Equal(2, udp.Answers.ARecords().Count());
        Assert.Equal(2, tcp.Answers.ARecords().Count());
    }

    [Fact]
    public async Task A_requested_port_is_used_and_a_taken_port_fails_to_start()
    {
        await using var first = await DnsTestSupport.Start2016Async();
        var port = first.EndPoint.Port;

        // (Re-binding a port right after its server stopped races the release of its sockets, so
        // the requested-port case has a test of its own with a port that was never used.)
        await Assert.ThrowsAsync<System.Net.Sockets.SocketException>(
            () => DnsTestSupport.Start2016Async(new SimulatedDnsOptions { Port = port }));

        var response = await DnsTestSupport.Client(first.EndPoint).QueryAsync("kcna.kp", QueryType.A);
        Assert.Equal(2, response.Answers.ARecords().Count());
    }

    [Fact]
    public async Task A_server_listens_on_the_port_it_is_given()
    {
        var port = FreePort();
        await using var server = await DnsTestSupport.Start2016Async(new SimulatedDnsOptions { Port = port });
        Assert.Equal(port, server.EndPoint.Port);
        var response = await DnsTestSupport.Client(server.EndPoint).QueryAsync("kcna.kp", QueryType.A);
        Assert.Equal(2, response.Answers.ARecords().Count());
    }

    private static int FreePort()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return ((System.Net.IPEndPoint)socket.LocalEndPoint!).Port;
    }

    [Fact]
    public async Task Airkoryo_has_its_MX_and_the_TXT_with_the_2016_typo()
    {
        await using var server = await DnsTestSupport.Start2016Async();
        var client = DnsTestSupport.Client(server.EndPoint);

        var mx = await client.QueryAsync("airkoryo.com.kp", QueryType.MX);
        var txt = await client.QueryAsync("airkoryo.com.kp", QueryType.TXT);

        Assert.Equal("mail.airkoryo.com.kp.", Assert.Single(mx.Answers.MxRecords()).Exchange.Value);
        Assert.Equal(["vspf1 ipv4:175.45.176.70"], Assert.Single(txt.Answers.TxtRecords()).Text);
        Assert.True(txt.Header.HasAuthorityAnswer);
    }

    [Fact]
    public async Task Unknown_kp_name_is_NXDOMAIN_with_the_kp_SOA_in_authority()
    {
        await using var server = await DnsTestSupport.Start2016Async();

        var response = await DnsTestSupport.Client(server.EndPoint).QueryAsync("unknown.kp", QueryType.A);

        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, response.Header.ResponseCode);
        Assert.True(response.Header.HasAuthorityAnswer);
        Assert.Empty(response.Answers);
        var soa = Assert.Single(response.Authorities.SoaRecords());
        Assert.Equal("kp.", soa.DomainName.Value);
        Assert.Equal(2013083001u, soa.Serial);
    }

    [Fact]
    public async Task Existing_name_without_the_type_is_NODATA_with_SOA()
    {
        await using var server = await DnsTestSupport.Start2016Async();

        var response = await DnsTestSupport.Client(server.EndPoint).QueryAsync("kcna.kp", QueryType.MX);

        Assert.Equal(DnsHeaderResponseCode.NoError, response.Header.ResponseCode);
        Assert.Empty(response.Answers);
        Assert.Equal("kcna.kp.", Assert.Single(response.Authorities.SoaRecords()).DomainName.Value);
    }

    [Fact]
    public async Task Empty_non_terminal_is_NODATA_not_NXDOMAIN()
    {
        await using var server = await DnsTestSupport.Start2016Async();

        var response = await DnsTestSupport.Client(server.EndPoint).QueryAsync("kptc.kp", QueryType.A);

        Assert.Equal(DnsHeaderResponseCode.NoError, response.Header.ResponseCode);
        Assert.Empty(response.Answers);
        Assert.Single(response.Authorities.SoaRecords());
    }

    [Fact]
    public async Task Names_outside_the_zones_are_REFUSED()
    {
        await using var server = await DnsTestSupport.Start2016Async();

        var response = await DnsTestSupport.Client(server.EndPoint).QueryAsync("example.com", QueryType.A);

        Assert.Equal(DnsHeaderResponseCode.Refused, response.Header.ResponseCode);
        Assert.Empty(response.Answers);
    }

    [Theory]
    [InlineData("kp", 2013083001u)]
    [InlineData("com.kp", 2013112203u)]
    [InlineData("edu.kp", 2013082903u)]
    public async Task SOA_serials_are_those_of_2016(string zone, uint serial)
    {
        await using var server = await DnsTestSupport.Start2016Async();

        var response = await DnsTestSupport.Client(server.EndPoint).QueryAsync(zone, QueryType.SOA);

        Assert.Equal(serial, Assert.Single(response.Answers.SoaRecords()).Serial);
    }

    [Fact]
    public async Task NS_answers_carry_glue_in_additional()
    {
        await using var server = await DnsTestSupport.Start2016Async();

        var response = await DnsTestSupport.Client(server.EndPoint).QueryAsync("kcna.kp", QueryType.NS);

        Assert.Equal(["ns1.kcna.kp.", "ns2.kcna.kp."], response.Answers.NsRecords().Select(n => n.NSDName.Value).Order());
        Assert.Equal(
            [IPAddress.Parse("127.45.176.8"), IPAddress.Parse("127.45.176.9")],
            response.Additionals.ARecords().Select(a => a.Address).OrderBy(a => a.ToString()));
    }

    [Theory]
    [InlineData("kp")]
    [InlineData("co.kp")]
    [InlineData("com.kp")]
    [InlineData("edu.kp")]
    [InlineData("gov.kp")]
    [InlineData("net.kp")]
    [InlineData("org.kp")]
    [InlineData("rep.kp")]
    public async Task AXFR_replays_each_2016_transfer_record_for_record(string zone)
    {
        await using var server = await DnsTestSupport.Start2016Async();

        var response = await DnsTestSupport.Client(server.EndPoint, tcpOnly: true).QueryAsync(zone, QueryType.AXFR);

        var expected = DnsTestSupport.ExpectedTransferLines(zone);
        Assert.Equal(DnsTestSupport.DeclaredTransferSize(zone), expected.Count);
        Assert.Equal(expected, response.Answers.Select(DnsTestSupport.Describe));
        Assert.IsType<SoaRecord>(response.Answers[0]);
        Assert.IsType<SoaRecord>(response.Answers[^1]);
    }

    [Fact]
    public async Task AXFR_of_a_delegated_domain_zone_has_its_SOA_NS_glue_and_site_records()
    {
        await using var server = await DnsTestSupport.Start2016Async();

        var response = await DnsTestSupport.Client(server.EndPoint, tcpOnly: true).QueryAsync("kcna.kp", QueryType.AXFR);

        var lines = response.Answers.Select(DnsTestSupport.Describe).ToList();
        Assert.Equal(lines[0], lines[^1]);
        Assert.StartsWith("kcna.kp. 432000 SOA ns1.kcna.kp. root.kcna.kp. 2013083001", lines[0], StringComparison.Ordinal);
        Assert.Contains("kcna.kp. 432000 NS ns1.kcna.kp.", lines);
        Assert.Contains("ns2.kcna.kp. 432000 A 127.45.176.9", lines);
        Assert.Contains("kcna.kp. 3600 A 127.45.176.74", lines);
        Assert.Equal(8, lines.Count);
    }

    [Fact]
    public async Task AXFR_is_refused_when_disabled()
    {
        await using var server = await DnsTestSupport.Start2016Async(new SimulatedDnsOptions { AllowAxfr = false });

        var response = await DnsTestSupport.Client(server.EndPoint, tcpOnly: true).QueryAsync("kp", QueryType.AXFR);

        Assert.Equal(DnsHeaderResponseCode.Refused, response.Header.ResponseCode);
        Assert.Empty(response.Answers);
    }

    [Fact]
    public async Task AddHost_is_visible_at_once_with_a_PTR()
    {
        var catalog = ZoneCatalog.Load2016();
        await using var server = await SimulatedDnsServer.StartAsync(catalog, new SimulatedDnsOptions());
        var client = DnsTestSupport.Client(server.EndPoint);
        var before = await client.QueryAsync("site07.sim.kp", QueryType.A);

        catalog.AddHost("site07.sim.kp", IPAddress.Parse("175.45.177.7"));
        var after = await client.QueryAsync("site07.sim.kp", QueryType.A);
        var ptr = await client.QueryAsync("7.177.45.127.in-addr.arpa", QueryType.PTR);

        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, before.Header.ResponseCode);
        Assert.Equal(IPAddress.Parse("127.45.177.7"), Assert.Single(after.Answers.ARecords()).Address);
        Assert.Equal(300, after.Answers[0].InitialTimeToLive);
        Assert.Equal("site07.sim.kp.", Assert.Single(ptr.Answers.PtrRecords()).PtrDomainName.Value);
    }

    [Fact]
    public async Task PTR_of_a_mapped_2016_address_names_the_site()
    {
        await using var server = await DnsTestSupport.Start2016Async();

        var response = await DnsTestSupport.Client(server.EndPoint).QueryAsync("67.176.45.127.in-addr.arpa", QueryType.PTR);

        Assert.Equal("naenara.com.kp.", Assert.Single(response.Answers.PtrRecords()).PtrDomainName.Value);
        Assert.True(response.Header.HasAuthorityAnswer);
    }

    [Fact]
    public async Task PTR_of_a_shared_address_lists_every_name_on_it_even_beyond_512_bytes()
    {
        await using var server = await DnsTestSupport.Start2016Async();
        var client = DnsTestSupport.Client(server.EndPoint);

        var sites = await client.QueryAsync("81.176.45.127.in-addr.arpa", QueryType.PTR);
        var nameServers = await client.QueryAsync("8.176.45.127.in-addr.arpa", QueryType.PTR);

        Assert.Equal(10, sites.Answers.PtrRecords().Count());
        Assert.Contains("cooks.org.kp.", sites.Answers.PtrRecords().Select(p => p.PtrDomainName.Value));
        Assert.Contains("ns1.kcna.kp.", nameServers.Answers.PtrRecords().Select(p => p.PtrDomainName.Value));
        Assert.True(nameServers.Answers.PtrRecords().Count() > 20);
    }

    [Fact]
    public async Task AXFR_of_the_reverse_zone_lists_the_generated_PTRs()
    {
        await using var server = await DnsTestSupport.Start2016Async();

        var response = await DnsTestSupport.Client(server.EndPoint, tcpOnly: true).QueryAsync(ZoneCatalog.ReverseZoneName, QueryType.AXFR);

        Assert.IsType<SoaRecord>(response.Answers[0]);
        Assert.IsType<SoaRecord>(response.Answers[^1]);
        Assert.Contains(response.Answers.PtrRecords(), p => p.DomainName.Value == "71.176.45.127.in-addr.arpa." && p.PtrDomainName.Value == "kcna.kp.");
    }

    [Fact]
    public async Task SetSoaSerial_is_visible_at_once()
    {
        var catalog = ZoneCatalog.Load2016();
        await using var server = await SimulatedDnsServer.StartAsync(catalog, new SimulatedDnsOptions());

        catalog.SetSoaSerial("kp", 2025010101);
        var response = await DnsTestSupport.Client(server.EndPoint).QueryAsync("kp", QueryType.SOA);

        Assert.Equal(2025010101u, Assert.Single(response.Answers.SoaRecords()).Serial);
        Assert.Equal(2025010101u, catalog.GetSoaSerial("kp."));
    }

    [Fact]
    public async Task SetAddresses_replaces_the_addresses()
    {
        var catalog = ZoneCatalog.Load2016();
        await using var server = await SimulatedDnsServer.StartAsync(catalog, new SimulatedDnsOptions());

        catalog.SetAddresses("kcna.kp", IPAddress.Parse("175.45.176.99"));
        var response = await DnsTestSupport.Client(server.EndPoint).QueryAsync("kcna.kp", QueryType.A);

        Assert.Equal(IPAddress.Parse("127.45.176.99"), Assert.Single(response.Answers.ARecords()).Address);
    }

    [Fact]
    public async Task Removed_domain_becomes_NXDOMAIN_from_the_parent_zone()
    {
        var catalog = ZoneCatalog.Load2016();
        await using var server = await SimulatedDnsServer.StartAsync(catalog, new SimulatedDnsOptions());

        catalog.Remove("kcna.kp");
        var response = await DnsTestSupport.Client(server.EndPoint).QueryAsync("kcna.kp", QueryType.A);

        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, response.Header.ResponseCode);
        Assert.Equal("kp.", Assert.Single(response.Authorities.SoaRecords()).DomainName.Value);
    }

    [Fact]
    public async Task CNAME_is_followed_within_the_served_data()
    {
        var catalog = ZoneCatalog.Load2016();
        catalog.AddCname("www.kcna.kp", "kcna.kp");
        await using var server = await SimulatedDnsServer.StartAsync(catalog, new SimulatedDnsOptions());

        var response = await DnsTestSupport.Client(server.EndPoint).QueryAsync("www.kcna.kp", QueryType.A);

        Assert.Equal("kcna.kp.", Assert.Single(response.Answers.CnameRecords()).CanonicalName.Value);
        Assert.Equal(2, response.Answers.ARecords().Count());
    }

    [Fact]
    public async Task Silent_server_drops_queries_so_the_client_times_out()
    {
        await using var server = await DnsTestSupport.Start2016Async();
        server.Options.Silent = true;

        var error = await Assert.ThrowsAsync<DnsResponseException>(
            () => DnsTestSupport.Client(server.EndPoint, timeoutMs: 300).QueryAsync("kcna.kp", QueryType.A));

        Assert.Equal(DnsResponseCode.ConnectionTimeout, error.Code);

        // The server counts the query as it handles it, which on a loaded machine can be after the client gave up:
        // wait for the count (bounded; a wall-clock poll for an event, not a timing assertion).
        for (var deadline = DateTime.UtcNow.AddSeconds(10); server.GetQueryCount("kcna.kp") == 0 && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(20);
        }

        Assert.Equal(1, server.GetQueryCount("kcna.kp"));

        server.Options.Silent = false;
        var response = await DnsTestSupport.Client(server.EndPoint).QueryAsync("kcna.kp", QueryType.A);
        Assert.Equal(2, response.Answers.ARecords().Count());
    }

    [Fact]
    public async Task A_silenced_zone_drops_only_names_at_or_below_it()
    {
        var options = new SimulatedDnsOptions();
        options.SilenceZone("kcna.kp");
        await using var server = await DnsTestSupport.Start2016Async(options);
        var client = DnsTestSupport.Client(server.EndPoint, timeoutMs: 300);

        var error = await Assert.ThrowsAsync<DnsResponseException>(() => client.QueryAsync("www.kcna.kp", QueryType.A));
        var other = await client.QueryAsync("vok.rep.kp", QueryType.A);

        Assert.Equal(DnsResponseCode.ConnectionTimeout, error.Code);
        Assert.Equal(2, other.Answers.ARecords().Count());
    }

    [Fact]
    public async Task Query_counts_record_which_names_were_asked()
    {
        await using var server = await DnsTestSupport.Start2016Async();
        var client = DnsTestSupport.Client(server.EndPoint);

        await client.QueryAsync("kcna.kp", QueryType.A);
        await client.QueryAsync("KCNA.kp", QueryType.MX);
        await client.QueryAsync("example.com", QueryType.A);

        Assert.Equal(3, server.QueryCount);
        Assert.Equal(2, server.GetQueryCount("kcna.kp"));
        Assert.Equal(1, server.QueryCountsByName["example.com"]);
        Assert.Equal(0, server.GetQueryCount("vok.rep.kp"));
    }
}
