using System.Text;
using Crawler.Actors.Crawling;
using Crawler.Core.Policies;
using Crawler.Net;
using Crawler.Storage;
using Xunit;

namespace Crawler.Actors.Tests;

public sealed class PageProcessorTests
{
    private static readonly CrawlOptions Options = new() { Traps = new TrapGuardOptions { MaxDepth = 5 } };
    private static readonly CrawlScope Scope = new(["kp", "uriminzokkiri.com"]);

    [Fact]
    public void Html_links_are_resolved_against_base_href_and_split_by_scope()
    {
        const string html = """
            <html lang="ko"><head><title>조선중앙통신</title><base href="http://kcna.kp/en/"></head>
            <body><a href="article/1.html#top">a</a> <a href="//rodong.rep.kp/">r</a>
            <a href="http://www.example.com/">off</a> <a href="javascript:void(0)">js</a>
            <form action="/search"><input name="q"></form><img srcset="/a.jpg 1x, /b.jpg 2x"></body></html>
            """;
        var result = Process("http://kcna.kp/index.html", Ok(html, "text/html; charset=utf-8"), depth: 0);

        var discovered = result.Discovered.Select(d => d.Url).ToList();
        Assert.Contains("http://kcna.kp/en/article/1.html", discovered);
        Assert.Contains("http://rodong.rep.kp/", discovered);
        Assert.Contains("http://kcna.kp/a.jpg", discovered);
        Assert.Contains("http://kcna.kp/b.jpg", discovered);
        Assert.DoesNotContain("http://www.example.com/", discovered);
        Assert.DoesNotContain("http://kcna.kp/search", discovered);
        Assert.Contains(result.Commit.Capture.Outlinks, o => o.Url == "http://www.example.com/" && !o.InScope);
        Assert.Equal("조선중앙통신", result.Commit.Capture.Title);
        Assert.Equal("ko", result.Commit.Capture.Language);
        Assert.All(result.Discovered, d => Assert.Equal(1, d.Depth));
    }

    [Fact]
    public void Euc_kr_pages_are_decoded_before_their_links_are_read()
    {
        var body = CodePages().GetBytes("<html><head><title>로동신문</title></head><body><a href=\"/기사.html\">x</a></body></html>");
        var result = Process("http://rodong.rep.kp/", Ok(body, "text/html; charset=euc-kr"), depth: 0);
        Assert.Equal("로동신문", result.Commit.Capture.Title);
        Assert.Contains(result.Discovered, d => d.Url == "http://rodong.rep.kp/%EA%B8%B0%EC%82%AC.html");
    }

    [Fact]
    public void Undeclared_euc_kr_pages_are_guessed_before_their_links_are_read()
    {
        var body = CodePages().GetBytes(
            "<html><head><title>로동신문</title></head><body><p>조선민주주의인민공화국 평양에서 열린 회의에 참가한 대표들은 과업들을 토의하였다.</p>" +
            "<a href=\"/기사.html\">x</a></body></html>");
        var result = Process("http://rodong.rep.kp/", Ok(body, "text/html"), depth: 0);
        Assert.Equal("로동신문", result.Commit.Capture.Title);
        Assert.Equal("EUC-KR", result.Commit.Capture.Charset);
        Assert.Contains(result.Discovered, d => d.Url == "http://rodong.rep.kp/%EA%B8%B0%EC%82%AC.html");
    }

    [Fact]
    public void Links_beyond_the_depth_limit_are_recorded_but_not_queued()
    {
        var result = Process("http://kcna.kp/deep", Ok("<a href=\"/deeper\">x</a>", "text/html"), depth: 5);
        Assert.Empty(result.Discovered);
        Assert.Contains(result.Commit.Capture.Outlinks, o => o.Url == "http://kcna.kp/deeper");
        var declined = Assert.Single(result.Commit.Declined);
        Assert.Equal(("http://kcna.kp/deeper", DeclineReason.Depth, "http://kcna.kp/deep", 6), (declined.Url, declined.Reason, declined.Via, declined.Depth));
    }

