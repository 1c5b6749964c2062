using Crawler.Actors.Sites;
using Crawler.Core.Policies;
using Crawler.Storage;
using Xunit;

namespace Crawler.Actors.Tests.Sites;

/// <summary>
/// The site's recrawl schedules. Expected intervals are worked out by hand from the policy's rules (Nutch's
/// AdaptiveFetchSchedule at its default rates: unchanged × 1.4, changed × 0.8 pulled 0.3 of the way toward the
/// time since the last change, never above the interval before), not by calling the policy.
/// </summary>
public sealed class SiteSchedulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 6, 0, 0, TimeSpan.Zero);
    private static readonly string A = Digest('a');
    private static readonly string B = Digest('b');

    private readonly SiteSchedules _schedules = new(new RecrawlOptions());

    [Fact]
    public void A_url_without_a_schedule_is_due_and_one_with_a_schedule_from_its_due_time_on()
    {
        _schedules.Load([new UrlSchedule { Url = Url("/a"), Host = "kcna.kp", Interval = TimeSpan.FromDays(1), LastFetchedAt = T0, DueAt = Day(1) }]);

        Assert.True(_schedules.IsDue(Url("/never-fetched"), T0));
        Assert.False(_schedules.IsDue(Url("/a"), Day(1).AddMilliseconds(-1)));
        Assert.True(_schedules.IsDue(Url("/a"), Day(1)));
    }

    [Fact]
    public void The_first_fetch_is_new_and_gets_its_classs_initial_interval()
    {
        var (front, frontOutcome) = _schedules.Fetched(Entry("/", depth: 0, kind: "seed"), Capture("/", 200, A), FrontierState.Done, T0);
        var (article, _) = _schedules.Fetched(Entry("/article/7", depth: 3), Capture("/article/7", 200, B), FrontierState.Done, T0);

        Assert.Equal(RecrawlOutcome.New, frontOutcome);
        Assert.Equal(
            new UrlSchedule
            {
                Url = Url("/"),
                Host = "kcna.kp",
                PageClass = PageClass.FrontPage,
                Interval = TimeSpan.FromHours(6),
                LastFetchedAt = T0,
                LastChangedAt = T0,
                DueAt = T0.AddHours(6),
                PayloadDigest = A,
                Fetches = 1,
                Changes = 1,
                Epoch = 2,
            },
            front);
        Assert.Equal((PageClass.Article, TimeSpan.FromDays(1)), (article!.PageClass, article.Interval));
        Assert.False(_schedules.IsDue(Url("/"), T0.AddHours(5)));
    }

    [Fact]
    public void Unchanged_by_304_or_by_digest_the_interval_grows_and_a_new_digest_shrinks_it_toward_the_change_period()
    {
        var entry = Entry("/article/7", depth: 3);
        _schedules.Fetched(entry, Capture("/article/7", 200, A), FrontierState.Done, T0);

        var (notModified, o1) = _schedules.Fetched(entry, Capture("/article/7", 304, A), FrontierState.Done, Day(1));
        Assert.Equal((RecrawlOutcome.Unchanged, TimeSpan.FromDays(1.4), T0, A), (o1, notModified!.Interval, notModified.LastChangedAt, notModified.PayloadDigest));

        var (sameBody, o2) = _schedules.Fetched(entry, Capture("/article/7", 200, A), FrontierState.Done, Day(2.4));
        Assert.Equal((RecrawlOutcome.Unchanged, TimeSpan.FromDays(1.96)), (o2, sameBody!.Interval));

        // Changed 3.6 days after the last seen change: 1.96 × 0.8 = 1.568, + 0.3 × (3.6 − 1.568) = 2.1776 days, but
        // never above the interval before (1.96 days).
        var (changed, o3) = _schedules.Fetched(entry, Capture("/article/7", 200, B), FrontierState.Done, Day(3.6));
        Assert.Equal((RecrawlOutcome.Changed, TimeSpan.FromDays(1.96), Day(3.6), B), (o3, changed!.Interval, changed.LastChangedAt, changed.PayloadDigest));

        // Changed again 1 day later: 1.568 + 0.3 × (1 − 1.568) = 1.3976 days.
        var (again, _) = _schedules.Fetched(entry, Capture("/article/7", 200, A), FrontierState.Done, Day(4.6));
        Assert.Equal(TimeSpan.FromDays(1.3976).TotalMilliseconds, again!.Interval.TotalMilliseconds, tolerance: 1); // to the millisecond
        Assert.Equal((5, 3, Day(4.6) + again.Interval), (again.Fetches, again.Changes, again.DueAt));
    }

    [Fact]
    public void A_fetch_without_a_response_fails_and_leaves_the_schedule_as_it_was()
    {
        var entry = Entry("/article/7", depth: 3);
        var (first, _) = _schedules.Fetched(entry, Capture("/article/7", 200, A), FrontierState.Done, T0);

        var (none, outcome) = _schedules.Fetched(entry, Capture("/article/7", null, null) with { Error = "ConnectTimeout" }, FrontierState.Done, Day(2));

        Assert.Null(none);
        Assert.Equal(RecrawlOutcome.Failed, outcome);
        Assert.Equal(first, _schedules.Get(Url("/article/7")));
    }

    [Fact]
    public void A_fetch_given_up_after_its_retries_fails_and_leaves_the_schedule_as_it_was()
    {
        var entry = Entry("/article/7", depth: 3);
        var (first, _) = _schedules.Fetched(entry, Capture("/article/7", 200, A), FrontierState.Done, T0);

        var (none, outcome) = _schedules.Fetched(entry, Capture("/article/7", 503, B), FrontierState.Failed, Day(2));

        Assert.Null(none);
        Assert.Equal(RecrawlOutcome.Failed, outcome);
        Assert.Equal(first, _schedules.Get(Url("/article/7")));
        Assert.True(_schedules.IsDue(Url("/article/7"), Day(2)));
    }

    [Fact]
    public void Fetch_times_are_kept_to_the_millisecond_as_the_store_keeps_them()
    {
        var (schedule, _) = _schedules.Fetched(Entry("/", depth: 0, kind: "seed"), Capture("/", 200, A), FrontierState.Done, T0.AddTicks(12_345));

        Assert.Equal(T0.AddMilliseconds(1), schedule!.LastFetchedAt);
        Assert.Equal(T0.AddMilliseconds(1).AddHours(6), schedule.DueAt);
    }

    /// <summary>T0 plus whole minutes: exact to the millisecond (AddDays(4.6) is not).</summary>
    private static DateTimeOffset Day(double days) => T0.AddMinutes(Math.Round(days * 24 * 60));

    private static string Url(string path) => "http://kcna.kp" + path;

    private static string Digest(char c) => "sha256:" + new string(c, 64);

    private static FrontierEntry Entry(string path, int depth, string kind = "a@href") =>
        new() { Url = Url(path), Host = "kcna.kp", Epoch = 2, Depth = depth, Kind = kind };

    private static CaptureRecord Capture(string path, int? status, string? digest) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        Url = Url(path),
        Host = "kcna.kp",
        Epoch = 2,
        FetchedAt = T0,
        Status = status,
        PayloadDigest = digest,
    };
}
