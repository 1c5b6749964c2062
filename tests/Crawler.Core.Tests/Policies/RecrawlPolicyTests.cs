using Crawler.Core.Policies;
using Xunit;

namespace Crawler.Core.Tests.Policies;

public sealed class RecrawlPolicyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly RecrawlOptions NoSync = RecrawlOptions.Default with { SyncDelta = false };

    private static RecrawlSchedule At(TimeSpan interval, DateTimeOffset lastFetch, DateTimeOffset? lastChange = null) =>
        new(interval, lastFetch, lastChange ?? lastFetch, lastFetch + interval);

    [Fact]
    public void A_first_fetch_gets_the_class_initial_interval_and_counts_as_a_change()
    {
        var schedule = RecrawlPolicy.Next(RecrawlOptions.Default, PageClass.Article, null, changed: false, T0);
        Assert.Equal(new RecrawlSchedule(TimeSpan.FromDays(1), T0, T0, T0 + TimeSpan.FromDays(1)), schedule);
        Assert.Equal(TimeSpan.FromHours(6), RecrawlPolicy.Next(RecrawlOptions.Default, PageClass.FrontPage, null, true, T0).Interval);
        Assert.Equal(TimeSpan.FromHours(12), RecrawlPolicy.Next(RecrawlOptions.Default, PageClass.Listing, null, true, T0).Interval);
    }

    [Fact]
    public void Unchanged_page_interval_grows_by_the_increase_rate()
    {
        var previous = At(TimeSpan.FromHours(10), T0);
        var fetchedAt = previous.DueAt;
        var next = RecrawlPolicy.Next(RecrawlOptions.Default, PageClass.Article, previous, changed: false, fetchedAt);
        Assert.Equal(new RecrawlSchedule(TimeSpan.FromHours(14), fetchedAt, T0, fetchedAt + TimeSpan.FromHours(14)), next);
    }

    [Fact]
    public void Changed_page_interval_shrinks_by_the_decrease_rate_without_sync_delta()
    {
        var previous = At(TimeSpan.FromHours(10), T0);
        var fetchedAt = previous.DueAt;
        var next = RecrawlPolicy.Next(NoSync, PageClass.Article, previous, changed: true, fetchedAt);
        Assert.Equal(new RecrawlSchedule(TimeSpan.FromHours(8), fetchedAt, fetchedAt, fetchedAt + TimeSpan.FromHours(8)), next);
    }

    [Fact]
    public void Sync_delta_pulls_a_changed_interval_toward_the_observed_change_period()
    {
        // Last change seen 10 h before this fetch, interval 10 h: 8 h + 0.3 × (10 h − 8 h) = 8.6 h.
        var previous = At(TimeSpan.FromHours(10), T0);
        Assert.Equal(TimeSpan.FromHours(8.6), RecrawlPolicy.Next(RecrawlOptions.Default, PageClass.Article, previous, true, T0 + TimeSpan.FromHours(10)).Interval);

        // Last change seen 2 days earlier: the pull toward 48 h would lengthen the interval; it stays at 10 h.
        var slowChanger = At(TimeSpan.FromHours(10), T0 + TimeSpan.FromHours(38), T0);
        Assert.Equal(TimeSpan.FromHours(10), RecrawlPolicy.Next(RecrawlOptions.Default, PageClass.Article, slowChanger, true, T0 + TimeSpan.FromHours(48)).Interval);

        // Last change seen 20 h earlier: 8 h + 0.3 × (20 h − 8 h) = 11.6 h, capped at the 10 h before.
        // Seen 14 h earlier: 8 h + 0.3 × 6 h = 9.8 h.
        var recent = At(TimeSpan.FromHours(10), T0 + TimeSpan.FromHours(4), T0);
        Assert.Equal(TimeSpan.FromHours(9.8), RecrawlPolicy.Next(RecrawlOptions.Default, PageClass.Article, recent, true, T0 + TimeSpan.FromHours(14)).Interval);
    }

    [Fact]
    public void Interval_never_leaves_its_bounds()
    {
        var nearMax = At(TimeSpan.FromDays(25), T0);
        Assert.Equal(TimeSpan.FromDays(30), RecrawlPolicy.Next(RecrawlOptions.Default, PageClass.Article, nearMax, false, nearMax.DueAt).Interval);
        var nearMin = At(TimeSpan.FromMinutes(70), T0);
        Assert.Equal(TimeSpan.FromHours(1), RecrawlPolicy.Next(NoSync, PageClass.Article, nearMin, true, nearMin.DueAt).Interval);
    }

    [Fact]
    public void Front_pages_are_checked_at_least_daily_and_listings_at_least_every_three_days()
    {
        var long_ = At(TimeSpan.FromDays(20), T0);
        Assert.Equal(TimeSpan.FromDays(1), RecrawlPolicy.Next(RecrawlOptions.Default, PageClass.FrontPage, long_, false, long_.DueAt).Interval);
        Assert.Equal(TimeSpan.FromDays(3), RecrawlPolicy.Next(RecrawlOptions.Default, PageClass.Listing, long_, false, long_.DueAt).Interval);
        Assert.Equal(TimeSpan.FromDays(28), RecrawlPolicy.Next(RecrawlOptions.Default, PageClass.Article, long_, false, long_.DueAt).Interval);
    }

    [Fact]
    public void Unchanged_fetches_keep_the_last_change_time_and_due_is_fetch_plus_interval()
    {
        var first = RecrawlPolicy.Next(RecrawlOptions.Default, PageClass.Article, null, true, T0);
        var second = RecrawlPolicy.Next(RecrawlOptions.Default, PageClass.Article, first, false, first.DueAt + TimeSpan.FromHours(3));
        Assert.Equal(T0, second.LastChangedAt);
        Assert.Equal(second.LastFetchedAt + second.Interval, second.DueAt);
        Assert.False(second.IsDue(second.DueAt - TimeSpan.FromTicks(1)));
        Assert.True(second.IsDue(second.DueAt));
    }

    [Fact]
    public void A_fetch_time_before_the_last_change_is_taken_as_a_zero_change_period()
    {
        var previous = At(TimeSpan.FromHours(10), T0);
        var next = RecrawlPolicy.Next(RecrawlOptions.Default, PageClass.Article, previous, true, T0 - TimeSpan.FromHours(1));
        Assert.Equal(TimeSpan.FromHours(8 - (0.3 * 8)), next.Interval);
    }

    [Theory]
    [InlineData(304, "sha256:aa", "sha256:bb", false)]
    [InlineData(304, null, null, false)]
    [InlineData(200, "sha256:aa", "sha256:aa", false)]
    [InlineData(200, "sha256:aa", "sha256:bb", true)]
    [InlineData(200, "sha256:aa", null, true)]
    [InlineData(404, null, "sha256:aa", true)]
    public void A_page_is_unchanged_on_304_or_the_same_payload_digest(int status, string? digest, string? previous, bool changed) =>
        Assert.Equal(changed, RecrawlPolicy.IsChanged(status, digest, previous));

    [Theory]
    [InlineData("http://kcna.kp/", 0, "seed", PageClass.FrontPage)]
    [InlineData("http://kcna.kp/kp/article/q/1.html", 0, "seed", PageClass.FrontPage)]
    [InlineData("http://kcna.kp/", 3, "a@href", PageClass.FrontPage)]
    [InlineData("http://kcna.kp/robots.txt", 1, "robots", PageClass.FrontPage)]
    [InlineData("http://kcna.kp/sitemap-news.xml", 4, "a@href", PageClass.Listing)]
    [InlineData("http://kcna.kp/x.xml", 4, "sitemap", PageClass.Listing)]
    [InlineData("http://kcna.kp/x.xml.gz", 4, "sitemap", PageClass.Listing)]
    [InlineData("http://kcna.kp/feeds/all", 4, "robots@sitemap", PageClass.Listing)]
    [InlineData("http://kcna.kp/en/article/q/5.html", 2, "sitemap", PageClass.Article)] // a page a sitemap lists: by its URL
    [InlineData("http://kcna.kp/news/", 2, "sitemap", PageClass.Listing)]
    [InlineData("not a url", 2, "sitemap", PageClass.Listing)]
    [InlineData("http://kcna.kp/en/article/q/5.html", 1, "a@href", PageClass.Listing)]
    [InlineData("http://rodong.rep.kp/en/politics/", 3, "a@href", PageClass.Listing)]
    [InlineData("http://rodong.rep.kp/en/index.php", 3, "a@href", PageClass.Listing)]
    [InlineData("http://rodong.rep.kp/en/category.html", 5, "a@href", PageClass.Listing)]
    [InlineData("http://rodong.rep.kp/en/Archive", 5, "a@href", PageClass.Listing)]
    [InlineData("http://rodong.rep.kp/en/view.php?cat=4&x=1", 5, "a@href", PageClass.Listing)]
    [InlineData("http://rodong.rep.kp/en/view.php?page=2", 5, "a@href", PageClass.Listing)]
    [InlineData("http://kcna.kp/en/article/q/5.html", 2, "a@href", PageClass.Article)]
    [InlineData("http://rodong.rep.kp/en/index.php?strPageID=SF01_02_01&newsID=2017-03-01-0001", 2, "a@href", PageClass.Article)]
    [InlineData("http://example.kp/blog/?p=123", 3, "a@href", PageClass.Listing)]
    [InlineData("http://example.kp/blog/post.php?p=123", 3, "a@href", PageClass.Article)]
    [InlineData("http://rodong.rep.kp/en/view.php?newsID=2017-03-01-0001", 2, "a@href", PageClass.Article)]
    [InlineData("http://kcna.kp/siteFiles/photo/2017/03/1.jpg", 3, "img@src", PageClass.Article)]
    [InlineData("not a url", 2, null, PageClass.Article)]
    [InlineData("not a url", 1, null, PageClass.Listing)]
    public void Urls_are_classed_as_front_page_listing_or_article(string url, int depth, string? kind, PageClass expected) =>
        Assert.Equal(expected, RecrawlPolicy.Classify(url, depth, kind));

    [Fact]
    public void Depth_one_pages_are_articles_when_listing_depth_is_off() =>
        Assert.Equal(PageClass.Article, RecrawlPolicy.Classify("http://kcna.kp/en/article/q/5.html", 1, "a@href", RecrawlOptions.Default with { ListingMaxDepth = 0 }));

    [Fact]
    public void The_defaults_are_valid() => Assert.Empty(RecrawlOptions.Default.Problems());

    [Fact]
    public void Invalid_options_are_refused_with_every_problem_named()
    {
        var options = RecrawlOptions.Default with
        {
            Article = new RecrawlBounds(TimeSpan.FromHours(2), TimeSpan.FromHours(1), TimeSpan.FromDays(30)),
            Listing = new RecrawlBounds(TimeSpan.FromDays(4), TimeSpan.FromDays(4), TimeSpan.FromDays(3)),
            FrontPage = new RecrawlBounds(TimeSpan.Zero, TimeSpan.FromHours(1), TimeSpan.FromDays(1)),
            IncreaseRate = 0,
            DecreaseRate = 1,
            SyncDeltaRate = double.NaN,
            ListingMaxDepth = -1,
        };
        var error = Assert.Throws<ArgumentException>(() => RecrawlPolicy.Next(options, PageClass.Article, null, true, T0));
        foreach (var name in new[] { "Article.Initial", "Listing.Max", "Listing.Initial", "FrontPage.Min", "IncreaseRate", "DecreaseRate", "SyncDeltaRate", "ListingMaxDepth" })
        {
            Assert.Contains(name, error.Message, StringComparison.Ordinal);
        }
    }
}