    [Fact]
    public void Every_link_not_followed_is_declined_with_its_reason_and_forms_are_not_links_to_follow()
    {
        const string html = """
            <a href="/article/1.html">ok</a> <a href="http://www.example.com/">off</a>
            <a href="/cal/2001/01">trap</a> <a href="/list?PHPSESSID=ab12">session</a>
            <form action="/search"><input name="q"></form>
            """;
        var result = Process("http://kcna.kp/cal/2026/12", Ok(html, "text/html"), depth: 0);

        Assert.Equal(["http://kcna.kp/article/1.html"], result.Discovered.Select(d => d.Url));
        Assert.Equal(
            [("http://www.example.com/", DeclineReason.OutOfScope, "www.example.com"), ("http://kcna.kp/cal/2001/01", DeclineReason.Trap, "kcna.kp"), ("http://kcna.kp/list?PHPSESSID=ab12", DeclineReason.Trap, "kcna.kp")],
            result.Commit.Declined.Select(d => (d.Url, d.Reason, d.Host)));
    }

    [Fact]
    public void A_near_copy_keeps_its_other_links_and_declines_those_to_its_own_shape_as_a_trap()
    {
        const string html = """<h2>No items</h2><a href="/list?offset=20">prev</a> <a href="/list?offset=40">next</a> <a href="/about.html">about</a> <a href="http://b.kp/list?offset=40">other site</a>""";
        var result = Process("http://kcna.kp/list?offset=30", Ok(html, "text/html"), depth: 1);
        var fingerprint = Assert.IsType<PageFingerprint>(result.Fingerprint);
        Assert.Equal("http://kcna.kp/list?offset=#", fingerprint.Shape);

        var page = new FrontierEntry { Url = "http://kcna.kp/list?offset=30", Host = "kcna.kp", Epoch = 1, Depth = 1 };
        var commit = PageProcessor.DeclineOwnShape(result.Commit, page, fingerprint, 10);

        Assert.Equal(["http://kcna.kp/about.html", "http://b.kp/list?offset=40"], commit.Discovered.Select(d => d.Url));
        Assert.Equal(
            [("http://kcna.kp/list?offset=20", DeclineReason.Trap), ("http://kcna.kp/list?offset=40", DeclineReason.Trap)],
            commit.Declined.Select(d => (d.Url, d.Reason)));
        Assert.All(commit.Declined, d => Assert.StartsWith("near-duplicate", d.Detail, StringComparison.Ordinal));
        Assert.Null(Process("http://kcna.kp/a.css", Ok("a { }", "text/css"), depth: 1).Fingerprint);
    }

    [Fact]
    public void A_page_with_more_links_than_the_cap_adds_the_cap_and_one_counted_record_of_the_rest()
    {
        var html = string.Concat(Enumerable.Range(0, 25).Select(i => $"<a href=\"/a/{i}\">{i}</a>"));
        var options = Options with { Traps = Options.Traps with { MaxLinksPerPage = 10 } };
        var result = PageProcessor.Process(new FrontierEntry { Url = "http://kcna.kp/", Host = "kcna.kp", Epoch = 1 }, 1, Ok(html, "text/html"), options, Scope, 1 << 20);

        Assert.Equal(10, result.Discovered.Count);
        var cut = Assert.Single(result.Commit.Declined);
        Assert.Equal(("http://kcna.kp/a/10", DeclineReason.LinkCap), (cut.Url, cut.Reason));
        Assert.StartsWith("15 links", cut.Detail, StringComparison.Ordinal);
        Assert.Equal(10, result.Commit.Capture.Outlinks.Count);
    }

    [Fact]
    public void A_page_over_the_dom_limit_is_read_by_streaming_to_the_same_capture_links_and_fingerprint()
    {
        const string html = """
            <html lang="ko"><head><title>조선중앙통신</title><base href="http://kcna.kp/en/"><meta name="robots" content="index">
            <link rel="stylesheet" href="/s.css"><style>b { background: url(bg.png) }</style></head>
            <body><h1>기사</h1><p>본문 &amp; 글</p><a href="article/1.html#top">a</a> <a href="//rodong.rep.kp/">r</a>
            <a href="http://www.example.com/">off</a> <a href="javascript:void(0)">js</a> <a href="article/1.html">again</a>
            <form action="/search"><input name="q"></form><img srcset="/a.jpg 1x, /b.jpg 2x"><a href="/cal/2001/01">old</a></body></html>
            """;
        var entry = new FrontierEntry { Url = "http://kcna.kp/index.html", Host = "kcna.kp", Epoch = 1 };
        var streaming = Options with { Traps = Options.Traps with { MaxDomChars = 100 } };

        var dom = PageProcessor.Process(entry, 1, Ok(html, "text/html"), Options, Scope, 1 << 20);
        var streamed = PageProcessor.Process(entry, 1, Ok(html, "text/html"), streaming, Scope, 1 << 20);

        Assert.Equal(dom.Commit.Capture.Outlinks, streamed.Commit.Capture.Outlinks);
        Assert.Equal(dom.Discovered, streamed.Discovered);
        Assert.Equal(dom.Commit.Declined.Select(d => (d.Url, d.Reason, d.Detail)), streamed.Commit.Declined.Select(d => (d.Url, d.Reason, d.Detail)));
        Assert.Equal((dom.Commit.Capture.Title, dom.Commit.Capture.Language), (streamed.Commit.Capture.Title, streamed.Commit.Capture.Language));
        Assert.Equal(dom.Fingerprint, streamed.Fingerprint);
        Assert.NotEmpty(dom.Discovered);
    }

