using Crawler.Core.Cdx;
using Xunit;

namespace Crawler.Core.Tests.Cdx;

public sealed class CdxEngineTests
{
    private static CdxRow Row(string url, string timestamp, int? status = 200, string? mime = "text/html", string? digest = null, string? redirect = null) =>
        new(Surt.Key(url), timestamp, url, mime, status, digest ?? "sha256:" + url.Length, 100, redirect);

    private static readonly CdxRow[] Archive =
    [
        Row("http://kcna.kp/index.html", "20260101120000"),
        Row("http://kcna.kp/index.html", "20260101130000", status: 304, mime: "warc/revisit"),
        Row("http://kcna.kp/index.html", "20260102120000"),
        Row("https://www.kcna.kp/index.html", "20260103120000"),
        Row("http://kcna.kp/news/a.html", "20260101120500"),
        Row("http://kcna.kp/news/b.html", "20260101120600", status: 404),
        Row("http://kcna.kp/img/logo.png", "20260101120700", mime: "image/png"),
        Row("http://en.kcna.kp/index.html", "20260101121000"),
        Row("http://kcnawatch.kp/", "20260101122000"),
        Row("http://rodong.rep.kp/", "20260101123000", status: 302, redirect: "http://rodong.rep.kp/ko/"),
    ];

    private static CdxQuery Query(params (string Key, string Value)[] parameters) =>
        CdxQuery.Parse(parameters.Select(p => new KeyValuePair<string, string>(p.Key, p.Value)));

    private static List<string> Urls(params (string Key, string Value)[] parameters) =>
        [.. CdxEngine.Answer(Archive, Query(parameters)).Select(r => r.Url + " " + r.Timestamp)];

    [Fact]
    public void Exact_matches_the_urls_key_so_scheme_and_www_do_not_count_and_captures_come_in_time_order()
    {
        Assert.Equal(
            ["http://kcna.kp/index.html 20260101120000", "http://kcna.kp/index.html 20260101130000", "http://kcna.kp/index.html 20260102120000", "https://www.kcna.kp/index.html 20260103120000"],
            Urls(("url", "kcna.kp/index.html")));
    }

    [Fact]
    public void Prefix_by_match_type_or_trailing_star_selects_urls_under_the_path()
    {
        var expected = new List<string> { "http://kcna.kp/news/a.html 20260101120500", "http://kcna.kp/news/b.html 20260101120600" };
        Assert.Equal(expected, Urls(("url", "http://kcna.kp/news/"), ("matchType", "prefix")));
        Assert.Equal(expected, Urls(("url", "http://kcna.kp/news/*")));
    }

    [Fact]
    public void Host_selects_the_host_only_and_domain_adds_its_subdomains_but_not_a_longer_name()
    {
        var host = Urls(("url", "kcna.kp"), ("matchType", "host"));
        Assert.Equal(7, host.Count);
        Assert.DoesNotContain(host, u => u.StartsWith("http://en.", StringComparison.Ordinal));

        var domain = Urls(("url", "*.kcna.kp"));
        Assert.Equal(8, domain.Count);
        Assert.Contains("http://en.kcna.kp/index.html 20260101121000", domain);
        Assert.DoesNotContain(domain, u => u.Contains("kcnawatch", StringComparison.Ordinal));
    }

    [Fact]
    public void From_and_to_are_inclusive_and_short_ones_cover_their_whole_period()
    {
        Assert.Equal(["http://kcna.kp/index.html 20260102120000"], Urls(("url", "kcna.kp/index.html"), ("from", "20260102"), ("to", "20260102")));
        Assert.Equal(2, Urls(("url", "kcna.kp/index.html"), ("to", "2026010113")).Count);
        Assert.Empty(Urls(("url", "kcna.kp/index.html"), ("from", "2027")));
        Assert.Equal(4, Urls(("url", "kcna.kp/index.html"), ("from", "2026"), ("to", "2026")).Count);
    }

    [Fact]
    public void Filters_contain_equal_match_from_the_start_and_negate_as_pywb_does()
    {
        Assert.Equal(["http://kcna.kp/news/b.html 20260101120600"], Urls(("url", "kcna.kp"), ("matchType", "host"), ("filter", "=status:404")));
        Assert.Equal(6, Urls(("url", "kcna.kp"), ("matchType", "host"), ("filter", "!=status:404")).Count);
        Assert.Equal(["http://kcna.kp/img/logo.png 20260101120700"], Urls(("url", "kcna.kp"), ("matchType", "host"), ("filter", "mime:image")));
        Assert.Equal(["http://kcna.kp/img/logo.png 20260101120700"], Urls(("url", "kcna.kp"), ("matchType", "host"), ("filter", "~mimetype:image/.*")));

        // ~ matches from the field's start (re.match), not anywhere in it.
        Assert.Empty(Urls(("url", "kcna.kp"), ("matchType", "host"), ("filter", "~mime:png")));

        // Several filters all hold.
        Assert.Equal(
            ["http://kcna.kp/index.html 20260101120000", "http://kcna.kp/index.html 20260102120000", "https://www.kcna.kp/index.html 20260103120000"],
            Urls(("url", "kcna.kp/index.html"), ("filter", "=status:200"), ("filter", "!mime:revisit")));
    }

