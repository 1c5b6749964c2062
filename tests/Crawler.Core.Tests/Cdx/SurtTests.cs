using Crawler.Core.Cdx;
using Xunit;

namespace Crawler.Core.Tests.Cdx;

public sealed class SurtTests
{
    [Theory]
    [InlineData("http://www.kcna.kp/index.php?a=1", "kp,kcna)/index.php?a=1")]
    [InlineData("http://kcna.kp", "kp,kcna)/")]
    [InlineData("https://www.rodong.rep.kp/ko/", "kp,rep,rodong)/ko/")]
    [InlineData("HTTP://WWW.KCNA.KP/Index.PHP", "kp,kcna)/index.php")]
    [InlineData("http://www2.kcna.kp/", "kp,kcna)/")]
    [InlineData("http://kcna.kp:80/a", "kp,kcna)/a")]
    [InlineData("https://kcna.kp:443/a", "kp,kcna)/a")]
    [InlineData("http://kcna.kp:8080/a", "kp,kcna:8080)/a")]
    [InlineData("https://kcna.kp:80/a", "kp,kcna:80)/a")]
    [InlineData("http://kcna.kp/a#section", "kp,kcna)/a")]
    [InlineData("http://kcna.kp/a?b=2&a=1", "kp,kcna)/a?a=1&b=2")]
    [InlineData("http://kcna.kp/a?", "kp,kcna)/a")]
    [InlineData("http://wwwx.kcna.kp/", "kp,kcna,wwwx)/")]
    [InlineData("http://175.45.176.71/x", "71,176,45,175)/x")]
    [InlineData("http://user:pw@kcna.kp/x", "kp,kcna)/x")]
    public void Key_matches_the_warcio_and_pywb_canonical_form(string url, string expected) =>
        Assert.Equal(expected, Surt.Key(url));

    [Theory]
    [InlineData("dns:www.kcna.kp")]
    [InlineData("urn:x-crawler:seed")]
    [InlineData("http://")]
    public void Non_http_and_unparseable_urls_are_kept_as_they_are(string url) =>
        Assert.Equal(url, Surt.Key(url));

    [Fact]
    public void Timestamp14_is_utc_to_the_second()
    {
        var pyongyang = new DateTimeOffset(2026, 11, 29, 0, 30, 0, 999, TimeSpan.FromHours(9));
        Assert.Equal("20261128153000", Surt.Timestamp14(pyongyang));
    }
}
