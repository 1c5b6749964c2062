using Crawler.Actors.Crawling;
using Crawler.Actors.Sites;
using Crawler.Core.Policies;
using Crawler.Storage;
using Xunit;

namespace Crawler.Actors.Tests;

/// <summary>A URL's own crawl log verdict: written once its epoch is over for it without an archived answer, never before.</summary>
public sealed class CrawlLogRowsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly FrontierEntry Entry = new() { Url = "http://gone.kp/a", Host = "gone.kp", Epoch = 2, Depth = 4, Via = "http://kcna.kp/", Kind = "a@href" };

    [Fact]
    public void A_host_without_an_address_given_up_is_a_dns_failure_and_one_to_be_retried_is_not_yet()
    {
        var given = SitePipeline.DnsFailure(Entry, Now, 5, RetryDecisionKind.GiveUp, null, "NXDOMAIN");
        var retried = SitePipeline.DnsFailure(Entry, Now, 1, RetryDecisionKind.Retry, Now.AddMinutes(1), "NXDOMAIN");

        var own = Assert.Single(given.Declined);
        Assert.Equal(("http://gone.kp/a", "gone.kp", 2, DeclineReason.DnsFailure, null, 4), (own.Url, own.Host, own.Epoch, own.Reason, own.Via, own.Depth));
        Assert.Equal("DnsFailure: NXDOMAIN (attempt 5)", own.Detail);
        Assert.Empty(retried.Declined);
    }

    [Fact]
    public void An_archived_answer_is_no_verdict_even_an_error_page()
    {
        var capture = SitePipeline.SyntheticCapture(Entry, Now, 1, "BodyTimeout", "stalled") with { Status = 200, Error = null };
        Assert.Null(CrawlLogRows.NotArchived(Entry, capture, FrontierState.Done));
        Assert.Null(CrawlLogRows.NotArchived(Entry, capture with { Status = 404 }, FrontierState.Done));
        Assert.Equal(DeclineReason.Error, CrawlLogRows.NotArchived(Entry, capture with { Status = 503 }, FrontierState.Failed)?.Reason);
        Assert.Equal(DeclineReason.RefusedAddress, CrawlLogRows.NotArchived(Entry, capture with { Status = null, Error = "AddressRefused" }, FrontierState.Failed)?.Reason);
    }
}
