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
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static TrapVerdict? Check(string url, int depth = 1, string? from = null) =>
        TrapGuard.Check(Options, new Uri(url), depth, from is null ? null : new Uri(from), Now);

    [Fact]
    public void Ordinary_urls_pass() =>
        Assert.Null(Check("http://kcna.kp/en/article/q/123.html?lang=en", 3));

    [Fact]
    public void Links_beyond_the_depth_limit_are_refused_for_depth() =>
        Assert.Equal(DeclineReason.Depth, Check("http://kcna.kp/calendar/2017/03", 6)?.Reason);

    [Fact]
    public void The_default_depth_follows_a_listing_thousands_of_pages_deep() =>
        Assert.Null(TrapGuard.Check(new TrapGuardOptions(), new Uri("http://kcna.kp/articles?page=5000"), 5001, new Uri("http://kcna.kp/articles?page=4999"), Now));

    [Fact]
    public void Repeating_path_segments_are_refused() =>
        Assert.Contains("repeats", Check("http://kcna.kp/a/b/a/b/a/b")?.Detail, StringComparison.Ordinal);

    [Fact]
    public void Overlong_urls_are_refused() =>
        Assert.Contains("length", Check("http://kcna.kp/" + new string('x', 120))?.Detail, StringComparison.Ordinal);

    [Theory]
    [InlineData("http://kcna.kp/index.php?PHPSESSID=0f3a9c")]
    [InlineData("http://kcna.kp/list.jsp;jsessionid=A1B2C3?page=2")]
    [InlineData("http://kcna.kp/news?sid=9f86d081884c7d65&page=3")]
    public void Urls_carrying_a_session_id_are_traps(string url) =>
        Assert.Equal(DeclineReason.Trap, Check(url)?.Reason);

    [Theory]
    [InlineData("http://kcna.kp/news?sid=77&page=3")]
    [InlineData("http://kcna.kp/search?s=juche")]
    public void A_short_sid_or_s_is_a_parameter_not_a_session(string url) =>
        Assert.Null(Check(url));

    [Theory]
    [InlineData("http://kcna.kp/calendar/2006/11", "http://kcna.kp/calendar/2006/12")]
    [InlineData("http://kcna.kp/calendar/2028/01", "http://kcna.kp/calendar/2027/12")]
    [InlineData("http://kcna.kp/archive?date=1999-12-31", "http://kcna.kp/archive?date=2000-01-01")]
    [InlineData("http://kcna.kp/cal.php?year=2031&month=2", "http://kcna.kp/cal.php?year=2031&month=1")]
    public void A_calendar_step_outside_the_window_is_a_trap(string url, string from) =>
        Assert.Contains("calendar", Check(url, from: from)?.Detail, StringComparison.Ordinal);

    [Theory]
    [InlineData("http://kcna.kp/calendar/2016/08", "http://kcna.kp/calendar/2016/09")]
    [InlineData("http://kcna.kp/calendar/1950/06", "http://kcna.kp/index.html")] // a dated link from an undated page
    [InlineData("http://kcna.kp/1950/06/25/war.html", "http://kcna.kp/1950/06/24/other.html")] // articles, not one calendar
    [InlineData("http://kcna.kp/calendar/2027/12", "http://kcna.kp/calendar/2027/11")]
    public void A_date_inside_the_window_or_off_a_calendar_is_followed(string url, string from) =>
        Assert.Null(Check(url, from: from));

    [Fact]
    public void Calendar_reads_the_date_and_the_shape_of_each_form()
    {
        Assert.Equal(new DateOnly(2016, 9, 1), Calendar.Read(new Uri("http://a.kp/calendar/2016/09"))?.Date);
        Assert.Equal(new DateOnly(2016, 9, 14), Calendar.Read(new Uri("http://a.kp/x/2016/9/14/"))?.Date);
        Assert.Equal(new DateOnly(2020, 2, 29), Calendar.Read(new Uri("http://a.kp/d?date=2020-02-29&lang=en"))?.Date);
        Assert.Null(Calendar.Read(new Uri("http://a.kp/articles?page=2016")));
        Assert.Null(Calendar.Read(new Uri("http://a.kp/item/2016/13")));
        Assert.Equal(Calendar.Read(new Uri("http://a.kp/c?lang=ko&date=2001-01"))?.Shape, Calendar.Read(new Uri("http://a.kp/c?date=2019-05&lang=ko"))?.Shape);
    }

    [Fact]
    public void An_endless_calendar_walked_from_any_month_stays_inside_the_window() =>
        Gen.Select(Gen.Int[1000, 2999], Gen.Int[1, 12], Gen.Bool).Sample((year, month, forward) =>
        {
            // Walk the calendar one month at a time from any start until the guard stops it: it always stops, and
            // never after more steps than the window has months.
            var date = new DateOnly(year, month, 1);
            var steps = 0;
            while (steps < 2000)
            {
                var next = forward ? date.AddMonths(1) : date.AddMonths(-1);
                var link = new Uri($"http://a.kp/calendar/{next.Year:D4}/{next.Month:D2}");
                if (TrapGuard.Check(new TrapGuardOptions(), link, 1, new Uri($"http://a.kp/calendar/{date.Year:D4}/{date.Month:D2}"), Now) is not null)
                {
                    return steps <= (20 * 12) + 13;
                }

                date = next;
                steps++;
            }

            return false;
        });

    [Fact]
    public void Pagination_is_never_taken_for_a_trap() =>
        Gen.Int[2, 100_000].Sample(page =>
            TrapGuard.Check(new TrapGuardOptions(), new Uri($"http://a.kp/articles?page={page}"), Math.Min(page, 10_000), new Uri($"http://a.kp/articles?page={page - 1}"), Now) is null);
}

