using Crawler.Core.Urls;
using Xunit;

namespace Crawler.Core.Tests.Urls;

public sealed class UrlCanonicalizerTests
{
    [Theory]
    [InlineData("http://example.kp/a#frag", "http://example.kp/a")]
    [InlineData("http://example.kp/a?q=1#", "http://example.kp/a?q=1")]
    [InlineData("https://example.kp/#top", "https://example.kp/")]
    public void Fragment_is_removed(string raw, string expected)
    {
        Assert.Equal(expected, UrlCanonicalizer.Canonicalize(raw));
    }

    [Theory]
    [InlineData("../c/d?x=1", "http://example.kp/a/b/page.html", "http://example.kp/a/c/d?x=1")]
    [InlineData("../../../../up", "http://example.kp/a/b/", "http://example.kp/up")]
    [InlineData("sibling.html", "http://example.kp/dir/page.html", "http://example.kp/dir/sibling.html")]
    [InlineData("/root?x", "http://example.kp/dir/page.html?old", "http://example.kp/root?x")]
    [InlineData("?only=query", "http://example.kp/dir/page.html?old", "http://example.kp/dir/page.html?only=query")]
    [InlineData("#only-fragment", "http://example.kp/dir/page.html?old", "http://example.kp/dir/page.html?old")]
    [InlineData("", "http://example.kp/dir/page.html#f", "http://example.kp/dir/page.html")]
    [InlineData("./a/./b/../c", "http://example.kp/dir/", "http://example.kp/dir/a/c")]
    [InlineData("..\\win\\style", "http://example.kp/a/b/", "http://example.kp/a/win/style")]
    public void Relative_links_resolve_against_the_base_like_a_browser(string raw, string baseUrl, string expected)
    {
        Assert.Equal(expected, UrlCanonicalizer.Canonicalize(raw, baseUrl));
    }

    [Theory]
    [InlineData("//other.kp/x", "https://example.kp/a", "https://other.kp/x")]
    [InlineData("//other.kp", "http://example.kp/a", "http://other.kp/")]
    [InlineData("\\\\other.kp\\x", "http://example.kp/a", "http://other.kp/x")]
    public void Protocol_relative_links_take_the_base_scheme(string raw, string baseUrl, string expected)
    {
        Assert.Equal(expected, UrlCanonicalizer.Canonicalize(raw, baseUrl));
    }

    [Theory]
    [InlineData("javascript:void(0)")]
    [InlineData("JavaScript:alert(1)")]
    [InlineData("mailto:info@example.kp")]
    [InlineData("tel:+850-2-1234")]
    [InlineData("data:text/html,hello")]
    [InlineData("ftp://ftp.example.kp/file")]
    [InlineData("ws://example.kp/socket")]
    [InlineData("file:///etc/passwd")]
    public void Non_http_schemes_give_null(string raw)
    {
        Assert.Null(UrlCanonicalizer.Canonicalize(raw, "http://example.kp/page"));
    }

    [Theory]
    [InlineData("http://")]
    [InlineData("http://exa mple.kp/")]
    [InlineData("http://example.kp:99999/")]
    [InlineData("http://[::1/")]
    [InlineData("http://1.2.3.4.5/")]
    [InlineData("http://user@/")]
    public void Unparsable_urls_give_null(string raw)
    {
        Assert.Null(UrlCanonicalizer.Canonicalize(raw));
    }

    [Fact]
    public void Relative_link_without_a_base_gives_null()
    {
        Assert.Null(UrlCanonicalizer.Canonicalize("/a/b"));
        Assert.Null(UrlCanonicalizer.Canonicalize("page.html", "not a url"));
    }

    [Fact]
    public void Absolute_link_with_an_unparsable_base_still_resolves()
    {
        Assert.Equal("http://example.kp/x", UrlCanonicalizer.Canonicalize("http://example.kp/x", "::garbage::"));
    }

    [Theory]
    [InlineData("http://example.kp:80/a", "http://example.kp/a")]
    [InlineData("https://example.kp:443/a", "https://example.kp/a")]
    [InlineData("http://example.kp:0080/", "http://example.kp/")]
    [InlineData("http://example.kp:/", "http://example.kp/")]
    [InlineData("https://example.kp:80/", "https://example.kp:80/")]
    [InlineData("http://example.kp:8080/", "http://example.kp:8080/")]
    public void Default_port_is_dropped_and_others_kept(string raw, string expected)
    {
        Assert.Equal(expected, UrlCanonicalizer.Canonicalize(raw));
    }

