using Xunit;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Crawler.Simulation.Web;

namespace Crawler.Simulation.Tests.Web;

public sealed class DefaultModelFixture
{
    public DefaultModelFixture()
    {
        Model = SimulationModel.Build(new SimulationOptions());
        Manifest = Manifest.Build(Model, 0);
    }

    public SimulationModel Model { get; }

    public Manifest Manifest { get; }
}

public sealed partial class ManifestTests(DefaultModelFixture f) : IClassFixture<DefaultModelFixture>
{
    [Fact]
    public void Generation_is_deterministic_for_a_seed_and_differs_for_another_seed()
    {
        var small = new SimulationOptions { PagesPerSite = 30 };
        var a = Manifest.Build(SimulationModel.Build(small), 0).Digest();
        var b = Manifest.Build(SimulationModel.Build(small), 0).Digest();
        var c = Manifest.Build(SimulationModel.Build(small with { Seed = 2 }), 0).Digest();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Default_options_give_at_least_20_sites_and_4000_manifest_entries()
    {
        Assert.True(f.Model.Sites.Count >= 20);
        Assert.True(f.Manifest.Entries.Count >= 4000, $"only {f.Manifest.Entries.Count} entries");
        Assert.Equal(f.Model.Sites.Count, f.Model.Sites.Select(s => s.Host).Distinct().Count());
    }

    [Fact]
    public void Real_names_come_first_with_their_2016_addresses_mapped_to_loopback()
    {
        var kcna = f.Model.Site("kcna.kp");
        Assert.NotNull(kcna);
        Assert.Equal(["127.45.176.71", "127.45.176.74"], kcna.Addresses.Select(a => a.ToString()));
        Assert.Contains(f.Model.Sites, s => s.Host == "uriminzokkiri.com");
        Assert.Equal(["uriminzokkiri.com"], f.Model.ExtraScopeDomains);
        Assert.All(f.Model.Addresses, a => Assert.Equal(127, a.GetAddressBytes()[0]));
    }

    [Fact]
    public void Several_sites_share_one_address()
    {
        var shared = f.Model.Sites.GroupBy(s => s.Address).Where(g => g.Count() > 1).ToList();
        Assert.NotEmpty(shared);
        Assert.True(f.Model.Sites.Count(s => s.Address.ToString() == "127.45.176.81") >= 3);
        var generated = SimulationModel.Build(new SimulationOptions { UseRealKpNames = false, SiteCount = 6 });
        Assert.All(generated.Sites, s => Assert.EndsWith(".sim.kp", s.Host));
        Assert.Contains(generated.Sites.GroupBy(s => s.Address), g => g.Count() > 1);
    }

    [Fact]
    public void Every_behaviour_is_present_and_at_least_three_sites_are_https_only()
    {
        foreach (var feature in Enum.GetValues<SiteFeatures>().Where(x => x != SiteFeatures.None))
        {
            Assert.Contains(f.Model.Sites, s => s.Has(feature));
        }

        Assert.True(f.Model.Sites.Count(s => s.HttpsOnly) >= 3);
        Assert.Single(f.Model.Sites, s => s.Has(SiteFeatures.Robots500));
    }

    [Fact]
    public void Robots_rules_decide_what_is_in_the_manifest()
    {
        var site = f.Model.Sites.First(s => s.Robots.Status == 200 && !s.Has(SiteFeatures.PdfDisallowed) && !s.Has(SiteFeatures.Robots500));
        Assert.True(f.Manifest.Contains(site.Url("/private/notice.html")));
        Assert.Contains(site.Url("/private/staff.html"), f.Manifest.DisallowedUrls);
        Assert.Contains(site.Url("/article/1?print=1"), f.Manifest.DisallowedUrls);
        Assert.True(f.Manifest.Contains(site.Url("/files/article-1.pdf")));

        var pdf = f.Model.SiteWith(SiteFeatures.PdfDisallowed);
        Assert.Contains(pdf.Url("/files/article-1.pdf"), f.Manifest.DisallowedUrls);
        Assert.Contains("Disallow: /*.pdf$", pdf.Robots.Render(), StringComparison.Ordinal);

        // The crawler's own group wins over the stricter '*' group.
        var own = f.Model.SiteWith(SiteFeatures.CrawlerGroup);
        Assert.False(own.Robots.IsAllowed("/article/1", "otherbot"));
        Assert.True(f.Manifest.Contains(own.Url("/article/1")));

        var noRobots = f.Model.SiteWith(SiteFeatures.Robots404);
        Assert.Equal(404, f.Manifest[noRobots.Url("/robots.txt")]!.ExpectedStatus);
        Assert.True(f.Manifest.Contains(noRobots.Url("/private/staff.html")));
    }

    [Fact]
    public void A_host_whose_robots_txt_fails_with_5xx_contributes_only_that_fetch()
    {
        var site = f.Model.SiteWith(SiteFeatures.Robots500);
        var entries = f.Manifest.Entries.Where(e => e.Host == site.Host).ToList();
        var only = Assert.Single(entries);
        Assert.Equal(site.SeedUrl + "robots.txt", only.Url);
        Assert.Equal(500, only.ExpectedStatus);
        Assert.Contains(site.SeedUrl, f.Manifest.DisallowedUrls);
    }

    [Fact]
    public void Robots_matcher_handles_wildcards_anchors_and_longest_match()
    {
        var p = new RobotsPolicy(200, [new(["*"], [new(false, "/private/"), new(true, "/private/notice.html"), new(false, "/*?print=1$"), new(false, "/*.pdf$")])], []);
        Assert.False(p.IsAllowed("/private/x.html"));
        Assert.True(p.IsAllowed("/private/notice.html"));
        Assert.False(p.IsAllowed("/article/3?print=1"));
        Assert.True(p.IsAllowed("/article/3?print=12"));
        Assert.False(p.IsAllowed("/files/a.pdf"));
        Assert.True(p.IsAllowed("/files/a.pdf?x"));
        Assert.True(p.IsAllowed("/"));
    }

    [Fact]
    public void The_sitemap_only_page_is_reachable_only_through_the_sitemap()
    {
        var site = f.Model.Sites.First(s => s.Robots.Status == 200);
        var hidden = site.Url("/hidden/sitemap-only.html");
        Assert.True(f.Manifest.Contains(hidden));
        var linkers = f.Manifest.Entries
            .Where(e => e.Outcome is EntryOutcome.Normal or EntryOutcome.Redirect or EntryOutcome.RetryThenOk)
            .Where(e => f.Model.Respond(e.Url, 0)!.Links.Any(l => l.Target == hidden))
            .Select(e => e.Url)
            .ToList();
        Assert.Equal([site.Url("/sitemap.xml")], linkers);
    }

    [Fact]
    public void Off_scope_links_are_recorded_and_never_entries()
    {
        Assert.Contains("http://www.example.com/", f.Manifest.OffScopeUrls);
        Assert.Contains("http://kcna.co.jp/index-e.htm", f.Manifest.OffScopeUrls);
        Assert.Contains("http://kp.example.net/", f.Manifest.OffScopeUrls);
        Assert.All(f.Manifest.Entries, e => Assert.True(f.Model.IsInScope(e.Host), e.Url));
        var redirect = f.Model.SiteWith(SiteFeatures.OffScopeRedirect).Url("/out/example");
        Assert.Equal("http://www.example.com/", f.Manifest[redirect]!.RedirectTo);
    }

    [Fact]
    public void The_trap_is_reported_separately_and_excluded_from_the_entries()
    {
        var trap = f.Manifest.Trap;
        Assert.Equal(f.Model.SiteWith(SiteFeatures.Trap).Host, trap.Host);
        Assert.Contains(trap.EntryUrl, trap.LinkedUrls);
        Assert.DoesNotContain(f.Manifest.Entries, e => trap.Contains(e.Url));
    }

    [Fact]
    public void Redirects_errors_retries_and_hangs_have_their_outcomes()
    {
        var chain = f.Model.SiteWith(SiteFeatures.RedirectChain);
        Assert.Equal((301, EntryOutcome.Redirect), Status(chain.Url("/old/news.html")));
        Assert.Equal((302, EntryOutcome.Redirect), Status(chain.Url("/moved/news.html")));
        Assert.Equal((200, EntryOutcome.Normal), Status(chain.Url("/news.html")));
        var loop = f.Model.SiteWith(SiteFeatures.RedirectLoop);
        Assert.Equal(loop.Url("/loop/a"), f.Manifest[loop.Url("/loop/b")]!.RedirectTo);
        Assert.Equal(loop.Url("/loop/b"), f.Manifest[loop.Url("/loop/a")]!.RedirectTo);
        var gone = f.Model.SiteWith(SiteFeatures.GoneAndError);
        Assert.Equal((410, EntryOutcome.Error), Status(gone.Url("/gone.html")));
        Assert.Equal((500, EntryOutcome.Error), Status(gone.Url("/error.html")));
        Assert.Equal((404, EntryOutcome.Error), Status(gone.Url("/missing.html")));
        Assert.Equal((200, EntryOutcome.RetryThenOk), Status(f.Model.SiteWith(SiteFeatures.Retry503).Url("/busy.html")));
        Assert.Equal((200, EntryOutcome.RetryThenOk), Status(f.Model.SiteWith(SiteFeatures.Retry429).Url("/limited.html")));
        var hang = f.Manifest[f.Model.SiteWith(SiteFeatures.Hang).Url("/live/stream.html")]!;
        Assert.Equal((200, EntryOutcome.Hangs, (string?)null), (hang.ExpectedStatus, hang.Outcome, hang.Sha256Hex));
        Assert.Null(f.Manifest[f.Model.SiteWith(SiteFeatures.VisitorCounter).Url("/counter.html")]!.Sha256Hex);
        var https = f.Model.Sites.First(s => s.HttpsOnly && !s.Has(SiteFeatures.Robots500));
        Assert.Equal((301, EntryOutcome.Redirect), Status(https.SeedUrl));
        Assert.Equal((200, EntryOutcome.Normal), Status(https.RootUrl));
    }

    [Fact]
    public void The_same_article_under_two_urls_has_identical_bytes()
    {
        var site = f.Model.Sites.First(s => s.Robots.Status == 200);
        var a = f.Manifest[site.Url("/print/article/3")]!;
        var b = f.Manifest[site.Url("/article/3?ref=home")]!;
        Assert.NotNull(a.Sha256Hex);
        Assert.Equal(a.Sha256Hex, b.Sha256Hex);
    }

    [Fact]
    public void Epoch_change_alters_exactly_the_epoch_dependent_pages()
    {
        var m0 = Manifest.Build(SimulationModel.Build(new SimulationOptions { PagesPerSite = 40 }), 0);
        var m1 = m0.ForEpoch(1);
        Assert.Equal(m0.Entries.Select(e => e.Url), m1.Entries.Select(e => e.Url));
        var changed = m0.Entries.Zip(m1.Entries).Where(p => p.First.Sha256Hex != p.Second.Sha256Hex).Select(p => p.First.Url).ToHashSet();
        var flagged = m0.Entries.Where(e => e.EpochDependent && e.Sha256Hex is not null).Select(e => e.Url).ToHashSet();
        Assert.NotEmpty(changed);
        Assert.Equal(flagged.Order(), changed.Order());
        Assert.True(changed.Count < m0.Entries.Count / 5);
    }

    [Fact]
    public void Charsets_are_declared_as_specified()
    {
        var header = f.Model.SiteWith(SiteFeatures.EucKrHeader);
        var article = f.Model.Respond(header.Url("/article/2"), 0)!;
        Assert.Equal("text/html; charset=EUC-KR", article.ContentType);
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        Assert.Contains("<title>", Encoding.GetEncoding(51949).GetString(article.Body), StringComparison.Ordinal);
        Assert.Throws<DecoderFallbackException>(() => new UTF8Encoding(false, true).GetString(article.Body));

        var meta = f.Model.Respond(f.Model.SiteWith(SiteFeatures.EucKrMetaOnly).Url("/legacy/index.html"), 0)!;
        Assert.Equal("text/html", meta.ContentType);
        Assert.Contains("charset=euc-kr", Encoding.ASCII.GetString(meta.Body), StringComparison.Ordinal);
        var wrong = f.Model.Respond(f.Model.SiteWith(SiteFeatures.WrongCharset).Url("/legacy/old.html"), 0)!;
        Assert.Equal("text/html; charset=iso-8859-1", wrong.ContentType);
        Assert.Contains("옛 페지", Encoding.GetEncoding(51949).GetString(wrong.Body), StringComparison.Ordinal);
    }

    [Fact]
    public void Links_recorded_as_data_match_the_references_in_the_rendered_bytes()
    {
        var checkedPages = 0;
        foreach (var e in f.Manifest.Entries.Where((e, i) => e.ContentType is { } ct && (ct.StartsWith("text/html", StringComparison.Ordinal) || ct.StartsWith("text/css", StringComparison.Ordinal)) && e.Outcome == EntryOutcome.Normal && (i % 5 == 0 || e.Url.EndsWith('/'))))
        {
            var r = f.Model.Respond(e.Url, 0)!;
            var text = Encoding.Latin1.GetString(r.Body);
            var baseUri = new Uri(e.Url);
            var baseTag = BaseTag().Match(text);
            if (baseTag.Success)
            {
                baseUri = new Uri(baseTag.Groups[1].Value);
                text = text.Remove(baseTag.Index, baseTag.Length);
            }

            var found = new HashSet<string>(StringComparer.Ordinal);
            foreach (Match m in Reference().Matches(text))
            {
                foreach (var candidate in m.Groups["srcset"].Success ? m.Groups["srcset"].Value.Split(',').Select(c => c.Trim().Split(' ')[0]) : [m.Groups["v"].Value])
                {
                    if (candidate.Length == 0 || candidate.Contains(':', StringComparison.Ordinal) && !candidate.StartsWith("http", StringComparison.Ordinal))
                    {
                        continue; // javascript:, mailto:, tel:, data:
                    }

                    found.Add(new Uri(baseUri, candidate).GetComponents(UriComponents.HttpRequestUrl, UriFormat.UriEscaped));
                }
            }

            var expected = r.Links.Where(l => l.IsFollowed).Select(l => l.Target).ToHashSet(StringComparer.Ordinal);
            Assert.True(expected.SetEquals(found), $"{e.Url}: data {string.Join(' ', expected.Except(found))} / html {string.Join(' ', found.Except(expected))}");
            checkedPages++;
        }

        Assert.True(checkedPages > 500);
    }

    [Fact]
    public void Manifest_hashes_are_the_sha256_of_the_rendered_bodies()
    {
        foreach (var e in f.Manifest.Entries.Where((_, i) => i % 97 == 0).Where(e => e.Sha256Hex is not null))
        {
            Assert.Equal(e.Sha256Hex, Convert.ToHexStringLower(SHA256.HashData(f.Model.Respond(e.Url, 0)!.Body)));
        }
    }

    private (int, EntryOutcome) Status(string url)
    {
        var e = f.Manifest[url] ?? throw new Xunit.Sdk.XunitException("not in manifest: " + url);
        return (e.ExpectedStatus, e.Outcome);
    }

    [GeneratedRegex("<base href=\"([^\"]+)\">")]
    private static partial Regex BaseTag();

    [GeneratedRegex("(?:\\b(?:href|src)=\"(?<v>[^\"]*)\"|\\bsrcset=\"(?<srcset>[^\"]*)\"|url\\((?<q>['\"]?)(?<v>[^'\")]+)\\k<q>\\)|content=\"\\d+; url=(?<v>[^\"]+)\")")]
    private static partial Regex Reference();
}
