using Xunit;
using Crawler.Core.Robots;

namespace Crawler.Core.Tests.Robots;

public sealed class RobotsTxtTests
{
    // RFC 9309 §5.1 example.
    private const string RfcExample = """
        User-Agent: *
        Disallow: *.gif$
        Disallow: /example/
        Allow: /publications/

        User-Agent: foobot
        Disallow:/
        Allow:/example/page.html
        Allow:/example/allowed.gif

        User-Agent: barbot
        User-Agent: bazbot
        Disallow: /example/page.html

        User-Agent: quxbot

        EOF
        """;

    [Theory]
    [InlineData("foobot", "/example/page.html", true)]
    [InlineData("foobot", "/example/allowed.gif", true)]
    [InlineData("foobot", "/example/other.html", false)]
    [InlineData("foobot", "/", false)]
    [InlineData("barbot", "/example/page.html", false)]
    [InlineData("bazbot", "/example/page.html", false)]
    [InlineData("barbot", "/example/other.html", true)]
    [InlineData("quxbot", "/example/page.html", true)]
    [InlineData("quxbot", "/anything.gif", true)]
    [InlineData("otherbot", "/example/page.html", false)]
    [InlineData("otherbot", "/publications/x", true)]
    [InlineData("otherbot", "/images/a.gif", false)]
    [InlineData("otherbot", "/images/a.gif?x=1", true)]
    [InlineData("otherbot", "/", true)]
    public void Rfc_example_is_applied_per_agent(string agent, string path, bool allowed)
    {
        var robots = RobotsTxt.Parse(RfcExample);

        Assert.Equal(allowed, robots.ForAgent(agent).IsAllowed(path));
    }

    [Fact]
    public void Agent_matching_is_case_insensitive_and_ignores_version()
    {
        var robots = RobotsTxt.Parse("User-agent: FooBot\nDisallow: /private\n\nUser-agent: *\nDisallow: /");

        Assert.False(robots.ForAgent("foobot/2.1").IsAllowed("/private/x"));
        Assert.True(robots.ForAgent("FOOBOT").IsAllowed("/public"));
        Assert.False(robots.ForAgent("elsebot").IsAllowed("/public"));
    }

    [Fact]
    public void User_agent_line_with_version_in_file_matches_the_token()
    {
        var robots = RobotsTxt.Parse("User-agent: KpArchiver/1.0 (+http://x)\nDisallow: /a\n");

        Assert.False(robots.ForAgent("KpArchiver").IsAllowed("/a"));
    }

    [Fact]
    public void Groups_for_the_same_agent_are_merged()
    {
        var robots = RobotsTxt.Parse("""
            user-agent: a
            disallow: /one

            user-agent: b
            disallow: /two

            user-agent: A
            disallow: /three
            """);
        var rules = robots.ForAgent("a");

        Assert.False(rules.IsAllowed("/one"));
        Assert.False(rules.IsAllowed("/three"));
        Assert.True(rules.IsAllowed("/two"));
    }

    [Fact]
    public void Star_groups_are_merged_and_used_only_as_fallback()
    {
        var robots = RobotsTxt.Parse("""
            User-agent: *
            Disallow: /x
            User-agent: special
            Disallow: /y
            User-agent: *
            Disallow: /z
            """);

        Assert.False(robots.ForAgent("other").IsAllowed("/x"));
        Assert.False(robots.ForAgent("other").IsAllowed("/z"));
        Assert.True(robots.ForAgent("special").IsAllowed("/x"));
        Assert.False(robots.ForAgent("special").IsAllowed("/y"));
    }

    [Fact]
    public void No_matching_group_and_no_star_group_allows_everything()
    {
        var robots = RobotsTxt.Parse("User-agent: somebot\nDisallow: /\n");

        Assert.True(robots.ForAgent("mybot").IsAllowed("/anything"));
    }

    [Fact]
    public void Rules_before_the_first_user_agent_are_ignored()
    {
        var robots = RobotsTxt.Parse("Disallow: /\nUser-agent: *\nDisallow: /private\n");

        Assert.True(robots.ForAgent("x").IsAllowed("/public"));
        Assert.False(robots.ForAgent("x").IsAllowed("/private"));
    }

    [Fact]
    public void Empty_disallow_allows_everything()
    {
        var rules = RobotsTxt.Parse("User-agent: *\nDisallow:\n").ForAgent("x");

        Assert.True(rules.IsAllowed("/"));
        Assert.Equal(0, rules.Count);
    }

