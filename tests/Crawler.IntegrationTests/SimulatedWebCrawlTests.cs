using Xunit;
using System.Diagnostics;
using System.Text.Json;
using Crawler.Archive;
using Crawler.Core.Policies;
using Crawler.Storage;
using Crawler.Storage.Sqlite;
using Crawler.Simulation.Web;

namespace Crawler.IntegrationTests;

public sealed class SimulatedWebCrawlTests(SimulatedCrawlFixture crawl) : IClassFixture<SimulatedCrawlFixture>
{
    [Fact]
    public void The_simulated_web_is_large_enough_for_the_acceptance_bar()
    {
        Assert.True(crawl.Web.Sites.Count >= 20, $"{crawl.Web.Sites.Count} sites");
        Assert.True(crawl.Web.Manifest.Entries.Count >= 4000, $"{crawl.Web.Manifest.Entries.Count} manifest entries");
    }

    [Fact]
    public void Crawl_archives_every_reachable_allowed_url_of_the_manifest()
    {
        var byUrl = crawl.Captures.ToLookup(c => c.Url, StringComparer.Ordinal);
        var missing = new List<string>();
        var wrong = new List<string>();
        foreach (var entry in crawl.Web.Manifest.Entries)
        {
            var captures = byUrl[entry.Url].ToList();
            if (captures.Count == 0)
            {
                missing.Add(entry.Url);
                continue;
            }

            var last = captures[^1];
            switch (entry.Outcome)
            {
                case EntryOutcome.Hangs:
                    if (last.Truncated is null && last.Error is null)
                    {
                        wrong.Add($"{entry.Url}: a never-finishing response was archived as complete");
                    }

                    break;
                default:
                    if (last.Status != entry.ExpectedStatus)
                    {
                        wrong.Add($"{entry.Url}: status {last.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? last.Error} instead of {entry.ExpectedStatus}");
                    }
                    else if (entry.Sha256Hex is { } hex && last.PayloadDigest != "sha256:" + hex)
                    {
                        wrong.Add($"{entry.Url}: payload {last.PayloadDigest} instead of sha256:{hex}");
                    }

                    break;
            }
        }

        Assert.True(missing.Count == 0, $"{missing.Count} of {crawl.Web.Manifest.Entries.Count} manifest URLs not archived, e.g. {string.Join(", ", missing.Take(10))}");
        Assert.True(wrong.Count == 0, $"{wrong.Count} captures differ from the manifest: {string.Join("; ", wrong.Take(10))}");
    }

    [Fact]
    public void Crawl_never_fetches_a_disallowed_or_off_scope_url()
    {
        var requested = crawl.Web.Log.Requests.Select(r => r.Url).ToHashSet(StringComparer.Ordinal);
        var disallowed = crawl.Web.Manifest.DisallowedUrls.Where(requested.Contains).ToList();
        Assert.True(crawl.Web.Manifest.DisallowedUrls.Count > 0, "the simulated web links to disallowed URLs");
        Assert.True(disallowed.Count == 0, $"disallowed URLs fetched: {string.Join(", ", disallowed.Take(10))}");

        var archived = crawl.Captures.Where(c => c.ResponseHeaders is not null).Select(c => c.Url).ToHashSet(StringComparer.Ordinal);
        var offScope = crawl.Web.Manifest.OffScopeUrls.Where(u => archived.Contains(u) || requested.Contains(u)).ToList();
        Assert.True(crawl.Web.Manifest.OffScopeUrls.Count > 0, "the simulated web links off scope");
        Assert.True(offScope.Count == 0, $"off-scope URLs fetched: {string.Join(", ", offScope.Take(10))}");
        var recorded = crawl.Captures.SelectMany(c => c.Outlinks).Where(o => !o.InScope).Select(o => o.Url).ToHashSet(StringComparer.Ordinal);
        Assert.Contains(crawl.Web.Manifest.OffScopeUrls, recorded.Contains);
    }

    [Fact]
    public async Task Every_link_the_crawl_did_not_fetch_is_in_the_crawl_log_with_its_reason()
    {
        var log = (await crawl.Store.GetCrawlLogAsync(new CrawlLogQuery(Epoch: crawl.Completed.Epoch)).ToListAsync()).ToDictionary(r => r.Url, StringComparer.Ordinal);

        var fetched = crawl.Captures.Select(c => c.Url).ToHashSet(StringComparer.Ordinal);
        var links = crawl.Captures.SelectMany(c => c.Outlinks).Where(o => !o.Kind.EndsWith("action", StringComparison.Ordinal)).Select(o => o.Url).Distinct().ToList();
        var silent = links.Where(u => !fetched.Contains(u) && !log.ContainsKey(u)).ToList();
        Assert.True(silent.Count == 0, $"{silent.Count} of {links.Count} linked URLs neither fetched nor in the crawl log, e.g. {string.Join(", ", silent.Take(5))}");
        Assert.All(crawl.Web.Manifest.DisallowedUrls.Where(log.ContainsKey), u => Assert.Equal(DeclineReason.Robots, log[u].Reason));
        Assert.All(crawl.Web.Manifest.OffScopeUrls.Where(log.ContainsKey), u => Assert.Equal(DeclineReason.OutOfScope, log[u].Reason));
        Assert.Contains(log.Values, r => r.Reason is DeclineReason.Trap or DeclineReason.Depth && crawl.Web.Manifest.Trap.Contains(r.Url));
    }

