using System.Globalization;
using System.Text.Json;
using Crawler.Core.Uptime;
using Crawler.Storage.Sqlite;
using Xunit;

namespace Crawler.IntegrationTests;

/// <summary>
/// <c>crawler uptime</c> as a process, over a data folder whose uptime tables were filled through
/// <see cref="SqliteUptimeStore"/> with a history dated relative to the real clock (the command reads
/// TimeProvider.System). Sites: alpha up after a closed 90-minute outage, bravo down for 2 hours,
/// charlie degraded, delta unknown (results only), foxtrot up with nothing in the last 30 days but 12
/// old outages; one open and one closed country-wide outage.
/// </summary>
public sealed class UptimeCommandTests : IDisposable
{
    // Successful totals repeat every half hour (slot i of the hour has Totals[i % 6]), so every set of
    // whole half-hours holds each value equally often: alpha's true median is 100 ms whichever whole
    // hours the command's 24-hour window takes and whichever half-hours the outage removed.
    private static readonly TimeSpan[] Totals = [.. new[] { 20, 45, 100, 150, 260, 400 }.Select(ms => TimeSpan.FromMilliseconds(ms))];

    private readonly string _data = Path.Combine(Path.GetTempPath(), "crawler-uptime-" + Guid.NewGuid().ToString("N"));
    private readonly DateTimeOffset _now = TimeProvider.System.GetUtcNow();
    private readonly DateTimeOffset _hour;
    private readonly List<ProbeResult> _alphaResults = [];

    public UptimeCommandTests()
    {
        _hour = UptimeMath.HourOf(_now);
    }

    private DateTimeOffset AlphaOutageStart => _hour.AddHours(-10);

    private DateTimeOffset AlphaOutageEnd => _hour.AddHours(-8.5);

    private DateTimeOffset BravoDownSince => _hour.AddHours(-2);

    private DateTimeOffset CharlieDegradedSince => _hour.AddHours(-5);

    private DateTimeOffset FirstProbe => _hour.AddHours(-26);

