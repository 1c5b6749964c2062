using Crawler.Core.Urls;
using Xunit;

namespace Crawler.Core.Tests.Urls;

/// <summary>Host parsing beyond urltestdata.json: where IdnMapping and UTS #46 as the standard wants it part ways.</summary>
public sealed class WhatwgUrlHostTests
{
    [Theory]
    [InlineData("http://-a-.kp/", "-a-.kp")]
    [InlineData("http://ab--c.kp/", "ab--c.kp")]
    [InlineData("http://a..b/", "a..b")]
    [InlineData("http://ab--ü.kp/", "xn--ab---3ra.kp")]
    [InlineData("http://XN--MNCHEN-3YA.kp/", "xn--mnchen-3ya.kp")]
    [InlineData("http://faß.de/", "xn--fa-hia.de")]
    [InlineData("http://a\u00ADb.kp/", "ab.kp")]
    public void Domains_follow_uts46_with_check_hyphens_and_dns_length_off(string input, string expectedHost)
    {
        Assert.Equal(expectedHost, WhatwgUrl.Parse(input, null)?.Hostname);
    }

    [Fact]
    public void Long_ascii_labels_are_accepted()
    {
        string label = new('a', 70);
        Assert.Equal(label + ".kp", WhatwgUrl.Parse("http://" + label + ".kp/", null)?.Hostname);
    }

    [Theory]
    [InlineData("http://xn--a.kp/")]
    [InlineData("http://a\u200Db.kp/")]
    [InlineData("http://\u00AD/")]
    [InlineData("http://ex%25ample.kp/")]
    public void Invalid_domains_fail(string input)
    {
        Assert.Null(WhatwgUrl.Parse(input, null));
    }

    /// <summary>
    /// Known gaps of IdnMapping (see UrlHostParser). The standard accepts the first two and rejects the rest;
    /// we do the opposite. If a runtime update closes a gap this test fails: update the remarks then.
    /// </summary>
    [Theory]
    [InlineData("http://-\u00fc.kp/", false)]
    [InlineData("http://\u00fc-.kp/", false)]
    [InlineData("http://a\u0628.kp/", true)]
    [InlineData("http://0a.\u0628.kp/", true)]
    public void Known_idna_gaps_still_differ_from_the_standard(string input, bool weAccept)
    {
        Assert.Equal(weAccept, WhatwgUrl.Parse(input, null) is not null);
    }

    [Fact]
    public void Url_api_components_are_exposed()
    {
        WhatwgUrl url = WhatwgUrl.Parse("HTTPS://u:p@Example.KP:8443/a/../b?q=1#f", null)!;
        Assert.Equal("https://u:p@example.kp:8443/b?q=1#f", url.Href);
        Assert.Equal("https:", url.Protocol);
        Assert.Equal("u", url.Username);
        Assert.Equal("p", url.Password);
        Assert.Equal("example.kp:8443", url.Host);
        Assert.Equal("example.kp", url.Hostname);
        Assert.Equal("8443", url.Port);
        Assert.Equal("/b", url.Pathname);
        Assert.Equal("?q=1", url.Search);
        Assert.Equal("#f", url.Hash);
        Assert.Equal("https://example.kp:8443", url.Origin);
        Assert.Equal(url.Href, url.ToString());
    }

    [Fact]
    public void Parse_fails_when_the_base_is_not_a_url()
    {
        Assert.Null(WhatwgUrl.Parse("/a", "not a base"));
        Assert.False(WhatwgUrl.TryParse("/a", null, out _));
    }
}
