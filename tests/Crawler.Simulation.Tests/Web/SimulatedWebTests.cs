using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Crawler.Simulation.Web;
using DnsClient;
using Xunit;

namespace Crawler.Simulation.Tests.Web;

public sealed class SimulatedWebFixture : IAsyncLifetime
{
    public SimulatedWeb Web { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Web = await SimulatedWeb.StartAsync(new SimulationOptions { PagesPerSite = 40, SlowResponse = TimeSpan.FromMilliseconds(200) });
        Client = CreateClient(Web);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Web.DisposeAsync();
    }

    /// <summary>Connects every request to the site's loopback address and the simulated port; trusts only the simulation's certificate.</summary>
    public static HttpClient CreateClient(SimulatedWeb web)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectCallback = async (ctx, ct) =>
            {
                var host = ctx.DnsEndPoint.Host;
                var address = web.Model.Site(host)?.Address ?? web.Model.Addresses[0];
                var port = ctx.DnsEndPoint.Port == 443 ? web.HttpsPort : web.HttpPort;
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, port), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHashString() == web.Certificate.GetCertHashString();
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }
}

public sealed class SimulatedWebTests(SimulatedWebFixture f) : IClassFixture<SimulatedWebFixture>
{
    private SimulatedWeb Web => f.Web;

    [Fact]
    public async Task Served_bodies_have_the_sha256_the_manifest_lists()
    {
        var sample = Web.Manifest.Entries
            .Where((e, i) => e.Sha256Hex is not null && e.Outcome is EntryOutcome.Normal or EntryOutcome.Redirect or EntryOutcome.Error && (i % 11 == 0 || e.Url.EndsWith("/robots.txt", StringComparison.Ordinal)))
            .Where(e => !e.Url.EndsWith("/slow.html", StringComparison.Ordinal))
            .ToList();
        Assert.True(sample.Count > 100);
        await Parallel.ForEachAsync(sample, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (e, ct) =>
        {
            using var response = await f.Client.GetAsync(e.Url, ct);
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            Assert.Equal(e.ExpectedStatus, (int)response.StatusCode);
            Assert.Equal(e.Sha256Hex, Convert.ToHexStringLower(SHA256.HashData(body)));
            Assert.Equal(e.RedirectTo, response.Headers.Location?.OriginalString);
        });
    }

    [Fact]
    public async Task Robots_txt_is_served_as_generated()
    {
        var normal = Web.Sites.First(s => s.Robots.Status == 200 && !s.HttpsOnly && s.Has(SiteFeatures.CrawlDelay));
        var text = await f.Client.GetStringAsync(normal.Url("/robots.txt"));
        Assert.Contains("User-agent: *\nDisallow: /private/\nAllow: /private/notice.html\nDisallow: /*?print=1$\n", text, StringComparison.Ordinal);
        Assert.Contains("Crawl-delay: 0.05\n", text, StringComparison.Ordinal);
        Assert.Contains($"Sitemap: {normal.Url("/sitemap.xml")}\n", text, StringComparison.Ordinal);

        using var missing = await f.Client.GetAsync(Web.Model.SiteWith(SiteFeatures.Robots404).SeedUrl + "robots.txt");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var failing = await f.Client.GetAsync(Web.Model.SiteWith(SiteFeatures.Robots500).SeedUrl + "robots.txt");
        Assert.Equal(HttpStatusCode.InternalServerError, failing.StatusCode);
    }

    [Fact]
    public async Task Retry_urls_answer_503_or_429_with_retry_after_then_200()
    {
        foreach (var (feature, path, status) in new[] { (SiteFeatures.Retry503, "/busy.html", 503), (SiteFeatures.Retry429, "/limited.html", 429) })
        {
            var url = Web.Model.SiteWith(feature).Url(path);
            for (var i = 0; i < Web.Options.RetryFailures; i++)
            {
                using var r = await f.Client.GetAsync(url);
                Assert.Equal(status, (int)r.StatusCode);
                Assert.Equal(TimeSpan.FromSeconds(1), r.Headers.RetryAfter?.Delta);
            }

            using var ok = await f.Client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal(Web.Manifest[url]!.Sha256Hex, Convert.ToHexStringLower(SHA256.HashData(await ok.Content.ReadAsByteArrayAsync())));
            Assert.Equal(Web.Options.RetryFailures + 1, Web.Log.RequestsFor(url).Count);
        }
    }

