using CsCheck;
using Crawler.Core.Html;
using Xunit;

namespace Crawler.Core.Tests.Html;

/// <summary>The streaming reading of a page (for pages too large for a DOM) against the DOM's, which it must not change.</summary>
public sealed class HtmlStreamingTests
{
    /// <summary>Pages as crawled sites write them, and the markup the extractor's tests use.</summary>
    public static TheoryData<string> Corpus() =>
    [
        "<a href='/a'>A</a><map><area href=\"b.html\"></map><a>no href</a>",
        "<a href=\"  /list?a=1&amp;b=2&c=3 \n\">x</a><a href='/&#xC870;&#49440;'>y</a>",
        "<html lang='en'><head><meta http-equiv='content-language' content='ko'></head></html>",
        "<html><head><meta http-equiv='content-language' content='ko, en'><title> A  \n title &amp; more </title></head><body></body></html>",
        """
        <a href="javascript:void(0)">a</a><a href=" JavaScript:go()">b</a><a href="java&#9;script:x">c</a>
        <a href="mailto:a@b.kp">d</a><a href="tel:+850">e</a><img src="data:image/gif;base64,R0lG">
        <a href="">f</a><a href="#top">g</a><a href="about:blank">h</a>
        <a href="/kept#frag">i</a><a href="https://x.kp/">j</a><a href="ftp://x.kp/f">k</a>
        """,
        "<meta property='og:image' content='/share.jpg'><meta name=twitter:image content=/t.png>",
        "<svg><image xlink:href='a.svg'/><use href='#icon'/></svg>",
        "<img data-src='lazy.jpg' data-srcset='l1.jpg 1x, l2.jpg 2x' src=i.png srcset='a.jpg 1x, b.jpg 2x' lowsrc=low.gif>",
        "<!-- <a href='commented.html'> --><p><a href=real.html>x<div></a><td><a href='/after'>",
        "<html lang=ko><head><title>Deep</title><style>b { background: url(bg.png) } @import 'x.css';</style></head><body>"
            + string.Concat(Enumerable.Repeat("<div class='x'><font color=red>", 200)) + "<a href='/deep'>x</a><img src=\"i.png\"/>",
        "<head><base href='http://kcna.kp/en/'><link rel=stylesheet href=s.css><link rel='alternate' hreflang=ko href=/ko/>"
            + "<link rel=canonical href=/c><link rel=icon href=/f.ico><link rel=modulepreload href=m.js><link rel=next href=2.html>"
            + "<link rel=preload imagesrcset='p1.png 1x, p2.png 2x'><script src=app.js></script><script>var a = '<a href=\"no.html\">';</script></head>",
        "<body background=bg.jpg><table background=t.png><tr><td background=c.png>x</td></tr></table>"
            + "<blockquote cite=/q></blockquote><q cite=q2></q><del cite=d></del><ins cite=i></ins></body>",
        "<iframe src=f.html></iframe><frame src=fr.html><embed src=e.swf><audio src=a.mp3><track src=t.vtt></audio>"
            + "<video src=v.mp4 poster=p.jpg><source src=s.webm srcset='s1.webm'></video><object data=o.swf></object>",
        "<form action=/search><input type=image src=go.png><input type=IMAGE src=go2.png><input type=submit formaction=/alt>"
            + "<button formaction=/b>b</button><input src=notimage.png></form>",
        "<meta http-equiv=refresh content='5; url=next.html'><meta name=robots content='noindex, nofollow'>",
        "<META NAME='ROBOTS' CONTENT='NOFOLLOW'><A HREF='/UPPER'>X</A><IMG SRC=\"/I.PNG\">",
        "<div style=\"background:url('inline.png')\">x</div><span style='background-image: url(&quot;q.png&quot;)'>y</span>",
        "<textarea><a href='in-textarea.html'></textarea><title>t<a href=in-title.html></title><a href=after.html>",
        "<a href=x.html title='a > b'>1</a><a title=\"it's\" href='y.html'>2</a><a href = \"z.html\" >3</a><a href=w.html/>4",
        "<a href=1.html href=2.html>dup</a><p>text &lt;a href=not.html&gt;</p><a\nhref\n=\n'nl.html'>nl</a>",
        "<!DOCTYPE html><?xml version='1.0'?><![CDATA[ x ]]><a href=after-cdata.html>c</a>",
        "<p>a < b and c <= d</p><a href=lt.html>lt</a> 1<2 <3 <a href=lt2.html>",
        "<html><head><title>한국어 제목</title></head><body><h1>조선중앙통신</h1><p>본문 &amp; 글</p><ul><li><a href='/ko/1.html'>기사 1</a></li></ul></body></html>",
        "<noscript><a href=noscript.html>n</a></noscript><template><a href=template.html>t</a></template>",
        "<style></style><title></title><title>second</title><script/><a href=after-empty.html>",
    ];

