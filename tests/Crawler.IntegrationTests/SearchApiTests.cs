using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Crawler.Core.Html;
using Crawler.Core.Search;
using Crawler.Core.Text;
using Crawler.Core.Warc;
using Crawler.Node.Hosting;
using Crawler.Simulation.Web;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Crawler.IntegrationTests;

/// <summary>
/// <c>/api/search</c> over a crawled simulated web. What each search must find is worked out from the simulation's own
/// pages: every HTML page of the manifest is fetched from the simulated web and its words read, never from the API.
/// </summary>
[Collection(CdxArchiveCollection.Name)]
public sealed class SearchApiTests(CdxArchiveFixture archive) : IAsyncLifetime
{
    /// <summary>The text of every HTML page the crawl archives (by URL), as the simulated web serves it.</summary>
    private static readonly SemaphoreSlim Once = new(1, 1);
    private static Dictionary<string, (string Host, IReadOnlyList<string> Words)>? _pages;

    private Dictionary<string, (string Host, IReadOnlyList<string> Words)> Pages => _pages!;

    public async Task InitializeAsync()
    {
        await Once.WaitAsync();
        try
        {
            if (_pages is not null)
            {
                return;
            }

            await archive.Services.GetRequiredService<SearchIndexer>().CatchUpAsync();
            _pages = await SimulatedPagesAsync();
        }
        finally
        {
            Once.Release();
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<Dictionary<string, (string Host, IReadOnlyList<string> Words)>> SimulatedPagesAsync()
    {
        var web = archive.Web;
        var addresses = web.Sites.ToDictionary(s => s.Host, s => s.Address, StringComparer.OrdinalIgnoreCase);
        using var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(addresses[context.DnsEndPoint.Host], context.DnsEndPoint.Port == 443 ? web.HttpsPort : web.HttpPort, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = { RemoteCertificateValidationCallback = delegate { return true; } },
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20) };
        var pages = new Dictionary<string, (string, IReadOnlyList<string>)>(StringComparer.Ordinal);
        foreach (var entry in web.Manifest.Entries.Where(e => e.Outcome == EntryOutcome.Normal && e.ExpectedStatus == 200 && (e.ContentType ?? string.Empty).StartsWith("text/html", StringComparison.Ordinal)))
        {
            using var response = await http.GetAsync(new Uri(entry.Url));
            var text = EncodingSniffer.Decode(await response.Content.ReadAsByteArrayAsync(), response.Content.Headers.ContentType?.ToString(), out _);
            pages[entry.Url] = (entry.Host, SearchExpression.Words(string.Join('\n', HtmlText.ExtractBlocks(text))));
        }

        return pages;
    }

    private async Task<JsonElement> SearchAsync(string query)
    {
        var response = await archive.Http.GetAsync(new Uri("/api/search?" + query, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>The hits' URLs that the manifest knows (a crawl also archives pages of the trap, which it does not list).</summary>
    private List<string> Known(JsonElement result) =>
        [.. result.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("url").GetString()!).Where(Pages.ContainsKey).Order(StringComparer.Ordinal)];

    private List<string> Expected(Func<string, (string Host, IReadOnlyList<string> Words), bool> where) =>
        [.. Pages.Where(p => where(p.Key, p.Value)).Select(p => p.Key).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task A_korean_word_finds_exactly_the_archived_pages_whose_text_has_it_with_replay_links_and_snippets()
    {
        var expected = Expected((_, p) => p.Words.Any(w => w.StartsWith("조선", StringComparison.Ordinal)));

        var result = await SearchAsync("q=" + Uri.EscapeDataString("조선") + "&limit=100");

        Assert.NotEmpty(expected);
        Assert.True(expected.Count < 100, "the page holds every hit");
        Assert.Equal(expected, Known(result));
        foreach (var hit in result.GetProperty("hits").EnumerateArray())
        {
            Assert.Equal($"/web/{hit.GetProperty("timestamp").GetString()}/{hit.GetProperty("url").GetString()}", hit.GetProperty("replay").GetString());
            Assert.Contains("<b>조선", hit.GetProperty("snippet").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Site_and_language_filters_keep_the_hits_of_that_site_and_language()
    {
        var site = archive.Web.Sites.First(s => s.Language == "en" && Pages.Values.Any(p => p.Host == s.Host)).Host;
        var expected = Expected((_, p) => p.Host == site && p.Words.Contains("Pyongyang", StringComparer.OrdinalIgnoreCase));

        var result = await SearchAsync($"q=pyongyang&site={site}&lang=en&limit=100");

        Assert.NotEmpty(expected);
        Assert.Equal(expected, Known(result));
        Assert.All(result.GetProperty("hits").EnumerateArray(), h => Assert.Equal((site, "en"), (h.GetProperty("site").GetString(), h.GetProperty("lang").GetString())));
        Assert.Empty((await SearchAsync($"q=pyongyang&site={site}&lang=en&from=20000101&to=20000102")).GetProperty("hits").EnumerateArray());
    }

    [Fact]
    public async Task The_csv_export_has_a_header_and_one_row_per_hit()
    {
        var expected = Expected((_, p) => p.Words.Any(w => w.StartsWith("조선", StringComparison.Ordinal)));

        var response = await archive.Http.GetAsync(new Uri("/api/search?format=csv&q=" + Uri.EscapeDataString("조선"), UriKind.Relative));
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("text/csv; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("timestamp,url,site,lang,title,snippet,replay,digest", lines[0]);
        Assert.Equal(expected, lines.Skip(1).Select(l => l.Split(',')[1]).Where(Pages.ContainsKey).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_warc_export_holds_a_response_record_of_each_matching_page_of_the_site()
    {
        var site = archive.Web.Sites.First(s => s.Language == "ko" && Pages.Values.Any(p => p.Host == s.Host && p.Words.Any(w => w.StartsWith("조선", StringComparison.Ordinal)))).Host;
        var expected = Expected((_, p) => p.Host == site && p.Words.Any(w => w.StartsWith("조선", StringComparison.Ordinal)));

        var response = await archive.Http.GetAsync(new Uri($"/api/search.warc?site={site}&q=" + Uri.EscapeDataString("조선"), UriKind.Relative));
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}");
        Assert.Equal("application/warc", response.Content.Headers.ContentType?.MediaType);
        using var reader = new WarcReader(new MemoryStream(bytes));
        var records = reader.ReadAll().ToList();
        Assert.True(reader.IsCompressed);
        var responses = records.Where(r => r.Type is "response" or "revisit").Select(r => r.TargetUri!).ToList();
        Assert.Equal(expected, responses.Where(Pages.ContainsKey).Distinct().Order(StringComparer.Ordinal));
        Assert.All(responses, u => Assert.Equal(site, new Uri(u).Host));
    }

    [Theory]
    [InlineData("q=", "q has no word")]
    [InlineData("q=-trade", "q only excludes")]
    [InlineData("q=trade&lang=1", "lang must be")]
    [InlineData("q=trade&from=yesterday", "from must be")]
    [InlineData("q=trade&to=2026-12-01", "to must be")]
    [InlineData("q=trade&limit=0", "limit must be")]
    [InlineData("q=trade&offset=-1", "offset must be")]
    [InlineData("q=trade&format=xml", "format must be")]
    public async Task A_bad_parameter_is_a_400_that_names_it(string query, string detail)
    {
        var response = await archive.Http.GetAsync(new Uri("/api/search?" + query, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(detail, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
