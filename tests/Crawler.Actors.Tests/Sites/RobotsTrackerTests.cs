using Crawler.Actors.Sites;
using Crawler.Core.Policies;
using Crawler.Core.Robots;
using Xunit;

namespace Crawler.Actors.Tests.Sites;

public sealed class RobotsTrackerTests
{
    private const string Origin = "http://kcna.kp";
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly RetryOptions Retry = new() { MaxAttempts = 3, BaseDelay = TimeSpan.FromSeconds(30) };

    [Fact]
    public void An_origin_never_seen_is_first_loaded_from_the_store_then_fetched_when_the_store_has_nothing()
    {
        var robots = new RobotsTracker(Retry);
        Assert.Equal(RobotsStep.Load, robots.Check(Origin, T0).Step);

        Assert.False(robots.Loaded(Origin, null, T0));
        var check = robots.Check(Origin, T0);

        Assert.Equal((RobotsStep.Fetch, Origin + "/robots.txt", 1), (check.Step, check.Url, check.Attempt));
    }

    [Fact]
    public void Stored_rules_decide_until_they_expire()
    {
        var robots = new RobotsTracker(Retry);
        Assert.True(robots.Loaded(Origin, Decide(200, "User-agent: *\nDisallow: /private\n", T0), T0));

        var check = robots.Check(Origin, T0.AddHours(1));
        Assert.Equal(RobotsStep.Decide, check.Step);
        Assert.False(check.Rules!.IsAllowed("/private/x"));
        Assert.Equal(RobotsStep.Fetch, robots.Check(Origin, T0.AddDays(2)).Step);
    }

    [Fact]
    public void A_transient_failure_waits_with_backoff_then_gives_up_as_complete_disallow()
    {
        var robots = new RobotsTracker(Retry);
        robots.Loaded(Origin, null, T0);

        var first = robots.Fetched(Origin, 1, Decide(503, null, T0), Origin + "/robots.txt", default, T0);
        Assert.Equal(TimeSpan.FromSeconds(30), first);
        Assert.Equal((RobotsStep.Wait, T0.AddSeconds(30)), (robots.Check(Origin, T0.AddSeconds(29)).Step, robots.Check(Origin, T0).Until));
        var second = robots.Check(Origin, T0.AddSeconds(30));
        Assert.Equal((RobotsStep.Fetch, 2), (second.Step, second.Attempt));

        Assert.Equal(TimeSpan.FromSeconds(60), robots.Fetched(Origin, 2, Decide(503, null, T0), Origin + "/robots.txt", default, T0));
        Assert.Null(robots.Fetched(Origin, 3, Decide(503, null, T0), Origin + "/robots.txt", default, T0));
        var final = robots.Check(Origin, T0);
        Assert.Equal(RobotsStep.Decide, final.Step);
        Assert.False(final.Rules!.IsAllowed("/"));
    }

    [Fact]
    public void A_retry_after_the_server_asked_for_is_the_wait()
    {
        var robots = new RobotsTracker(Retry);
        var delay = robots.Fetched(Origin, 1, Decide(429, null, T0), Origin + "/robots.txt", new RetryDecision(RetryDecisionKind.Retry, TimeSpan.FromMinutes(7)), T0);

        Assert.Equal(TimeSpan.FromMinutes(7), delay);
    }

    [Fact]
    public void A_redirect_is_followed_and_its_rules_hold_for_the_origin_it_led_to()
    {
        var robots = new RobotsTracker(Retry);
        robots.Redirected(Origin, "https://kcna.kp/robots.txt", 1, T0);
        var follow = robots.Check(Origin, T0);
        Assert.Equal((RobotsStep.Fetch, "https://kcna.kp/robots.txt", 1), (follow.Step, follow.Url, follow.Hops));

        robots.Fetched(Origin, 1, Decide(200, "User-agent: *\nDisallow: /x\n", T0), "https://kcna.kp/robots.txt", default, T0);

        Assert.False(robots.Check("https://kcna.kp", T0).Rules!.IsAllowed("/x"));
        Assert.False(robots.Check(Origin, T0).Rules!.IsAllowed("/x"));
    }

    [Fact]
    public void The_hosts_crawl_delay_is_the_largest_any_origin_asks_for()
    {
        var robots = new RobotsTracker(Retry);
        Assert.Null(robots.CrawlDelay);

        robots.Loaded(Origin, Decide(200, "User-agent: *\nCrawl-delay: 4\n", T0), T0);
        robots.Loaded("https://kcna.kp", Decide(200, "User-agent: *\nCrawl-delay: 9\n", T0), T0);

        Assert.Equal(TimeSpan.FromSeconds(9), robots.CrawlDelay);
    }

    private static RobotsDecision Decide(int? status, string? body, DateTimeOffset now) =>
        RobotsPolicy.Decide(status, body, "crawler", now, RobotsCacheOptions.Default);
}
