using System.Net;

namespace Crawler.Net.Tests;

public sealed class AddressGuardTests
{
    private static readonly AddressGuard Default = new(new AddressGuardOptions());

    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("10.0.0.1", "private")]
    [InlineData("172.16.5.4", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("100.64.0.1", "carrier-grade NAT")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("224.0.0.251", "multicast")]
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("192.0.2.10", "documentation")]
    [InlineData("198.18.0.1", "benchmarking")]
    [InlineData("::", "unspecified")]
    [InlineData("::1", "loopback")]
    [InlineData("fc00::1", "unique-local")]
    [InlineData("fd12:3456::1", "unique-local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("2001:db8::1", "documentation")]
    public void Non_public_addresses_are_refused_with_a_reason(string address, string reason)
    {
        var decision = Default.Check(IPAddress.Parse(address));

        Assert.False(decision.Allowed);
        Assert.Contains(reason, decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("::ffff:10.0.0.1", "private")]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("::ffff:169.254.169.254", "link-local")]
    [InlineData("::10.0.0.1", "private")]
    [InlineData("64:ff9b::a00:1", "private")]
    [InlineData("2002:a00:1::1", "private")]
    public void Ipv6_forms_embedding_a_non_public_ipv4_address_are_refused(string address, string reason)
    {
        var decision = Default.Check(IPAddress.Parse(address));

        Assert.False(decision.Allowed);
        Assert.Contains(reason, decision.Reason, StringComparison.Ordinal);
        Assert.Contains("embedded", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("175.45.176.68")]
    [InlineData("::ffff:175.45.176.68")]
    [InlineData("2a00:1450::1")]
    public void Public_addresses_are_admitted_when_public_is_allowed(string address)
    {
        Assert.True(Default.Check(IPAddress.Parse(address)).Allowed);
    }

    [Fact]
    public void Only_allow_listed_ranges_are_admitted_when_public_is_not_allowed()
    {
        var guard = new AddressGuard(new AddressGuardOptions { Allow = ["127.0.0.0/8"], AllowPublic = false });

        var publicAddress = guard.Check(IPAddress.Parse("8.8.8.8"));

        Assert.False(publicAddress.Allowed);
        Assert.Equal("only allow-listed ranges admitted", publicAddress.Reason);
        Assert.True(guard.Check(IPAddress.Parse("127.0.0.2")).Allowed);
        Assert.False(guard.Check(IPAddress.Parse("10.0.0.1")).Allowed);
    }

    [Fact]
    public void Allow_list_admits_special_ranges_and_their_ipv4_mapped_forms()
    {
        var guard = new AddressGuard(new AddressGuardOptions { Allow = ["127.0.0.0/8", "10.1.2.3", "fd00::/8"] });

        Assert.True(guard.Check(IPAddress.Parse("127.0.0.1")).Allowed);
        Assert.True(guard.Check(IPAddress.Parse("::ffff:127.0.0.1")).Allowed);
        Assert.True(guard.Check(IPAddress.Parse("10.1.2.3")).Allowed);
        Assert.False(guard.Check(IPAddress.Parse("10.1.2.4")).Allowed);
        Assert.True(guard.Check(IPAddress.Parse("fd00::5")).Allowed);
        Assert.False(guard.Check(IPAddress.Parse("::1")).Allowed);
    }

    [Theory]
    [InlineData("127.0.0.1/8")]
    [InlineData("not-a-cidr")]
    [InlineData("10.0.0.0/33")]
    public void Malformed_allow_entries_are_rejected_with_the_offending_text(string cidr)
    {
        var error = Assert.Throws<FormatException>(() => new AddressGuard(new AddressGuardOptions { Allow = [cidr] }));

        Assert.Contains(cidr, error.Message, StringComparison.Ordinal);
    }
}