public sealed class NearDuplicatesTests
{
    private static readonly string[] Nav = ["http://a.kp/", "http://a.kp/about.html", "http://a.kp/articles?page=1"];

    private static PageFingerprint Month(int month, params string[] extra) => PageFingerprint.Of(
        $"http://a.kp/calendar/2016/{month:D2}",
        [$"2016-{month:D2}", "Juche 105 (2016)", string.Join(' ', Enumerable.Range(1, 28 + (month % 4)))],
        [.. Nav, $"http://a.kp/calendar/2016/{month - 1:D2}", $"http://a.kp/calendar/2016/{month + 1:D2}", .. extra]);

    [Fact]
    public void The_shape_of_a_url_takes_its_digits_out() =>
        Assert.Equal(
            ["http://a.kp/calendar/#/#", "http://a.kp/articles?page=#", "http://a#.kp/x"],
            new[] { "http://a.kp/calendar/2016/09", "http://a.kp/articles?page=150", "http://a1.kp/x" }.Select(PageFingerprint.ShapeOf));

    [Fact]
    public void The_links_hash_is_fnv_of_the_distinct_links_of_other_shapes_sorted_and_joined() =>
        Gen.Int[0, 4].Select(Gen.Int[0, 40]).Array[0, 30].Sample(picks =>
        {
            var pool = new[] { "http://a.kp/article/", "http://a.kp/calendar/2016/", "http://b.kp/x", "http://a.kp/", "http://a.kp/article/1/p" };
            var links = picks.Select(p => pool[p.Item1] + (p.Item1 == 2 ? string.Empty : p.Item2.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
            const string url = "http://a.kp/article/7";
            var shape = PageFingerprint.ShapeOf(url);
            var joined = string.Join('\n', links.Where(l => PageFingerprint.ShapeOf(l) != shape).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
            var expected = 14695981039346656037UL;
            foreach (var c in joined)
            {
                expected = (expected ^ c) * 1099511628211UL;
            }

            return PageFingerprint.Of(url, ["text"], links).OtherLinks == expected;
        });

    [Fact]
    public void Empty_calendar_months_are_copies_once_there_were_as_many_before_them_as_allowed()
    {
        var guard = new NearDuplicates(3);
        Assert.Equal([false, false, false, true, true], Enumerable.Range(2, 5).Select(m => guard.IsCopy(Month(m))));
    }

    [Fact]
    public void A_month_that_links_to_something_else_is_not_a_copy_of_the_empty_ones()
    {
        var guard = new NearDuplicates(2);
        Assert.False(guard.IsCopy(Month(2)));
        Assert.False(guard.IsCopy(Month(3)));
        Assert.False(guard.IsCopy(Month(4, "http://a.kp/article/77")));
        guard.Clear();
        Assert.False(guard.IsCopy(Month(5)));
    }

    [Fact]
    public void Listing_pages_that_each_link_their_own_articles_are_never_copies() =>
        Gen.Int[1, 1_000_000].Array[20, 200].Sample(ids =>
        {
            var guard = new NearDuplicates(1);
            return ids.Distinct().Select((id, page) => PageFingerprint.Of(
                    $"http://a.kp/articles?page={page + 1}",
                    ["Articles", "Page " + (page + 1)],
                    [.. Nav, $"http://a.kp/article/{id}", $"http://a.kp/articles?page={page + 2}"]))
                .All(p => !guard.IsCopy(p));
        });

    [Fact]
    public void Articles_with_their_own_text_are_never_copies_even_with_the_same_links() =>
        Gen.String[Gen.Char['a', 'z'], 3, 9].Array[40, 80].Array[20, 60].Sample(texts =>
        {
            var guard = new NearDuplicates(1);
            return texts.Select((words, i) => PageFingerprint.Of($"http://a.kp/article/{i}", [string.Join(' ', words)], Nav))
                .Count(p => guard.IsCopy(p)) == texts.Length - texts.Select(w => string.Join(' ', w)).Distinct().Count();
        });

    [Fact]
    public void The_text_hash_read_as_it_goes_equals_the_hash_of_the_words_one_by_one() =>
        Gen.String[Gen.OneOf(Gen.Char['a', 'z'], Gen.Char['A', 'Z'], Gen.Char['0', '9'], Gen.Char['가', '힣'], Gen.Const(' '), Gen.Const('\n'), Gen.Const('\u00a0'), Gen.Const('É')), 0, 200]
            .Array[0, 6].Sample(blocks =>
            {
                var words = blocks.SelectMany(b => b.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
                    .Select(w => PageFingerprint.ShapeOf(w.ToLowerInvariant()));
                return PageFingerprint.SimHashOfText(blocks) == PageFingerprint.SimHash(words);
            });
}
