using Xunit;
using CsCheck;
using Crawler.Core.Robots;

namespace Crawler.Core.Tests.Robots;

public sealed class RobotsPropertyTests
{
    private static readonly Gen<string> PathChars =
        Gen.Char["abcXYZ019-._~/%?=&é조"].Array[1, 30].Select(cs => "/" + new string(cs));

    [Fact]
    public void A_path_disallowed_by_itself_with_no_allow_is_disallowed()
    {
        PathChars.Sample(path =>
        {
            var escaped = path.Replace("*", "%2A", StringComparison.Ordinal).Replace("$", "%24", StringComparison.Ordinal);
            var rules = RobotsTxt.Parse("User-agent: *\nDisallow: " + escaped + "\n").ForAgent("bot");
            return path == "/robots.txt" || !rules.IsAllowed(path);
        });
    }

    [Fact]
    public void An_allow_of_the_same_path_always_wins_the_tie()
    {
        PathChars.Sample(path =>
        {
            var rules = RobotsTxt.Parse($"User-agent: *\nDisallow: {path}\nAllow: {path}\n").ForAgent("bot");
            return rules.IsAllowed(path);
        });
    }

    [Fact]
    public void Parse_never_throws_on_random_text()
    {
        var lines = Gen.OneOf(
            Gen.String,
            Gen.Const("User-agent: *"),
            Gen.Const("Disallow: /"),
            Gen.Const("Allow: /*$"),
            Gen.Const("Crawl-delay: 1e400"),
            Gen.Char["*$%/:#\r\n \tA"].Array[0, 20].Select(c => new string(c)));
        lines.Array[0, 30].Select(ls => string.Join('\n', ls)).Sample(text =>
        {
            var robots = RobotsTxt.Parse(text);
            var rules = robots.ForAgent("bot");
            _ = rules.IsAllowed("/some/path?q=1");
        });
    }

    [Fact]
    public void Wildcard_matching_agrees_with_a_regex_oracle()
    {
        var gen = Gen.Select(
            Gen.Char["ab*"].Array[0, 8].Select(c => "/" + new string(c)),
            Gen.Bool,
            Gen.Char["ab"].Array[0, 10].Select(c => "/" + new string(c)));
        gen.Sample((pattern, anchored, path) =>
        {
            var full = anchored ? pattern + "$" : pattern;
            var regex = "^" + string.Concat(pattern.Select(ch => ch == '*' ? ".*" : System.Text.RegularExpressions.Regex.Escape(ch.ToString()))) + (anchored ? "$" : "");
            var expected = System.Text.RegularExpressions.Regex.IsMatch(path, regex);
            var rules = RobotsTxt.Parse("User-agent: *\nDisallow: " + full + "\n").ForAgent("bot");
            return rules.IsAllowed(path) == !expected;
        });
    }
}