    [Fact]
    public void A_page_of_a_hundred_thousand_links_is_archived_whole_with_the_cap_followed_and_the_rest_counted()
    {
        var html = "<html><head><title>many links</title></head><body>"
            + string.Concat(Enumerable.Range(0, 100_000).Select(i => $"<a href=\"/p/{i}\">{i}</a>\n")) + "</body></html>";
        var options = Options with { Traps = Options.Traps with { MaxLinksPerPage = 1_000, MaxDomChars = 100_000 } };
        var fetched = Ok(html, "text/html");

        var result = PageProcessor.Process(new FrontierEntry { Url = "http://kcna.kp/", Host = "kcna.kp", Epoch = 1 }, 1, fetched, options, Scope, 1 << 24);

        Assert.Equal(1_000, result.Discovered.Count);
        Assert.Equal("http://kcna.kp/p/999", result.Discovered[^1].Url);
        Assert.Equal(1_000, result.Commit.Capture.Outlinks.Count);
        var cut = Assert.Single(result.Commit.Declined);
        Assert.Equal(("http://kcna.kp/p/1000", DeclineReason.LinkCap), (cut.Url, cut.Reason));
        Assert.StartsWith("99000 links", cut.Detail, StringComparison.Ordinal);
        Assert.Equal(fetched.Body.Length, result.Commit.Payload!.Length);
        Assert.Equal("many links", result.Commit.Capture.Title);
        Assert.NotNull(result.Fingerprint);
    }

    [Fact]
    public void A_sitemap_is_followed_to_the_protocols_limit_whatever_the_page_cap()
    {
        var xml = "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
            + string.Concat(Enumerable.Range(0, 30).Select(i => $"<url><loc>http://kcna.kp/a/{i}</loc></url>")) + "</urlset>";
        var options = Options with { Traps = Options.Traps with { MaxLinksPerPage = 10 } };
        var result = PageProcessor.Process(
            new FrontierEntry { Url = "http://kcna.kp/sitemap.xml", Host = "kcna.kp", Epoch = 1, Kind = "sitemap" }, 1, Ok(xml, "application/xml"), options, Scope, 1 << 20);

        Assert.Equal(30, result.Discovered.Count);
        Assert.Empty(result.Commit.Declined);
    }

    [Fact]
    public void A_url_given_up_after_its_retries_carries_its_own_verdict_and_one_archived_does_not()
    {
        var failed = PageProcessor.Process(
            new FrontierEntry { Url = "http://kcna.kp/busy", Host = "kcna.kp", Epoch = 1, Depth = 2 }, Options.Retry.MaxAttempts,
            Ok("busy", "text/html") with { StatusCode = 503 }, Options, Scope, 1 << 20);
        var refused = Process("http://kcna.kp/x", Ok([], null) with { StatusCode = null, Error = FetchErrorKind.TlsFailure, ErrorDetail = "bad certificate" }, depth: 1);

        Assert.Equal(FrontierState.Failed, failed.Commit.UrlState);
        var own = Assert.Single(failed.Commit.Declined);
        Assert.Equal(("http://kcna.kp/busy", DeclineReason.Error, null, 2), (own.Url, own.Reason, own.Via, own.Depth));
        Assert.StartsWith("HTTP 503", own.Detail, StringComparison.Ordinal);
        Assert.Contains("TlsFailure", Assert.Single(refused.Commit.Declined).Detail, StringComparison.Ordinal);
        Assert.Empty(Process("http://kcna.kp/", Ok("<p>hi</p>", "text/html"), depth: 0).Commit.Declined);
    }

    [Fact]
    public void A_redirect_queues_its_target_and_is_archived_as_is()
    {
        var fetch = Ok([], null) with { StatusCode = 301, Location = "/new" };
        var result = Process("http://kcna.kp/old", fetch, depth: 0);
        Assert.Equal("http://kcna.kp/new", result.Commit.Capture.RedirectTo);
        Assert.Equal("redirect", Assert.Single(result.Discovered).Kind);
        Assert.Equal(301, result.Commit.Capture.Status);
    }