    [Fact]
    public void Scheme_and_host_are_lowercased_but_path_query_and_www_are_kept()
    {
        Assert.Equal(
            "http://www.example.kp/Path/File.HTML?Q=A",
            UrlCanonicalizer.Canonicalize("HTTP://WWW.Example.KP/Path/File.HTML?Q=A"));
    }

    [Fact]
    public void Query_parameters_keep_their_order()
    {
        Assert.Equal("http://example.kp/?b=2&a=1&b=0", UrlCanonicalizer.Canonicalize("http://example.kp/?b=2&a=1&b=0"));
    }

    [Theory]
    [InlineData("http://조선.kp/", "http://xn--6i4bt7k.kp/")]
    [InlineData("http://MÜNCHEN.example/", "http://xn--mnchen-3ya.example/")]
    [InlineData("http://пример.kp/путь", "http://xn--e1afmkfd.kp/%D0%BF%D1%83%D1%82%D1%8C")]
    [InlineData("http://example\u3002kp/", "http://example.kp/")]
    public void International_hosts_become_punycode(string raw, string expected)
    {
        Assert.Equal(expected, UrlCanonicalizer.Canonicalize(raw));
    }

    [Theory]
    [InlineData("http://example.kp/a b?c d", "http://example.kp/a%20b?c%20d")]
    [InlineData("  http://example.kp/x  ", "http://example.kp/x")]
    [InlineData("http://exa\tmple.kp/\nx", "http://example.kp/x")]
    [InlineData("http://example.kp/\"q\"?'s'", "http://example.kp/%22q%22?%27s%27")]
    [InlineData("http://example.kp/%7Ex?%zz", "http://example.kp/%7Ex?%zz")]
    public void Spaces_and_unsafe_characters_are_percent_encoded_as_the_standard_says(string raw, string expected)
    {
        Assert.Equal(expected, UrlCanonicalizer.Canonicalize(raw));
    }

    [Theory]
    [InlineData("http://0x7f.1/", "http://127.0.0.1/")]
    [InlineData("http://2130706433/", "http://127.0.0.1/")]
    [InlineData("http://[0:0:0:0:0:0:0:1]/", "http://[::1]/")]
    [InlineData("http://175.45.176.%30/", "http://175.45.176.0/")]
    public void Ip_hosts_are_normalized(string raw, string expected)
    {
        Assert.Equal(expected, UrlCanonicalizer.Canonicalize(raw));
    }

    [Fact]
    public void A_pre_parsed_base_gives_the_same_result_as_a_string_base()
    {
        const string page = "http://example.kp/news/2024/index.php?id=7";
        Assert.True(WhatwgUrl.TryParse(page, null, out WhatwgUrl? parsed));
        foreach (string link in new[] { "../img/a.png", "//cdn.example.kp/x.js", "?id=8", "mailto:x@y.kp", "https://other.kp" })
        {
            Assert.Equal(UrlCanonicalizer.Canonicalize(link, page), UrlCanonicalizer.CanonicalizeRelativeTo(link, parsed));
        }
    }

    [Theory]
    [InlineData("http://example.kp/a", "example.kp")]
    [InlineData("http://user:pw@example.kp:8080/x?y#z", "example.kp")]
    [InlineData("HTTP://Example.KP", "example.kp")]
    [InlineData("https://[::1]:8443/", "[::1]")]
    [InlineData("http://175.45.176.1?q", "175.45.176.1")]
    public void TryGetHost_extracts_the_lowercase_host_without_port(string url, string expected)
    {
        Assert.True(UrlCanonicalizer.TryGetHost(url, out string host));
        Assert.Equal(expected, host);
    }

    [Theory]
    [InlineData("")]
    [InlineData("example.kp/a")]
    [InlineData("mailto:x@example.kp")]
    [InlineData("http:///path")]
    public void TryGetHost_rejects_strings_without_an_authority(string url)
    {
        Assert.False(UrlCanonicalizer.TryGetHost(url, out _));
    }

    [Theory]
    [InlineData("http://example.kp/a", "example.kp")]
    [InlineData("http://example.kp:8080/a", "example.kp:8080")]
    [InlineData("https://example.kp:443/a", "example.kp")]
    [InlineData("http://u:p@Example.KP:81", "example.kp:81")]
    [InlineData("https://[::1]:8443/", "[::1]:8443")]
    public void HostKey_adds_the_port_only_when_it_is_not_the_default(string url, string expected)
    {
        Assert.Equal(expected, UrlCanonicalizer.HostKey(url));
    }

    [Fact]
    public void HostKey_rejects_a_string_that_is_not_a_url()
    {
        Assert.Throws<ArgumentException>(() => UrlCanonicalizer.HostKey("just text"));
    }
}