    [Fact]
    public void Collapse_drops_adjacent_repeats_of_a_field_or_its_first_characters()
    {
        // One capture per URL key.
        Assert.Equal(4, Urls(("url", "kcna.kp"), ("matchType", "host"), ("collapse", "urlkey")).Count);

        // timestamp:8 = one capture per day of each URL.
        Assert.Equal(
            ["http://kcna.kp/index.html 20260101120000", "http://kcna.kp/index.html 20260102120000", "https://www.kcna.kp/index.html 20260103120000"],
            Urls(("url", "kcna.kp/index.html"), ("collapse", "timestamp:8")));
    }

    [Fact]
    public void Limit_takes_the_first_n_a_negative_one_the_last_n_and_reverse_turns_the_order()
    {
        var all = Urls(("url", "kcna.kp/index.html"));
        Assert.Equal(all.Take(2), Urls(("url", "kcna.kp/index.html"), ("limit", "2")));
        Assert.Equal(all.TakeLast(2), Urls(("url", "kcna.kp/index.html"), ("limit", "-2")));
        Assert.Equal(Enumerable.Reverse(all).Take(1), Urls(("url", "kcna.kp/index.html"), ("sort", "reverse"), ("limit", "1")));
    }

    [Fact]
    public void Closest_orders_by_distance_from_the_time_asked()
    {
        Assert.Equal(
            ["http://kcna.kp/index.html 20260102120000", "https://www.kcna.kp/index.html 20260103120000", "http://kcna.kp/index.html 20260101130000"],
            Urls(("url", "kcna.kp/index.html"), ("sort", "closest"), ("closest", "20260102180000"), ("limit", "3")));
    }

    [Fact]
    public void Pages_split_the_answer_and_the_page_count_says_how_many()
    {
        var query = Query(("url", "kcna.kp"), ("matchType", "host"), ("pageSize", "3"));
        Assert.Equal((7, 3), CdxEngine.PageCount(Archive, query));
        var pages = Enumerable.Range(0, 3).SelectMany(p => CdxEngine.Answer(Archive, query with { Page = p })).ToList();
        Assert.Equal(CdxEngine.Answer(Archive, query), pages);
        Assert.Single(CdxEngine.Answer(Archive, query with { Page = 2 }));
    }

    [Fact]
    public void Lines_are_written_as_cdxj_ndjson_or_text_with_the_fields_asked_for()
    {
        var row = Archive[^1];
        Assert.Equal(
            "kp,rep,rodong)/ 20260101123000 {\"url\":\"http://rodong.rep.kp/\",\"mime\":\"text/html\",\"status\":\"302\",\"digest\":\"sha256:21\",\"length\":\"100\",\"redirect\":\"http://rodong.rep.kp/ko/\"}",
            CdxEngine.Line(row, Query(("url", "rodong.rep.kp"))));
        Assert.Equal("{\"url\":\"http://rodong.rep.kp/\",\"status\":\"302\"}", CdxEngine.Line(row, Query(("url", "rodong.rep.kp"), ("output", "json"), ("fl", "original,statuscode"))));
        Assert.Equal("kp,rep,rodong)/ 20260101123000 http://rodong.rep.kp/ text/html 302 sha256:21 100 http://rodong.rep.kp/ko/", CdxEngine.Line(row, Query(("url", "rodong.rep.kp"), ("output", "text"))));
        Assert.Equal("- 302", CdxEngine.Line(row with { Mime = null }, Query(("url", "rodong.rep.kp"), ("output", "text"), ("fl", "mime,status"))));
    }

    [Theory]
    [InlineData("url", "", "'url' is required")]
    [InlineData("matchType", "subdomain", "use exact, prefix, host or domain")]
    [InlineData("from", "2026-12", "1 to 14 digits")]
    [InlineData("filter", "status200", "[!][=|~]field:expression")]
    [InlineData("filter", "=size:5", "the fields are")]
    [InlineData("filter", "~url:(", "does not parse")]
    [InlineData("collapse", "timestamp:x", "positive number")]
    [InlineData("limit", "ten", "whole number")]
    [InlineData("sort", "closest", "needs 'closest'")]
    [InlineData("output", "xml", "cdxj, json or text")]
    [InlineData("fl", "url,offset", "the fields are")]
    public void A_wrong_parameter_is_refused_with_a_message_naming_it_and_what_it_accepts(string name, string value, string expected)
    {
        var parameters = new List<KeyValuePair<string, string>> { new(name, value) };
        if (name != "url")
        {
            parameters.Add(new("url", "kcna.kp"));
        }

        var e = Assert.Throws<CdxQueryException>(() => CdxQuery.Parse(parameters));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains($"'{name}", e.Message, StringComparison.Ordinal);
    }
}
