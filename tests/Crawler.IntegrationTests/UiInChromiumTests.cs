using Crawler.Core.Replay;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;

namespace Crawler.IntegrationTests;

/// <summary>
/// The web UI in real headless Chromium (Debian's <c>/usr/bin/chromium</c>, driven by Playwright) over two crawled epochs
/// (<see cref="TwoEpochArchive"/>): a researcher clicks from the sites to a site's calendar, a day, a replayed page, the
/// site's changes, a diff, the page's timeline and a search for it. Screenshots of every step are kept in <c>artifacts/ui/</c>.
/// </summary>
[Collection(TwoEpochCollection.Name)]
public sealed class UiInChromiumTests(TwoEpochArchive archive, ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";

    [SkippableFact]
    public async Task Sites_calendar_day_replay_changes_diff_timeline_and_search_are_a_click_apart_and_load_nothing_from_elsewhere()
    {
        Skip.IfNot(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium package (.ci/run does)");
        var shots = Path.Combine(RepositoryPaths.Root, "artifacts", "ui");
        Directory.CreateDirectory(shots);
        var origin = archive.Http.BaseAddress!.GetLeftPart(UriPartial.Authority);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true });
        var tab = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 900 } });
        var requests = new List<string>();
        var blocked = new List<string>();
        tab.Request += (_, r) => requests.Add(r.Url);
        tab.Console += (_, m) =>
        {
            if (m.Type == "error" && tab.Url.StartsWith(origin + "/ui/", StringComparison.Ordinal))
            {
                blocked.Add($"{tab.Url}: {m.Text}");
            }
        };

        async Task Shot(string name)
        {
            await tab.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, name + ".png"), FullPage = true });
            output.WriteLine($"{name}: {tab.Url}");
        }

        // Sites: both simulated sites, each a link.
        await tab.GotoAsync(origin + "/");
        Assert.Equal(origin + "/ui/", tab.Url);
        var site = archive.Web.Sites[0].Host;
        Assert.Equal(archive.Web.Sites.Count, await tab.Locator("main table tbody tr").CountAsync());
        await Shot("1-sites");
        await tab.GetByRole(AriaRole.Link, new() { Name = site, Exact = true }).ClickAsync();

        // The site: its calendar has today's captures; the day lists them.
        Assert.EndsWith("/ui/site/" + site, tab.Url, StringComparison.Ordinal);
        await Shot("2-site");
        await tab.Locator(".calendar td.has a").First.ClickAsync();
        await Shot("3-day");
        var replayLinks = tab.Locator("main table a", new() { HasTextString = "replay" });
        Assert.True(await replayLinks.CountAsync() > 0, "the day lists no capture");

        // A replayed article: under /web/, with the replay banner.
        var article = tab.Locator("main table tr", new() { HasTextString = "/article/1" }).Locator("a", new() { HasTextString = "replay" }).First;
        await article.ClickAsync();
        Assert.StartsWith(origin + ReplayPath.Prefix, tab.Url, StringComparison.Ordinal);
        Assert.Contains("Archived", await tab.InnerTextAsync("#crawler-replay-banner"), StringComparison.Ordinal);
        await Shot("4-replay");

        // Back on the site: the changes list the deleted and edited articles; the diff shows the edit.
        await tab.GotoAsync(origin + "/ui/site/" + site);
        var changes = await tab.InnerTextAsync("main");
        Assert.Contains("removed (HTTP 404)", changes, StringComparison.Ordinal);
        var edited = tab.Locator("main table tr", new() { HasTextString = "/article/2" }).Locator("a", new() { HasTextString = "diff" }).First;
        await edited.ClickAsync();
        Assert.Contains("/ui/diff?", tab.Url, StringComparison.Ordinal);
        var removedText = await tab.InnerTextAsync("main del");
        var addedText = await tab.InnerTextAsync("main ins");
        Assert.Contains(removedText, new[] { "1차 수정", "Revision 1" });
        Assert.Contains(addedText, new[] { "2차 수정", "Revision 2" });
        var title = (await tab.InnerTextAsync("main p.same")).Trim(); // the article's heading, unchanged
        await Shot("5-diff");

        // The article's timeline: two captures, two versions.
        await tab.Locator("main p a").First.ClickAsync();
        Assert.Contains("/ui/url?url=", tab.Url, StringComparison.Ordinal);
        Assert.Equal(2, await tab.Locator("main table tbody tr").CountAsync());
        await Shot("6-timeline");

        // Search, from the box every page has: the article is found by its title's words.
        // Its button submits it (a press of Enter right after the timeline loaded was once lost: no navigation in 30 s).
        await tab.FillAsync("header input[name=q]", title);
        await tab.ClickAsync("header form.search button");
        await tab.WaitForURLAsync("**/ui/search?**");
        Assert.True(await tab.Locator("ol.hits li a", new() { HasTextString = title }).CountAsync() > 0, $"no hit titled '{title}': {await tab.InnerTextAsync("main")}");
        await Shot("7-search");

        // The UI loaded nothing but its own pages and stylesheet, and nothing on its pages was blocked or failed.
        Assert.All(requests, r => Assert.StartsWith(origin, r, StringComparison.Ordinal));
        Assert.True(blocked.Count == 0, $"console errors: {string.Join(" | ", blocked)}");
    }
}
