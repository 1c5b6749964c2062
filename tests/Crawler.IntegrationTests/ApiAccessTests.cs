using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Crawler.Node.Hosting;
using Crawler.Simulation.Web;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit;

namespace Crawler.IntegrationTests;

/// <summary>
/// The node's HTTP endpoint: reads open by default, a write (<c>POST /api/seeds</c>) only with the configured bearer token,
/// reads closed too when asked, probes always open.
/// </summary>
public sealed class ApiAccessTests() : SimulatedWebTest(new SimulationOptions { Seed = 71, SiteCount = 1, PagesPerSite = 2, PlainSites = true })
{
    private const string Token = "0123456789abcdef-the-write-token";

    [Fact]
    public async Task A_write_needs_the_bearer_token_and_adds_in_scope_seeds_to_the_crawl()
    {
        using var host = await StartAsync(S("Crawler:Http:WriteToken", Token));
        using var http = Client(host);
        var seed = Web.Sites[0].Url("/about.html");

        using (var anonymous = await http.PostAsJsonAsync("/api/seeds", new { urls = new[] { seed } }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        }

        using (var wrong = await Post(http, "the-wrong-token-0123456789", new { urls = new[] { seed } }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Contains("not this node's Crawler:Http:WriteToken", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var outOfScope = await Post(http, Token, new { urls = new[] { "http://example.com/", "ftp://kcna.kp/" } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, outOfScope.StatusCode);
            Assert.Contains("http://example.com/, ftp://kcna.kp/", await outOfScope.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var added = await Post(http, Token, new { urls = new[] { seed, "http://new-site.kp/" } }))
        {
            Assert.Equal(HttpStatusCode.OK, added.StatusCode);
            var body = await added.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(body.GetProperty("added").GetInt32() >= 1);
        }

        // Remembered for every later epoch, as discovery's seeds are.
        await using var store = NodeHost.OpenStore(new Node.Configuration.NodeOptions { DataDirectory = Data });
        await store.InitializeAsync();
        var remembered = await store.GetSettingAsync("seeds.added");
        Assert.Contains("http://new-site.kp/", remembered ?? string.Empty, StringComparison.Ordinal);

        // Reads stay open.
        using var read = await http.GetAsync("/api/events?site=" + Web.Sites[0].Host);
        Assert.NotEqual(HttpStatusCode.Unauthorized, read.StatusCode);
    }

    [Fact]
    public async Task Without_a_token_configured_every_write_is_refused_and_closed_reads_need_the_token_but_probes_do_not()
    {
        using (var open = await StartAsync())
        using (var http = Client(open))
        using (var refused = await Post(http, Token, new { urls = new[] { Web.Sites[0].Url("/") } }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("set Crawler:Http:WriteToken", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var closed = await StartAsync(S("Crawler:Http:WriteToken", Token), S("Crawler:Http:OpenReads", "false"));
        using var client = Client(closed);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/cdx?url=" + Web.Sites[0].Host)).StatusCode);
        using var withToken = new HttpRequestMessage(HttpMethod.Get, "/cdx?url=" + Web.Sites[0].Host) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", Token) } };
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(withToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(HealthEndpoint.LivePath)).StatusCode);
    }

    [Fact]
    public async Task A_short_token_stops_the_node_with_an_error_naming_the_setting()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () => (await StartAsync(S("Crawler:Http:WriteToken", "secret"))).Dispose());
        Assert.Contains("Crawler:Http:WriteToken is shorter than 16 characters", error.Message, StringComparison.Ordinal);
    }

    private async Task<IHost> StartAsync(params KeyValuePair<string, string?>[] extra)
    {
        var settings = SimulatedWebSettings.For(Web, Data);
        settings.Add(S("Crawler:Http:Urls", "http://127.0.0.1:0"));
        settings.AddRange(extra);
        var host = NodeHost.BuildRunHost(NodeHost.BuildConfiguration(settings), logging => logging.AddFilter(level => level >= LogLevel.Error).AddSimpleConsole());
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return host;
    }

    private static KeyValuePair<string, string?> S(string key, string value) => new(key, value);

    private static HttpClient Client(IHost host) => new() { BaseAddress = new Uri(NodeHost.HttpAddresses(host).Single()), Timeout = TimeSpan.FromSeconds(30) };

    private static Task<HttpResponseMessage> Post(HttpClient http, string token, object body) =>
        http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/seeds")
        {
            Content = JsonContent.Create(body),
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
        });
}
