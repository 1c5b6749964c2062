using Xunit;

namespace Crawler.IntegrationTests;

/// <summary>The <c>crawler</c> executable's command line, run as a real process.</summary>
public sealed class CommandLineTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("run", "--help")]
    [InlineData("demo", "--help")]
    [InlineData("status", "--help")]
    [InlineData("simulate", "--help")]
    [InlineData("export", "--help")]
    [InlineData("export", "warc", "--help")]
    [InlineData("export", "cdxj", "--help")]
    [InlineData("dns", "--help")]
    [InlineData("dns", "discover", "--help")]
    [InlineData("uptime", "--help")]
    [InlineData("serve", "--help")]
    [InlineData("migrate", "--help")]
    public async Task Every_command_has_help(params string[] args)
    {
        using var crawler = CrawlerProcess.Start(new Dictionary<string, string>(), args);
        Assert.Equal(0, await crawler.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        Assert.Contains("Usage:", crawler.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Crawler__Dns__Servers__0", "dns.example", "Crawler:Dns:Servers:0")]
    [InlineData("Crawler__Fetcher__ConnectTo__0", "nonsense", "Crawler:Fetcher:ConnectTo:0")]
    [InlineData("Crawler__AddressGuard__Allow__0", "10.0.0.0/33", "Crawler:AddressGuard:Allow:0")]
    [InlineData("Crawler__Crawl__MaxPagesPerSite", "0", "Crawler:Crawl:MaxPagesPerSite")]
    [InlineData("Crawler__Crawl__Traps__MaxNearDuplicates", "0", "Crawler:Crawl:Traps:MaxNearDuplicates")]
    [InlineData("Crawler__Crawl__Recrawl__Article__Max", "00:30:00", "Crawler:Crawl:Recrawl:Article:Max")]
    [InlineData("Crawler__Seeds__Urls__0", "kcna.kp", "Crawler:Seeds:Urls:0")]
    [InlineData("Crawler__Crawl__ScopeAddressRanges__0", "175.45.176/22", "Crawler:Crawl:ScopeAddressRanges")]
    [InlineData("Crawler__Discovery__PtrRanges__0", "nonsense", "Crawler:Discovery:PtrRanges:0")]
    [InlineData("Crawler__Uptime__Interval", "00:00:00", "Crawler:Uptime:Interval")]
    [InlineData("Crawler__Uptime__MaxRedirects", "-1", "Crawler:Uptime:MaxRedirects")]
    [InlineData("Crawler__Uptime__Webhook__Url", "ftp://hooks.example/crawler", "Crawler:Uptime:Webhook:Url")]
    [InlineData("Crawler__Http__Urls", "localhost:9464", "Crawler:Http:Urls")]
    [InlineData("Crawler__Store", "postgres://user:secret@db/crawl", "Crawler:Store")]
    [InlineData("Crawler__StoreFile", "/nonexistent/mongodb-secret", "Crawler:StoreFile")]
    public async Task A_wrong_setting_stops_the_node_with_one_message_naming_it(string variable, string value, string setting)
    {
        var environment = LoopbackOnly(Path.Combine(Path.GetTempPath(), "crawler-cfg-" + Guid.NewGuid().ToString("N")));
        environment[variable] = value;

        using var crawler = CrawlerProcess.Start(environment, "run", "--no-live");
        var code = await crawler.WaitForExitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(2, code);
        Assert.Contains(setting, crawler.Output, StringComparison.Ordinal);
        Assert.Contains("Configuration error", crawler.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", crawler.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(":secret@", crawler.Output, StringComparison.Ordinal); // a password in the setting is never repeated
    }

    [Theory]
    [InlineData("Crawler__Crawl__MaxPagesPerSite", "abc", "Crawler:Crawl:MaxPagesPerSite must be a whole number", "run", "--no-live")]
    [InlineData("Crawler__LiveView", "maybe", "Crawler:LiveView must be true or false", "status")]
    [InlineData("Crawler__Cluster__ShutdownTimeout", "soon", "Crawler:Cluster:ShutdownTimeout must be a duration such as 00:05:00", "uptime")]
    public async Task A_value_that_does_not_convert_gives_one_line_naming_the_setting_and_exit_code_2(string variable, string value, string message, params string[] args)
    {
        var environment = LoopbackOnly(Path.Combine(Path.GetTempPath(), "crawler-cfg-" + Guid.NewGuid().ToString("N")));
        environment[variable] = value;

        using var crawler = CrawlerProcess.Start(environment, args);
        Assert.Equal(2, await crawler.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        var line = Assert.Single(crawler.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"Configuration error — the crawler did not start: {message}.", line.TrimEnd('\r'));
        Assert.DoesNotContain(value, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_with_a_mongodb_store_that_does_not_answer_exits_2_with_one_line_naming_the_setting()
    {
        var data = Path.Combine(Path.GetTempPath(), "crawler-mongo-" + Guid.NewGuid().ToString("N"));
        var environment = LoopbackOnly(data);
        environment["Crawler__Http__Urls"] = string.Empty;

        // A closed loopback port: the driver finds no server (nothing leaves the machine).
        environment["Crawler__Store"] = $"mongodb://crawler:hunter2@127.0.0.1:{LoopbackPorts.Free()}/crawler";

        using var crawler = CrawlerProcess.Start(environment, "run", "--no-live");
        var code = await crawler.WaitForExitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(2, code);
        var errors = crawler.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains("Crawler:Store", StringComparison.Ordinal)).ToList();
        Assert.Single(errors);
        Assert.DoesNotContain("hunter2", crawler.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", crawler.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(data, "crawler.db")), "the embedded store was opened instead");
    }

    /// <summary>
    /// A node's environment whose traffic cannot leave loopback even if validation failed to stop it: DNS goes to a
    /// closed loopback port and the address guard admits loopback only.
    /// </summary>
    private static Dictionary<string, string> LoopbackOnly(string data) => new()
    {
        ["Crawler__DataDirectory"] = data,
        ["Crawler__Dns__Servers__0"] = "127.0.0.1:9",
        ["Crawler__AddressGuard__AllowPublic"] = "false",
        ["Crawler__AddressGuard__Allow__0"] = "127.0.0.0/8",
        ["Crawler__Seeds__Urls__0"] = "http://kcna.kp/",
    };
}
