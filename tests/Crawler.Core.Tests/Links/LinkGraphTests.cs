using Crawler.Core.Links;
using Xunit;

namespace Crawler.Core.Tests.Links;

public sealed class LinkGraphTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Links_between_sites_are_counted_per_epoch_with_the_pages_that_hold_them_and_when_they_were_seen()
    {
        var graph = LinkGraph.Build(
        [
            new PageLinks("kcna.kp", 1, T0, "http://kcna.kp/", ["http://rodong.rep.kp/", "http://rodong.rep.kp/a", "http://kcna.kp/b", "http://www.kcna.kp/c"]),
            new PageLinks("www.kcna.kp", 1, T0.AddHours(1), "http://www.kcna.kp/x", ["http://rodong.rep.kp/"]),
            new PageLinks("kcna.kp", 2, T0.AddDays(1), "http://kcna.kp/", ["http://naenara.com.kp/"]),
        ]);

        Assert.Equal(
            [
                new SiteLink("kcna.kp", "naenara.com.kp", 2, 1, 1, T0.AddDays(1), T0.AddDays(1)),
                new SiteLink("kcna.kp", "rodong.rep.kp", 1, 3, 2, T0, T0.AddHours(1)),
            ],
            graph);
    }

    [Fact]
    public void A_target_that_is_not_an_http_url_is_no_edge()
    {
        Assert.Empty(LinkGraph.Build([new PageLinks("kcna.kp", 1, T0, "http://kcna.kp/", ["mailto:info@kcna.kp", "not a url"])]));
    }
}
