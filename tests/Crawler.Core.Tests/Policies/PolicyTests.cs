using CsCheck;
using Xunit;
using Crawler.Core.Policies;

namespace Crawler.Core.Tests.Policies;

public sealed class CrawlScopeTests
{
    [Theory]
    [InlineData("kcna.kp", true)]
    [InlineData("www.rodong.rep.kp", true)]
    [InlineData("KCNA.KP", true)]
    [InlineData("kp", true)]
    [InlineData("uriminzokkiri.com", true)]
    [InlineData("www.uriminzokkiri.com", true)]
    [InlineData("notkp", false)]
    [InlineData("kcna.kp.example.com", false)]
    [InlineData("evil-uriminzokkiri.com", false)]
    [InlineData("example.com", false)]
    public void Scope_admits_kp_and_configured_domains_with_their_subdomains(string host, bool expected) =>
        Assert.Equal(expected, new CrawlScope(["kp", "uriminzokkiri.com"]).IsInScope(host));

    [Theory]
    [InlineData("175.45.176.71", true)]
    [InlineData("175.45.179.255", true)]
    [InlineData("175.45.180.1", false)]
    [InlineData("[::ffff:af2d:b047]", true)]
    [InlineData("[2001:db8::1]", false)]
    [InlineData("10.0.0.1", false)]
    public void Address_literal_hosts_are_in_scope_only_inside_the_configured_ranges(string host, bool expected) =>
        Assert.Equal(expected, new CrawlScope(["kp"], ["175.45.176.0/22"]).IsInScope(host));

    [Fact]
    public void Address_literal_hosts_are_off_scope_without_ranges_even_when_a_domain_suffix_matches() =>
        Assert.False(new CrawlScope(["kp", "1"]).IsInScope("10.0.0.1"));

    [Fact]
    public void A_range_that_is_not_a_cidr_is_refused_with_an_example()
    {
        var error = Assert.Throws<FormatException>(() => new CrawlScope(["kp"], ["175.45.176/22"]));
        Assert.Contains("175.45.176.0/22", error.Message, StringComparison.Ordinal);
    }
}

public sealed class PolitenessPolicyTests
{
    private static readonly PolitenessOptions Options = new() { MinDelay = TimeSpan.FromSeconds(3), MaxDelay = TimeSpan.FromSeconds(30), DelayFactor = 5 };

    [Fact]
    public void Delay_is_at_least_the_configured_minimum() =>
        Assert.Equal(TimeSpan.FromSeconds(3), PolitenessPolicy.NextDelay(Options, TimeSpan.FromMilliseconds(10), null));

    [Fact]
    public void Delay_grows_with_the_last_response_time_up_to_the_maximum()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), PolitenessPolicy.NextDelay(Options, TimeSpan.FromSeconds(2), null));
        Assert.Equal(TimeSpan.FromSeconds(30), PolitenessPolicy.NextDelay(Options, TimeSpan.FromSeconds(20), null));
    }

    [Fact]
    public void Robots_crawl_delay_wins_when_it_is_the_largest() =>
        Assert.Equal(TimeSpan.FromSeconds(45), PolitenessPolicy.NextDelay(Options, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(45)));

    [Fact]
    public void Crawl_delay_is_ignored_when_configured_so() =>
        Assert.Equal(TimeSpan.FromSeconds(3), PolitenessPolicy.NextDelay(Options with { RespectCrawlDelay = false }, TimeSpan.Zero, TimeSpan.FromSeconds(45)));

    [Fact]
    public void Retry_after_from_the_server_is_honoured() =>
        Assert.Equal(TimeSpan.FromSeconds(120), PolitenessPolicy.NextDelay(Options, TimeSpan.Zero, null, TimeSpan.FromSeconds(120)));

    [Fact]
    public void Delay_is_never_below_any_of_its_inputs() =>
        Gen.Select(Gen.Int[0, 100_000], Gen.Int[0, 100_000], Gen.Int[0, 100_000]).Sample((response, crawl, retry) =>
        {
            var delay = PolitenessPolicy.NextDelay(Options, TimeSpan.FromMilliseconds(response), TimeSpan.FromMilliseconds(crawl), TimeSpan.FromMilliseconds(retry));
            return delay >= Options.MinDelay && delay >= TimeSpan.FromMilliseconds(crawl) && delay >= TimeSpan.FromMilliseconds(retry);
        });
}

public sealed class RetryPolicyTests
{
    private static readonly RetryOptions Options = new() { MaxAttempts = 4, BaseDelay = TimeSpan.FromSeconds(10), MaxDelay = TimeSpan.FromSeconds(60) };

    [Theory]
    [InlineData(200)]
    [InlineData(404)]
    [InlineData(410)]
    [InlineData(301)]
    public void Final_statuses_are_not_retried(int status) =>
        Assert.Equal(RetryDecisionKind.Final, RetryPolicy.Decide(Options, 1, status, false, null).Kind);

    [Theory]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    public void Transient_statuses_are_retried_with_exponential_backoff(int status)
    {
        Assert.Equal(new RetryDecision(RetryDecisionKind.Retry, TimeSpan.FromSeconds(10)), RetryPolicy.Decide(Options, 1, status, false, null));
        Assert.Equal(new RetryDecision(RetryDecisionKind.Retry, TimeSpan.FromSeconds(20)), RetryPolicy.Decide(Options, 2, status, false, null));
        Assert.Equal(new RetryDecision(RetryDecisionKind.Retry, TimeSpan.FromSeconds(40)), RetryPolicy.Decide(Options, 3, status, false, null));
        Assert.Equal(RetryDecisionKind.GiveUp, RetryPolicy.Decide(Options, 4, status, false, null).Kind);
    }

    [Fact]
    public void Retry_after_replaces_the_backoff_but_is_capped() =>
        Assert.Equal(TimeSpan.FromHours(1), RetryPolicy.Decide(Options, 1, 503, false, TimeSpan.FromDays(3)).Delay);

    [Fact]
    public void Network_errors_are_retried_only_when_transient()
    {
        Assert.Equal(RetryDecisionKind.Retry, RetryPolicy.Decide(Options, 1, null, true, null).Kind);
        Assert.Equal(RetryDecisionKind.Final, RetryPolicy.Decide(Options, 1, null, false, null).Kind);
    }

    [Fact]
    public void Backoff_never_exceeds_the_maximum() =>
        Gen.Int[1, 1000].Sample(attempt => RetryPolicy.Backoff(Options, attempt) <= Options.MaxDelay);
}

public sealed class TrapGuardTests
{
    private static readonly TrapGuardOptions Options = new() { MaxDepth = 5, MaxRepeatedSegment = 2, MaxUrlLength = 100 };

    [Fact]
    public void Ordinary_urls_pass() =>
        Assert.Null(TrapGuard.Check(Options, new Uri("http://kcna.kp/en/article/q/123.html?lang=en"), 3));

    [Fact]
    public void Links_beyond_the_depth_limit_are_refused() =>
        Assert.Contains("depth", TrapGuard.Check(Options, new Uri("http://kcna.kp/calendar/2017/03"), 6), StringComparison.Ordinal);

    [Fact]
    public void Repeating_path_segments_are_refused() =>
        Assert.Contains("repeats", TrapGuard.Check(Options, new Uri("http://kcna.kp/a/b/a/b/a/b"), 1), StringComparison.Ordinal);

    [Fact]
    public void Overlong_urls_are_refused() =>
        Assert.Contains("length", TrapGuard.Check(Options, new Uri("http://kcna.kp/" + new string('x', 120)), 1), StringComparison.Ordinal);
}