    [Fact]
    public async Task Json_reports_states_since_uptime_and_median_per_site_with_down_sites_first()
    {
        await FillAsync();

        var json = await RunJsonAsync("uptime", "--data", _data, "--json");
        var sites = json.GetProperty("sites").EnumerateArray().ToList();
        Assert.Equal(["bravo.kp", "charlie.kp", "delta.kp", "alpha.kp", "foxtrot.kp"], sites.Select(s => s.GetProperty("site").GetString()));
        Assert.Equal(["down", "degraded", "unknown", "up", "up"], sites.Select(s => s.GetProperty("state").GetString()));
        var counts = json.GetProperty("counts");
        Assert.Equal((1, 1, 1, 2), (counts.GetProperty("down").GetInt32(), counts.GetProperty("degraded").GetInt32(), counts.GetProperty("unknown").GetInt32(), counts.GetProperty("up").GetInt32()));

        var now = json.GetProperty("now").GetDateTimeOffset();
        Assert.InRange(now, _now, _now.AddMinutes(5));

        // alpha: up since its 90-minute outage ended; 24 h uptime = 1 − 90/1440; over 30 d the window
        // starts at its first probe, 26 hours before the current hour.
        var alpha = sites.Single(s => s.GetProperty("site").GetString() == "alpha.kp");
        Assert.Equal(AlphaOutageEnd, alpha.GetProperty("since").GetDateTimeOffset());
        Assert.Equal((1 - (90.0 / 1440)) * 100, alpha.GetProperty("uptime24hPercent").GetDouble(), 6);
        var monitored = (now - FirstProbe).TotalMinutes;
        Assert.Equal((1 - (90 / monitored)) * 100, alpha.GetProperty("uptime30dPercent").GetDouble(), 6);

        // The median of what alpha measured, as the hourly histograms estimate it: within the documented error.
        // (The 24-hour window takes the hours that start within it, as UptimeMath.Percentiles documents.)
        var trueMedian = NearestRankMedian(_alphaResults.Where(r => r.Success && UptimeMath.HourOf(r.At) >= now.AddHours(-24)).Select(r => r.Total!.Value));
        Assert.Equal(100, trueMedian.TotalMilliseconds);
        var median = alpha.GetProperty("medianMs").GetDouble();
        Assert.InRange(median, trueMedian.TotalMilliseconds * (1 - ResponseHistogram.RelativeErrorBound), trueMedian.TotalMilliseconds * (1 + ResponseHistogram.RelativeErrorBound));
        var alphaLast = alpha.GetProperty("lastProbe");
        Assert.True(alphaLast.GetProperty("ok").GetBoolean());
        Assert.Equal(_hour.AddMinutes(-5), alphaLast.GetProperty("at").GetDateTimeOffset());

        // bravo: down since its open outage started; the outage lasts until the command's now.
        var bravo = sites[0];
        Assert.Equal(BravoDownSince, bravo.GetProperty("since").GetDateTimeOffset());
        Assert.Equal((now - BravoDownSince).TotalSeconds, bravo.GetProperty("forSeconds").GetDouble(), 3);
        Assert.Equal((1 - ((now - BravoDownSince) / TimeSpan.FromHours(24))) * 100, bravo.GetProperty("uptime24hPercent").GetDouble(), 6);
        var bravoLast = bravo.GetProperty("lastProbe");
        Assert.False(bravoLast.GetProperty("ok").GetBoolean());
        Assert.Equal("ConnectionRefused", bravoLast.GetProperty("failure").GetString());
        Assert.Equal("connection refused", bravoLast.GetProperty("detail").GetString());

        // charlie: degraded is not downtime.
        var charlie = sites[1];
        Assert.Equal(CharlieDegradedSince, charlie.GetProperty("since").GetDateTimeOffset());
        Assert.Equal(100, charlie.GetProperty("uptime24hPercent").GetDouble(), 9);

        // delta: results but no state change yet.
        var delta = sites[2];
        Assert.Equal(JsonValueKind.Null, delta.GetProperty("since").ValueKind);

        // foxtrot: nothing in the last 30 days, so no uptime and no median.
        var foxtrot = sites[4];
        Assert.Equal(JsonValueKind.Null, foxtrot.GetProperty("uptime24hPercent").ValueKind);
        Assert.Equal(JsonValueKind.Null, foxtrot.GetProperty("uptime30dPercent").ValueKind);
        Assert.Equal(JsonValueKind.Null, foxtrot.GetProperty("medianMs").ValueKind);
        Assert.Equal(JsonValueKind.Null, foxtrot.GetProperty("lastProbe").ValueKind);

        // The open country-wide outage, not the closed one.
        var country = json.GetProperty("countryOutage");
        Assert.Equal(_hour.AddMinutes(-30), country.GetProperty("start").GetDateTimeOffset());
        Assert.Equal(5, country.GetProperty("failedTargets").GetInt32());
        Assert.DoesNotContain(sites, s => s.TryGetProperty("outages", out _));
    }

