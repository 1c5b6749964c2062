using Crawler.Actors;
using Crawler.Core.Policies;
using Crawler.Node.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace Crawler.IntegrationTests;

/// <summary>The recrawl policy's settings as the node binds and validates them ("Crawler:Crawl:Recrawl"), and the requests per host.</summary>
public sealed class RecrawlSettingsTests
{
    [Fact]
    public void Every_recrawl_setting_binds_from_configuration()
    {
        var options = Bind(
            ("Crawler:Crawl:Recrawl:FrontPage:Min", "00:30:00"),
            ("Crawler:Crawl:Recrawl:FrontPage:Initial", "02:00:00"),
            ("Crawler:Crawl:Recrawl:FrontPage:Max", "12:00:00"),
            ("Crawler:Crawl:Recrawl:Listing:Max", "2.00:00:00"),
            ("Crawler:Crawl:Recrawl:Article:Max", "90.00:00:00"),
            ("Crawler:Crawl:Recrawl:IncreaseRate", "0.25"),
            ("Crawler:Crawl:Recrawl:DecreaseRate", "0.1"),
            ("Crawler:Crawl:Recrawl:SyncDelta", "false"),
            ("Crawler:Crawl:Recrawl:SyncDeltaRate", "0.5"),
            ("Crawler:Crawl:Recrawl:ListingMaxDepth", "0"),
            ("Crawler:Crawl:CheckInterval", "00:00:05"));

        Assert.Equal(
            new RecrawlOptions
            {
                FrontPage = new RecrawlBounds(TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(12)),
                Listing = new RecrawlBounds(TimeSpan.FromHours(1), TimeSpan.FromHours(12), TimeSpan.FromDays(2)),
                Article = new RecrawlBounds(TimeSpan.FromHours(1), TimeSpan.FromDays(1), TimeSpan.FromDays(90)),
                IncreaseRate = 0.25,
                DecreaseRate = 0.1,
                SyncDelta = false,
                SyncDeltaRate = 0.5,
                ListingMaxDepth = 0,
            },
            options.Recrawl);
        Assert.Equal(TimeSpan.FromSeconds(5), options.CheckInterval);
    }

    [Fact]
    public void Without_settings_the_policy_has_its_defaults()
    {
        Assert.Equal(new RecrawlOptions(), Bind().Recrawl);
    }

    [Fact]
    public void Wrong_recrawl_settings_stop_the_node_with_messages_naming_each()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(
            ("Crawler:Crawl:Recrawl:Article:Max", "00:30:00"),
            ("Crawler:Crawl:Recrawl:IncreaseRate", "1.5"),
            ("Crawler:Crawl:CheckInterval", "00:00:00")));

        Assert.Contains("Crawler:Crawl:Recrawl:Article:Max (00:30:00) is below Crawler:Crawl:Recrawl:Article:Min (01:00:00)", error.Message, StringComparison.Ordinal);
        Assert.Contains("Crawler:Crawl:Recrawl:IncreaseRate is 1.5", error.Message, StringComparison.Ordinal);
        Assert.Contains("Crawler:Crawl:CheckInterval", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Requests_per_host_bind_and_default_to_one_at_a_time()
    {
        Assert.Equal(1, Bind().Politeness.MaxConcurrentPerHost);
        Assert.Equal(4, Bind(("Crawler:Crawl:Politeness:MaxConcurrentPerHost", "4")).Politeness.MaxConcurrentPerHost);
        var error = Assert.Throws<OptionsValidationException>(() => Bind(("Crawler:Crawl:Politeness:MaxConcurrentPerHost", "0")));
        Assert.Contains("Crawler:Crawl:Politeness:MaxConcurrentPerHost = 0 must be from 1", error.Message, StringComparison.Ordinal);
    }

    private static CrawlOptions Bind(params (string Key, string Value)[] settings)
    {
        var configuration = NodeHost.BuildConfiguration(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        using var services = new ServiceCollection().AddCrawlerServices(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<CrawlOptions>>().Value;
    }
}
