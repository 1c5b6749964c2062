using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Crawler.Archive;
using Crawler.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;

namespace Crawler.IntegrationTests;

/// <summary>
/// <c>crawler export wacz</c> of a crawled simulated web, opened in ReplayWeb.page 2.5.3 (its published index.html, ui.js and
/// sw.js, served with the package from one loopback server) in headless Chromium: the archived pages' text is there, and
/// every archived redirect leads to its archived target.
/// </summary>
[Collection(CdxArchiveCollection.Name)]
public sealed class WaczReplayTests(CdxArchiveFixture archive, ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task The_package_holds_the_warcs_stored_an_index_pages_and_a_datapackage_whose_hashes_match()
    {
        var path = Path.Combine(archive.Data, "package-check.wacz");
        var result = await WaczExporter.ExportAsync(archive.Store, null, new WaczExportOptions { OutputPath = path });

        using var zip = ZipFile.OpenRead(path);
        var names = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("indexes/index.cdxj", names);
        Assert.Contains("pages/pages.jsonl", names);
        Assert.Contains("datapackage.json", names);
        Assert.Contains("datapackage-digest.json", names);
        var warcs = zip.Entries.Where(e => e.FullName.StartsWith("archive/", StringComparison.Ordinal)).ToList();
        Assert.Equal(result.Warc.Files.Count, warcs.Count);

        // Stored, not compressed again: a replayer reads a record at its offset in the WARC.
        Assert.All(warcs, e => Assert.Equal(e.Length, e.CompressedLength));

        using var package = JsonDocument.Parse(zip.GetEntry("datapackage.json")!.Open());
        Assert.Equal("data-package", package.RootElement.GetProperty("profile").GetString());
        Assert.Equal("1.1.1", package.RootElement.GetProperty("wacz_version").GetString());
        var resources = package.RootElement.GetProperty("resources").EnumerateArray().ToList();
        Assert.Equal(names.Where(n => !n.StartsWith("datapackage", StringComparison.Ordinal)).Order(StringComparer.Ordinal), resources.Select(r => r.GetProperty("path").GetString()!).Order(StringComparer.Ordinal));
        foreach (var resource in resources)
        {
            var entry = zip.GetEntry(resource.GetProperty("path").GetString()!)!;
            await using var stream = entry.Open();
            Assert.Equal(resource.GetProperty("hash").GetString(), "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(stream)));
            Assert.Equal(entry.Length, resource.GetProperty("bytes").GetInt64());
        }

        // Every HTML page archived with 200 is listed once, after the format line.
        var lines = new StreamReader(zip.GetEntry("pages/pages.jsonl")!.Open()).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("json-pages-1.0", JsonDocument.Parse(lines[0]).RootElement.GetProperty("format").GetString());
        var listed = lines.Skip(1).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("url").GetString()!).ToList();
        var html = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var capture in archive.Store.GetCapturesAsync(new CaptureQuery()))
        {
            if (capture is { Status: >= 200 and < 300 } && capture.ContentType?.StartsWith("text/html", StringComparison.Ordinal) == true)
            {
                html.Add(capture.Url);
            }
        }

        Assert.Equal(html.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        using var digest = JsonDocument.Parse(zip.GetEntry("datapackage-digest.json")!.Open());
        await using var packageStream = zip.GetEntry("datapackage.json")!.Open();
        Assert.Equal(digest.RootElement.GetProperty("hash").GetString(), "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(packageStream)));
    }

    [Fact]
    public async Task The_api_serves_one_sites_package_and_says_what_is_wrong_with_a_request()
    {
        var host = archive.Web.Sites[1].Host;
        using var response = await archive.Http.GetAsync($"/api/wacz?site={host}&epoch=1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/wacz", response.Content.Headers.ContentType?.MediaType);
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
        var pages = new StreamReader(zip.GetEntry("pages/pages.jsonl")!.Open()).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(l => new Uri(JsonDocument.Parse(l).RootElement.GetProperty("url").GetString()!).Host).ToList();
        Assert.NotEmpty(pages);
        Assert.All(pages, h => Assert.Equal(host, h));

        using var missing = await archive.Http.GetAsync("/api/wacz");
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("site is required", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var unknown = await archive.Http.GetAsync("/api/wacz?site=never-crawled.kp");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var badEpoch = await archive.Http.GetAsync($"/api/wacz?site={host}&epoch=first");
        Assert.Equal(HttpStatusCode.BadRequest, badEpoch.StatusCode);
    }

    [SkippableFact]
    public async Task ReplayWeb_page_shows_the_archived_pages_and_follows_every_archived_redirect_to_its_target()
    {
        Skip.IfNot(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium package (.ci/run does)");
        Assert.True(File.Exists(Path.Combine(RepositoryPaths.ReplayWebPage, "sw.js")), $"{RepositoryPaths.ReplayWebPage} is missing: test.sh unpacks replaywebpage@2.5.3 there (npm pack)");
        var wacz = Path.Combine(archive.Data, "replay.wacz");
        await WaczExporter.ExportAsync(archive.Store, null, new WaczExportOptions { OutputPath = wacz });

        // What to look for: pages with a title, and every redirect whose chain ends at a page the crawl archived (a loop or
        // a redirect out of scope ends nowhere in the archive).
        var titled = new Dictionary<string, string>(StringComparer.Ordinal);
        var archived = new HashSet<string>(StringComparer.Ordinal);
        var redirectOf = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var capture in archive.Store.GetCapturesAsync(new CaptureQuery()))
        {
            if (capture.Status is >= 200 and < 300)
            {
                archived.Add(capture.Url);
                if (capture is { Title: { Length: > 0 } title } && capture.ContentType?.StartsWith("text/html", StringComparison.Ordinal) == true)
                {
                    titled.TryAdd(capture.Url, title);
                }
            }
            else if (capture is { Status: >= 300 and < 400, RedirectTo: { } to })
            {
                redirectOf.TryAdd(capture.Url, to);
            }
        }

        var followed = new List<(string From, string Final)>();
        foreach (var from in redirectOf.Keys)
        {
            var final = from;
            for (var hops = 0; hops < 10 && redirectOf.TryGetValue(final, out var next); hops++)
            {
                final = next;
            }

            if (archived.Contains(final))
            {
                followed.Add((from, final));
            }
            else
            {
                output.WriteLine($"not in the archive: {from} leads to {final}");
            }
        }

        Assert.Contains(followed, f => titled.ContainsKey(f.Final));
        Assert.Contains(followed, f => !titled.ContainsKey(f.Final));
        output.WriteLine($"{titled.Count} titled pages, {redirectOf.Count} redirects, {followed.Count} of them to an archived page");

        await using var server = await StaticServer.StartAsync(RepositoryPaths.ReplayWebPage, wacz);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true });
        var context = await browser.NewContextAsync();

        // Pages: a few archived pages show their own title.
        foreach (var (url, title) in titled.Take(3))
        {
            await ReplayShowsAsync(context, server.Origin, url, title, url);
        }

        // Every archived redirect: replaying its URL lands on its target's archived page (by its title when it has one, else by
        // the replay frame's URL: robots.txt).
        foreach (var (from, final) in followed)
        {
            await ReplayShowsAsync(context, server.Origin, from, titled.GetValueOrDefault(final), final);
        }
    }

    /// <summary>
    /// Opens ReplayWeb.page on the package at <paramref name="url"/> in a new tab and waits until its replay frame shows
    /// <paramref name="final"/>, titled <paramref name="title"/> when that is given.
    /// </summary>
    private static async Task ReplayShowsAsync(IBrowserContext context, string origin, string url, string? title, string final)
    {
        var tab = await context.NewPageAsync();
        try
        {
            await tab.GotoAsync($"{origin}/?source={Uri.EscapeDataString(origin + "/archive.wacz")}#view=replay&url={Uri.EscapeDataString(url)}");
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            var seen = new List<string>();
            while (DateTime.UtcNow < deadline)
            {
                // The replay frame is ReplayWeb.page's iframe under its service worker's prefix (.../mp_/URL), nested in shadow DOM.
                seen.Clear();
                foreach (var frame in tab.Frames.Where(f => f.Url.Contains("mp_/", StringComparison.Ordinal)))
                {
                    try
                    {
                        var shown = await frame.TitleAsync();
                        if (title is null ? frame.Url.EndsWith("mp_/" + final, StringComparison.Ordinal) && await frame.EvaluateAsync<bool>("() => document.readyState === 'complete' && document.body !== null && document.body.innerText.length > 0") : shown == title)
                        {
                            return;
                        }

                        seen.Add($"{frame.Url} ('{shown}')");
                    }
                    catch (PlaywrightException)
                    {
                        // navigating (a redirect being replayed): look again
                    }
                }

                // Bounded poll of the browser's frame tree (frames appear and navigate as ReplayWeb.page replays).
                await Task.Delay(200);
            }

            throw new Xunit.Sdk.XunitException($"ReplayWeb.page did not show {final} ('{title}') for {url} within 30 s; replay frames: {string.Join(", ", seen)}");
        }
        finally
        {
            await tab.CloseAsync();
        }
    }

    /// <summary>ReplayWeb.page's files and the package from one loopback origin, with Range support (it reads the ZIP by ranges).</summary>
    private sealed class StaticServer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private StaticServer(WebApplication app) => _app = app;

        public string Origin => _app.Urls.Single().TrimEnd('/');

        public static async Task<StaticServer> StartAsync(string root, string wacz)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            app.MapGet("/archive.wacz", () => Results.File(wacz, "application/wacz", enableRangeProcessing: true));
            app.MapGet("/{**path}", (string? path) =>
            {
                var file = Path.GetFullPath(Path.Combine(root, string.IsNullOrEmpty(path) ? "index.html" : path));
                return file.StartsWith(root, StringComparison.Ordinal) && File.Exists(file)
                    ? Results.File(file, file.EndsWith(".js", StringComparison.Ordinal) ? "application/javascript" : file.EndsWith(".html", StringComparison.Ordinal) ? "text/html" : "application/octet-stream", enableRangeProcessing: true)
                    : Results.NotFound();
            });
            await app.StartAsync();
            return new StaticServer(app);
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
