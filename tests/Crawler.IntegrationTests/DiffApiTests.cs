using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Crawler.Node.Configuration;
using Crawler.Node.Hosting;
using Crawler.Storage;
using Crawler.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Xunit;

namespace Crawler.IntegrationTests;

/// <summary><c>crawler serve</c>'s host over an archive that starts empty; tests write the captures they need.</summary>
public sealed class ServedArchiveFixture : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "crawler-served-" + Guid.NewGuid().ToString("N"));
    private WebApplication _app = null!;

    public HttpClient Http { get; } = new();

    public ICrawlStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        var path = Path.Combine(_folder, "crawler.db");
        Store = new SqliteCrawlStore(new SqliteStoreOptions { Path = path });
        await Store.InitializeAsync();
        _app = NodeHost.BuildServeHost(StoreLocation.From(new NodeOptions { Store = "sqlite:" + path }), "http://127.0.0.1:0");
        await _app.StartAsync();
        Http.BaseAddress = new Uri(NodeHost.HttpAddresses(_app).Single());
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Store.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary><c>/api/changes</c> and <c>/api/diff</c> over an archive holding three captures of one page: a first version, the same again (a 304), an edit.</summary>
public sealed class DiffApiTests(ServedArchiveFixture archive) : IClassFixture<ServedArchiveFixture>
{
    private const string Url = "http://edited.kp/news/1.html";
    private static readonly DateTimeOffset First = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

    private async Task StoreVersionsAsync()
    {
        const string v1 = "<html><head><title>News</title></head><body><h1>Meeting held</h1><p>The meeting was held.</p><p>Delegates attended.</p><p>Old closing line.</p></body></html>";
        const string v2 = "<html><head><title>News</title></head><body><h1>Meeting held</h1><p>The meeting was held in Pyongyang.</p><p>Delegates attended.</p><p>A new paragraph.</p></body></html>";
        await Commit(First, 200, v1);
        await Commit(First.AddDays(1), 304, null, Digest(v1));
        await Commit(First.AddDays(2), 200, v2);
    }

    private static string Digest(string html) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(html)));

    private async Task Commit(DateTimeOffset at, int status, string? html, string? digest = null)
    {
        var body = html is null ? null : Encoding.UTF8.GetBytes(html);
        await archive.Store.CommitAsync(
        [
            new FetchCommit
            {
                Capture = new CaptureRecord
                {
                    Id = new Guid(MD5.HashData(Encoding.UTF8.GetBytes(Url + at.ToString("O")))).ToString(), // the same each time: a replay

                    Url = Url,
                    Host = "edited.kp",
                    Epoch = 1,
                    FetchedAt = at,
                    Status = status,
                    RequestHeaders = Encoding.ASCII.GetBytes("GET /news/1.html HTTP/1.1\r\nHost: edited.kp\r\n\r\n"),
                    ResponseHeaders = Encoding.ASCII.GetBytes($"HTTP/1.1 {status} X\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"),
                    PayloadDigest = html is null ? digest : Digest(html),
                    PayloadLength = body?.Length ?? 0,
                    ContentType = "text/html; charset=utf-8",
                },
                Payload = body,
            },
        ]);
    }

    [Fact]
    public async Task Changes_list_every_capture_and_mark_the_versions_that_differ_from_the_one_before()
    {
        await StoreVersionsAsync();

        using var json = JsonDocument.Parse(await archive.Http.GetStringAsync(new Uri($"/api/changes?url={Uri.EscapeDataString(Url)}", UriKind.Relative)));

        var captures = json.RootElement.GetProperty("captures").EnumerateArray().ToList();
        Assert.Equal(["20261101080000", "20261102080000", "20261103080000"], captures.Select(c => c.GetProperty("timestamp").GetString()));
        Assert.Equal([true, false, true], captures.Select(c => c.GetProperty("changed").GetBoolean()));
    }

    [Fact]
    public async Task A_diff_of_the_first_and_last_capture_shows_exactly_the_edits()
    {
        await StoreVersionsAsync();

        using var json = JsonDocument.Parse(await archive.Http.GetStringAsync(new Uri($"/api/diff?url={Uri.EscapeDataString(Url)}&from=20261101&to=20261104", UriKind.Relative)));

        var blocks = json.RootElement.GetProperty("blocks").EnumerateArray().Select(b => (b.GetProperty("kind").GetString(), b.GetProperty("text").GetString())).ToList();
        Assert.Equal(
            [
                ("unchanged", "News"), ("unchanged", "Meeting held"),
                ("removed", "The meeting was held."), ("added", "The meeting was held in Pyongyang."),
                ("unchanged", "Delegates attended."),
                ("removed", "Old closing line."), ("added", "A new paragraph."),
            ],
            blocks);
        Assert.Equal("20261101080000", json.RootElement.GetProperty("from").GetProperty("timestamp").GetString());
        Assert.Equal("20261103080000", json.RootElement.GetProperty("to").GetProperty("timestamp").GetString());
    }

    [Fact]
    public async Task A_diff_across_a_304_only_is_all_unchanged_and_a_bad_timestamp_is_a_400_naming_the_parameters()
    {
        await StoreVersionsAsync();

        using var same = JsonDocument.Parse(await archive.Http.GetStringAsync(new Uri($"/api/diff?url={Uri.EscapeDataString(Url)}&from=20261101080000&to=20261102080000", UriKind.Relative)));
        Assert.Equal((0, 0), (same.RootElement.GetProperty("added").GetInt32(), same.RootElement.GetProperty("removed").GetInt32()));

        var bad = await archive.Http.GetAsync(new Uri($"/api/diff?url={Uri.EscapeDataString(Url)}&from=yesterday&to=2026", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("from and to", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
