using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using Xunit;
using Xunit.Abstractions;

namespace Crawler.IntegrationTests;

/// <summary>
/// Between two epochs the simulation deletes two articles of each site and edits others (<see cref="TwoEpochArchive"/>);
/// the crawl of both epochs feeds <c>/api/events</c>: it lists as removed exactly the
/// pages the simulation's manifests say went from 200 to 404, as changed exactly those whose bytes changed, and the diff
/// of an edited article shows exactly its edit.
/// </summary>
[Collection(TwoEpochCollection.Name)]
public sealed class RemovalFeedTests(TwoEpochArchive archive, ITestOutputHelper output)
{
    [Fact]
    public async Task The_feed_lists_exactly_the_deleted_pages_and_the_changed_ones_and_the_diff_shows_exactly_the_edit()
    {
        // Expected from the simulation's manifests: answered 200 in epoch 1, then 404 (removed), no longer reachable by
        // the site's links (removed, unlisted: the print versions of the deleted articles), or other bytes (changed).
        var before = archive.Web.ManifestFor(1);
        var after = archive.Web.ManifestFor(2);
        var removed = new HashSet<string>(StringComparer.Ordinal);
        var unlisted = new HashSet<string>(StringComparer.Ordinal);
        var changed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in before.Entries.Where(e => e.ExpectedStatus is >= 200 and < 300))
        {
            if (after[entry.Url] is not { } now)
            {
                removed.Add(entry.Url);
                unlisted.Add(entry.Url);
                continue;
            }

            if (now.ExpectedStatus == 404)
            {
                removed.Add(entry.Url);
            }
            else if (now.ExpectedStatus is >= 200 and < 300 && entry.Sha256Hex is not null && now.Sha256Hex is not null && now.Sha256Hex != entry.Sha256Hex)
            {
                changed.Add(entry.Url);
            }
        }

        // The deletions reached the manifest: both articles of both sites.
        Assert.All(archive.Web.Sites, s => Assert.Contains(s.Url("/article/3"), removed));
        Assert.All(archive.Web.Sites, s => Assert.Contains(s.Url("/article/6"), removed));
        Assert.Contains(changed, u => u.EndsWith("/article/2", StringComparison.Ordinal));

        var http = archive.Http;
        var events = new List<(string Kind, string Url, string Timestamp, string? LastGood, string Link, bool Unlisted)>();
        foreach (var site in archive.Web.Sites)
        {
            var json = await http.GetFromJsonAsync<JsonElement>($"/api/events?site={site.Host}");
            events.AddRange(json.GetProperty("events").EnumerateArray().Select(e => (
                e.GetProperty("kind").GetString()!, e.GetProperty("url").GetString()!, e.GetProperty("timestamp").GetString()!,
                e.GetProperty("lastGood").GetString(), e.GetProperty("link").GetString()!, e.GetProperty("unlisted").GetBoolean())));
        }

        output.WriteLine(string.Join("\n", events.Select(e => $"{e.Kind} {e.Url} {e.Timestamp} (last good {e.LastGood})")));
        Assert.Equal(removed.Order(StringComparer.Ordinal), events.Where(e => e.Kind == "removed").Select(e => e.Url).Order(StringComparer.Ordinal));
        Assert.Equal(unlisted.Order(StringComparer.Ordinal), events.Where(e => e.Kind == "removed" && e.Unlisted).Select(e => e.Url).Order(StringComparer.Ordinal));
        Assert.NotEmpty(unlisted);
        Assert.Equal(changed.Order(StringComparer.Ordinal), events.Where(e => e.Kind == "changed").Select(e => e.Url).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(events, e => e.Kind == "restored");

        // A removed page links to the replay of its last good capture, which shows the page as it was.
        var gone = events.First(e => e.Kind == "removed" && e.Url.EndsWith("/article/3", StringComparison.Ordinal));
        Assert.Equal($"/web/{gone.LastGood}/{gone.Url}", gone.Link);
        using (var replay = await http.GetAsync(gone.Link))
        {
            Assert.Equal(200, (int)replay.StatusCode);
        }

        // The diff of an edited article: exactly its revision line, old out and new in.
        var edited = events.First(e => e.Kind == "changed" && e.Url.EndsWith("/article/2", StringComparison.Ordinal));
        var diff = await http.GetFromJsonAsync<JsonElement>(edited.Link);
        var blocks = diff.GetProperty("blocks").EnumerateArray().Select(b => (Kind: b.GetProperty("kind").GetString(), Text: b.GetProperty("text").GetString()!)).ToList();
        var removedBlock = Assert.Single(blocks, b => b.Kind == "removed").Text;
        var addedBlock = Assert.Single(blocks, b => b.Kind == "added").Text;
        Assert.Contains(removedBlock, new[] { "1차 수정", "Revision 1" });
        Assert.Contains(addedBlock, new[] { "2차 수정", "Revision 2" });

        // The Atom feed of a site: one entry per event, each linking where the JSON does.
        var site0 = archive.Web.Sites[0].Host;
        var atom = XDocument.Parse(await http.GetStringAsync($"/api/events.atom?site={site0}"));
        XNamespace a = "http://www.w3.org/2005/Atom";
        var entries = atom.Root!.Elements(a + "entry").ToList();
        var ofSite = events.Where(e => new Uri(e.Url).Host == site0).ToList();
        Assert.Equal(ofSite.Count, entries.Count);
        Assert.All(entries, entry => Assert.Contains(ofSite, e => entry.Element(a + "link")!.Attribute("href")!.Value.EndsWith(e.Link, StringComparison.Ordinal)));
        Assert.Equal(entries.Count, entries.Select(e => e.Element(a + "id")!.Value).Distinct(StringComparer.Ordinal).Count());

        // Only removals, when asked.
        var onlyRemoved = await http.GetFromJsonAsync<JsonElement>($"/api/events?site={site0}&kind=removed");
        Assert.All(onlyRemoved.GetProperty("events").EnumerateArray(), e => Assert.Equal("removed", e.GetProperty("kind").GetString()));
        using var wrong = await http.GetAsync($"/api/events?site={site0}&kind=vanished");
        Assert.Equal(400, (int)wrong.StatusCode);
    }
}
