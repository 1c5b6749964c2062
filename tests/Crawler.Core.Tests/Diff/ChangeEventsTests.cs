using Crawler.Core.Diff;
using Xunit;

namespace Crawler.Core.Tests.Diff;

public sealed class ChangeEventsTests
{
    private const string Url = "http://kcna.kp/article/7";
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static CaptureState At(int day, int status, string? digest = null, string? redirectTo = null) => new(T0.AddDays(day), status, digest, redirectTo);

    [Fact]
    public void A_page_that_answers_404_after_a_good_capture_is_removed_once_with_its_last_good_capture()
    {
        var events = ChangeEvents.Detect(Url, [At(0, 200, "a"), At(1, 200, "a"), At(2, 404), At(3, 404), At(4, 410)]);

        var removed = Assert.Single(events);
        Assert.Equal(new ChangeEvent(ChangeKind.Removed, Url, T0.AddDays(2), 404, T0.AddDays(1), null), removed);
    }

    [Fact]
    public void A_new_payload_is_a_change_and_a_304_or_the_same_payload_is_not()
    {
        var events = ChangeEvents.Detect(Url, [At(0, 200, "a"), At(1, 304), At(2, 200, "a"), At(3, 200, "b"), At(4, 304)]);

        Assert.Equal([new ChangeEvent(ChangeKind.Changed, Url, T0.AddDays(3), 200, T0.AddDays(2), null)], events);
    }

    [Fact]
    public void A_redirect_elsewhere_removes_the_page_and_one_to_the_same_page_under_https_or_www_does_not()
    {
        Assert.Empty(ChangeEvents.Detect(Url, [At(0, 200, "a"), At(1, 301, redirectTo: "https://www.kcna.kp/article/7/")]));

        var moved = Assert.Single(ChangeEvents.Detect(Url, [At(0, 200, "a"), At(1, 302, redirectTo: "http://kcna.kp/index.html")]));
        Assert.Equal((ChangeKind.Removed, "http://kcna.kp/index.html"), (moved.Kind, moved.RedirectTo));
    }

    [Fact]
    public void A_page_back_after_its_removal_is_restored_and_server_errors_are_no_removal()
    {
        var events = ChangeEvents.Detect(Url, [At(0, 200, "a"), At(1, 503), At(2, 500), At(3, 404), At(4, 200, "a"), At(5, 200, "b")]);

        Assert.Equal([ChangeKind.Removed, ChangeKind.Restored, ChangeKind.Changed], events.Select(e => e.Kind));
        Assert.Equal(T0.AddDays(3), events[0].At);
        Assert.Equal(T0.AddDays(0), events[1].LastGood);
    }

    [Fact]
    public void A_url_never_archived_well_has_no_event_and_captures_are_taken_in_time_order()
    {
        Assert.Empty(ChangeEvents.Detect(Url, [At(0, 404), At(1, 301, redirectTo: "http://kcna.kp/")]));

        var events = ChangeEvents.Detect(Url, [At(2, 404), At(0, 200, "a")]);
        Assert.Equal(ChangeKind.Removed, Assert.Single(events).Kind);
    }
    [Fact]
    public void A_page_a_crawl_round_no_longer_finds_is_removed_with_its_last_good_capture_and_restored_when_found_again()
    {
        const string Other = "http://kcna.kp/article/8";
        var captures = new Dictionary<string, List<CaptureState>>(StringComparer.Ordinal)
        {
            [Url] = [At(0, 200, "a")],
            [Other] = [At(0, 200, "b"), At(1, 304)],
        };
        var events = ChangeEvents.DetectUnlisted(
            [Round(1, 0, Url, Other), Round(2, 1, Other), Round(3, 2, Url, Other)], captures);

        Assert.Equal(
            [
                new ChangeEvent(ChangeKind.Removed, Url, T0.AddDays(1).AddHours(12), 0, T0, null) { Unlisted = true },
                new ChangeEvent(ChangeKind.Restored, Url, T0.AddDays(2).AddHours(12), 0, T0, null) { Unlisted = true },
            ],
            events);
    }

    [Fact]
    public void A_round_that_found_nothing_and_a_page_gone_by_its_answer_or_never_archived_make_no_unlisted_event()
    {
        const string Gone = "http://kcna.kp/article/9";
        const string Never = "http://kcna.kp/article/10";
        var captures = new Dictionary<string, List<CaptureState>>(StringComparer.Ordinal)
        {
            [Url] = [At(0, 200, "a")],
            [Gone] = [At(0, 200, "c"), At(1, 404)],
            [Never] = [At(0, 500)],
        };

        // The site was down in round 2 (nothing found): nothing dropped out. Round 3 finds only Url.
        var events = ChangeEvents.DetectUnlisted([Round(1, 0, Url, Gone, Never), Round(2, 1), Round(3, 2, Url)], captures);

        Assert.Empty(events);
    }

    private static CrawlRound Round(int epoch, int finishedDay, params string[] urls) =>
        new(epoch, T0.AddDays(finishedDay).AddHours(12), urls.ToHashSet(StringComparer.Ordinal));
}
