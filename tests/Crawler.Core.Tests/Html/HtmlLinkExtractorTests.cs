using Crawler.Core.Html;
using Xunit;

namespace Crawler.Core.Tests.Html;

public sealed class HtmlLinkExtractorTests
{
    private static IReadOnlyList<ExtractedLink> Links(string html) => HtmlLinkExtractor.Extract(html).Links;

    private static string Meta(string content) =>
        "<meta http-equiv=\"refresh\" content=\"" + content.Replace("\"", "&quot;", StringComparison.Ordinal) + "\">";

    [Fact]
    public void Anchors_and_areas_are_navigation()
    {
        var links = Links("<a href='/a'>A</a><map><area href=\"b.html\"></map><a>no href</a>");

        Assert.Equal(
            [new ExtractedLink("/a", LinkKind.Navigation, "a@href"), new ExtractedLink("b.html", LinkKind.Navigation, "area@href")],
            links);
    }

    [Fact]
    public void Values_are_entity_decoded_and_trimmed()
    {
        var links = Links("<a href=\"  /list?a=1&amp;b=2&c=3 \n\">x</a><a href='/&#xC870;&#49440;'>y</a>");

        Assert.Equal("/list?a=1&b=2&c=3", links[0].Url);
        Assert.Equal("/조선", links[1].Url);
    }

    [Theory]
    [InlineData("stylesheet", LinkKind.Stylesheet)]
    [InlineData("STYLESHEET", LinkKind.Stylesheet)]
    [InlineData("alternate stylesheet", LinkKind.Stylesheet)]
    [InlineData("canonical", LinkKind.Canonical)]
    [InlineData("alternate", LinkKind.Alternate)]
    [InlineData("icon", LinkKind.Embed)]
    [InlineData("shortcut icon", LinkKind.Embed)]
    [InlineData("preload", LinkKind.Embed)]
    [InlineData("modulepreload", LinkKind.Script)]
    [InlineData("next", LinkKind.Navigation)]
    [InlineData("author", LinkKind.Other)]
    public void Link_elements_are_classified_by_rel(string rel, LinkKind kind)
    {
        var links = Links($"<head><link rel='{rel}' href='/x'></head>");

        Assert.Equal([new ExtractedLink("/x", kind, "link@href")], links);
    }

    [Fact]
    public void Every_srcset_candidate_is_extracted()
    {
        var links = Links("""
            <picture>
              <source srcset="a-1x.webp 1x, a-2x.webp 2x" type="image/webp">
              <img src="a.jpg" srcset="a,comma.jpg 480w,a-800.jpg   800w,b.jpg">
            </picture>
            """);

        Assert.Equal(
            [
                new ExtractedLink("a-1x.webp", LinkKind.Embed, "source@srcset"),
                new ExtractedLink("a-2x.webp", LinkKind.Embed, "source@srcset"),
                new ExtractedLink("a.jpg", LinkKind.Embed, "img@src"),
                new ExtractedLink("a,comma.jpg", LinkKind.Embed, "img@srcset"),
                new ExtractedLink("a-800.jpg", LinkKind.Embed, "img@srcset"),
                new ExtractedLink("b.jpg", LinkKind.Embed, "img@srcset"),
            ],
            links);
    }

    [Theory]
    [InlineData("a.jpg 1x, b.jpg 2x", new[] { "a.jpg", "b.jpg" })]
    [InlineData("a.jpg,b.jpg", new[] { "a.jpg,b.jpg" })]
    [InlineData("a.jpg, b.jpg", new[] { "a.jpg", "b.jpg" })]
    [InlineData(" , a.jpg (x, y) 1x , b.jpg", new[] { "a.jpg", "b.jpg" })]
    [InlineData("x.png?a=1,2 1x, c.png 2x", new[] { "x.png?a=1,2", "c.png" })]
    [InlineData("", new string[0])]
    public void Srcset_parsing_follows_the_html_standard(string srcset, string[] expected)
    {
        Assert.Equal(expected, Links($"<img srcset='{srcset}'>").Select(l => l.Url));
    }

