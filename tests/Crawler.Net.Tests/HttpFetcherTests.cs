using System.IO.Compression;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Crawler.Net.Tests;

public sealed class HttpFetcherTests
{
    private static string Text(byte[]? bytes) => Encoding.Latin1.GetString(bytes ?? []);

    [Fact]
    public async Task A_200_response_captures_status_headers_body_and_the_exact_request_head()
    {
        await using var server = await TestServer.StartAsync(async context =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            context.Response.Headers["ETag"] = "\"v1\"";
            context.Response.Headers["Last-Modified"] = "Sun, 01 Mar 2026 10:00:00 GMT";
            context.Response.Headers["X-First"] = "one";
            context.Response.Headers["X-Second"] = "two";
            await context.Response.WriteAsync("<html>hello</html>");
        });
        using var fetcher = new HttpFetcher(Fixtures.Options(), Fixtures.LoopbackAllowed);

        var result = await fetcher.FetchAsync(Fixtures.Get($"http://127.0.0.1:{server.Port}/path?q=1"), CancellationToken.None);

        Assert.Null(result.Error);
        Assert.Equal(200, result.StatusCode);
        Assert.Equal("OK", result.ReasonPhrase);
        Assert.Equal("HTTP/1.1", result.HttpVersion);
        Assert.Equal("127.0.0.1", result.IpAddress);
        Assert.Equal("<html>hello</html>", Text(result.Body));
        Assert.False(result.Truncated);
        Assert.Equal("text/html; charset=utf-8", result.ContentType);
        Assert.Equal("\"v1\"", result.ETag);
        Assert.Equal("Sun, 01 Mar 2026 10:00:00 GMT", result.LastModified);
        Assert.NotNull(result.TimeToFirstByte);
        Assert.Equal(
            $"GET /path?q=1 HTTP/1.1\r\nHost: 127.0.0.1:{server.Port}\r\nUser-Agent: TestAgent/1.0\r\nAccept: */*\r\n"
            + "Accept-Encoding: gzip, deflate, br\r\nConnection: close\r\n\r\n",
            Text(result.RequestHeaderBlock));
        var head = Text(result.ResponseHeaderBlock);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", head, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n", head, StringComparison.Ordinal);
        Assert.Contains("\r\nETag: \"v1\"\r\n", head, StringComparison.Ordinal);
        Assert.True(
            head.IndexOf("X-First: one\r\n", StringComparison.Ordinal) < head.IndexOf("X-Second: two\r\n", StringComparison.Ordinal),
            "headers keep the order they were received in");
        Assert.Equal("TestAgent/1.0", Assert.Single(server.Requests).Headers["User-Agent"]);
    }

    [Fact]
    public async Task Redirects_are_returned_not_followed()
    {
        await using var server = await TestServer.RedirectingAsync(301, context => "/moved");
        using var fetcher = new HttpFetcher(Fixtures.Options(), Fixtures.LoopbackAllowed);

        var result = await fetcher.FetchAsync(Fixtures.Get($"http://127.0.0.1:{server.Port}/old"), CancellationToken.None);

        Assert.Equal(301, result.StatusCode);
        Assert.Equal("/moved", result.Location);
        Assert.Equal("/old", Assert.Single(server.Requests).PathAndQuery);
    }

    [Fact]
    public async Task Gzip_bodies_are_kept_as_received_and_decode_on_request()
    {
        var html = string.Concat(Enumerable.Repeat("<p>gzip me</p>", 200));
        var compressed = Gzip(Encoding.UTF8.GetBytes(html));
        await using var server = await TestServer.StartAsync(async context =>
        {
            context.Response.Headers.ContentEncoding = "gzip";
            context.Response.ContentType = "text/html";
            await context.Response.Body.WriteAsync(compressed);
        });
        using var fetcher = new HttpFetcher(Fixtures.Options(), Fixtures.LoopbackAllowed);

        var result = await fetcher.FetchAsync(Fixtures.Get($"http://127.0.0.1:{server.Port}/"), CancellationToken.None);

        Assert.Equal(compressed, result.Body);
        Assert.Equal("gzip", result.ContentEncoding);
        var decoded = HttpFetcher.Decode(result, 1024 * 1024, out var bomb);
        Assert.False(bomb);
        Assert.Equal(html, Encoding.UTF8.GetString(decoded));
    }

    [Fact]
    public async Task A_gzip_bomb_decodes_only_up_to_the_cap_with_modest_memory()
    {
        // 1 GiB of zeros as 1024 concatenated gzip members of 1 MiB each: about 1 MB on the wire.
        var member = Gzip(new byte[1024 * 1024]);
        await using var server = await TestServer.StartAsync(async context =>
        {
            context.Response.Headers.ContentEncoding = "gzip";
            for (var i = 0; i < 1024; i++)
            {
                await context.Response.Body.WriteAsync(member);
            }
        });
        using var fetcher = new HttpFetcher(Fixtures.Options(), Fixtures.LoopbackAllowed);
        var result = await fetcher.FetchAsync(Fixtures.Get($"http://127.0.0.1:{server.Port}/bomb"), CancellationToken.None);
        Assert.Null(result.Error);
        Assert.Equal(member.Length * 1024, result.Body.Length);
        const long cap = 8 * 1024 * 1024;

        var before = GC.GetAllocatedBytesForCurrentThread();
        var decoded = HttpFetcher.Decode(result, cap, out var bomb);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(bomb);
        Assert.Equal(cap, decoded.Length);
        Assert.True(allocated < 64L * 1024 * 1024, $"decoding allocated {allocated} bytes");
    }

    [Fact]
    public void Decode_undoes_chained_codings_and_handles_raw_deflate_and_brotli()
    {
        var plain = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("chained ", 100)));
        var chained = Brotli(Gzip(plain));
        var raw = RawDeflate(plain);
        var start = DateTimeOffset.UnixEpoch;

        var fromChain = HttpFetcher.Decode(new FetchResult { Url = new Uri("http://a.kp/"), StartedAt = start, Body = chained, ContentEncoding = "gzip, br" }, 1 << 20, out var bomb1);
        var fromRaw = HttpFetcher.Decode(new FetchResult { Url = new Uri("http://a.kp/"), StartedAt = start, Body = raw, ContentEncoding = "deflate" }, 1 << 20, out var bomb2);
        var capped = HttpFetcher.Decode(new FetchResult { Url = new Uri("http://a.kp/"), StartedAt = start, Body = raw, ContentEncoding = "deflate" }, 10, out var bomb3);

        Assert.Equal(plain, fromChain);
        Assert.Equal(plain, fromRaw);
        Assert.False(bomb1 || bomb2);
        Assert.True(bomb3);
        Assert.Equal(plain[..10], capped);
    }

    [Fact]
    public async Task Bodies_larger_than_the_cap_are_truncated_for_length()
    {
        var payload = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
        await using var server = await TestServer.StartAsync(context => context.Response.Body.WriteAsync(payload).AsTask());
        using var fetcher = new HttpFetcher(Fixtures.Options() with { MaxBodyBytes = 10_000 }, Fixtures.LoopbackAllowed);

        var result = await fetcher.FetchAsync(Fixtures.Get($"http://127.0.0.1:{server.Port}/big"), CancellationToken.None);

        Assert.Null(result.Error);
        Assert.True(result.Truncated);
        Assert.Equal("length", result.TruncatedReason);
        Assert.Equal(payload[..10_000], result.Body);
    }

    [Fact]
    public async Task A_body_exactly_at_the_cap_is_not_truncated()
    {
        var payload = new byte[10_000];
        await using var server = await TestServer.StartAsync(context => context.Response.Body.WriteAsync(payload).AsTask());
        using var fetcher = new HttpFetcher(Fixtures.Options() with { MaxBodyBytes = 10_000 }, Fixtures.LoopbackAllowed);

        var result = await fetcher.FetchAsync(Fixtures.Get($"http://127.0.0.1:{server.Port}/"), CancellationToken.None);

        Assert.False(result.Truncated);
        Assert.Equal(10_000, result.Body.Length);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_of_megabytes_arrives_whole_with_a_content_length_or_without(bool declared)
    {
        var payload = Enumerable.Range(0, (5 * 1024 * 1024) + 7).Select(i => (byte)(i * 31)).ToArray();
        await using var server = await TestServer.StartAsync(context =>
        {
            if (declared)
            {
                context.Response.ContentLength = payload.Length;
            }

            return context.Response.Body.WriteAsync(payload).AsTask();
        });
        using var fetcher = new HttpFetcher(Fixtures.Options() with { MaxBodyBytes = 8 * 1024 * 1024 }, Fixtures.LoopbackAllowed);

        var result = await fetcher.FetchAsync(Fixtures.Get($"http://127.0.0.1:{server.Port}/"), CancellationToken.None);

        Assert.False(result.Truncated);
        Assert.Equal(payload, result.Body);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_of_megabytes_past_the_cap_is_truncated_at_the_cap_with_a_content_length_or_without(bool declared)
    {
        var payload = Enumerable.Range(0, 3 * 1024 * 1024).Select(i => (byte)(i * 7)).ToArray();
        await using var server = await TestServer.StartAsync(context =>
        {
            if (declared)
            {
                context.Response.ContentLength = payload.Length;
            }

            return context.Response.Body.WriteAsync(payload).AsTask();
        });
        const int cap = (2 * 1024 * 1024) + 5;
        using var fetcher = new HttpFetcher(Fixtures.Options() with { MaxBodyBytes = cap }, Fixtures.LoopbackAllowed);

        var result = await fetcher.FetchAsync(Fixtures.Get($"http://127.0.0.1:{server.Port}/"), CancellationToken.None);

        Assert.Equal("length", result.TruncatedReason);
        Assert.Equal(payload[..cap], result.Body);
    }

    [Fact]
    public async Task A_response_that_never_finishes_ends_with_a_body_timeout_keeping_what_arrived()
    {
        await using var server = await TestServer.StartAsync(async context =>
        {
            await context.Response.WriteAsync("partial");
            await context.Response.Body.FlushAsync();
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        });
        using var fetcher = new HttpFetcher(Fixtures.Options() with { BodyTimeout = TimeSpan.FromMilliseconds(500) }, Fixtures.LoopbackAllowed);

        var result = await fetcher.FetchAsync(Fixtures.Get($"http://127.0.0.1:{server.Port}/slow"), CancellationToken.None);

        Assert.Equal(FetchErrorKind.BodyTimeout, result.Error);
        Assert.Equal(200, result.StatusCode);
        Assert.True(result.Truncated);
        Assert.Equal("time", result.TruncatedReason);
        Assert.Equal("partial", Text(result.Body));
    }

    [Fact]
    public async Task A_connection_closed_mid_body_keeps_what_arrived_as_truncated_by_disconnect()
    {
        // Kestrel resets aborted connections (dropping unread data), so a raw listener closes gracefully instead.
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serve = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var buffer = new byte[4096];
            var head = "";
            while (!head.Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                head += Encoding.Latin1.GetString(buffer, 0, await stream.ReadAsync(buffer));
            }

            await stream.WriteAsync(Encoding.Latin1.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nX-Raw: yes\r\n\r\nten bytes!"));
            client.Client.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            while (await stream.ReadAsync(buffer) > 0)
            {
            }
        });
        using var fetcher = new HttpFetcher(Fixtures.Options(), Fixtures.LoopbackAllowed);

        var result = await fetcher.FetchAsync(Fixtures.Get($"http://127.0.0.1:{port}/"), CancellationToken.None);
        await serve;

        Assert.True(result.StatusCode == 200, $"{result.Error}: {result.ErrorDetail}");
        Assert.Equal(FetchErrorKind.ProtocolError, result.Error);
        Assert.True(result.Truncated);
        Assert.Equal("disconnect", result.TruncatedReason);
        Assert.Equal("ten bytes!", Text(result.Body));
        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nX-Raw: yes\r\n\r\n", Text(result.ResponseHeaderBlock));
    }

    [Fact]
    public async Task A_response_head_that_never_arrives_ends_with_a_headers_timeout()
    {
        await using var server = await TestServer.StartAsync(context =>
            Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default));
        // 2 s, not less: the first connection of a cold test process on a busy 2-core machine has taken ~0.8 s to open,
        // and a time-out during connect is (rightly) reported as a connect time-out.
        using var fetcher = new HttpFetcher(Fixtures.Options() with { HeadersTimeout = TimeSpan.FromSeconds(2) }, Fixtures.LoopbackAllowed);

        var result = await fetcher.FetchAsync(Fixtures.Get($"http://127.0.0.1:{server.Port}/"), CancellationToken.None);

        Assert.True(FetchErrorKind.HeadersTimeout == result.Error, result.ErrorDetail);
        Assert.Null(result.StatusCode);
        Assert.StartsWith("GET / HTTP/1.1\r\n", Text(result.RequestHeaderBlock), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_reported_as_cancelled()
    {
        await using var server = await TestServer.StartAsync(context =>
            Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default));
        using var fetcher = new HttpFetcher(Fixtures.Options(), Fixtures.LoopbackAllowed);
        using var cts = new CancellationTokenSource();

        var fetch = fetcher.FetchAsync(Fixtures.Get($"http://127.0.0.1:{server.Port}/"), cts.Token);
        while (server.Requests.IsEmpty)
        {
            await Task.Yield();
        }

        await cts.CancelAsync();
        var result = await fetch;

        Assert.Equal(FetchErrorKind.Cancelled, result.Error);
    }

    [Fact]
    public async Task A_closed_port_is_connect_refused()
    {
        var port = TestServer.ClosedPort();
        using var fetcher = new HttpFetcher(Fixtures.Options(), Fixtures.LoopbackAllowed);

        var result = await fetcher.FetchAsync(Fixtures.Get($"http://127.0.0.1:{port}/"), CancellationToken.None);

        Assert.Equal(FetchErrorKind.ConnectRefused, result.Error);
        Assert.Null(result.StatusCode);
        Assert.Empty(result.RequestHeaderBlock);
    }

    [Fact]
    public async Task Connect_to_rule_sends_port_80_to_the_test_server_with_the_original_host_header()
    {
        await using var server = await TestServer.StartAsync(context => context.Response.WriteAsync("mapped"));
        using var fetcher = new HttpFetcher(Fixtures.Options() with { ConnectTo = [$":80::{server.Port}"] }, Fixtures.LoopbackAllowed);

        var result = await fetcher.FetchAsync(Fixtures.Get("http://example.test/"), CancellationToken.None);

        Assert.Null(result.Error);
        Assert.Equal("mapped", Text(result.Body));
        Assert.Equal("example.test", Assert.Single(server.Requests).Host);
        Assert.Contains("\r\nHost: example.test\r\n", Text(result.RequestHeaderBlock), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pinned_address_the_guard_refuses_is_never_connected_to()
    {
        await using var server = await TestServer.StartAsync(context => context.Response.WriteAsync("should not be reached"));
        using var fetcher = new HttpFetcher(Fixtures.Options(), new AddressGuard(new AddressGuardOptions()));

        var result = await fetcher.FetchAsync(Fixtures.Get($"http://127.0.0.1:{server.Port}/"), CancellationToken.None);

        Assert.Equal(FetchErrorKind.AddressRefused, result.Error);
        Assert.Contains("loopback", result.ErrorDetail, StringComparison.Ordinal);
        Assert.Equal(0, server.Connections);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task A_refused_address_stays_refused_when_a_connect_to_rule_would_route_it_to_an_allowed_server()
    {
        await using var server = await TestServer.StartAsync(context => context.Response.WriteAsync("should not be reached"));
        var guard = new AddressGuard(new AddressGuardOptions { Allow = ["127.0.0.1/32"], AllowPublic = true });
        using var fetcher = new HttpFetcher(Fixtures.Options() with { ConnectTo = [$"::127.0.0.1:{server.Port}"] }, guard);

        var result = await fetcher.FetchAsync(Fixtures.Get("http://intranet.example.test/", IPAddress.Parse("10.0.0.5")), CancellationToken.None);

        Assert.Equal(FetchErrorKind.AddressRefused, result.Error);
        Assert.Contains("private (10.0.0.0/8)", result.ErrorDetail, StringComparison.Ordinal);
        Assert.Equal("10.0.0.5", result.IpAddress);
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task The_guard_judges_the_resolved_address_and_connect_to_rules_route_it_afterwards()
    {
        await using var server = await TestServer.StartAsync(context => context.Response.WriteAsync("routed"));
        var guard = new AddressGuard(new AddressGuardOptions { AllowPublic = true });
        using var fetcher = new HttpFetcher(Fixtures.Options() with { ConnectTo = [$"example.test:80:127.0.0.1:{server.Port}"] }, guard);

        var result = await fetcher.FetchAsync(Fixtures.Get("http://example.test/", IPAddress.Parse("175.45.176.71")), CancellationToken.None);

        Assert.Null(result.Error);
        Assert.Equal(200, result.StatusCode);
        Assert.Equal("175.45.176.71", result.IpAddress);
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task Self_signed_certificates_are_refused_by_default_with_the_problem_recorded()
    {
        using var certificate = TestServer.SelfSignedCertificate("example.test");
        await using var server = await TestServer.StartAsync(context => context.Response.WriteAsync("secret"), certificate);
        using var fetcher = new HttpFetcher(Fixtures.Options(), Fixtures.LoopbackAllowed);

        var result = await fetcher.FetchAsync(Fixtures.Get($"https://example.test:{server.Port}/"), CancellationToken.None);

        Assert.Equal(FetchErrorKind.TlsFailure, result.Error);
        Assert.Contains("RemoteCertificateChainErrors", result.TlsCertificateProblem, StringComparison.Ordinal);
        Assert.DoesNotContain("NameMismatch", result.TlsCertificateProblem, StringComparison.Ordinal);
        Assert.Empty(result.Body);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Self_signed_certificates_are_accepted_when_configured_and_sni_carries_the_url_host()
    {
        using var certificate = TestServer.SelfSignedCertificate("example.test");
        await using var server = await TestServer.StartAsync(context => context.Response.WriteAsync("secret"), certificate);
        using var fetcher = new HttpFetcher(Fixtures.Options() with { AcceptInvalidCertificates = true }, Fixtures.LoopbackAllowed);

        var result = await fetcher.FetchAsync(Fixtures.Get($"https://example.test:{server.Port}/"), CancellationToken.None);

        Assert.Null(result.Error);
        Assert.Equal("secret", Text(result.Body));
        Assert.Equal("example.test", server.LastServerName);
        Assert.Equal($"example.test:{server.Port}", Assert.Single(server.Requests).Host);
        Assert.Contains("RemoteCertificateChainErrors", result.TlsCertificateProblem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_for_another_name_is_recorded_as_a_name_mismatch()
    {
        using var certificate = TestServer.SelfSignedCertificate("other.test");
        await using var server = await TestServer.StartAsync(context => context.Response.WriteAsync("secret"), certificate);
        using var fetcher = new HttpFetcher(Fixtures.Options() with { AcceptInvalidCertificates = true }, Fixtures.LoopbackAllowed);

        var result = await fetcher.FetchAsync(Fixtures.Get($"https://example.test:{server.Port}/"), CancellationToken.None);

        Assert.Null(result.Error);
        Assert.Contains("RemoteCertificateNameMismatch", result.TlsCertificateProblem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retry_after_seconds_are_parsed_from_the_response()
    {
        await using var server = await TestServer.StartAsync(context =>
        {
            context.Response.StatusCode = 503;
            context.Response.Headers.RetryAfter = "120";
            return Task.CompletedTask;
        });
        using var fetcher = new HttpFetcher(Fixtures.Options(), Fixtures.LoopbackAllowed);

        var result = await fetcher.FetchAsync(Fixtures.Get($"http://127.0.0.1:{server.Port}/"), CancellationToken.None);

        Assert.Equal(503, result.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(120), result.RetryAfter);
    }

    [Fact]
    public async Task Conditional_get_headers_are_sent()
    {
        await using var server = await TestServer.StartAsync(context =>
        {
            context.Response.StatusCode = context.Request.Headers.IfNoneMatch == "\"v1\"" ? 304 : 200;
            return Task.CompletedTask;
        });
        using var fetcher = new HttpFetcher(Fixtures.Options(), Fixtures.LoopbackAllowed);
        var request = Fixtures.Get($"http://127.0.0.1:{server.Port}/") with
        {
            IfNoneMatch = "\"v1\"",
            IfModifiedSince = "Sun, 01 Mar 2026 10:00:00 GMT",
        };

        var result = await fetcher.FetchAsync(request, CancellationToken.None);

        Assert.Equal(304, result.StatusCode);
        var seen = Assert.Single(server.Requests);
        Assert.Equal("Sun, 01 Mar 2026 10:00:00 GMT", seen.Headers["If-Modified-Since"]);
        Assert.Contains("\r\nIf-None-Match: \"v1\"\r\n", Text(result.RequestHeaderBlock), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Concurrent_fetches_each_record_their_own_request_and_response(bool keepAlive)
    {
        await using var server = await TestServer.StartAsync(context =>
        {
            context.Response.Headers["X-Path"] = context.Request.Path.Value;
            return context.Response.WriteAsync(context.Request.Path.Value!);
        });
        using var fetcher = new HttpFetcher(Fixtures.Options() with { KeepAlive = keepAlive }, Fixtures.LoopbackAllowed);

        var results = await Task.WhenAll(Enumerable.Range(0, 300).Select(i =>
            fetcher.FetchAsync(Fixtures.Get($"http://127.0.0.1:{server.Port}/p{i}"), CancellationToken.None)));

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Null(results[i].Error);
            Assert.Equal($"/p{i}", Text(results[i].Body));
            Assert.StartsWith($"GET /p{i} HTTP/1.1\r\n", Text(results[i].RequestHeaderBlock), StringComparison.Ordinal);
            Assert.Contains($"\r\nX-Path: /p{i}\r\n", Text(results[i].ResponseHeaderBlock), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(false, 5)]
    [InlineData(true, 1)]
    public async Task Keep_alive_decides_whether_sequential_fetches_share_a_connection(bool keepAlive, int connections)
    {
        await using var server = await TestServer.StartAsync(context => context.Response.WriteAsync("x"));
        using var fetcher = new HttpFetcher(Fixtures.Options() with { KeepAlive = keepAlive }, Fixtures.LoopbackAllowed);

        for (var i = 0; i < 5; i++)
        {
            var result = await fetcher.FetchAsync(Fixtures.Get($"http://127.0.0.1:{server.Port}/{i}"), CancellationToken.None);
            Assert.Null(result.Error);
            Assert.Equal(keepAlive, !Text(result.RequestHeaderBlock).Contains("Connection: close", StringComparison.Ordinal));
        }

        Assert.Equal(connections, server.Connections);
    }

    [Fact]
    public async Task Urls_that_are_not_http_are_an_error_result()
    {
        using var fetcher = new HttpFetcher(Fixtures.Options(), Fixtures.LoopbackAllowed);

        var result = await fetcher.FetchAsync(Fixtures.Get("ftp://example.test/file"), CancellationToken.None);

        Assert.Equal(FetchErrorKind.Other, result.Error);
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private static byte[] Brotli(byte[] data)
    {
        using var output = new MemoryStream();
        using (var brotli = new BrotliStream(output, CompressionLevel.Fastest))
        {
            brotli.Write(data);
        }

        return output.ToArray();
    }

    private static byte[] RawDeflate(byte[] data)
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Fastest))
        {
            deflate.Write(data);
        }

        return output.ToArray();
    }
}
