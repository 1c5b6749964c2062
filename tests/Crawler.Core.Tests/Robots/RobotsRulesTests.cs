using Xunit;
using System.Diagnostics;
using Crawler.Core.Robots;

namespace Crawler.Core.Tests.Robots;

public sealed class RobotsRulesTests
{
    private static RobotsRules Rules(string body) => RobotsTxt.Parse("User-agent: *\n" + body).ForAgent("bot");

    [Fact]
    public void Longest_match_wins_regardless_of_order()
    {
        var rules = Rules("Allow: /folder/page\nDisallow: /folder\n");
        var reversed = Rules("Disallow: /folder\nAllow: /folder/page\n");

        Assert.True(rules.IsAllowed("/folder/page.html"));
        Assert.False(rules.IsAllowed("/folder/other"));
        Assert.True(reversed.IsAllowed("/folder/page.html"));
        Assert.False(reversed.IsAllowed("/folder/other"));
    }

    [Fact]
    public void Longer_disallow_beats_shorter_allow()
    {
        var rules = Rules("Allow: /a\nDisallow: /a/secret\n");

        Assert.False(rules.IsAllowed("/a/secret/1"));
        Assert.True(rules.IsAllowed("/a/open"));
    }

    [Theory]
    [InlineData("Allow: /page\nDisallow: /page\n")]
    [InlineData("Disallow: /page\nAllow: /page\n")]
    [InlineData("Disallow: /p*e\nAllow: /pa*\n")]
    public void Allow_wins_a_tie_in_length(string body)
    {
        Assert.True(Rules(body).IsAllowed("/page"));
    }

    [Theory]
    [InlineData("/", false)]
    [InlineData("/a.php", true)]
    [InlineData("/a.php?x", false)]
    [InlineData("/dir/b.php", true)]
    [InlineData("/a.phpx", false)]
    public void Dollar_anchors_the_end(string path, bool allowed)
    {
        var rules = Rules("Disallow: /\nAllow: /*.php$\n");

        Assert.Equal(allowed, rules.IsAllowed(path));
    }

    [Theory]
    [InlineData("/fish", true)]
    [InlineData("/fish.html", true)]
    [InlineData("/fishheads/catfish.php?parameters", true)]
    [InlineData("/Fish.asp", false)]
    [InlineData("/catfish", false)]
    public void Plain_prefix_is_case_sensitive(string path, bool matches)
    {
        Assert.Equal(!matches, Rules("Disallow: /fish\n").IsAllowed(path));
    }

    [Theory]
    [InlineData("/filename.php", true)]
    [InlineData("/folder/filename.php", true)]
    [InlineData("/folder/filename.php?parameters", true)]
    [InlineData("/folder/any.php.file.html", true)]
    [InlineData("/filename.php/", true)]
    [InlineData("/", false)]
    [InlineData("/windows.PHP", false)]
    public void Star_matches_any_sequence(string path, bool matches)
    {
        Assert.Equal(!matches, Rules("Disallow: /*.php\n").IsAllowed(path));
    }

    [Fact]
    public void Star_in_the_middle_and_repeated_stars_work()
    {
        var rules = Rules("Disallow: /a*b**c$\n");

        Assert.False(rules.IsAllowed("/a-b-c"));
        Assert.False(rules.IsAllowed("/abc"));
        Assert.False(rules.IsAllowed("/axxbyyczzc"));
        Assert.True(rules.IsAllowed("/axxbyyczzcd"));
        Assert.True(rules.IsAllowed("/ac"));
    }

    [Fact]
    public void Dollar_not_at_the_end_is_a_literal()
    {
        var rules = Rules("Disallow: /a$b\n");

        Assert.False(rules.IsAllowed("/a$bc"));
        Assert.True(rules.IsAllowed("/a"));
    }

    [Theory]
    [InlineData("Disallow: /%7Efoo\n", "/~foo")]
    [InlineData("Disallow: /~foo\n", "/%7efoo")]
    [InlineData("Disallow: /%41bc\n", "/Abc")]
    [InlineData("Disallow: /a%2fb\n", "/a%2Fb")]
    [InlineData("Disallow: /foo/bar/ツ\n", "/foo/bar/%E3%83%84")]
    [InlineData("Disallow: /foo/bar/%E3%83%84\n", "/foo/bar/ツ")]
    [InlineData("Disallow: /조선\n", "/%ec%a1%b0%ec%84%a0")]
    public void Percent_encoding_is_normalised_on_both_sides(string body, string path)
    {
        Assert.False(Rules(body).IsAllowed(path));
    }

    [Fact]
    public void Reserved_characters_stay_distinct_from_their_escapes()
    {
        var rules = Rules("Disallow: /a/b\n");

        Assert.True(rules.IsAllowed("/a%2Fb"));
    }

    [Fact]
    public void Robots_txt_is_always_allowed()
    {
        var rules = Rules("Disallow: /\n");

        Assert.True(rules.IsAllowed("/robots.txt"));
        Assert.False(rules.IsAllowed("/robots.txt.bak"));
        Assert.True(RobotsRules.DisallowAll.IsAllowed("/robots.txt"));
    }

    [Fact]
    public void Allow_all_and_disallow_all_do_what_they_say()
    {
        Assert.True(RobotsRules.AllowAll.IsAllowed("/x"));
        Assert.False(RobotsRules.DisallowAll.IsAllowed("/x"));
        Assert.False(RobotsRules.DisallowAll.IsAllowed("/"));
        Assert.Null(RobotsRules.AllowAll.CrawlDelay);
    }

    [Fact]
    public void Empty_path_is_treated_as_root_and_fragment_is_ignored()
    {
        var rules = Rules("Disallow: /$\nDisallow: /x$\n");

        Assert.False(rules.IsAllowed(""));
        Assert.False(rules.IsAllowed("/x#frag"));
    }

    [Fact]
    public void Many_stars_do_not_cause_catastrophic_backtracking()
    {
        var pattern = "/" + string.Concat(Enumerable.Repeat("a*", 200)) + "b$";
        var rules = Rules("Disallow: " + pattern + "\n");
        var path = "/" + new string('a', 100_000);

        var sw = Stopwatch.StartNew();
        var allowed = rules.IsAllowed(path);
        sw.Stop();

        Assert.True(allowed);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"took {sw.Elapsed}");
    }
}
