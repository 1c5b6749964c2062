using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Crawler.Core.Uptime;
using Crawler.Storage;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Crawler.IntegrationTests;

/// <summary><c>/api/dns</c> and <c>/api/uptime</c> on a node that crawled the simulated web: what the store recorded, as JSON.</summary>
[Collection(CdxArchiveCollection.Name)]
public sealed class SiteHistoryApiTests(CdxArchiveFixture archive)
{
    [Fact]
    public async Task A_sites_dns_history_holds_the_addresses_the_simulated_name_server_gave_it()
    {
        var site = archive.Web.Sites[0];
        var json = await archive.Http.GetFromJsonAsync<JsonElement>($"/api/dns?name={site.Host}");

        var observations = json.GetProperty("observations").EnumerateArray().ToList();
        Assert.NotEmpty(observations);
        var addresses = observations[0].GetProperty("records").EnumerateArray()
            .Where(r => r.GetProperty("type").GetString() == "A").Select(r => r.GetProperty("value").GetString()).ToList();
        Assert.Equal(site.Addresses.Select(a => a.ToString()).Order(StringComparer.Ordinal), addresses.Order(StringComparer.Ordinal));
        Assert.Equal("NOERROR", observations[0].GetProperty("outcome").GetString());

        Assert.Equal(HttpStatusCode.BadRequest, (await archive.Http.GetAsync("/api/dns")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await archive.Http.GetAsync("/api/dns?name=never-resolved.kp")).StatusCode);
    }

    [Fact]
    public async Task A_sites_uptime_is_its_state_since_when_and_its_ratio_from_the_recorded_probes()
    {
        var store = archive.Services.GetRequiredService<IUptimeStore>();
        var now = DateTimeOffset.UtcNow;
        const string site = "uptime-api.kp";
        var results = Enumerable.Range(1, 4).Select(i => new ProbeResult(site, now.AddMinutes(-10 * i), i == 4 ? ProbeFailure.ConnectTimeout : ProbeFailure.None) { Total = TimeSpan.FromMilliseconds(20) }).ToList();
        await store.AddResultsAsync(results);
        await store.AddStateChangesAsync([new StateChange(site, SiteState.Unknown, SiteState.Up, now.AddMinutes(-30), now.AddMinutes(-20), ProbeFailure.None)]);
        await store.UpsertOutageAsync(new Outage(site, now.AddMinutes(-45), now.AddMinutes(-35), ProbeFailure.ConnectTimeout));

        var json = await archive.Http.GetFromJsonAsync<JsonElement>($"/api/uptime?site={site}");

        var row = Assert.Single(json.GetProperty("sites").EnumerateArray());
        Assert.Equal(site, row.GetProperty("site").GetString());
        Assert.Equal("up", row.GetProperty("state").GetString());
        var uptime = row.GetProperty("uptime24hPercent").GetDouble();
        Assert.InRange(uptime, 0.0, 99.99); // the recorded outage counts against it
        var outage = Assert.Single(row.GetProperty("outages").EnumerateArray());
        Assert.Equal(600, outage.GetProperty("durationSeconds").GetDouble(), 0);
        Assert.Equal(HttpStatusCode.NotFound, (await archive.Http.GetAsync("/api/uptime?site=never-probed.kp")).StatusCode);
    }

    [Fact]
    public async Task The_link_graph_has_an_edge_for_every_site_pair_whose_archived_pages_link_across()
    {
        // Expected from the store's own record of outlinks, site to site (the simulation links articles across sites).
        var expected = new HashSet<(string, string)>();
        await foreach (var capture in archive.Store.GetCapturesAsync(new CaptureQuery()))
        {
            foreach (var link in capture.Outlinks.Where(o => o.InScope))
            {
                var to = new Uri(link.Url).Host.Replace("www.", string.Empty, StringComparison.Ordinal);
                var from = capture.Host.Replace("www.", string.Empty, StringComparison.Ordinal);
                if (to != from)
                {
                    expected.Add((from, to));
                }
            }
        }

        Assert.NotEmpty(expected);
        var json = await archive.Http.GetFromJsonAsync<JsonElement>("/api/links?epoch=1");
        var edges = json.GetProperty("edges").EnumerateArray().Select(e => (e.GetProperty("from").GetString()!, e.GetProperty("to").GetString()!)).ToHashSet();
        Assert.Equal(expected.Order(), edges.Order());

        var (from0, to0) = expected.First();
        var csv = await archive.Http.GetStringAsync($"/api/links?site={from0}&format=csv");
        Assert.StartsWith("from,to,epoch,links,pages,first_seen,last_seen\n", csv, StringComparison.Ordinal);
        Assert.Contains($"\n{from0},{to0},1,", "\n" + csv, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await archive.Http.GetAsync("/api/links?format=xml")).StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_describes_every_api_path_with_a_summary()
    {
        var json = await archive.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = json.GetProperty("paths").EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        string[] expected = ["/cdx", "/api/changes", "/api/diff", "/api/crawllog", "/api/search", "/api/search.warc", "/api/wacz", "/api/events", "/api/events.atom", "/api/links", "/api/dns", "/api/uptime", "/api/seeds"];
        Assert.All(expected, path =>
        {
            Assert.True(paths.TryGetValue(path, out var item), $"{path} is not in the OpenAPI document");
            var operation = item.EnumerateObject().First().Value;
            Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()), $"{path} has no summary");
        });
    }
}