    [Fact]
    public void Crawl_never_holds_two_connections_to_one_host_or_address_at_once()
    {
        Assert.True(crawl.Web.Log.RequestCount > 4000);
        Assert.Equal(1, crawl.Web.Log.MaxConcurrentRequestsPerHost());
        Assert.True(crawl.Web.Log.MaxConcurrentRequestsPerIp() == 1, string.Join(", ", crawl.Web.Log.MaxConcurrentRequestsByIp().Where(p => p.Value > 1)));
        Assert.True(crawl.Web.Log.MaxConcurrentConnectionsPerIp() == 1, string.Join(", ", crawl.Web.Log.MaxConcurrentConnectionsByIp().Where(p => p.Value > 1)));
        var shared = crawl.Web.Sites.GroupBy(s => s.Address).Where(g => g.Count() > 1).ToList();
        Assert.NotEmpty(shared);
    }

    [Fact]
    public void Crawl_honours_every_crawl_delay()
    {
        var delayed = crawl.Web.Sites.Where(s => s.Robots.Status == 200 && s.Robots.GroupFor("crawler")?.CrawlDelay is > 0).ToList();
        Assert.NotEmpty(delayed);
        foreach (var site in delayed)
        {
            var delay = TimeSpan.FromSeconds(site.Robots.GroupFor("crawler")!.CrawlDelay!.Value);
            // The delay can only hold once robots.txt has been read: the hops of a robots.txt redirect
            // (http → https) come before it and are paced by the default politeness delay.
            var requests = crawl.Web.Log.RequestsForHost(site.Host);
            var read = requests.ToList().FindIndex(r => r.Status == 200 && r.PathAndQuery == "/robots.txt");
            var gap = requests.Skip(Math.Max(0, read)).Zip(requests.Skip(Math.Max(0, read) + 1), (a, b) => b.Start - a.Start).DefaultIfEmpty(TimeSpan.MaxValue).Min();
            Assert.True(gap >= delay, $"{site.Host}: two requests {gap.TotalMilliseconds} ms apart, Crawl-delay {delay.TotalMilliseconds} ms:\n{Closest(site.Host)}");
            Assert.True(crawl.Web.Log.RequestsForHost(site.Host).Count > 2, $"{site.Host} was crawled");
        }
    }

    /// <summary>The two requests closest together, for the failure message.</summary>
    private string Closest(string host)
    {
        var requests = crawl.Web.Log.RequestsForHost(host);
        var i = Enumerable.Range(1, requests.Count - 1).MinBy(i => requests[i].Start - requests[i - 1].Start);
        return string.Join("\n", requests.Skip(Math.Max(0, i - 2)).Take(4).Select(r => r.ToString()));
    }

    [Fact]
    public async Task Crawl_stops_at_the_trap_bound()
    {
        // The endless calendar links to the previous and the next month from every page: within
        // MaxDepth links of a seed it has at most 2 × MaxDepth + 1 pages, and none deeper is queued; its empty months
        // are near-duplicates, which cut it sooner (the crawl log says where).
        var trap = crawl.Web.Manifest.Trap;
        var fetched = crawl.Web.Log.Requests.Where(r => trap.Contains(r.Url)).Select(r => r.Url).ToList();
        Assert.True(fetched.Count > 0, "the trap's entry was fetched");
        Assert.Equal(fetched.Count, fetched.Distinct(StringComparer.Ordinal).Count());
        Assert.True(fetched.Count <= (2 * SimulatedCrawlFixture.MaxDepth) + 1, $"{fetched.Count} trap pages fetched");

        var frontier = await crawl.Store.GetFrontierAsync(trap.Host, 1);
        var queued = frontier.Where(f => trap.Contains(f.Url)).ToList();
        Assert.All(queued, f => Assert.True(f.Depth <= SimulatedCrawlFixture.MaxDepth, $"{f.Url} queued at depth {f.Depth}"));
        Assert.Equal(queued.Count, fetched.Count);
        var cut = await crawl.Store.GetCrawlLogAsync(new CrawlLogQuery(trap.Host, 1)).ToListAsync();
        Assert.Contains(cut, r => trap.Contains(r.Url) && r.Reason is DeclineReason.Trap or DeclineReason.Depth);
    }