    [Fact]
    public async Task Set_epoch_changes_what_is_served_to_the_next_manifest()
    {
        var site = Web.Sites.First(s => s.Robots.Status == 200 && !s.HttpsOnly);
        try
        {
            Web.SetEpoch(1);
            foreach (var path in new[] { "/", "/about.html" })
            {
                var body = await f.Client.GetByteArrayAsync(site.Url(path));
                Assert.Equal(Web.ManifestFor(1)[site.Url(path)]!.Sha256Hex, Convert.ToHexStringLower(SHA256.HashData(body)));
            }

            Assert.NotEqual(Web.ManifestFor(0)[site.Url("/")]!.Sha256Hex, Web.Manifest[site.Url("/")]!.Sha256Hex);
            Assert.Equal(Web.ManifestFor(0)[site.Url("/about.html")]!.Sha256Hex, Web.Manifest[site.Url("/about.html")]!.Sha256Hex);
        }
        finally
        {
            Web.SetEpoch(0);
        }
    }

    [Fact]
    public async Task Unknown_hosts_get_404_and_are_recorded()
    {
        using var r = await f.Client.GetAsync("http://nonexistent.example.kp/page");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        var record = Assert.Single(Web.Log.RequestsFor("http://nonexistent.example.kp/page"));
        Assert.Equal(404, record.Status);
        Assert.Equal(Web.Model.Addresses[0], record.LocalAddress);
    }

    [Fact]
    public async Task Https_only_sites_serve_tls_with_the_self_signed_certificate_and_redirect_plain_http()
    {
        var site = Web.Sites.First(s => s.HttpsOnly && !s.Has(SiteFeatures.Robots500));
        using var plain = await f.Client.GetAsync(site.SeedUrl);
        Assert.Equal(HttpStatusCode.MovedPermanently, plain.StatusCode);
        Assert.Equal(site.RootUrl, plain.Headers.Location?.OriginalString);
        var body = await f.Client.GetByteArrayAsync(site.RootUrl);
        Assert.Equal(Web.Manifest[site.RootUrl]!.Sha256Hex, Convert.ToHexStringLower(SHA256.HashData(body)));
        Assert.Contains("CN=Simulated .kp web", Web.Certificate.Subject, StringComparison.Ordinal);
        Assert.Equal("https", Web.Log.RequestsFor(site.RootUrl)[^1].Scheme);
    }

    [Fact]
    public async Task The_trap_generates_calendar_pages_on_demand_forever()
    {
        var trap = Web.Manifest.Trap;
        var far = $"http://{trap.Host}{trap.PathPrefix}2391/04";
        using var r = await f.Client.GetAsync(far);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var links = Web.Model.Respond(far, 0)!.Links.Select(l => l.Target).ToList();
        Assert.Contains($"http://{trap.Host}{trap.PathPrefix}2391/05", links);
        Assert.Contains($"http://{trap.Host}{trap.PathPrefix}2391/03", links);
        Assert.Contains("href=\"05\"", Encoding.UTF8.GetString(await r.Content.ReadAsByteArrayAsync()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_site_name_resolves_through_the_simulated_dns_to_an_address_it_is_served_on()
    {
        var client = new LookupClient(new LookupClientOptions(Web.DnsEndPoint) { UseCache = false, Retries = 0, Timeout = TimeSpan.FromSeconds(2) });
        foreach (var site in Web.Sites)
        {
            var answer = await client.QueryAsync(site.Host, QueryType.A);
            var addresses = answer.Answers.ARecords().Select(a => a.Address).ToHashSet();
            Assert.Superset(site.Addresses.ToHashSet(), addresses);
            Assert.Subset(Web.Model.Addresses.ToHashSet(), addresses);
        }

        Assert.Equal([$":80::{Web.HttpPort}", $":443::{Web.HttpsPort}"], Web.ConnectToRules);
    }

    [Fact]
    public async Task Every_site_address_accepts_connections_on_the_common_ports()
    {
        foreach (var address in Web.Model.Addresses)
        {
            foreach (var port in new[] { Web.HttpPort, Web.HttpsPort })
            {
                using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(new IPEndPoint(address, port));
                Assert.True(socket.Connected);
            }
        }
    }
}
