using System.Net;

namespace Crawler.Net.Tests;

public sealed class ConnectToRuleTests
{
    [Fact]
    public void Empty_source_host_and_target_host_redirect_only_the_port()
    {
        var rule = ConnectToRule.Parse(":80::18080");

        Assert.Equal(new ConnectToRule(null, 80, null, 18080), rule);
        var target = ConnectToRule.Apply([rule], "kcna.kp", 80, IPAddress.Parse("175.45.176.71"));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("175.45.176.71"), 18080), target);
    }

    [Fact]
    public void Host_rule_matches_only_its_host_and_port_case_insensitively()
    {
        var rules = ConnectToRule.ParseAll(["kcna.kp:80:127.0.0.1:8080"]);
        var resolved = IPAddress.Parse("175.45.176.71");

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 8080), ConnectToRule.Apply(rules, "KCNA.kp.", 80, resolved));
        Assert.Equal(new IPEndPoint(resolved, 443), ConnectToRule.Apply(rules, "kcna.kp", 443, resolved));
        Assert.Equal(new IPEndPoint(resolved, 80), ConnectToRule.Apply(rules, "rodong.rep.kp", 80, resolved));
    }

    [Fact]
    public void First_matching_rule_wins()
    {
        var rules = ConnectToRule.ParseAll(["a.kp::127.0.0.2:", "::127.0.0.3:"]);

        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 443), ConnectToRule.Apply(rules, "a.kp", 443, IPAddress.Loopback));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.3"), 80), ConnectToRule.Apply(rules, "b.kp", 80, IPAddress.Loopback));
    }

    [Fact]
    public void Ipv6_literals_are_written_in_brackets()
    {
        var rule = ConnectToRule.Parse("[2001:db8::1]:443:[::1]:8443");

        Assert.Equal(new ConnectToRule("2001:db8::1", 443, IPAddress.IPv6Loopback, 8443), rule);
        Assert.Equal("2001:db8::1:443:[::1]:8443", rule.ToString());
    }

    [Theory]
    [InlineData("a:80:127.0.0.1", "4 fields")]
    [InlineData("a:80:127.0.0.1:1:2", "4 fields")]
    [InlineData("a:eighty:127.0.0.1:1", "PORT1")]
    [InlineData("a:80:127.0.0.1:70000", "PORT2")]
    [InlineData("a:80:example.org:80", "IP address literal")]
    [InlineData("a:80:[::1:80", "unclosed")]
    public void Malformed_rules_have_clear_errors(string text, string expected)
    {
        var error = Assert.Throws<FormatException>(() => ConnectToRule.Parse(text));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
    }
}