    [Fact]
    public void Embedded_resources_scripts_frames_and_forms_are_classified()
    {
        var links = Links("""
            <body background="bg.gif">
            <script src="app.js"></script>
            <iframe src="frame.html"></iframe>
            <frameset><frame src="left.html"></frameset>
            <embed src="movie.swf"><object data="doc.pdf"></object>
            <video src="v.mp4" poster="poster.jpg"><source src="v.webm"><track src="subs.vtt"></video>
            <audio src="a.mp3"></audio>
            <input type="IMAGE" src="btn.png"><input type="text" src="ignored.png">
            <form action="/search" method="get"><button formaction="/other">go</button></form>
            <blockquote cite="http://src.kp/q">q</blockquote>
            </body>
            """);

        Assert.Contains(new ExtractedLink("bg.gif", LinkKind.Embed, "body@background"), links);
        Assert.Contains(new ExtractedLink("app.js", LinkKind.Script, "script@src"), links);
        Assert.Contains(new ExtractedLink("frame.html", LinkKind.Frame, "iframe@src"), links);
        Assert.Contains(new ExtractedLink("left.html", LinkKind.Frame, "frame@src"), links);
        Assert.Contains(new ExtractedLink("movie.swf", LinkKind.Embed, "embed@src"), links);
        Assert.Contains(new ExtractedLink("doc.pdf", LinkKind.Embed, "object@data"), links);
        Assert.Contains(new ExtractedLink("v.mp4", LinkKind.Embed, "video@src"), links);
        Assert.Contains(new ExtractedLink("poster.jpg", LinkKind.Embed, "video@poster"), links);
        Assert.Contains(new ExtractedLink("v.webm", LinkKind.Embed, "source@src"), links);
        Assert.Contains(new ExtractedLink("subs.vtt", LinkKind.Embed, "track@src"), links);
        Assert.Contains(new ExtractedLink("a.mp3", LinkKind.Embed, "audio@src"), links);
        Assert.Contains(new ExtractedLink("btn.png", LinkKind.Embed, "input@src"), links);
        Assert.DoesNotContain(links, l => l.Url == "ignored.png");
        Assert.Contains(new ExtractedLink("/search", LinkKind.Form, "form@action"), links);
        Assert.Contains(new ExtractedLink("/other", LinkKind.Form, "button@formaction"), links);
        Assert.Contains(new ExtractedLink("http://src.kp/q", LinkKind.Other, "blockquote@cite"), links);
    }

    [Theory]
    [InlineData("5; url=next.html", "next.html")]
    [InlineData("0;URL='next.html'", "next.html")]
    [InlineData("0; Url = \"next.html\" trailing", "next.html")]
    [InlineData("3,next.html", "next.html")]
    [InlineData("0 next.html", "next.html")]
    [InlineData("0.5; url=a b.html ", "a b.html")]
    [InlineData("0; urlx.html", "urlx.html")]
    [InlineData("1; url='unterminated.html", "unterminated.html")]
    public void Meta_refresh_targets_are_parsed(string content, string expected)
    {
        Assert.Equal([new ExtractedLink(expected, LinkKind.Redirect, "meta@refresh")], Links(Meta(content)));
    }

    [Theory]
    [InlineData("5")]
    [InlineData("5;")]
    [InlineData("url=x.html")]
    [InlineData("5x; url=x.html")]
    [InlineData("")]
    public void Meta_refresh_without_a_target_or_time_yields_nothing(string content)
    {
        Assert.Empty(Links(Meta(content)));
    }

    [Fact]
    public void Meta_refresh_in_a_page_is_a_redirect_link()
    {
        var links = Links("<head><META HTTP-EQUIV=Refresh CONTENT=\"0;URL=/new/index.php\"></head>");

        Assert.Equal([new ExtractedLink("/new/index.php", LinkKind.Redirect, "meta@refresh")], links);
    }

    [Fact]
    public void Unquoted_meta_refresh_attribute_is_parsed()
    {
        var links = Links("<meta http-equiv=refresh content=0;url=/kp/>");

        Assert.Equal("/kp/", Assert.Single(links).Url);
    }

    [Fact]
    public void First_base_href_is_reported()
    {
        var page = HtmlLinkExtractor.Extract("<head><base target=_blank><base href=' http://a.kp/dir/ '><base href='http://b.kp/'></head>");

        Assert.Equal("http://a.kp/dir/", page.BaseHref);
    }

    [Fact]
    public void Style_blocks_and_inline_styles_yield_css_urls()
    {
        var links = Links("""
            <style>@import url("print.css"); body { background: url('bg.png') } /* url(no.png) */</style>
            <div style="background-image:url(&quot;div.png&quot;)">x</div>
            """);

        Assert.Equal(
            [
                new ExtractedLink("print.css", LinkKind.Stylesheet, "style@import"),
                new ExtractedLink("bg.png", LinkKind.Embed, "style@url"),
                new ExtractedLink("div.png", LinkKind.Embed, "div@style"),
            ],
            links);
    }

    [Fact]
    public void Style_block_content_is_not_entity_decoded()
    {
        var links = Links("<style>a { background: url(a.png?x=1&amp;y=2) }</style>");

        Assert.Equal("a.png?x=1&amp;y=2", Assert.Single(links).Url);
    }

