using System.Net;
using Crawler.Simulation.Web;
using Xunit;

namespace Crawler.Simulation.Tests.Web;

public sealed class ServerLogTests
{
    [Fact]
    public async Task Two_parallel_requests_to_one_host_are_recorded_as_two_concurrent()
    {
        await using var web = await SimulatedWeb.StartAsync(new SimulationOptions { SiteCount = 6, PagesPerSite = 5 });
        using var client = SimulatedWebFixture.CreateClient(web);
        var site = web.Model.SiteWith(SiteFeatures.Hang);
        var url = site.Url("/live/stream.html");

        // The hanging page sends its headers and then never finishes: both requests are in flight together.
        var both = await Task.WhenAll(
            client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead),
            client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead));
        try
        {
            Assert.All(both, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
            Assert.Equal(2, web.Log.MaxConcurrentRequestsPerHost());
            Assert.Equal(2, web.Log.MaxConcurrentRequestsByHost()[site.Host]);
            Assert.Equal(2, web.Log.MaxConcurrentRequestsPerIp());
            Assert.Equal(2, web.Log.MaxConcurrentConnectionsPerIp());
            Assert.Equal(2, web.Log.CountByUrl()[url]);
            Assert.All(web.Log.RequestsFor(url), r => Assert.Equal(site.Address, r.LocalAddress));
            Assert.All(web.Log.RequestsFor(url), r => Assert.Null(r.End));
        }
        finally
        {
            foreach (var r in both)
            {
                r.Dispose();
            }
        }
    }

    [Fact]
    public async Task Sequential_requests_do_not_overlap_and_their_gaps_are_measured()
    {
        await using var web = await SimulatedWeb.StartAsync(new SimulationOptions { SiteCount = 6, PagesPerSite = 5 });
        using var client = SimulatedWebFixture.CreateClient(web);
        var site = web.Sites.First(s => !s.HttpsOnly && s.Robots.Status == 200);
        foreach (var path in new[] { "/robots.txt", "/", "/about.html" })
        {
            using var r = await client.GetAsync(site.Url(path));
            await r.Content.ReadAsByteArrayAsync();
        }

        var records = web.Log.RequestsForHost(site.Host);
        Assert.Equal(3, records.Count);
        Assert.All(records, r => Assert.NotNull(r.End));
        Assert.Equal(1, web.Log.MaxConcurrentRequestsByHost()[site.Host]);
        var gap = web.Log.MinStartToStartGap(site.Host);
        Assert.NotNull(gap);
        Assert.Equal(Enumerable.Range(1, 2).Select(i => records[i].Start - records[i - 1].Start).Min(), gap);
        Assert.True(records[1].Start >= records[0].End);
        Assert.Null(web.Log.MinStartToStartGap("nobody.kp"));
    }
}
