using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Crawler.Simulation.Web;
using Xunit;

namespace Crawler.Simulation.Tests.Web;

public sealed class AvailabilityFixture : IAsyncLifetime
{
    public SimulatedWeb Web { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Web = await SimulatedWeb.StartAsync(new SimulationOptions { PagesPerSite = 20 });
        Client = SimulatedWebFixture.CreateClient(Web);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Web.DisposeAsync();
    }
}

/// <summary>Scripted per-site availability: each test uses its own sites, so the log of a host is that test's alone.</summary>
public sealed class AvailabilityTests(AvailabilityFixture f) : IClassFixture<AvailabilityFixture>
{
    private SimulatedWeb Web => f.Web;

    private SiteModel PlainSite(int n) =>
        Web.Sites.Where(s => !s.HttpsOnly && s.Robots.Status == 200 && !s.Has(SiteFeatures.CrawlDelay)).ElementAt(n);

    private SiteModel HttpsSite(int n) =>
        Web.Sites.Where(s => s.HttpsOnly && s.Robots.Status == 200).ElementAt(n);

    private string Sha(string url) => Web.Manifest[url]!.Sha256Hex!;

    [Fact]
    public async Task Down_aborts_every_request_of_the_host_without_any_http_response_and_the_log_marks_it()
    {
        var site = PlainSite(0);
        Web.SetAvailability(site.Host, SiteAvailability.Down);
        try
        {
            foreach (var path in new[] { "/", "/robots.txt" })
            {
                await Assert.ThrowsAsync<HttpRequestException>(() => f.Client.GetAsync(site.Url(path)));
            }

            // On the wire: the request goes out and the connection ends with not one byte back.
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(site.Address, Web.HttpPort));
            await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /about.html HTTP/1.1\r\nHost: {site.Host}\r\n\r\n"));
            var buffer = new byte[256];
            var read = 0;
            try
            {
                read = await socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
            {
            }

            Assert.Equal(0, read);
        }
        finally
        {
            Web.SetAvailability(site.Host, SiteAvailability.Up);
        }

        var logged = Web.Log.RequestsForHost(site.Host);
        Assert.Contains(logged, r => r.PathAndQuery == "/");
        Assert.Contains(logged, r => r.PathAndQuery == "/robots.txt");
        Assert.Contains(logged, r => r.PathAndQuery == "/about.html");
        Assert.All(logged, r =>
        {
            Assert.Equal(0, r.Status);
            Assert.True(r.Aborted);
            Assert.NotNull(r.End);
        });
    }

    [Fact]
    public async Task Error_answers_503_with_a_short_body_on_every_path_over_http_and_https()
    {
        var plain = PlainSite(1);
        var secure = HttpsSite(0);
        Web.SetAvailability(plain.Host, SiteAvailability.Error);
        Web.SetAvailability(secure.Host, SiteAvailability.Error);
        try
        {
            foreach (var url in new[] { plain.Url("/"), plain.Url("/robots.txt"), secure.Url("/"), secure.Url("/robots.txt") })
            {
                using var r = await f.Client.GetAsync(url);
                var body = await r.Content.ReadAsStringAsync();
                Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
                Assert.Contains("503 Service Unavailable", body, StringComparison.Ordinal);
                Assert.True(body.Length < 200, body);
            }
        }
        finally
        {
            Web.SetAvailability(plain.Host, SiteAvailability.Up);
            Web.SetAvailability(secure.Host, SiteAvailability.Up);
        }

        Assert.All(Web.Log.RequestsForHost(plain.Host).Concat(Web.Log.RequestsForHost(secure.Host)), r => Assert.Equal(503, r.Status));
        Assert.Contains(Web.Log.RequestsForHost(secure.Host), r => r.Scheme == "https");
    }

