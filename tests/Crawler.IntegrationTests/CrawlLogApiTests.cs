using System.Net;
using System.Text.Json;
using Crawler.Core.Policies;
using Crawler.Storage;
using Xunit;

namespace Crawler.IntegrationTests;

/// <summary><c>/api/crawllog</c> over an archive whose crawl declined a few URLs: each listed with its reason, filtered and limited.</summary>
public sealed class CrawlLogApiTests(ServedArchiveFixture archive) : IClassFixture<ServedArchiveFixture>
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 6, 0, 0, TimeSpan.Zero);

    private async Task StoreAsync()
    {
        static CrawlLogEntry Row(string url, string reason, string? via = "http://a.kp/") =>
            new() { Url = url, Host = new Uri(url).Host, Epoch = 1, Reason = reason, Detail = reason + " detail", Via = via, Depth = 2, At = At };
        await archive.Store.CommitAsync(
        [
            new FetchCommit
            {
                Capture = new CaptureRecord { Id = "crawllog-api-1", Url = "http://a.kp/", Host = "a.kp", Epoch = 1, FetchedAt = At, Status = 200 },
                Declined = [Row("http://a.kp/calendar/1990/01", DeclineReason.Trap), Row("http://a.kp/x?PHPSESSID=1", DeclineReason.Trap), Row("http://example.com/", DeclineReason.OutOfScope)],
            },
        ]);
        await archive.Store.UpdateFrontierAsync(
            [new FrontierUpdate("http://a.kp/admin/", "a.kp", 1, FrontierState.Skipped, "robots.txt disallows it") { Declined = [Row("http://a.kp/admin/", DeclineReason.Robots, via: null)] }]);
    }

    private async Task<JsonElement> GetAsync(string query)
    {
        using var response = await archive.Http.GetAsync(new Uri("/api/crawllog" + query, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.Clone();
    }

    [Fact]
    public async Task The_crawl_log_lists_every_url_not_archived_with_its_reason_by_site_reason_and_limit()
    {
        await StoreAsync();

        var all = await GetAsync("?epoch=1&site=a.kp");
        Assert.Equal(
            [("http://a.kp/admin/", DeclineReason.Robots, null), ("http://a.kp/calendar/1990/01", DeclineReason.Trap, "http://a.kp/"), ("http://a.kp/x?PHPSESSID=1", DeclineReason.Trap, "http://a.kp/")],
            all.GetProperty("rows").EnumerateArray().Select(r => (r.GetProperty("url").GetString(), r.GetProperty("reason").GetString(), r.GetProperty("via").GetString())));
        Assert.False(all.GetProperty("truncated").GetBoolean());

        var offScope = Assert.Single((await GetAsync("?reason=out-of-scope")).GetProperty("rows").EnumerateArray());
        Assert.Equal(("http://example.com/", "example.com", "out-of-scope detail"), (offScope.GetProperty("url").GetString(), offScope.GetProperty("site").GetString(), offScope.GetProperty("detail").GetString()));

        var first = await GetAsync("?site=a.kp&reason=trap&limit=1");
        Assert.Equal("http://a.kp/calendar/1990/01", Assert.Single(first.GetProperty("rows").EnumerateArray()).GetProperty("url").GetString());
        Assert.True(first.GetProperty("truncated").GetBoolean());
    }

    [Theory]
    [InlineData("?reason=lost")]
    [InlineData("?limit=0")]
    [InlineData("?epoch=x")]
    public async Task A_bad_filter_is_a_400_that_says_what_is_expected(string query)
    {
        using var response = await archive.Http.GetAsync(new Uri("/api/crawllog" + query, UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("must be", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
