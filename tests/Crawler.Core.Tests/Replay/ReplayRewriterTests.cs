using Crawler.Core.Replay;
using Xunit;

namespace Crawler.Core.Tests.Replay;

public sealed class ReplayRewriterTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 10, 30, 15, TimeSpan.Zero);

    [Fact]
    public void Links_and_forms_become_pages_of_the_archive_at_the_capture_time()
    {
        var html = """<html><body><a href="/news/1.html">a</a><a href="https://kcna.kp/x?y=1&amp;z=2">b</a><form action="search"></form></body></html>""";

        var rewritten = ReplayRewriter.RewriteHtml(html, "http://rodong.rep.kp/index.php", At, null);

        Assert.Contains("""href="/web/20261207103015/http://rodong.rep.kp/news/1.html" """.TrimEnd(), rewritten, StringComparison.Ordinal);
        Assert.Contains("""href="/web/20261207103015/https://kcna.kp/x?y=1&amp;z=2" """.TrimEnd(), rewritten, StringComparison.Ordinal);
        Assert.Contains("""action="/web/20261207103015/http://rodong.rep.kp/search" """.TrimEnd(), rewritten, StringComparison.Ordinal);
    }

    [Fact]
    public void Images_stylesheets_scripts_and_srcset_become_resources_with_their_modifiers()
    {
        var html = """
            <html><head><link rel="stylesheet" href="css/style.css"><link rel="icon" href="/favicon.ico"><script src="/js/app.js"></script></head>
            <body><img src="/images/logo.png" srcset="/images/logo.png 1x, logo-2x.png 2x"><iframe src="/frame.html"></iframe></body></html>
            """;

        var rewritten = ReplayRewriter.RewriteHtml(html, "http://kcna.kp/en/index.html", At, null);

        Assert.Contains("/web/20261207103015cs_/http://kcna.kp/en/css/style.css", rewritten, StringComparison.Ordinal);
        Assert.Contains("/web/20261207103015im_/http://kcna.kp/favicon.ico", rewritten, StringComparison.Ordinal);
        Assert.Contains("/web/20261207103015js_/http://kcna.kp/js/app.js", rewritten, StringComparison.Ordinal);
        Assert.Contains("""srcset="/web/20261207103015im_/http://kcna.kp/images/logo.png 1x, /web/20261207103015im_/http://kcna.kp/en/logo-2x.png 2x" """.TrimEnd(), rewritten, StringComparison.Ordinal);
        Assert.Contains("/web/20261207103015if_/http://kcna.kp/frame.html", rewritten, StringComparison.Ordinal);
    }

    [Fact]
    public void A_base_element_is_followed_and_then_removed()
    {
        var html = """<html><head><base href="http://kcna.kp/kp/"></head><body><a href="page.html">x</a></body></html>""";

        var rewritten = ReplayRewriter.RewriteHtml(html, "http://kcna.kp/index.html", At, null);

        Assert.Contains("/web/20261207103015/http://kcna.kp/kp/page.html", rewritten, StringComparison.Ordinal);
        Assert.DoesNotContain("<base", rewritten, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Fragments_data_javascript_and_mail_links_are_left_as_they_are()
    {
        var html = """<a href="#top">1</a><a href="javascript:void(0)">2</a><a href="mailto:x@kcna.kp">3</a><img src="data:image/png;base64,AAAA">""";

        var rewritten = ReplayRewriter.RewriteHtml(html, "http://kcna.kp/", At, null);

        Assert.Contains("""href="#top" """.TrimEnd(), rewritten, StringComparison.Ordinal);
        Assert.Contains("""href="javascript:void(0)" """.TrimEnd(), rewritten, StringComparison.Ordinal);
        Assert.Contains("""href="mailto:x@kcna.kp" """.TrimEnd(), rewritten, StringComparison.Ordinal);
        Assert.Contains("data:image/png;base64,AAAA", rewritten, StringComparison.Ordinal);
        Assert.DoesNotContain("/web/", rewritten, StringComparison.Ordinal);
    }

    [Fact]
    public void Css_urls_and_imports_in_stylesheets_style_elements_and_attributes_point_into_the_archive()
    {
        var css = """@import "print.css"; body { background: url('../img/bg.png') } .a { background:url(/x.gif) }""";
        var rewrittenCss = ReplayRewriter.RewriteCss(css, "http://kcna.kp/css/main.css", At);
        Assert.Contains("""@import "/web/20261207103015cs_/http://kcna.kp/css/print.css" """.TrimEnd(), rewrittenCss, StringComparison.Ordinal);
        Assert.Contains("""url("/web/20261207103015im_/http://kcna.kp/img/bg.png")""", rewrittenCss, StringComparison.Ordinal);
        Assert.Contains("""url("/web/20261207103015im_/http://kcna.kp/x.gif")""", rewrittenCss, StringComparison.Ordinal);

        var html = """<html><head><style>p { background: url(p.png) }</style></head><body style="background:url('b.png')"></body></html>""";
        var rewrittenHtml = ReplayRewriter.RewriteHtml(html, "http://kcna.kp/a/", At, null);
        Assert.Contains("/web/20261207103015im_/http://kcna.kp/a/p.png", rewrittenHtml, StringComparison.Ordinal);
        Assert.Contains("/web/20261207103015im_/http://kcna.kp/a/b.png", rewrittenHtml, StringComparison.Ordinal);
    }

    [Fact]
    public void A_meta_refresh_goes_to_the_archived_target()
    {
        var html = """<html><head><meta http-equiv="refresh" content="0; url=/new/"></head></html>""";

        var rewritten = ReplayRewriter.RewriteHtml(html, "http://kcna.kp/old/", At, null);

        Assert.Contains("0; url=/web/20261207103015/http://kcna.kp/new/", rewritten, StringComparison.Ordinal);
    }

    [Fact]
    public void The_banner_goes_first_in_the_body()
    {
        var rewritten = ReplayRewriter.RewriteHtml("<html><body><p>text</p></body></html>", "http://kcna.kp/", At, "<div id=\"banner\">archived</div>");

        Assert.Matches("<body><div id=\"banner\">archived</div><p>text</p>", rewritten);
    }
}

public sealed class ReplayPathTests
{
    [Theory]
    [InlineData("/web/20261207103015/http://kcna.kp/", "2026-12-07T10:30:15Z", ReplayMode.Page, "http://kcna.kp/")]
    [InlineData("/web/20261207id_/http://kcna.kp/a?b=1", "2026-12-07T00:00:00Z", ReplayMode.Identity, "http://kcna.kp/a?b=1")]
    [InlineData("/web/2026im_/kcna.kp/logo.png", "2026-01-01T00:00:00Z", ReplayMode.Resource, "http://kcna.kp/logo.png")]
    [InlineData("/web/20261207103015cs_/http:/kcna.kp/s.css", "2026-12-07T10:30:15Z", ReplayMode.Resource, "http://kcna.kp/s.css")]
    public void Replay_paths_name_a_time_a_mode_and_a_canonical_url(string path, string at, ReplayMode mode, string url)
    {
        Assert.True(ReplayPath.TryParse(path, out var parsedAt, out var parsedMode, out var parsedUrl));
        Assert.Equal(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture), parsedAt);
        Assert.Equal(mode, parsedMode);
        Assert.Equal(url, parsedUrl);
    }

    [Theory]
    [InlineData("/web/")]
    [InlineData("/web/http://kcna.kp/")]
    [InlineData("/web/20261340/http://kcna.kp/")]
    [InlineData("/web/20261207xx_/http://kcna.kp/")]
    [InlineData("/web/123456789012345/http://kcna.kp/")]
    [InlineData("/cdx/20261207/http://kcna.kp/")]
    public void Anything_else_is_not_a_replay_path(string path) =>
        Assert.False(ReplayPath.TryParse(path, out _, out _, out _));

    [Fact]
    public void A_path_made_from_a_time_and_url_reads_back_as_them()
    {
        var at = new DateTimeOffset(2026, 12, 7, 10, 30, 15, TimeSpan.Zero);
        Assert.True(ReplayPath.TryParse(ReplayPath.For(at, "http://kcna.kp/news?id=3", "im_"), out var back, out var mode, out var url));
        Assert.Equal((at, ReplayMode.Resource, "http://kcna.kp/news?id=3"), (back, mode, url));
    }
}