    [Theory]
    [MemberData(nameof(Corpus))]
    public void The_streaming_pass_finds_the_links_and_facts_the_dom_finds(string html)
    {
        var dom = HtmlLinkExtractor.Extract(html);
        var facts = HtmlLinkExtractor.StreamFacts(html);

        Assert.Equal(dom.Links, HtmlLinkExtractor.StreamLinks(html).ToList());
        Assert.Equal(dom with { Links = [] }, facts with { Links = [] });
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void The_streaming_pass_reads_the_text_the_dom_reads(string html)
    {
        Assert.Equal(HtmlText.ExtractBlocks(html), HtmlText.StreamBlocks(html).ToList());
    }

    private static readonly string[] Names = ["a", "img", "div", "p", "span", "link", "li", "td", "h1", "style", "title", "script", "meta", "iframe"];

    private static readonly Gen<string> Attribute = Gen.Select(
        Of("href", "src", "srcset", "class", "rel", "style", "HREF", "data-src", "content", "name", "http-equiv", "lang"),
        Of("/a", "b.html", "x y.png 1x, z.png 2x", "stylesheet", "next", "color: red", "background: url(u.png)",
            "&amp;q=1", "refresh", "0; url=r.html", "robots", "nofollow", "ko", "조선", "javascript:x", "#top", ""),
        Of("\"", "'", ""),
        (name, value, quote) => quote.Length == 0 && (value.Length == 0 || value.Contains(' ', StringComparison.Ordinal))
            ? $" {name}"
            : $" {name}={quote}{value}{quote}");

    private static Gen<string> Of(params string[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    /// <summary>Well-formed markup as sites write it: elements with attributes, text, entities, comments.</summary>
    private static Gen<string> Markup(int depth) =>
        depth > 3
            ? Of("text", " ", "&amp; x", "조선", "\n", "<!-- c <a href=no> -->", "<br>", "<img src=i.png>")
            : Gen.OneOf(
                Of("text", " ", "&lt;b&gt;", "<br>", "<hr/>", "<!-- c -->"),
                Gen.Select(Of(Names), Attribute.Array[0, 3], Markup(depth + 1).Array[0, 4],
                    (name, attributes, children) => name is "style" or "title" or "script"
                        ? $"<{name}{string.Concat(attributes)}>a {{ background: url(s.png) }}</{name}>"
                        : $"<{name}{string.Concat(attributes)}>{string.Concat(children)}</{name}>"));

    [Fact]
    public void On_well_formed_markup_the_streaming_pass_and_the_dom_agree()
    {
        Markup(0).Array[1, 6].Select(string.Concat).Sample(html =>
        {
            var dom = HtmlLinkExtractor.Extract(html);
            return dom.Links.SequenceEqual(HtmlLinkExtractor.StreamLinks(html))
                && dom with { Links = [] } == HtmlLinkExtractor.StreamFacts(html) with { Links = [] };
        });
    }

    [Fact]
    public void Streaming_never_throws_on_random_markup()
    {
        Gen.OneOf(Gen.String, Gen.Char["<>/='\"&#;:!?- \nabt"].Array[0, 60].Select(c => new string(c))).Sample(html =>
        {
            _ = HtmlLinkExtractor.StreamFacts(html);
            return HtmlLinkExtractor.StreamLinks(html).All(l => l.Url.Length > 0) && HtmlText.StreamBlocks(html).All(b => b.Length > 0);
        });
    }

    [Fact]
    public void Links_are_produced_as_the_pass_reaches_them_so_taking_a_few_reads_little()
    {
        var html = "<html><body>" + string.Concat(Enumerable.Range(0, 200_000).Select(i => $"<a href=\"/p/{i}\">{i}</a>\n")) + "</body></html>";

        var before = GC.GetAllocatedBytesForCurrentThread();
        var first = HtmlLinkExtractor.StreamLinks(html).Take(10).ToList();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"/p/{i}"), first.Select(l => l.Url));
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes");
        Assert.Equal(200_000, HtmlLinkExtractor.StreamLinks(html).Count());
    }

    [Fact]
    public void A_giant_block_is_streamed_in_pieces_cut_at_spaces_keeping_every_word()
    {
        var words = Enumerable.Range(0, 40_000).Select(i => "w" + i).ToList();
        var html = "<p>" + string.Join(" <b>x</b> ", words) + "</p>";

        var blocks = HtmlText.StreamBlocks(html).ToList();

        Assert.True(blocks.Count > 1);
        Assert.All(blocks, b => Assert.True(b.Length <= HtmlText.MaxStreamedBlockChars));
        Assert.Equal(string.Join(" ", HtmlText.ExtractBlocks(html, int.MaxValue)), string.Join(" ", blocks));
    }
}