    [Theory]
    [InlineData("<meta name='robots' content='noindex, nofollow'>", true, true)]
    [InlineData("<meta name='ROBOTS' content='NOFOLLOW'>", true, false)]
    [InlineData("<meta name='robots' content='noindex'>", false, true)]
    [InlineData("<meta name='robots' content='none'>", true, true)]
    [InlineData("<meta name='robots' content='index,follow'>", false, false)]
    [InlineData("<meta name='description' content='nofollow noindex'>", false, false)]
    public void Meta_robots_sets_nofollow_and_noindex(string meta, bool noFollow, bool noIndex)
    {
        var page = HtmlLinkExtractor.Extract("<html><head>" + meta + "</head><body></body></html>");

        Assert.Equal(noFollow, page.NoFollow);
        Assert.Equal(noIndex, page.NoIndex);
    }

    [Fact]
    public void Title_and_language_come_from_the_document()
    {
        var page = HtmlLinkExtractor.Extract("<html lang='ko'><head><title>\n  조선중앙통신 &amp;\n  소식 </title><title>second</title></head></html>");

        Assert.Equal("조선중앙통신 & 소식", page.Title);
        Assert.Equal("ko", page.Language);
    }

    [Fact]
    public void Language_falls_back_to_meta_content_language()
    {
        var page = HtmlLinkExtractor.Extract("<html><head><meta http-equiv='Content-Language' content='ko-KP, en'></head></html>");

        Assert.Equal("ko-KP", page.Language);
    }

    [Fact]
    public void Html_lang_wins_over_meta_content_language()
    {
        var page = HtmlLinkExtractor.Extract("<html lang='en'><head><meta http-equiv='content-language' content='ko'></head></html>");

        Assert.Equal("en", page.Language);
    }

    [Fact]
    public void Non_fetchable_schemes_empty_and_fragment_links_are_dropped()
    {
        var links = Links("""
            <a href="javascript:void(0)">a</a><a href=" JavaScript:go()">b</a><a href="java&#9;script:x">c</a>
            <a href="mailto:a@b.kp">d</a><a href="tel:+850">e</a><img src="data:image/gif;base64,R0lG">
            <a href="">f</a><a href="#top">g</a><a href="about:blank">h</a>
            <a href="/kept#frag">i</a><a href="https://x.kp/">j</a><a href="ftp://x.kp/f">k</a>
            """);

        Assert.Equal(["/kept#frag", "https://x.kp/", "ftp://x.kp/f"], links.Select(l => l.Url));
    }

    [Fact]
    public void Og_image_meta_is_an_embed()
    {
        var links = Links("<meta property='og:image' content='/share.jpg'>");

        Assert.Equal([new ExtractedLink("/share.jpg", LinkKind.Embed, "meta@og:image")], links);
    }

    [Fact]
    public void Svg_image_hrefs_are_embeds()
    {
        var links = Links("<svg><image xlink:href='a.svg'/><use href='#icon'/></svg>");

        Assert.Equal([new ExtractedLink("a.svg", LinkKind.Embed, "image@xlink:href")], links);
    }

    [Fact]
    public void Lazy_loading_attributes_are_extracted()
    {
        var links = Links("<img data-src='lazy.jpg' data-srcset='l1.jpg 1x, l2.jpg 2x'>");

        Assert.Equal(["lazy.jpg", "l1.jpg", "l2.jpg"], links.Select(l => l.Url));
    }

    [Theory]
    [InlineData("")]
    [InlineData("<")]
    [InlineData("<a href=")]
    [InlineData("<a href='unterminated>text")]
    [InlineData("<<<>>><a <b <c href=x>")]
    [InlineData("</html></body><a href=x>")]
    [InlineData("<!-- <a href='commented'> ")]
    [InlineData("<meta http-equiv=refresh content>")]
    [InlineData("<img srcset=',,,, ,'>")]
    [InlineData("\0\u0001\uFFFF<a\0href=x>")]
    public void Malformed_markup_does_not_throw(string html)
    {
        _ = HtmlLinkExtractor.Extract(html);
    }

    [Fact]
    public void Links_in_comments_are_ignored_and_in_broken_markup_are_found()
    {
        var links = Links("<!-- <a href='commented.html'> --><p><a href=real.html>x<div></a><td><a href='/after'>");

        Assert.Equal(["real.html", "/after"], links.Select(l => l.Url));
    }

    [Fact]
    public void Deeply_nested_markup_is_parsed_quickly_without_losing_links()
    {
        var html = "<html lang=ko><head><title>Deep</title><style>b { background: url(bg.png) }</style></head><body>"
            + string.Concat(Enumerable.Repeat("<div class='x'><font color=red>", 25_000))
            + "<a href='/deep'>x</a><img src=\"i.png\"/>";

        var sw = System.Diagnostics.Stopwatch.StartNew();
        var page = HtmlLinkExtractor.Extract(html);
        sw.Stop();

        Assert.Equal(["bg.png", "/deep", "i.png"], page.Links.Select(l => l.Url));
        Assert.Equal("Deep", page.Title);
        Assert.Equal("ko", page.Language);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), $"took {sw.Elapsed}");
    }
}
