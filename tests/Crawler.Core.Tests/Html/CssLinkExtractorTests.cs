using Crawler.Core.Html;
using Xunit;

namespace Crawler.Core.Tests.Html;

public sealed class CssLinkExtractorTests
{
    [Theory]
    [InlineData("a { background: url(img/a.png) }", "img/a.png")]
    [InlineData("a { background: url( 'img/a.png' ) }", "img/a.png")]
    [InlineData("a { background: URL(\"img/a b.png\") }", "img/a b.png")]
    [InlineData("a { background: url(  img/a.png  ) }", "img/a.png")]
    [InlineData("@import 'print.css';", "print.css")]
    [InlineData("@IMPORT \"print.css\" screen;", "print.css")]
    [InlineData("@import url(print.css) print;", "print.css")]
    [InlineData("@import url('print.css');", "print.css")]
    [InlineData("a{background:url(a\\).png)}", "a).png")]
    [InlineData("a{background:url('a\\'b.png')}", "a'b.png")]
    [InlineData("a{background:url(\\31 .png)}", "1.png")]
    [InlineData("a{background:url(\"\\C870\\C120.png\")}", "조선.png")]
    [InlineData("a{background:url('long\\\nname.png')}", "longname.png")]
    public void Single_references_are_found(string css, string expected)
    {
        Assert.Equal([expected], CssLinkExtractor.Extract(css));
    }

    [Fact]
    public void Comments_are_ignored()
    {
        var css = "/* url(commented.png) @import 'no.css'; */ a { background: url(yes.png) } /* unterminated url(x)";

        Assert.Equal(["yes.png"], CssLinkExtractor.Extract(css));
    }

    [Fact]
    public void Several_references_come_in_document_order()
    {
        var css = """
            @import "base.css";
            @font-face { font-family: X; src: url(font.woff2) format("woff2"), url('font.woff') format("woff"); }
            .hero { background-image: image-set("hero.avif" type("image/avif"), 'hero.jpg' 1x); }
            .x { content: "url(not-a-link.png)"; }
            """;

        Assert.Equal(["base.css", "font.woff2", "font.woff", "hero.avif", "hero.jpg"], CssLinkExtractor.Extract(css));
    }

    [Fact]
    public void Plain_strings_outside_import_and_image_set_are_not_links()
    {
        Assert.Empty(CssLinkExtractor.Extract("a::after { content: 'x.png'; font-family: \"Arial\" }"));
    }

    [Fact]
    public void Functions_merely_ending_in_url_are_not_url()
    {
        Assert.Empty(CssLinkExtractor.Extract("a { b: myurl(x.png); c: --url(y.png) }"));
    }

    [Fact]
    public void Empty_urls_are_dropped()
    {
        Assert.Empty(CssLinkExtractor.Extract("a { background: url() ; b: url('') }"));
    }

    [Theory]
    [InlineData("url(")]
    [InlineData("url('abc")]
    [InlineData("@import")]
    [InlineData("\\")]
    [InlineData("a{b:url(\\")]
    [InlineData("'\\")]
    [InlineData("image-set(")]
    public void Truncated_css_does_not_throw(string css)
    {
        _ = CssLinkExtractor.Extract(css);
    }
}