    [Fact]
    public async Task Slow_sends_headers_only_after_the_delay_then_the_normal_answer_over_http_and_https()
    {
        var delay = TimeSpan.FromMilliseconds(400);
        foreach (var site in new[] { PlainSite(2), HttpsSite(1) })
        {
            Web.SetAvailability(site.Host, SiteAvailability.Slow, delay);
            try
            {
                foreach (var path in new[] { "/", "/robots.txt" })
                {
                    var watch = Stopwatch.StartNew();
                    using var r = await f.Client.GetAsync(site.Url(path), HttpCompletionOption.ResponseHeadersRead);
                    var headersAfter = watch.Elapsed;
                    var body = await r.Content.ReadAsByteArrayAsync();

                    // Timers may fire a few milliseconds before a Stopwatch says the delay is over (398.97 ms seen for 400).
                    Assert.True(headersAfter >= delay - TimeSpan.FromMilliseconds(20), $"{site.Url(path)}: headers after {headersAfter}");
                    Assert.Equal(HttpStatusCode.OK, r.StatusCode);
                    Assert.Equal(Sha(site.Url(path)), Convert.ToHexStringLower(SHA256.HashData(body)));
                }
            }
            finally
            {
                Web.SetAvailability(site.Host, SiteAvailability.Up);
            }
        }
    }

    [Fact]
    public async Task Other_hosts_are_unaffected()
    {
        var down = PlainSite(3);
        var failing = PlainSite(4);
        var neighbour = PlainSite(5);
        Web.SetAvailability(down.Host, SiteAvailability.Down);
        Web.SetAvailability(failing.Host, SiteAvailability.Error);
        try
        {
            using var r = await f.Client.GetAsync(neighbour.Url("/"));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(Sha(neighbour.Url("/")), Convert.ToHexStringLower(SHA256.HashData(await r.Content.ReadAsByteArrayAsync())));
            Assert.Equal(SiteAvailability.Up, Web.GetAvailability(neighbour.Host));
            Assert.Equal(SiteAvailability.Down, Web.GetAvailability(down.Host));
            Assert.Equal(SiteAvailability.Error, Web.GetAvailability(failing.Host));
        }
        finally
        {
            Web.SetAvailability(down.Host, SiteAvailability.Up);
            Web.SetAvailability(failing.Host, SiteAvailability.Up);
        }
    }

    [Fact]
    public async Task Switching_back_to_up_restores_normal_answers_at_once()
    {
        var site = PlainSite(6);
        var url = site.Url("/");
        foreach (var mode in new[] { SiteAvailability.Down, SiteAvailability.Error })
        {
            Web.SetAvailability(site.Host, mode);
            if (mode == SiteAvailability.Down)
            {
                await Assert.ThrowsAsync<HttpRequestException>(() => f.Client.GetAsync(url));
            }
            else
            {
                using var failed = await f.Client.GetAsync(url);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
            }

            Web.SetAvailability(site.Host, SiteAvailability.Up);
            Assert.Equal(SiteAvailability.Up, Web.GetAvailability(site.Host));
            using var ok = await f.Client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal(Sha(url), Convert.ToHexStringLower(SHA256.HashData(await ok.Content.ReadAsByteArrayAsync())));
        }

        Assert.Equal(200, Web.Log.RequestsForHost(site.Host)[^1].Status);
    }

    [Fact]
    public void Host_names_match_without_case_or_trailing_dot_and_unset_hosts_are_up()
    {
        var site = PlainSite(7);
        Web.SetAvailability(site.Host.ToUpperInvariant() + ".", SiteAvailability.Slow);
        try
        {
            Assert.Equal(SiteAvailability.Slow, Web.GetAvailability(site.Host));
            Assert.Equal(SiteAvailability.Up, Web.GetAvailability("nothing-set.kp"));
            Assert.Throws<ArgumentOutOfRangeException>(() => Web.SetAvailability(site.Host, (SiteAvailability)42));
        }
        finally
        {
            Web.SetAvailability(site.Host, SiteAvailability.Up);
        }
    }
}
