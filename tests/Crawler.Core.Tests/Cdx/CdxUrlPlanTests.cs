using Crawler.Core.Cdx;
using Xunit;

namespace Crawler.Core.Tests.Cdx;

public sealed class CdxUrlPlanTests
{
    private static CdxQuery Query(string url, string matchType = "exact") =>
        CdxQuery.Parse([new("url", url), new("matchType", matchType)]);

    private static bool Read(CdxUrlPlan plan, string url) =>
        plan.Reads.Any(r => r.Exact ? string.Equals(r.Url, url, StringComparison.OrdinalIgnoreCase) : url.StartsWith(r.Url, StringComparison.OrdinalIgnoreCase));

    private static bool StepsAside(CdxUrlPlan plan, string url) =>
        plan.Deviations.Any(d => url.StartsWith(d, StringComparison.Ordinal));

    [Fact]
    public void An_exact_match_reads_the_url_and_its_empty_query_in_each_scheme_and_www_spelling()
    {
        var plan = CdxUrlPlan.For(Query("kcna.kp/news/a.html"))!;

        Assert.Equal(
            [
                new("http://kcna.kp/news/a.html", true), new("http://kcna.kp/news/a.html?", false),
                new("http://www.kcna.kp/news/a.html", true), new("http://www.kcna.kp/news/a.html?", false),
                new("https://kcna.kp/news/a.html", true), new("https://kcna.kp/news/a.html?", false),
                new("https://www.kcna.kp/news/a.html", true), new("https://www.kcna.kp/news/a.html?", false),
            ],
            plan.Reads);
    }

    [Fact]
    public void An_exact_match_with_a_query_reads_the_url_with_its_arguments_in_each_order()
    {
        var plan = CdxUrlPlan.For(Query("http://www.rodong.rep.kp/index.php?b=2&a=1"))!;

        Assert.Equal([new("http://rodong.rep.kp/index.php?a=1&b=2", true), new("http://rodong.rep.kp/index.php?b=2&a=1", true)], plan.Reads.Take(2));
        Assert.Equal(8, plan.Reads.Count);
    }

    [Fact]
    public void An_exact_match_with_many_arguments_reads_the_path_with_each_argument_first()
    {
        var plan = CdxUrlPlan.For(Query("http://rodong.rep.kp/index.php?e=5&d=4&c=3&b=2&a=1"))!;

        Assert.Equal(["http://rodong.rep.kp/index.php?a=1", "http://rodong.rep.kp/index.php?b=2"], plan.Reads.Take(2).Select(r => r.Url));
        Assert.All(plan.Reads, r => Assert.False(r.Exact));
    }

    [Theory]
    [InlineData("http://kcna.kp/News/A.html")]
    [InlineData("https://www.kcna.kp/NEWS/a.HTML")]
    [InlineData("http://kcna.kp/news/%61.html")]
    [InlineData("http://kcna.kp/%6Eews/a.html")]
    [InlineData("http://www.kcna.kp/news/a.html?")]
    [InlineData("http://kcna.kp/news/a.html")]
    public void Every_stored_spelling_whose_key_matches_is_read_or_makes_the_plan_step_aside(string stored)
    {
        var query = Query("http://kcna.kp/news/a.html");
        Assert.True(query.Selects(Surt.Key(stored)), "the spelling is one the exact match selects");

        var plan = CdxUrlPlan.For(query)!;

        Assert.True(Read(plan, stored) || StepsAside(plan, stored), $"{stored} would be missed");
    }

    [Theory]
    [InlineData("http://rodong.rep.kp/index.php?a=1&b=2")]
    [InlineData("http://rodong.rep.kp/index.php?b=2&a=1")]
    [InlineData("http://rodong.rep.kp/index.php?B=2&a=1")]
    [InlineData("http://rodong.rep.kp/index.php?b=%32&a=1")]
    public void Every_argument_order_and_spelling_of_an_exact_query_is_read_or_makes_the_plan_step_aside(string stored)
    {
        var query = Query("rodong.rep.kp/index.php?a=1&b=2");
        Assert.True(query.Selects(Surt.Key(stored)));

        var plan = CdxUrlPlan.For(query)!;

        Assert.True(Read(plan, stored) || StepsAside(plan, stored), $"{stored} would be missed");
    }

    [Fact]
    public void Urls_in_any_case_are_read_without_stepping_aside_escapes_step_aside_and_other_urls_are_neither()
    {
        var plan = CdxUrlPlan.For(Query("http://kcna.kp/news/", "prefix"))!;

        Assert.True(Read(plan, "https://www.kcna.kp/news/2016/a.html"));
        Assert.False(StepsAside(plan, "https://www.kcna.kp/news/2016/a.html"));
        Assert.False(Read(plan, "http://kcna.kp/newsletter") || StepsAside(plan, "http://kcna.kp/newsletter"));
        Assert.False(Read(plan, "http://en.kcna.kp/news/a.html") || StepsAside(plan, "http://en.kcna.kp/news/a.html"));
        Assert.True(Read(plan, "http://kcna.kp/News/A.html") && !StepsAside(plan, "http://kcna.kp/News/A.html"));
        Assert.True(StepsAside(plan, "http://kcna.kp/n%65ws/a.html"));
    }

    [Fact]
    public void A_key_with_an_escape_or_upper_case_is_read_only_up_to_it()
    {
        var plan = CdxUrlPlan.For(Query("http://kcna.kp/a%7Cb/c.html"))!;

        Assert.Equal("http://kcna.kp/a", plan.Reads[0].Url);
        Assert.False(plan.Reads[0].Exact);
    }

    [Theory]
    [InlineData("kcna.kp", "host")]
    [InlineData("kcna.kp", "domain")]
    [InlineData("http://[::1]/a", "exact")]
    public void Host_and_domain_matches_and_ip_v6_hosts_read_their_sites(string url, string matchType)
    {
        Assert.Null(CdxUrlPlan.For(Query(url, matchType)));
    }
}
