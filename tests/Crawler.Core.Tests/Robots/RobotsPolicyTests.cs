using Xunit;
using Crawler.Core.Robots;

namespace Crawler.Core.Tests.Robots;

public sealed class RobotsPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void Success_parses_the_body_for_the_product_token_and_caches_a_day()
    {
        var d = RobotsPolicy.Decide(200, "User-agent: kp\nDisallow: /x\nSitemap: http://a.kp/s.xml", "kp", Now);

        Assert.Equal(RobotsFetchOutcome.Success, d.Outcome);
        Assert.False(d.Rules.IsAllowed("/x"));
        Assert.True(d.Rules.IsAllowed("/y"));
        Assert.Equal(Now.AddHours(24), d.ExpiresAt);
        Assert.Equal(["http://a.kp/s.xml"], d.Sitemaps);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(410)]
    [InlineData(310)]
    public void Client_errors_mean_no_restrictions(int status)
    {
        var d = RobotsPolicy.Decide(status, "User-agent: *\nDisallow: /", "kp", Now);

        Assert.Equal(RobotsFetchOutcome.Unavailable, d.Outcome);
        Assert.True(d.Rules.IsAllowed("/anything"));
        Assert.Equal(Now.AddHours(24), d.ExpiresAt);
    }

    [Theory]
    [InlineData(429, RobotsFetchOutcome.ServerError)]
    [InlineData(500, RobotsFetchOutcome.ServerError)]
    [InlineData(503, RobotsFetchOutcome.ServerError)]
    [InlineData(null, RobotsFetchOutcome.Unreachable)]
    public void Server_errors_429_and_unreachable_disallow_everything_for_an_hour(int? status, RobotsFetchOutcome expected)
    {
        var d = RobotsPolicy.Decide(status, "User-agent: *\nAllow: /", "kp", Now);

        Assert.Equal(expected, d.Outcome);
        Assert.False(d.Rules.IsAllowed("/anything"));
        Assert.Equal(Now.AddHours(1), d.ExpiresAt);
    }

    [Fact]
    public void Cache_lifetimes_are_configurable()
    {
        var options = RobotsCacheOptions.Default with { Success = TimeSpan.FromHours(6), ServerError = TimeSpan.FromMinutes(10) };

        Assert.Equal(Now.AddHours(6), RobotsPolicy.Decide(200, "", "kp", Now, options).ExpiresAt);
        Assert.Equal(Now.AddMinutes(10), RobotsPolicy.Decide(502, null, "kp", Now, options).ExpiresAt);
        Assert.Equal(TimeSpan.FromHours(1), RobotsPolicy.CacheFor(RobotsFetchOutcome.Unreachable, options));
    }

    [Fact]
    public void Success_with_an_empty_or_missing_body_allows_everything()
    {
        Assert.True(RobotsPolicy.Decide(204, null, "kp", Now).Rules.IsAllowed("/x"));
    }
}
