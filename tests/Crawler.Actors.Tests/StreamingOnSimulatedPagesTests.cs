using Crawler.Core.Html;
using Crawler.Core.Text;
using Crawler.Simulation.Web;
using Xunit;

namespace Crawler.Actors.Tests;

/// <summary>
/// The streaming reading of a page (pages over <c>Traps:MaxDomChars</c>) against the DOM's, on every HTML page of the
/// simulated web (listings, articles, calendars, traps, EUC-KR pages): what a large page is read with must not change
/// what is found on a page like the crawl's.
/// </summary>
public sealed class StreamingOnSimulatedPagesTests
{
    [Fact]
    public void Every_simulated_page_gives_the_same_links_facts_and_text_streamed_as_from_a_dom()
    {
        var model = SimulationModel.Build(new SimulationOptions { PagesPerSite = 40 });
        var manifest = Manifest.Build(model, 0);
        var pages = 0;
        foreach (var entry in manifest.Entries)
        {
            if (model.Respond(entry.Url, 0) is not { Status: 200, ContentType: { } type } response || !type.StartsWith("text/html", StringComparison.Ordinal))
            {
                continue;
            }

            var html = EncodingSniffer.Decode(response.Body, type, out _);
            var dom = HtmlLinkExtractor.Extract(html);
            Assert.Equal(dom.Links, HtmlLinkExtractor.StreamLinks(html).ToList());
            Assert.Equal(dom with { Links = [] }, HtmlLinkExtractor.StreamFacts(html) with { Links = [] });
            Assert.Equal(HtmlText.ExtractBlocks(html), HtmlText.StreamBlocks(html).ToList());
            pages++;
        }

        Assert.True(pages > 100, $"{pages} pages");
    }
}
