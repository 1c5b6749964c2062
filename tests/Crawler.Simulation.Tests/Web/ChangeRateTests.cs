using Crawler.Simulation.Web;
using Xunit;

namespace Crawler.Simulation.Tests.Web;

/// <summary>The plain web and articles that change at known rates: what the recrawl tests build on.</summary>
public sealed class ChangeRateTests
{
    private static readonly SimulationOptions Plain = new()
    {
        Seed = 3,
        SiteCount = 2,
        PagesPerSite = 8,
        ArticlesPerListPage = 4,
        PlainSites = true,
        ArticleChangeEvery = [0, 1, 2, 3],
    };

    private static string? Sha(int epoch, string url) => Manifest.Build(SimulationModel.Build(Plain), epoch)[url]?.Sha256Hex;

    [Fact]
    public void Plain_sites_have_no_behaviours_and_every_url_answers_at_once()
    {
        var model = SimulationModel.Build(Plain);
        var manifest = Manifest.Build(model, 1);

        Assert.All(model.Sites, s => Assert.Equal(SiteFeatures.None, s.Features));
        Assert.All(model.Sites, s => Assert.Equal(200, s.Robots.Status));
        Assert.DoesNotContain(manifest.Entries, e => e.Outcome is EntryOutcome.Hangs or EntryOutcome.RetryThenOk or EntryOutcome.Redirect);
        Assert.DoesNotContain(manifest.Entries, e => e.Outcome == EntryOutcome.Error && !e.Url.EndsWith("/missing.html", StringComparison.Ordinal));
        Assert.Empty(manifest.Trap.LinkedUrls);
    }

    [Fact]
    public void An_article_changes_exactly_when_its_period_of_epochs_turns_and_a_period_of_zero_never()
    {
        var host = SimulationModel.Build(Plain).Sites[0];
        var digests = Enumerable.Range(1, 7).Select(epoch => Enumerable.Range(1, 4).Select(id => Sha(epoch, host.Url($"/article/{id}"))).ToArray()).ToArray();

        for (var epoch = 2; epoch <= 7; epoch++)
        {
            var before = digests[epoch - 2];
            var now = digests[epoch - 1];
            Assert.Equal(before[0], now[0]); // article 1: period 0
            Assert.NotEqual(before[1], now[1]); // article 2: every epoch
            Assert.Equal(epoch % 2 == 0, before[2] != now[2]); // article 3: every 2 epochs
            Assert.Equal(epoch % 3 == 0, before[3] != now[3]); // article 4: every 3 epochs
        }

        Assert.All(digests.SelectMany(d => d), Assert.NotNull);
    }

    [Fact]
    public void Without_change_periods_the_default_web_changes_articles_7_17_27_every_epoch()
    {
        var options = new SimulationOptions();
        Assert.Equal([1, 1, 1], new[] { 7, 17, 27 }.Select(options.ArticleChangePeriod));
        Assert.Equal([0, 0, 0], new[] { 1, 6, 8 }.Select(options.ArticleChangePeriod));
    }
}