    [Fact]
    public async Task Warc_export_is_read_by_warcio_and_its_records_match_the_store()
    {
        var output = Path.Combine(crawl.DataDirectory, "warc-" + Guid.NewGuid().ToString("N"));
        await using var dns = new SqliteDnsStore(new SqliteStoreOptions { Path = Path.Combine(crawl.DataDirectory, "crawler.db") });
        await dns.InitializeAsync();
        var result = await WarcExporter.ExportAsync(crawl.Store, dns, new WarcExportOptions { OutputDirectory = output });
        var withResponse = crawl.Captures.Where(c => c.ResponseHeaders is not null).ToList();
        Assert.Equal(withResponse.Count, result.Responses + result.Revisits);
        Assert.True(result.Revisits > 0, "identical payloads become revisit records");

        var types = new Dictionary<string, int>(StringComparer.Ordinal);
        var digests = new Dictionary<string, string>(StringComparer.Ordinal);
        var redirectResponses = 0;
        foreach (var file in result.Files)
        {
            foreach (var line in Warcio("index", file, "--fields", "warc-type,warc-target-uri,warc-payload-digest,warc-record-id,http:status"))
            {
                using var json = JsonDocument.Parse(line);
                var type = json.RootElement.GetProperty("warc-type").GetString()!;
                types[type] = types.GetValueOrDefault(type) + 1;
                var status = json.RootElement.TryGetProperty("http:status", out var s) ? s.ToString() : "";
                // Replayers answer a revisit with its original's status and headers: a redirect is never one.
                Assert.False(type == "revisit" && status.StartsWith('3'), $"a redirect written as a revisit: {line}");
                redirectResponses += type == "response" && status.StartsWith('3') ? 1 : 0;
                if (type is "response" or "revisit" && json.RootElement.TryGetProperty("warc-payload-digest", out var d))
                {
                    digests[json.RootElement.GetProperty("warc-record-id").GetString()!] = d.GetString()!;
                }
            }

            Assert.NotEmpty(Warcio("cdx-index", file));
        }

        Assert.Equal(withResponse.Count(c => c.Status is >= 300 and < 400 && c.Status != 304), redirectResponses);
        Assert.Equal(result.Responses, types.GetValueOrDefault("response"));
        Assert.Equal(result.Revisits, types.GetValueOrDefault("revisit"));
        Assert.Equal(result.Requests, types.GetValueOrDefault("request"));
        Assert.Equal(result.Metadata, types.GetValueOrDefault("metadata"));
        Assert.Equal(result.Files.Count, types.GetValueOrDefault("warcinfo"));
        Assert.True(result.DnsRecords >= crawl.Web.Sites.Count, $"{result.DnsRecords} dns: records for {crawl.Web.Sites.Count} sites");
        Assert.Equal(result.DnsRecords, types.GetValueOrDefault("resource"));
        var storeDigests = withResponse.Where(c => c.PayloadLength > 0 && c.Status != 304).Select(c => c.PayloadDigest).ToHashSet(StringComparer.Ordinal);
        Assert.All(digests.Values, d => Assert.Contains(d, storeDigests));
    }

    [Fact]
    public async Task The_dns_of_every_crawled_site_is_recorded_with_the_addresses_it_was_fetched_from()
    {
        await using var dns = new SqliteDnsStore(new SqliteStoreOptions { Path = Path.Combine(crawl.DataDirectory, "crawler.db") });
        await dns.InitializeAsync();
        foreach (var site in crawl.Web.Sites)
        {
            var history = await dns.GetObservationsAsync(site.Host);
            var observation = Assert.Single(history); // once per TTL, not once per fetch
            Assert.Equal(Crawler.Core.Dns.DnsOutcome.NoError, observation.Outcome);
            var fetchedFrom = crawl.Captures.Where(c => c.Host == site.Host && c.IpAddress is not null).Select(c => c.IpAddress!).ToHashSet(StringComparer.Ordinal);
            Assert.All(fetchedFrom, ip => Assert.Contains(ip, observation.Addresses));
        }

        var shared = crawl.Web.Sites.GroupBy(s => s.Address).First(g => g.Count() > 1);
        var names = await dns.GetNamesWithAddressAsync(shared.Key.ToString());
        Assert.All(shared, s => Assert.Contains(s.Host, names));
    }

    private static List<string> Warcio(params string[] args)
    {
        Assert.True(File.Exists(RepositoryPaths.WarcioBin), "tools/warcio/node_modules is missing: run `npm ci --prefix tools/warcio` (CI installs it).");
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(RepositoryPaths.WarcioBin);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"warcio {string.Join(' ', args)} failed: {stderr.Result}");
        return stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }
}
