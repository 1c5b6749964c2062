using System.Net;
using Crawler.Net.Discovery;
using DnsClient;
using DnsClient.Protocol;

namespace Crawler.Net.Tests;

/// <summary>How a zone's transfer is read into delegations (NS hosts and glue), and the options' checks.</summary>
public sealed class DiscoveryDelegationTests
{
    [Fact]
    public void Delegations_below_the_zone_carry_their_NS_hosts_in_order_with_the_glue_of_the_transfer()
    {
        IReadOnlyList<DnsResourceRecord> transfer =
        [
            Ns("com.kp", "ns1.com.kp"), // apex: the zone's own servers, not a delegation
            Ns("Airkoryo.com.kp.", "ns2.airkoryo.com.kp"),
            Ns("airkoryo.com.kp", "ns1.airkoryo.com.kp"),
            A("ns1.airkoryo.com.kp", "127.45.176.8"),
            A("NS2.airkoryo.com.kp", "127.45.176.9"),
            Ns("friend.com.kp", "ns.elsewhere.kp"), // no glue: resolved later through the configured servers
            Ns("kcna.kp", "ns1.kcna.kp"), // outside com.kp: ignored
        ];

        var delegations = ZoneTransferDiscovery.Delegation.Below("com.kp", transfer);

        Assert.Equal(["airkoryo.com.kp", "friend.com.kp"], delegations.Select(d => d.Zone));
        var airkoryo = delegations[0].NameServers;
        Assert.Equal(["ns2.airkoryo.com.kp", "ns1.airkoryo.com.kp"], airkoryo.Select(n => n.Host));
        Assert.Equal([IPAddress.Parse("127.45.176.9")], airkoryo[0].Glue);
        Assert.Equal([IPAddress.Parse("127.45.176.8")], airkoryo[1].Glue);
        var friend = Assert.Single(delegations[1].NameServers);
        Assert.Equal("ns.elsewhere.kp", friend.Host);
        Assert.Empty(friend.Glue);
    }

    [Fact]
    public void Options_default_to_the_zones_own_servers_on_port_53_with_fallback()
    {
        var options = new ZoneTransferOptions();

        Assert.True(options.UseZoneServers);
        Assert.True(options.FallbackToConfiguredServers);
        Assert.Equal(53, options.NameServerPort);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    public void A_name_server_port_outside_1_to_65535_is_rejected(int port) =>
        Assert.ThrowsAny<ArgumentException>(() => new ZoneTransferDiscovery(new ZoneTransferOptions { Servers = ["127.0.0.1:5353"], NameServerPort = port }));

    private static NsRecord Ns(string owner, string host) =>
        new(new ResourceRecordInfo(owner, ResourceRecordType.NS, QueryClass.IN, 300, 0), DnsString.Parse(host));

    private static ARecord A(string owner, string address) =>
        new(new ResourceRecordInfo(owner, ResourceRecordType.A, QueryClass.IN, 300, 0), IPAddress.Parse(address));
}