    [Fact]
    public void Bom_crlf_cr_comments_case_and_missing_spaces_are_tolerated()
    {
        var text = "\uFEFFUSER-AGENT:*   # everyone\r\nDISALLOW:/a\rallow:/a/b # comment\n# full comment\r\nfoo: bar\nDisallow /c\n";
        var rules = RobotsTxt.Parse(text).ForAgent("x");

        Assert.False(rules.IsAllowed("/a/x"));
        Assert.True(rules.IsAllowed("/a/b"));
        Assert.False(rules.IsAllowed("/c"));
        Assert.True(rules.IsAllowed("/d"));
    }

    [Fact]
    public void Unknown_lines_between_user_agents_do_not_split_the_group()
    {
        var robots = RobotsTxt.Parse("User-agent: a\nfoo: bar\nUser-agent: b\nDisallow: /x\n");

        Assert.False(robots.ForAgent("a").IsAllowed("/x"));
        Assert.False(robots.ForAgent("b").IsAllowed("/x"));
    }

    [Fact]
    public void Common_misspellings_of_disallow_are_accepted()
    {
        var rules = RobotsTxt.Parse("User-agent: *\nDissallow: /x\nuseragent: y\n").ForAgent("z");

        Assert.False(rules.IsAllowed("/x"));
    }

    [Fact]
    public void Pattern_without_leading_slash_is_rooted()
    {
        var rules = RobotsTxt.Parse("User-agent: *\nDisallow: private/\n").ForAgent("z");

        Assert.False(rules.IsAllowed("/private/a"));
    }

    [Fact]
    public void Crawl_delay_accepts_decimal_seconds()
    {
        var robots = RobotsTxt.Parse("User-agent: *\nCrawl-delay: 2.5\n\nUser-agent: slow\nCrawl-delay: 10\n");

        Assert.Equal(TimeSpan.FromSeconds(2.5), robots.ForAgent("x").CrawlDelay);
        Assert.Equal(TimeSpan.FromSeconds(10), robots.ForAgent("slow").CrawlDelay);
    }

    [Fact]
    public void Crawl_delay_of_merged_groups_takes_the_largest_and_ignores_garbage()
    {
        var robots = RobotsTxt.Parse("User-agent: a\nCrawl-delay: 3\nUser-agent: a\nCrawl-delay: 7\nUser-agent: b\nCrawl-delay: soon\nCrawl-delay: -1\nCrawl-delay: NaN\n");

        Assert.Equal(TimeSpan.FromSeconds(7), robots.ForAgent("a").CrawlDelay);
        Assert.Null(robots.ForAgent("b").CrawlDelay);
    }

    [Fact]
    public void Sitemaps_are_collected_anywhere_without_duplicates()
    {
        var robots = RobotsTxt.Parse("""
            Sitemap: http://example.kp/sitemap.xml
            User-agent: *
            Disallow: /x
            sitemap:http://example.kp/news.xml
            SITEMAP: http://example.kp/sitemap.xml
            """);

        Assert.Equal(["http://example.kp/sitemap.xml", "http://example.kp/news.xml"], robots.Sitemaps);
        Assert.False(robots.ForAgent("a").IsAllowed("/x"));
    }

    [Fact]
    public void Garbage_input_parses_to_allow_all()
    {
        var robots = RobotsTxt.Parse("<html><body>Not found</body></html>\n\0\u0001::::\n%%%");

        Assert.True(robots.ForAgent("x").IsAllowed("/anything"));
        Assert.Empty(robots.Sitemaps);
    }

    [Fact]
    public void Content_beyond_500_KiB_is_ignored_and_the_cut_line_dropped()
    {
        var header = "User-agent: *\nDisallow: /early\n";
        var filler = new string('#', RobotsTxt.MaxParsedChars - header.Length - 12) + "\n";
        // This line straddles the limit: only "Disallow: /" of it fits; it must not become a rule.
        var text = header + filler + "Disallow: /late\nDisallow: /later\n";

        var rules = RobotsTxt.Parse(text).ForAgent("x");

        Assert.False(rules.IsAllowed("/early"));
        Assert.True(rules.IsAllowed("/other"));
        Assert.True(rules.IsAllowed("/later"));
    }

    [Fact]
    public void A_file_of_one_huge_line_parses_without_rules()
    {
        var rules = RobotsTxt.Parse("User-agent: *\nDisallow: /" + new string('a', RobotsTxt.MaxParsedChars)).ForAgent("x");

        Assert.True(rules.IsAllowed("/a"));
    }
}
