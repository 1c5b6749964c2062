using System.Security.Cryptography;
using System.Text;
using Crawler.Core.Replay;
using Crawler.Simulation.Web;
using Crawler.Storage;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;

namespace Crawler.IntegrationTests;

/// <summary>
/// Replay (<c>/web/</c>) in real headless Chromium (Debian's <c>/usr/bin/chromium</c>, driven by Playwright): an archived
/// page renders with every request it makes answered under the replay path, and a hostile archived page can neither
/// read the UI's cookies nor reach the API or the live web.
/// </summary>
[Collection(CdxArchiveCollection.Name)]
public sealed class ReplayInChromiumTests(CdxArchiveFixture archive, ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";

    private static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        Skip.IfNot(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium package (.ci/run does)");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true });
        return (playwright, browser);
    }

    [SkippableFact]
    public async Task An_archived_page_renders_with_every_request_answered_under_the_replay_path()
    {
        var (playwright, browser) = await LaunchAsync();
        using (playwright)
        await using (browser)
        {
            // A page with a stylesheet and images, archived with status 200.
            var page = await PageWithStylesheetAndImagesAsync();
            var origin = archive.Http.BaseAddress!.GetLeftPart(UriPartial.Authority);
            var requests = new List<string>();
            var tab = await browser.NewPageAsync();
            tab.Request += (_, r) => requests.Add(r.Url);
            var failed = new List<string>();
            tab.RequestFailed += (_, r) => failed.Add($"{r.Url}: {r.Failure}");

            var response = await tab.GotoAsync($"{origin}/web/2030/{page}", new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle });

            // Every resource the page asked for was delivered to it (none refused to the sandboxed page's opaque origin).
            Assert.True(failed.Count == 0, $"requests that failed: {string.Join(", ", failed)}");

            Assert.Equal(200, response!.Status);
            Assert.Contains("Archived", await tab.InnerTextAsync("#crawler-replay-banner"), StringComparison.Ordinal);
            var outside = requests.Where(r => !r.StartsWith(origin + ReplayPath.Prefix, StringComparison.Ordinal)).ToList();
            Assert.True(outside.Count == 0, $"requests outside the replay path: {string.Join(", ", outside)}");
            Assert.Contains(requests, r => r.Contains("cs_/", StringComparison.Ordinal));
            Assert.Contains(requests, r => r.Contains("im_/", StringComparison.Ordinal));
            output.WriteLine($"{page}: {requests.Count} requests, all under {ReplayPath.Prefix}");

            // The stylesheet applied: it came from the archive.
            var styled = await tab.EvaluateAsync<int>("() => document.styleSheets.length");
            Assert.True(styled > 0, "no stylesheet applied");
        }
    }

    [SkippableFact]
    public async Task A_script_in_an_archived_page_cannot_read_the_uis_cookies_nor_call_the_api_nor_reach_the_live_web()
    {
        var (playwright, browser) = await LaunchAsync();
        using (playwright)
        await using (browser)
        {
            var origin = archive.Http.BaseAddress!.GetLeftPart(UriPartial.Authority);
            var live = archive.Web.Sites[0].Url("/");
            var hostile = $$"""
                <html><body><pre id="out">running</pre><script>
                (async () => {
                  const out = [];
                  try { out.push('cookie:' + document.cookie); } catch (e) { out.push('cookie:blocked'); }
                  try { localStorage.setItem('x', '1'); out.push('storage:open'); } catch (e) { out.push('storage:blocked'); }
                  for (const [name, url, init] of [['api', '{{origin}}/cdx?url=kcna.kp', {}], ['write', '{{origin}}/api/seeds', { method: 'POST', body: 'http://evil.kp/' }], ['live', '{{live}}', {}]]) {
                    try { const r = await fetch(url, init); out.push(name + ':' + r.status); } catch (e) { out.push(name + ':blocked'); }
                  }
                  document.getElementById('out').textContent = out.join(' ');
                })();
                </script></body></html>
                """;
            // Outside .kp: the other tests of the shared crawl select by .kp domain and host.
            await StoreCaptureAsync("http://evil.example/", hostile);
            var context = await browser.NewContextAsync();
            await context.AddCookiesAsync([new Cookie { Name = "session", Value = "secret-ui-session", Url = origin }]);
            var tab = await context.NewPageAsync();
            var requests = new List<string>();
            tab.Request += (_, r) => requests.Add(r.Url);

            await tab.GotoAsync($"{origin}/web/2030/http://evil.example/");
            await tab.WaitForFunctionAsync("() => document.getElementById('out').textContent !== 'running'");
            var result = await tab.InnerTextAsync("#out");
            output.WriteLine(result);

            Assert.DoesNotContain("secret-ui-session", result, StringComparison.Ordinal);
            Assert.Contains("cookie:blocked", result, StringComparison.Ordinal);
            Assert.Contains("storage:blocked", result, StringComparison.Ordinal);
            Assert.Contains("api:blocked", result, StringComparison.Ordinal);
            Assert.Contains("write:blocked", result, StringComparison.Ordinal);
            Assert.Contains("live:blocked", result, StringComparison.Ordinal);
            Assert.DoesNotContain(archive.Web.Log.Requests, r => r.Url == live && r.UserAgent.Contains("Chrome", StringComparison.Ordinal));
            Assert.All(requests, r => Assert.StartsWith(origin + ReplayPath.Prefix, r, StringComparison.Ordinal));
        }
    }

    private async Task<string> PageWithStylesheetAndImagesAsync()
    {
        await foreach (var capture in archive.Store.GetCapturesAsync(new CaptureQuery()))
        {
            if (capture is { Status: 200, PayloadDigest: { } digest } && capture.ContentType?.StartsWith("text/html", StringComparison.Ordinal) == true
                && await archive.Store.GetPayloadAsync(digest) is { } payload)
            {
                var html = Encoding.UTF8.GetString(payload);
                if (html.Contains("stylesheet", StringComparison.Ordinal) && html.Contains("<img", StringComparison.Ordinal))
                {
                    return capture.Url;
                }
            }
        }

        throw new InvalidOperationException("the crawl archived no page with a stylesheet and images");
    }

    /// <summary>An archived page written straight into the store, as a crawl of a hostile site would have.</summary>
    private async Task StoreCaptureAsync(string url, string html)
    {
        var body = Encoding.UTF8.GetBytes(html);
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(body));
        var capture = new CaptureRecord
        {
            Id = Guid.CreateVersion7().ToString(),
            Url = url,
            Host = new Uri(url).Host,
            Epoch = 1,
            FetchedAt = DateTimeOffset.UtcNow,
            Status = 200,
            RequestHeaders = Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {new Uri(url).Host}\r\n\r\n"),
            ResponseHeaders = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nSet-Cookie: session=archived\r\nContent-Length: {body.Length}\r\n\r\n"),
            PayloadDigest = digest,
            PayloadLength = body.Length,
            ContentType = "text/html; charset=utf-8",
        };
        await archive.Store.CommitAsync([new FetchCommit { Capture = capture, Payload = body }]);
    }
}
