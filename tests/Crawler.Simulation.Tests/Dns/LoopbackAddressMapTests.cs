using System.Net;
using Crawler.Simulation.Dns;
using Xunit;

namespace Crawler.Simulation.Tests.Dns;

public sealed class LoopbackAddressMapTests
{
    [Theory]
    [InlineData("175.45.176.71", "127.45.176.71")]
    [InlineData("175.45.179.76", "127.45.179.76")]
    [InlineData("218.25.68.196", "127.25.68.196")]
    public void IPv4_keeps_the_last_three_octets_on_127(string real, string expected) =>
        Assert.Equal(IPAddress.Parse(expected), LoopbackAddressMap.Map(IPAddress.Parse(real)));

    [Fact]
    public void Sites_sharing_an_address_still_share_one_and_distinct_addresses_stay_distinct()
    {
        Assert.Equal(LoopbackAddressMap.Map(IPAddress.Parse("175.45.176.81")), LoopbackAddressMap.Map(IPAddress.Parse("175.45.176.81")));
        Assert.NotEqual(LoopbackAddressMap.Map(IPAddress.Parse("175.45.176.71")), LoopbackAddressMap.Map(IPAddress.Parse("175.45.176.74")));
    }

    [Fact]
    public void Mapping_is_idempotent_on_loopback()
    {
        var once = LoopbackAddressMap.Map(IPAddress.Parse("175.45.176.71"));
        Assert.Equal(once, LoopbackAddressMap.Map(once));
    }

    [Fact]
    public void IPv6_maps_to_the_IPv6_loopback() =>
        Assert.Equal(IPAddress.IPv6Loopback, LoopbackAddressMap.Map(IPAddress.Parse("2001:db8::1")));
}
