using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Crawler.Core.Uptime;
using Crawler.Net.Probing;
using Microsoft.AspNetCore.Http;

namespace Crawler.Net.Tests.Probing;

public sealed class SiteProberTests
{
    private static readonly DateTimeOffset Scheduled = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly StubResolver Site = new(new() { ["site.kp"] = [IPAddress.Loopback] });

    private static SiteProber Prober(
        IHostResolver? resolver = null, ProbeOptions? options = null, AddressGuard? guard = null) =>
        new(options ?? new ProbeOptions { UserAgent = "ProbeTest/1.0" }, resolver ?? Site, guard ?? Fixtures.LoopbackAllowed, TimeProvider.System);

    private static ProbeTarget Target(string url) => new("site.kp", new Uri(url));

    /// <summary>A failure before any connection was made: exactly <paramref name="detail"/>, resolved, not connected.</summary>
    private static void AssertFailedUnconnected(ProbeResult result, ProbeFailure failure, string detail)
    {
        Assert.Equal(failure, result.Failure);
        Assert.Equal(detail, result.Detail);
        Assert.NotNull(result.Resolve);
        Assert.Null(result.Connect);
    }

    private static Task<TestServer> Serve(string body, int status = 200) =>
        TestServer.StartAsync(async context =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(body);
        });

    [Fact]
    public async Task A_healthy_site_is_up_with_every_phase_timed_through_the_crawlers_resolver()
    {
        await using var server = await Serve("<html>welcome</html>");
        // A real DNS exchange with a loopback name server: the system resolver knows no site.kp.
        using var dns = new TinyDnsServer(new() { ["site.kp"] = ([IPAddress.Loopback], 300) });
        var resolver = LoopbackResolvers.Over(dns, queryAaaa: false);

        var result = await Prober(resolver).ProbeAsync(Target($"http://site.kp:{server.Port}/index.html"), Scheduled, CancellationToken.None);

        Assert.Equal(ProbeFailure.None, result.Failure);
        Assert.True(result.Success);
        Assert.Equal("site.kp", result.Site);
        Assert.Equal(Scheduled, result.At);
        Assert.Equal(200, result.HttpStatus);
        Assert.Null(result.Tls);
        Assert.Null(result.TlsCertificateExpiry);
        Assert.True(dns.Queries >= 1);
        var resolve = Assert.NotNull(result.Resolve);
        var connect = Assert.NotNull(result.Connect);
        var firstByte = Assert.NotNull(result.FirstByte);
        var total = Assert.NotNull(result.Total);
        Assert.True(resolve > TimeSpan.Zero && connect > TimeSpan.Zero, $"resolve {resolve}, connect {connect}");
        Assert.True(resolve + connect <= firstByte, $"resolve {resolve} + connect {connect} > first byte {firstByte}");
        Assert.True(firstByte <= total, $"first byte {firstByte} > total {total}");
        Assert.True(total < TimeSpan.FromSeconds(10), $"total {total}");
        Assert.Contains("address 127.0.0.1", result.Detail, StringComparison.Ordinal);

        var seen = Assert.Single(server.Requests);
        Assert.Equal("/index.html", seen.PathAndQuery);
        Assert.Equal($"site.kp:{server.Port}", seen.Host);
        Assert.Equal("ProbeTest/1.0", seen.Headers["User-Agent"]);
        Assert.Equal("close", seen.Headers["Connection"]);
    }

    [Fact]
    public async Task Every_probe_opens_its_own_connection()
    {
        await using var server = await Serve("ok");
        var prober = Prober();

        var first = await prober.ProbeAsync(Target($"http://site.kp:{server.Port}/"), Scheduled, CancellationToken.None);
        var second = await prober.ProbeAsync(Target($"http://site.kp:{server.Port}/"), Scheduled.AddMinutes(1), CancellationToken.None);

        Assert.True(first.Success, first.Detail);
        Assert.True(second.Success, second.Detail);
        Assert.Equal(Scheduled.AddMinutes(1), second.At);
        Assert.Equal(2, server.Connections);
        Assert.NotNull(second.Connect);
    }

    [Fact]
    public async Task A_500_is_an_http_status_failure_with_the_status_recorded()
    {
        await using var server = await Serve("broken", status: 500);

        var result = await Prober().ProbeAsync(Target($"http://site.kp:{server.Port}/"), Scheduled, CancellationToken.None);

        Assert.Equal(ProbeFailure.HttpStatus, result.Failure);
        Assert.Equal(500, result.HttpStatus);
        Assert.NotNull(result.FirstByte);
        Assert.Contains("status 500 not in 200-399", result.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(301, null, true)]
    [InlineData(404, null, false)]
    [InlineData(404, new[] { 404, 410 }, true)]
    [InlineData(200, new[] { 404 }, false)]
    public async Task Statuses_are_judged_against_the_expected_list_or_200_to_399(int status, int[]? expected, bool up)
    {
        await using var server = await Serve("page", status);

        var result = await Prober().ProbeAsync(
            Target($"http://site.kp:{server.Port}/") with { ExpectedStatus = expected }, Scheduled, CancellationToken.None);

        Assert.Equal(up ? ProbeFailure.None : ProbeFailure.HttpStatus, result.Failure);
        Assert.Equal(status, result.HttpStatus);
    }

    [Theory]
    [InlineData("Juche", true)]
    [InlineData("juche", false)]
    [InlineData("Songun", false)]
    public async Task The_keyword_must_appear_in_the_body(string keyword, bool up)
    {
        await using var server = await Serve("<html><h1>Juche 115</h1></html>");

        var result = await Prober().ProbeAsync(
            Target($"http://site.kp:{server.Port}/") with { Keyword = keyword }, Scheduled, CancellationToken.None);

        Assert.Equal(up ? ProbeFailure.None : ProbeFailure.BodyCheckFailed, result.Failure);
        Assert.Equal(200, result.HttpStatus);
        if (!up)
        {
            Assert.Contains($"keyword '{keyword}' not found", result.Detail, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(@"Juche \d{3}", true)]
    [InlineData(@"^<html>", true)]
    [InlineData(@"Juche \d{4}", false)]
    public async Task The_regex_must_match_the_body(string regex, bool up)
    {
        await using var server = await Serve("<html><h1>Juche 115</h1></html>");

        var result = await Prober().ProbeAsync(
            Target($"http://site.kp:{server.Port}/") with { Regex = regex }, Scheduled, CancellationToken.None);

        Assert.Equal(up ? ProbeFailure.None : ProbeFailure.BodyCheckFailed, result.Failure);
    }

    [Fact]
    public async Task An_invalid_regex_fails_the_probe_without_touching_the_network()
    {
        await using var server = await Serve("page");

        var result = await Prober().ProbeAsync(
            Target($"http://site.kp:{server.Port}/") with { Regex = "(unclosed" }, Scheduled, CancellationToken.None);

        Assert.Equal(ProbeFailure.Other, result.Failure);
        Assert.StartsWith("invalid regex", result.Detail, StringComparison.Ordinal);
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task A_chunked_body_is_checked_whole_and_gzip_is_decoded()
    {
        await using var server = await TestServer.StartAsync(async context =>
        {
            if (context.Request.Path == "/gzip")
            {
                using var packed = new MemoryStream();
                await using (var gzip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
                {
                    await gzip.WriteAsync(Encoding.UTF8.GetBytes("<p>Rodong Sinmun</p>"));
                }

                context.Response.Headers.ContentEncoding = "gzip";
                context.Response.ContentLength = packed.Length;
                await context.Response.Body.WriteAsync(packed.ToArray());
                return;
            }

            // No Content-Length and two flushed writes: Kestrel sends chunked.
            await context.Response.WriteAsync(new string('x', 5000));
            await context.Response.Body.FlushAsync();
            await context.Response.WriteAsync("<footer>Rodong Sinmun</footer>");
        });
        var prober = Prober();

        var chunked = await prober.ProbeAsync(
            Target($"http://site.kp:{server.Port}/chunked") with { Keyword = "Rodong Sinmun" }, Scheduled, CancellationToken.None);
        var gzipped = await prober.ProbeAsync(
            Target($"http://site.kp:{server.Port}/gzip") with { Keyword = "Rodong Sinmun" }, Scheduled, CancellationToken.None);

        Assert.True(chunked.Success, chunked.Detail);
        Assert.True(gzipped.Success, gzipped.Detail);
    }

    [Fact]
    public async Task Only_the_first_max_body_bytes_are_checked()
    {
        await using var server = await Serve(new string('x', 4096) + "needle");
        var options = new ProbeOptions { MaxBodyBytes = 4096 };

        var limited = await Prober(options: options).ProbeAsync(
            Target($"http://site.kp:{server.Port}/") with { Keyword = "needle" }, Scheduled, CancellationToken.None);
        var whole = await Prober().ProbeAsync(
            Target($"http://site.kp:{server.Port}/") with { Keyword = "needle" }, Scheduled, CancellationToken.None);

        Assert.Equal(ProbeFailure.BodyCheckFailed, limited.Failure);
        Assert.Contains("4096 body bytes", limited.Detail, StringComparison.Ordinal);
        Assert.True(whole.Success, whole.Detail);
    }

    [Fact]
    public async Task A_closed_port_is_connection_refused()
    {
        var port = TestServer.ClosedPort();

        var result = await Prober().ProbeAsync(Target($"http://site.kp:{port}/"), Scheduled, CancellationToken.None);

        Assert.Equal(ProbeFailure.ConnectionRefused, result.Failure);
        Assert.NotNull(result.Resolve);
        Assert.Null(result.Connect);
        Assert.Null(result.HttpStatus);
        Assert.Contains($"127.0.0.1:{port} refused", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connect_that_never_completes_is_a_connect_timeout()
    {
        // A listener that never accepts, its accept queue (backlog 0: one connection) filled: Linux then drops
        // further SYNs, so the probe's connect hangs until the probe's limit.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        var endPoint = (IPEndPoint)listener.LocalEndPoint!;
        using var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await filler.ConnectAsync(endPoint);

        var result = await Prober().ProbeAsync(
            Target($"http://site.kp:{endPoint.Port}/") with { Timeout = TimeSpan.FromMilliseconds(500) }, Scheduled, CancellationToken.None);

        AssertFailedUnconnected(
            result, ProbeFailure.ConnectTimeout, $"connect to 127.0.0.1:{endPoint.Port} not established within 500 ms; address 127.0.0.1");
    }

    [Fact]
    public async Task A_connect_to_rule_routes_the_connection_while_the_host_header_keeps_the_url_host()
    {
        await using var server = await Serve("routed");
        // DNS says 127.0.0.2 (where nothing listens on port 80); the rule sends site.kp:80 to the test server.
        var resolver = new StubResolver(new() { ["site.kp"] = [IPAddress.Parse("127.0.0.2")] });
        var options = new ProbeOptions { ConnectTo = [$"site.kp:80:127.0.0.1:{server.Port}"] };

        var result = await Prober(resolver, options).ProbeAsync(
            Target("http://site.kp/") with { Keyword = "routed" }, Scheduled, CancellationToken.None);

        Assert.True(result.Success, result.Detail);
        Assert.Equal("site.kp", Assert.Single(server.Requests).Host);
        Assert.Contains("address 127.0.0.2", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_guard_refuses_before_connecting_and_names_its_reason()
    {
        await using var server = await Serve("never");

        var result = await Prober(guard: AddressGuard.PublicOnly).ProbeAsync(
            Target($"http://site.kp:{server.Port}/"), Scheduled, CancellationToken.None);

        Assert.Equal(ProbeFailure.Other, result.Failure);
        Assert.Contains("127.0.0.1 refused by the address guard: loopback", result.Detail, StringComparison.Ordinal);
        Assert.NotNull(result.Resolve);
        Assert.Null(result.Connect);
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task The_guard_judges_the_resolved_address_even_when_a_connect_to_rule_reroutes_it()
    {
        await using var server = await Serve("never");
        var resolver = new StubResolver(new() { ["site.kp"] = [IPAddress.Parse("10.1.2.3")] });
        var options = new ProbeOptions { ConnectTo = [$"site.kp::127.0.0.1:{server.Port}"] };

        var result = await Prober(resolver, options, Fixtures.LoopbackAllowed).ProbeAsync(
            Target("http://site.kp/"), Scheduled, CancellationToken.None);

        Assert.Equal(ProbeFailure.Other, result.Failure);
        Assert.Contains("10.1.2.3 refused by the address guard", result.Detail, StringComparison.Ordinal);
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task Tls_is_timed_and_the_self_signed_certificates_exact_expiry_is_recorded()
    {
        var notAfter = new DateTimeOffset(2031, 3, 4, 5, 6, 7, TimeSpan.Zero);
        using var certificate = ProbeCertificates.SelfSigned("site.kp", DateTimeOffset.UtcNow.AddDays(-1), notAfter);
        await using var server = await TestServer.StartAsync(
            context => context.Response.WriteAsync("<title>secure</title>"), certificate);

        var result = await Prober().ProbeAsync(
            Target($"https://site.kp:{server.Port}/") with { Keyword = "secure" }, Scheduled, CancellationToken.None);

        Assert.True(result.Success, result.Detail);
        Assert.Equal(notAfter, result.TlsCertificateExpiry);
        var tls = Assert.NotNull(result.Tls);
        Assert.True(tls > TimeSpan.Zero);
        Assert.True(result.Resolve + result.Connect + tls <= result.FirstByte, $"{result.Resolve} + {result.Connect} + {tls} > {result.FirstByte}");
        Assert.True(result.FirstByte <= result.Total);
        Assert.Equal("site.kp", server.LastServerName); // SNI carries the URL host
        Assert.Equal($"site.kp:{server.Port}", Assert.Single(server.Requests).Host);
        Assert.Contains("certificate: RemoteCertificateChainErrors", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_certificate_is_accepted_by_default_and_rejected_when_asked_with_its_expiry_recorded_both_ways()
    {
        var notAfter = new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.Zero);
        using var certificate = ProbeCertificates.SelfSigned("site.kp", notAfter.AddYears(-1), notAfter);
        await using var server = await TestServer.StartAsync(context => context.Response.WriteAsync("old"), certificate);
        var target = Target($"https://site.kp:{server.Port}/");

        var accepted = await Prober().ProbeAsync(target, Scheduled, CancellationToken.None);
        var strict = await Prober(options: new ProbeOptions { AcceptInvalidCertificates = false })
            .ProbeAsync(target, Scheduled, CancellationToken.None);

        Assert.True(accepted.Success, accepted.Detail);
        Assert.Equal(notAfter, accepted.TlsCertificateExpiry);
        Assert.Equal(ProbeFailure.TlsError, strict.Failure);
        Assert.Equal(notAfter, strict.TlsCertificateExpiry);
        Assert.Contains("certificate rejected", strict.Detail, StringComparison.Ordinal);
        Assert.NotNull(strict.Tls);
        Assert.Null(strict.HttpStatus);
    }

    [Fact]
    public async Task Plain_http_on_the_https_port_is_a_tls_error()
    {
        await using var server = await Serve("plain");

        var result = await Prober().ProbeAsync(Target($"https://site.kp:{server.Port}/"), Scheduled, CancellationToken.None);

        Assert.Equal(ProbeFailure.TlsError, result.Failure);
        Assert.NotNull(result.Connect);
        Assert.NotNull(result.Tls);
        Assert.Null(result.TlsCertificateExpiry);
        Assert.StartsWith("TLS handshake failed", result.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "no response within 500 ms (waiting for the first byte)", false)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Ty", "response headers not complete within 500 ms", true)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789", "body not complete within 500 ms (10 bytes read)", true)]
    public async Task A_server_slower_than_the_targets_timeout_is_too_slow_and_the_detail_names_the_phase(
        string sentBeforeStalling, string detail, bool firstByteArrived)
    {
        await using var server = new StallingServer(sentBeforeStalling);
        var limit = TimeSpan.FromMilliseconds(500);

        var result = await Prober().ProbeAsync(
            Target($"http://site.kp:{server.Port}/") with { Timeout = limit }, Scheduled, CancellationToken.None);

        Assert.Equal(ProbeFailure.TooSlow, result.Failure);
        Assert.StartsWith(detail, result.Detail, StringComparison.Ordinal);
        Assert.NotNull(result.Connect);
        Assert.Equal(firstByteArrived, result.FirstByte is not null);
        Assert.True(result.Total >= limit - TimeSpan.FromMilliseconds(50), $"total {result.Total}");
        Assert.True(result.Total < TimeSpan.FromSeconds(5), $"total {result.Total}"); // not the 10 s default
    }

    [Fact]
    public async Task An_unknown_name_is_nxdomain_from_the_name_server()
    {
        using var dns = new TinyDnsServer([]);
        var resolver = LoopbackResolvers.Over(dns);

        var result = await Prober(resolver).ProbeAsync(Target("http://gone.kp/"), Scheduled, CancellationToken.None);

        AssertFailedUnconnected(result, ProbeFailure.DnsNxDomain, $"gone.kp: NXDOMAIN (from {dns.Endpoint})");
    }

    [Fact]
    public async Task A_silent_name_server_is_a_dns_timeout()
    {
        using var dns = new TinyDnsServer([], silent: true);
        var resolver = LoopbackResolvers.Impatient(dns);

        var result = await Prober(resolver).ProbeAsync(Target("http://quiet.kp/"), Scheduled, CancellationToken.None);

        Assert.Equal(ProbeFailure.DnsTimeout, result.Failure);
        Assert.NotNull(result.Resolve);
    }

    [Fact]
    public async Task A_resolver_that_never_answers_is_a_dns_timeout_at_the_probes_limit()
    {
        var result = await Prober(new HangingResolver()).ProbeAsync(
            Target("http://wedged.kp/") with { Timeout = TimeSpan.FromMilliseconds(300) }, Scheduled, CancellationToken.None);

        Assert.Equal(ProbeFailure.DnsTimeout, result.Failure);
        Assert.Equal("no DNS answer for wedged.kp within 300 ms", result.Detail);
    }

    [Fact]
    public async Task Other_resolver_errors_are_dns_errors()
    {
        var resolver = new ErrorResolver("SERVFAIL");

        var result = await Prober(resolver).ProbeAsync(Target("http://broken.kp/"), Scheduled, CancellationToken.None);

        Assert.Equal(ProbeFailure.DnsError, result.Failure);
        Assert.StartsWith("broken.kp: SERVFAIL", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancelled_probe_is_a_result_not_an_exception()
    {
        await using var server = new StallingServer("");
        using var cts = new CancellationTokenSource();
        var probe = Prober().ProbeAsync(Target($"http://site.kp:{server.Port}/"), Scheduled, cts.Token);
        await cts.CancelAsync();

        var result = await probe;

        Assert.Equal(ProbeFailure.Other, result.Failure);
        Assert.StartsWith("probe cancelled", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unsupported_url_is_a_failed_probe()
    {
        var resolver = new StubResolver(new() { ["site.kp"] = [IPAddress.Loopback] });

        var result = await Prober(resolver).ProbeAsync(Target("ftp://site.kp/"), Scheduled, CancellationToken.None);

        Assert.Equal(ProbeFailure.Other, result.Failure);
        Assert.Equal(0, resolver.Lookups);
        Assert.StartsWith("unsupported URL", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redirect_to_https_is_followed_and_the_final_hops_status_and_certificate_are_recorded()
    {
        var notAfter = new DateTimeOffset(2030, 7, 8, 9, 10, 11, TimeSpan.Zero);
        using var certificate = ProbeCertificates.SelfSigned("secure.kp", DateTimeOffset.UtcNow.AddDays(-1), notAfter);
        await using var secure = await TestServer.StartAsync(context => context.Response.WriteAsync("<title>Juche</title>"), certificate);
        await using var plain = await TestServer.RedirectingAsync(301, context => $"https://secure.kp:{secure.Port}/home");
        var resolver = new StubResolver(new() { ["site.kp"] = [IPAddress.Loopback], ["secure.kp"] = [IPAddress.Loopback] });

        var result = await Prober(resolver).ProbeAsync(
            Target($"http://site.kp:{plain.Port}/") with { Keyword = "Juche" }, Scheduled, CancellationToken.None);

        Assert.True(result.Success, result.Detail);
        Assert.Equal(200, result.HttpStatus);
        Assert.Equal(notAfter, result.TlsCertificateExpiry);
        Assert.NotNull(result.Tls);
        Assert.Equal(2, resolver.Lookups);
        Assert.True(result.Resolve + result.Connect + result.Tls <= result.FirstByte, $"{result.Resolve} + {result.Connect} + {result.Tls} > {result.FirstByte}");
        Assert.Contains($"after a redirect to https://secure.kp:{secure.Port}/home", result.Detail, StringComparison.Ordinal);
        Assert.Single(plain.Requests);
        var seen = Assert.Single(secure.Requests);
        Assert.Equal(("/home", $"secure.kp:{secure.Port}"), (seen.PathAndQuery, seen.Host));
    }

    [Fact]
    public async Task A_redirect_to_a_refused_address_is_refused_before_connecting_there()
    {
        // inside.kp resolves to 10.0.0.5; a connect-to rule would take it to a loopback server, should the guard let it.
        await using var inside = await Serve("never");
        await using var site = await TestServer.RedirectingAsync(302, context => "http://inside.kp/admin");
        var resolver = new StubResolver(new() { ["site.kp"] = [IPAddress.Loopback], ["inside.kp"] = [IPAddress.Parse("10.0.0.5")] });
        var options = new ProbeOptions { ConnectTo = [$"inside.kp::127.0.0.1:{inside.Port}"] };

        var result = await Prober(resolver, options).ProbeAsync(Target($"http://site.kp:{site.Port}/"), Scheduled, CancellationToken.None);

        Assert.Equal(ProbeFailure.Other, result.Failure);
        Assert.Contains("10.0.0.5 refused by the address guard", result.Detail, StringComparison.Ordinal);
        Assert.Contains("after a redirect to http://inside.kp/admin", result.Detail, StringComparison.Ordinal);
        Assert.Equal(0, inside.Connections);
    }

    [Fact]
    public async Task A_hop_that_fails_after_a_redirect_reports_its_own_failure_not_the_redirects_status()
    {
        var closedPort = TestServer.ClosedPort();
        await using var site = await TestServer.RedirectingAsync(301, context => $"http://site.kp:{closedPort}/");

        var result = await Prober().ProbeAsync(Target($"http://site.kp:{site.Port}/"), Scheduled, CancellationToken.None);

        Assert.Equal(ProbeFailure.ConnectionRefused, result.Failure);
        Assert.Null(result.HttpStatus);
        Assert.Null(result.FirstByte);
        Assert.Contains($"after a redirect to http://site.kp:{closedPort}/", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redirect_loop_fails_after_the_configured_number_of_hops()
    {
        await using var server = await TestServer.RedirectingAsync(307, context => "/again" + context.Request.Path.Value!.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var result = await Prober(options: new ProbeOptions { MaxRedirects = 3 }).ProbeAsync(
            Target($"http://site.kp:{server.Port}/"), Scheduled, CancellationToken.None);

        Assert.Equal(ProbeFailure.HttpStatus, result.Failure);
        Assert.Equal(307, result.HttpStatus);
        Assert.Contains("more than 3 redirects", result.Detail, StringComparison.Ordinal);
        Assert.Equal(4, server.Requests.Count);
        Assert.Equal(4, server.Connections); // a fresh connection per hop
    }

    [Fact]
    public async Task With_redirects_not_followed_a_3xx_is_judged_by_its_status()
    {
        await using var server = await TestServer.RedirectingAsync(302, context => "/elsewhere");

        var result = await Prober(options: new ProbeOptions { MaxRedirects = 0 }).ProbeAsync(
            Target($"http://site.kp:{server.Port}/"), Scheduled, CancellationToken.None);

        Assert.True(result.Success, result.Detail);
        Assert.Equal(302, result.HttpStatus);
        Assert.Single(server.Requests);
    }

    private sealed class ErrorResolver(string error) : IHostResolver
    {
        public ValueTask<ResolvedHost> ResolveAsync(string host, CancellationToken ct) =>
            ValueTask.FromResult(new ResolvedHost(host, [], error, TimeSpan.Zero, null));
    }
}
