using System.Net;
using Crawler.Core.Dns;
using Crawler.Node.Hosting;
using Crawler.Simulation.Web;
using Crawler.Storage;
using Crawler.Storage.Sqlite;
using Xunit;

namespace Crawler.IntegrationTests;

/// <summary>DNS changing under a live crawl: a site moves, its zone's serial goes up, and another zone's name server falls silent.</summary>
public sealed class DnsDuringCrawlTests() : SimulatedWebTest(new SimulationOptions { Seed = 11, SiteCount = 6, PagesPerSite = 40 })
{
    [Fact]
    public async Task A_move_and_a_serial_change_show_in_the_history_and_a_silent_name_server_stops_only_its_own_sites()
    {
        // Sites whose name is its own zone (so its serial can change) and whose address no other site shares.
        var manifest = Web.ManifestFor(0);
        var candidates = Web.Sites
            .Where(s => Web.Sites.Count(o => o.Address.Equals(s.Address)) == 1)
            .Where(s => HasZone(s.Host))
            .OrderByDescending(s => manifest.Entries.Count(e => string.Equals(new Uri(e.Url).Host, s.Host, StringComparison.OrdinalIgnoreCase)))
            .ToList();
        var moving = candidates[0];
        var silenced = candidates[1];
        var newAddress = candidates[2].Address; // the site moves onto another site's server (the simulation serves by Host)

        var settings = SimulatedWebSettings.For(Web, Data);
        settings.Add(new("Crawler:Dns:MinCacheTtl", "00:00:00"));
        settings.Add(new("Crawler:Dns:MaxCacheTtl", "00:00:00.500"));
        settings.Add(new("Crawler:Crawl:MaxAddressCache", "00:00:00.500"));
        settings.Add(new("Crawler:Crawl:Retry:MaxAttempts", "3"));
        var crawl = InProcessNode.RunUntilEpochCompleteAsync(settings, TimeSpan.FromMinutes(4));

        await Until(() => Web.Log.RequestsForHost(moving.Host).Count >= 8 && Web.Log.RequestsForHost(silenced.Host).Count >= 8, crawl);
        Assert.False(crawl.IsCompleted, $"the crawl ended before DNS changed ({moving.Host}: {Web.Log.RequestsForHost(moving.Host).Count}, {silenced.Host}: {Web.Log.RequestsForHost(silenced.Host).Count} requests; {string.Join(", ", Web.Sites.Select(s => s.Host + "=" + Web.Log.RequestsForHost(s.Host).Count))})");
        var serial = Web.Dns.Catalog.GetSoaSerial(moving.Host);
        var changedAt = DateTimeOffset.UtcNow;
        Web.Dns.Catalog.SetAddresses(moving.Host, newAddress);
        Web.Dns.Catalog.SetSoaSerial(moving.Host, serial + 1);
        Web.Dns.Options.SilenceZone(silenced.Host);
        var othersAtSilence = Web.Log.Requests.Count(r => r.Host != silenced.Host);
        await crawl;
        var endedAt = DateTimeOffset.UtcNow;

        await using var dns = NodeHost.OpenDnsStore(new Node.Configuration.NodeOptions { DataDirectory = Data });
        await dns.InitializeAsync();

        // The move and the serial: one observation after the change holds both, timed between the change and the end.
        var history = await dns.GetObservationsAsync(moving.Host);
        var moved = Assert.Single(history, o => o.Addresses.Contains(newAddress.ToString()));
        Assert.InRange(moved.At, changedAt, endedAt);
        var before = history.Last(o => o.At < moved.At);
        var changes = DnsHistory.Compare(before, moved);
        Assert.Contains(changes, c => c.Kind == DnsChangeKind.AddressAdded && c.After == newAddress.ToString());
        Assert.Contains(changes, c => c.Kind == DnsChangeKind.AddressRemoved && c.Before == moving.Address.ToString());
        Assert.Contains(changes, c => c.Kind == DnsChangeKind.SerialChanged && c.After == (serial + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));

        // The fetcher connected to the address the resolver answered, as the server saw and the captures say.
        Assert.Contains(Web.Log.RequestsForHost(moving.Host), r => newAddress.Equals(r.LocalAddress));
        await using var store = new SqliteCrawlStore(new SqliteStoreOptions { Path = Path.Combine(Data, "crawler.db") });
        await store.InitializeAsync();
        var captures = new List<CaptureRecord>();
        await foreach (var capture in store.GetCapturesAsync(new CaptureQuery()))
        {
            captures.Add(capture);
        }

        Assert.Contains(captures, c => c.Host == moving.Host && c.IpAddress == newAddress.ToString() && c.Status == 200);
        Assert.All(
            captures.Where(c => c.Host == moving.Host && c.IpAddress == newAddress.ToString()),
            c => Assert.True(c.FetchedAt >= changedAt, $"{c.Url} fetched from the new address before the move"));

        // The silent name server: time-outs in the history, its site's URLs fail as DNS failures ...
        var silentHistory = await dns.GetObservationsAsync(silenced.Host);
        Assert.Equal(DnsOutcome.NoError, silentHistory[0].Outcome);
        var timeout = Assert.Single(silentHistory, o => o.Outcome == DnsOutcome.Timeout);
        Assert.InRange(timeout.At, changedAt, endedAt);
        Assert.Empty(timeout.Records);
        Assert.Contains(captures, c => c.Host == silenced.Host && c.Error == "DnsFailure" && c.ErrorDetail == "timeout");

        // ... while every other site's crawl went on to the end.
        Assert.True(Web.Log.Requests.Count(r => r.Host != silenced.Host) > othersAtSilence, "no request to other sites after the silence");
        var archived = captures.Select(c => c.Url).ToHashSet(StringComparer.Ordinal);
        var others = manifest.Entries.Where(e => !string.Equals(new Uri(e.Url).Host, silenced.Host, StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.NotEmpty(others);
        Assert.All(others, e => Assert.True(archived.Contains(e.Url), $"{e.Url} was not archived"));
    }

    private bool HasZone(string host)
    {
        try
        {
            Web.Dns.Catalog.GetSoaSerial(host);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Waits for a condition of the running crawl (polling the simulation's log; nothing is asserted on time).</summary>
    private static async Task Until(Func<bool> condition, Task crawl)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (!condition() && !crawl.IsCompleted)
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