    [Fact]
    public void Transient_failures_leave_the_url_pending_for_a_retry()
    {
        var fetch = Ok("busy", "text/html") with { StatusCode = 503, RetryAfter = TimeSpan.FromSeconds(7) };
        var result = Process("http://kcna.kp/", fetch, depth: 0);
        Assert.Equal(FrontierState.Pending, result.Commit.UrlState);
        Assert.Equal(TimeSpan.FromSeconds(7), result.Retry.Delay);
    }

    [Fact]
    public void A_not_modified_answer_keeps_the_previous_payload_and_links()
    {
        var previous = new CaptureRecord
        {
            Id = "p",
            Url = "http://kcna.kp/",
            Host = "kcna.kp",
            Epoch = 1,
            FetchedAt = DateTimeOffset.UtcNow.AddDays(-1),
            Status = 200,
            ETag = "\"v1\"",
            PayloadDigest = "sha256:abc",
            Title = "KCNA",
            Outlinks = [new Outlink("http://kcna.kp/news", "a@href", true), new Outlink("http://www.example.com/", "a@href", false)],
        };
        var fetch = Ok([], null) with { StatusCode = 304 };
        var entry = new FrontierEntry { Url = "http://kcna.kp/", Host = "kcna.kp", Epoch = 2 };
        var result = PageProcessor.Process(entry, 1, fetch, Options, Scope, 1 << 20, previous);

        Assert.Null(result.Commit.Payload);
        Assert.Equal("sha256:abc", result.Commit.Capture.PayloadDigest);
        Assert.Equal("http://kcna.kp/news", Assert.Single(result.Discovered).Url);
        Assert.Equal(304, result.Commit.Capture.Status);
    }

    [Fact]
    public void A_stored_capture_leads_one_deeper_to_its_in_scope_links_except_forms_and_traps()
    {
        var stored = new CaptureRecord
        {
            Id = "s",
            Url = "http://kcna.kp/list",
            Host = "kcna.kp",
            Epoch = 1,
            FetchedAt = DateTimeOffset.UtcNow.AddDays(-3),
            Status = 200,
            Outlinks =
            [
                new Outlink("http://kcna.kp/article/1", "a@href", true),
                new Outlink("http://uriminzokkiri.com/", "a@href", true),
                new Outlink("http://kcna.kp/article/1", "img@src", true),
                new Outlink("http://www.example.com/", "a@href", false),
                new Outlink("http://kcna.kp/search", "form@action", true),
                new Outlink("http://kcna.kp/a/a/a/a/x", "a@href", true), // a repeated segment: the trap guard's
            ],
        };
        var entry = new FrontierEntry { Url = "http://kcna.kp/list", Host = "kcna.kp", Epoch = 4, Depth = 2, Kind = "a@href" };

        var (discovered, declined) = PageProcessor.FollowStored(entry, stored, Options, Scope, stored.FetchedAt);

        Assert.Equal(
            [
                new FrontierEntry { Url = "http://kcna.kp/article/1", Host = "kcna.kp", Epoch = 4, Depth = 3, Via = "http://kcna.kp/list", Kind = "a@href" },
                new FrontierEntry { Url = "http://uriminzokkiri.com/", Host = "uriminzokkiri.com", Epoch = 4, Depth = 3, Via = "http://kcna.kp/list", Kind = "a@href" },
            ],
            discovered);
        Assert.Equal(
            [("http://www.example.com/", DeclineReason.OutOfScope), ("http://kcna.kp/a/a/a/a/x", DeclineReason.Trap)],
            declined.Select(d => (d.Url, d.Reason)));
    }

    private static ProcessedFetch Process(string url, FetchResult fetch, int depth) =>
        PageProcessor.Process(new FrontierEntry { Url = url, Host = new Uri(url).Host, Epoch = 1, Depth = depth }, 1, fetch with { Url = new Uri(url) }, Options, Scope, 1 << 20);

    private static FetchResult Ok(string body, string? contentType) => Ok(Encoding.UTF8.GetBytes(body), contentType);

    private static FetchResult Ok(byte[] body, string? contentType) => new()
    {
        Url = new Uri("http://kcna.kp/"),
        StartedAt = DateTimeOffset.UtcNow,
        StatusCode = 200,
        ContentType = contentType,
        Body = body,
        ResponseHeaderBlock = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\n\r\n"),
    };

    private static Encoding CodePages()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(949);
    }
}