    [Fact]
    public async Task Table_lists_each_site_with_its_state_within_80_columns()
    {
        await FillAsync();

        // Redirected output is 80 columns wide unless COLUMNS says otherwise (pinned here, whatever the caller's).
        using var crawler = CrawlerProcess.Start(new Dictionary<string, string> { ["COLUMNS"] = "80" }, "uptime", "--data", _data);
        Assert.True(await crawler.WaitForExitAsync(TimeSpan.FromMinutes(1)) == 0, crawler.Output);
        var lines = Lines(crawler.Output);
        Assert.Contains(lines, l => l.Contains("5 sites", StringComparison.Ordinal) && l.Contains("1 down", StringComparison.Ordinal) && l.Contains("2 up", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Country-wide outage", StringComparison.Ordinal) && l.Contains(Time(_hour.AddMinutes(-30)), StringComparison.Ordinal));
        foreach (var (site, state) in new[] { ("bravo.kp", "down"), ("charlie.kp", "degraded"), ("delta.kp", "unknown"), ("alpha.kp", "up"), ("foxtrot.kp", "up") })
        {
            Assert.Contains(lines, l => l.Contains(site, StringComparison.Ordinal) && l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(state));
        }

        var rows = lines.Where(l => l.Contains(".kp", StringComparison.Ordinal)).Select(l => l.Trim()).Select(l => l[..l.IndexOf(".kp", StringComparison.Ordinal)]).ToList();
        Assert.Equal(["bravo", "charlie", "delta", "alpha", "foxtrot"], rows);
        var alpha = lines.Single(l => l.Contains("alpha.kp", StringComparison.Ordinal));
        Assert.Contains("93.75%", alpha, StringComparison.Ordinal);
        Assert.Contains(AlphaOutageEnd.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), alpha, StringComparison.Ordinal);
        Assert.Contains("—", lines.Single(l => l.Contains("foxtrot.kp", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"wider than 80 columns: {l}"));
    }

    [Fact]
    public async Task A_console_too_narrow_for_the_table_gets_one_block_of_lines_per_site()
    {
        await FillAsync();

        using var crawler = CrawlerProcess.Start(new Dictionary<string, string> { ["COLUMNS"] = "40" }, "uptime", "--data", _data);
        Assert.True(await crawler.WaitForExitAsync(TimeSpan.FromMinutes(1)) == 0, crawler.Output);
        var lines = Lines(crawler.Output);
        Assert.Equal(["bravo.kp down", "charlie.kp degraded", "delta.kp unknown", "alpha.kp up", "foxtrot.kp up"], lines.Where(l => l.EndsWith(".kp", StringComparison.Ordinal) || l.Contains(".kp ", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith("  uptime 24h 93.75%, 30d ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains('…', StringComparison.Ordinal));
        Assert.All(lines, l => Assert.True(l.Length <= 40, $"wider than 40 columns: {l}"));
    }

    [Fact]
    public async Task Site_option_shows_that_site_and_its_last_ten_outages_newest_first()
    {
        await FillAsync();

        var alpha = await RunJsonAsync("uptime", "--data", _data, "--json", "--site", "ALPHA.kp");
        var site = Assert.Single(alpha.GetProperty("sites").EnumerateArray());
        Assert.Equal("alpha.kp", site.GetProperty("site").GetString());
        var outage = Assert.Single(site.GetProperty("outages").EnumerateArray());
        Assert.Equal(AlphaOutageStart, outage.GetProperty("start").GetDateTimeOffset());
        Assert.Equal(AlphaOutageEnd, outage.GetProperty("end").GetDateTimeOffset());
        Assert.Equal(5400, outage.GetProperty("durationSeconds").GetDouble());
        Assert.Equal("ConnectionRefused", outage.GetProperty("reason").GetString());

        var foxtrot = await RunJsonAsync("uptime", "--data", _data, "--json", "--site", "foxtrot.kp");
        var old = Assert.Single(foxtrot.GetProperty("sites").EnumerateArray()).GetProperty("outages").EnumerateArray().ToList();
        Assert.Equal(10, old.Count);
        Assert.Equal(Enumerable.Range(2, 10).Reverse().Select(i => _hour.AddDays(-40).AddHours(i)), old.Select(o => o.GetProperty("start").GetDateTimeOffset()));

        using var table = CrawlerProcess.Start(new Dictionary<string, string>(), "uptime", "--data", _data, "--site", "bravo.kp");
        Assert.True(await table.WaitForExitAsync(TimeSpan.FromMinutes(1)) == 0, table.Output);
        Assert.Contains("bravo.kp", table.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("alpha.kp", table.Output, StringComparison.Ordinal);
        Assert.Contains(table.Output.Split('\n'), l => l.Contains(Time(BravoDownSince), StringComparison.Ordinal) && l.Contains("ongoing", StringComparison.Ordinal) && l.Contains("refused", StringComparison.Ordinal));

        using var unknown = CrawlerProcess.Start(new Dictionary<string, string>(), "uptime", "--data", _data, "--site", "nosuch.kp");
        Assert.Equal(1, await unknown.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        Assert.Contains("no uptime data for nosuch.kp", unknown.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_data_folder_says_how_to_get_uptime_data_and_succeeds()
    {
        using var crawler = CrawlerProcess.Start(new Dictionary<string, string>(), "uptime", "--data", _data);
        Assert.True(await crawler.WaitForExitAsync(TimeSpan.FromMinutes(1)) == 0, crawler.Output);
        Assert.Contains("no uptime data yet: run `crawler run` with Crawler:Uptime:Enabled=true", crawler.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_data, "crawler.db")), "reading must not create a database");
    }

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static List<string> Lines(string output) => [.. output.Split('\n').Select(l => l.TrimEnd())];

    private static TimeSpan NearestRankMedian(IEnumerable<TimeSpan> values)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Ceiling(sorted.Count * 0.5) - 1];
    }

    private static async Task<JsonElement> RunJsonAsync(params string[] args)
    {
        using var crawler = CrawlerProcess.Start(new Dictionary<string, string>(), args);
        Assert.True(await crawler.WaitForExitAsync(TimeSpan.FromMinutes(1)) == 0, crawler.Output);
        var output = crawler.Output;
        using var document = JsonDocument.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..]);
        return document.RootElement.Clone();
    }

    private async Task FillAsync()
    {
        await using var store = new SqliteUptimeStore(new SqliteStoreOptions { Path = Path.Combine(_data, "crawler.db") });
        await store.InitializeAsync();

        // Probes every 5 minutes over the 26 whole hours before the current one.
        var slots = Enumerable.Range(0, 26 * 12).Select(i => FirstProbe.AddMinutes(5 * i)).ToList();
        var results = new List<ProbeResult>();
        foreach (var at in slots)
        {
            var total = Totals[(int)((at - FirstProbe).TotalMinutes / 5) % 6];
            _alphaResults.Add(at >= AlphaOutageStart && at < AlphaOutageEnd
                ? ProbeResult.Failed("alpha.kp", at, ProbeFailure.ConnectionRefused, "connection refused")
                : ProbeResult.Up("alpha.kp", at, total));
            results.Add(at >= BravoDownSince
                ? ProbeResult.Failed("bravo.kp", at, ProbeFailure.ConnectionRefused, "connection refused")
                : ProbeResult.Up("bravo.kp", at, total));
            results.Add(ProbeResult.Up("charlie.kp", at, at >= CharlieDegradedSince ? TimeSpan.FromMilliseconds(2500) : total));
        }

        results.AddRange(_alphaResults);
        results.Add(ProbeResult.Up("delta.kp", _hour.AddMinutes(-15), TimeSpan.FromMilliseconds(80)));
        results.Add(ProbeResult.Failed("delta.kp", _hour.AddMinutes(-10), ProbeFailure.HttpStatus) with { HttpStatus = 503 });
        await store.AddResultsAsync(results);

        var start = FirstProbe;
        await store.AddStateChangesAsync(
        [
            new StateChange("alpha.kp", SiteState.Unknown, SiteState.Up, start, start.AddMinutes(5), ProbeFailure.None),
            new StateChange("alpha.kp", SiteState.Up, SiteState.Down, AlphaOutageStart, AlphaOutageStart.AddMinutes(10), ProbeFailure.ConnectionRefused),
            new StateChange("alpha.kp", SiteState.Down, SiteState.Up, AlphaOutageEnd, AlphaOutageEnd.AddMinutes(5), ProbeFailure.None),
            new StateChange("bravo.kp", SiteState.Unknown, SiteState.Up, start, start.AddMinutes(5), ProbeFailure.None),
            new StateChange("bravo.kp", SiteState.Up, SiteState.Down, BravoDownSince, BravoDownSince.AddMinutes(10), ProbeFailure.ConnectionRefused),
            new StateChange("charlie.kp", SiteState.Unknown, SiteState.Up, start, start.AddMinutes(5), ProbeFailure.None),
            new StateChange("charlie.kp", SiteState.Up, SiteState.Degraded, CharlieDegradedSince, CharlieDegradedSince.AddMinutes(5), ProbeFailure.TooSlow),
            new StateChange("foxtrot.kp", SiteState.Unknown, SiteState.Up, _hour.AddDays(-41), _hour.AddDays(-41).AddMinutes(5), ProbeFailure.None),
        ]);
        await store.UpsertOutageAsync(new Outage("alpha.kp", AlphaOutageStart, AlphaOutageEnd, ProbeFailure.ConnectionRefused));
        await store.UpsertOutageAsync(new Outage("bravo.kp", BravoDownSince, null, ProbeFailure.ConnectionRefused));
        for (var i = 0; i < 12; i++)
        {
            var at = _hour.AddDays(-40).AddHours(i);
            await store.UpsertOutageAsync(new Outage("foxtrot.kp", at, at.AddMinutes(10), ProbeFailure.DnsTimeout));
        }

        await store.UpsertCountryOutageAsync(new CountryOutage(_hour.AddHours(-20), _hour.AddHours(-19), _hour.AddHours(-20).AddMinutes(10), 6, 6));
        await store.UpsertCountryOutageAsync(new CountryOutage(_hour.AddMinutes(-30), null, _hour.AddMinutes(-20), 5, 6));
    }
}
