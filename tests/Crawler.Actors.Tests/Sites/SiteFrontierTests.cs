using Crawler.Actors.Sites;
using Crawler.Storage;
using Xunit;

namespace Crawler.Actors.Tests.Sites;

public sealed class SiteFrontierTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Ready_urls_come_shallowest_first_then_in_order_of_arrival()
    {
        var frontier = new SiteFrontier();
        frontier.Add(Entry("/deep", depth: 2));
        frontier.Add(Entry("/b", depth: 1));
        frontier.Add(Entry("/a", depth: 1));
        frontier.Add(Entry("/", depth: 0));

        Assert.Equal(["/", "/b", "/a", "/deep"], TakeAll(frontier));
    }

    [Fact]
    public void A_known_url_is_not_added_twice()
    {
        var frontier = new SiteFrontier();
        frontier.MarkKnown(Url("/robots.txt"));

        Assert.True(frontier.Add(Entry("/a")));
        Assert.False(frontier.Add(Entry("/a")));
        Assert.False(frontier.Add(Entry("/robots.txt")));
        Assert.Equal(1, frontier.ReadyCount);
    }

    [Fact]
    public void Retry_waits_until_its_due_time()
    {
        var frontier = new SiteFrontier();
        frontier.RetryAt(Entry("/flaky"), T0.AddSeconds(30));

        frontier.PromoteDue(T0.AddSeconds(29));
        Assert.Equal((0, 1, T0.AddSeconds(30)), (frontier.ReadyCount, frontier.WaitingCount, frontier.NextDue));
        frontier.PromoteDue(T0.AddSeconds(30));

        Assert.Equal(["/flaky"], TakeAll(frontier));
        Assert.Null(frontier.NextDue);
    }

    [Fact]
    public void Loading_puts_pending_urls_with_a_future_due_time_in_the_waiting_queue()
    {
        var frontier = new SiteFrontier();

        var (fetched, skipped) = frontier.Load(
            [
                Entry("/later") with { RetryAt = T0.AddMinutes(5), Attempts = 2 },
                Entry("/overdue") with { RetryAt = T0.AddMinutes(-5), Attempts = 1 },
                Entry("/new"),
                Entry("/done") with { State = FrontierState.Done, Attempts = 1 },
                Entry("/failed") with { State = FrontierState.Failed, Attempts = 5 },
                Entry("/private") with { State = FrontierState.Skipped },
            ],
            T0);

        Assert.Equal((2, 1), (fetched, skipped));
        Assert.Equal((2, 1, T0.AddMinutes(5)), (frontier.ReadyCount, frontier.WaitingCount, frontier.NextDue));
        Assert.Equal(2, frontier.Attempts(Url("/later")));
        Assert.False(frontier.Add(Entry("/done")));
        Assert.Equal(["/overdue", "/new"], TakeAll(frontier));
    }

    [Fact]
    public void Attempts_count_what_was_tried_and_clear_forgets_everything()
    {
        var frontier = new SiteFrontier();
        frontier.Add(Entry("/a"));
        frontier.Attempted(Url("/a"), 3);
        Assert.Equal(3, frontier.Attempts(Url("/a")));

        frontier.Clear();

        Assert.Equal((0, 0, 0), (frontier.Attempts(Url("/a")), frontier.ReadyCount, frontier.WaitingCount));
        Assert.True(frontier.Add(Entry("/a")));
    }

    [Fact]
    public void Urls_not_due_wait_in_their_own_queue_in_order_of_arrival_and_attempted_ones_are_always_due()
    {
        var notDue = new HashSet<string>(StringComparer.Ordinal) { Url("/old"), Url("/older"), Url("/retried"), Url("/loaded-old") };
        var frontier = new SiteFrontier(e => !notDue.Contains(e.Url));

        frontier.Add(Entry("/old", depth: 2));
        frontier.Add(Entry("/new", depth: 1));
        frontier.Add(Entry("/older", depth: 1));
        frontier.Load([Entry("/loaded-old"), Entry("/retried") with { Attempts = 1 }], T0);

        Assert.Equal((2, 3), (frontier.ReadyCount, frontier.NotDueCount));
        Assert.False(frontier.Add(Entry("/old"))); // known, whichever queue it is in
        Assert.True(frontier.TryTakeNotDue(out var first));
        Assert.True(frontier.TryTakeNotDue(out var second));
        Assert.True(frontier.TryTakeNotDue(out var third));
        Assert.False(frontier.TryTakeNotDue(out _));
        Assert.Equal(["/old", "/older", "/loaded-old"], new[] { first, second, third }.Select(e => new Uri(e.Url).AbsolutePath));

        frontier.FetchAfterAll(second); // nothing stored to follow: fetched after all
        Assert.Equal(["/retried", "/new", "/older"], TakeAll(frontier)); // shallowest first, as ever
    }

    [Fact]
    public void Clear_forgets_the_urls_not_due_too()
    {
        var frontier = new SiteFrontier(_ => false);
        frontier.Add(Entry("/a"));

        frontier.Clear();

        Assert.Equal(0, frontier.NotDueCount);
        Assert.True(frontier.Add(Entry("/a")));
    }

    private static string Url(string path) => "http://kcna.kp" + path;

    private static FrontierEntry Entry(string path, int depth = 0) => new() { Url = Url(path), Host = "kcna.kp", Epoch = 1, Depth = depth };

    private static List<string> TakeAll(SiteFrontier frontier)
    {
        var paths = new List<string>();
        while (frontier.TryPeekReady(out _))
        {
            paths.Add(new Uri(frontier.TakeReady().Url).AbsolutePath);
        }

        return paths;
    }
}
