using CsCheck;
using Crawler.Core.Html;
using Xunit;

namespace Crawler.Core.Tests.Html;

public sealed class HtmlPropertyTests
{
    private static readonly Gen<string> MarkupSoup = Gen.OneOf(
            Gen.String,
            Gen.Const("<a href='x'>"),
            Gen.Const("<img srcset=\"a 1x, b 2x\">"),
            Gen.Const("<meta http-equiv=refresh content='0;url=y'>"),
            Gen.Const("<style>@import url("),
            Gen.Const("<!--"),
            Gen.Const("</div>"),
            Gen.Char["<>/='\"&#;: \n"].Array[0, 10].Select(c => new string(c)))
        .Array[0, 40]
        .Select(parts => string.Concat(parts));

    [Fact]
    public void Extract_never_throws_on_random_markup()
    {
        MarkupSoup.Sample(html =>
        {
            var page = HtmlLinkExtractor.Extract(html);
            return page.Links.All(l => l.Url.Length > 0 && l.Url == l.Url.Trim());
        });
    }

    [Fact]
    public void Css_extract_never_throws_on_random_text()
    {
        Gen.OneOf(Gen.String, Gen.Char["url(@import'\"\\)/* \n"].Array[0, 40].Select(c => new string(c)))
            .Sample(css => { _ = CssLinkExtractor.Extract(css); });
    }

    [Fact]
    public void Anchor_hrefs_survive_entity_encoding()
    {
        Gen.Char["abcXYZ019-._~/?=&;:%조 "].Array[1, 30].Select(c => "/" + new string(c).Trim()).Sample(href =>
        {
            var encoded = System.Net.WebUtility.HtmlEncode(href);
            var links = HtmlLinkExtractor.Extract($"<a href=\"{encoded}\">x</a>").Links;
            return links.Count == 1 && links[0].Url == href;
        });
    }

    [Fact]
    public void Quoted_css_urls_round_trip()
    {
        Gen.Char["abcXYZ019-._~/?=&;: ()"].Array[1, 30].Select(c => new string(c).Trim()).Where(s => s.Length > 0).Sample(url =>
        {
            var found = CssLinkExtractor.Extract($"a {{ background: url(\"{url}\") }}");
            return found.Count == 1 && found[0] == url;
        });
    }
}
