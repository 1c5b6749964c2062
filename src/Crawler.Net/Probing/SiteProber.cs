// Hand-written orchestration: no library probes a URL phase by phase through the crawler's own resolver and
// address guard with a separate time for each phase (as blackbox_exporter's http prober does). The HTTP
// exchange itself is SocketsHttpHandler's: it is handed the connection this class opened (and, for https,
// authenticated), and parses the response (Content-Length, chunked) as usual.
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using Crawler.Core.Uptime;
using static Crawler.Net.Probing.ProbeSteps;

namespace Crawler.Net.Probing;

/// <summary>
/// Probes one site's URL the way an uptime monitor does: resolve (through <see cref="IHostResolver"/>, never
/// the system resolver), check the address with the <see cref="AddressGuard"/>, TCP connect (after connect-to
/// rules), TLS for https, one HTTP/1.1 GET on that fresh connection, body check. Each phase is timed; every
/// failure is a <see cref="ProbeResult"/>, never an exception. Thread-safe: a probe shares no connection or
/// state with another.
/// </summary>
/// <remarks>
/// Timings: <see cref="ProbeResult.Resolve"/>, <see cref="ProbeResult.Connect"/> and <see cref="ProbeResult.Tls"/>
/// are the durations of their own phases; <see cref="ProbeResult.FirstByte"/> is from the probe's start to the
/// first response byte (curl's time_starttransfer) and <see cref="ProbeResult.Total"/> from the start to the last
/// body byte read. So Resolve + Connect + Tls ≤ FirstByte ≤ Total. Redirects are followed up to
/// <see cref="ProbeOptions.MaxRedirects"/> hops, each on a fresh connection through the resolver and the guard;
/// then Resolve, Connect and Tls are sums over the hops (as blackbox_exporter sums its phases), FirstByte is the
/// final response's, the status, address and certificate are the last hop's. The time limit (for all hops
/// together) runs on the given <see cref="TimeProvider"/>.
/// </remarks>
public sealed class SiteProber
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);
    private const int ReadChunk = 16 * 1024;

    private readonly ProbeOptions _options;
    private readonly IHostResolver _resolver;
    private readonly AddressGuard _guard;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<ConnectToRule> _connectTo;

    /// <exception cref="FormatException">A connect-to rule is malformed.</exception>
    public SiteProber(ProbeOptions options, IHostResolver resolver, AddressGuard guard, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(guard);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Timeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxBodyBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRedirects);
        _options = options;
        _resolver = resolver;
        _guard = guard;
        _time = timeProvider;
        _connectTo = ConnectToRule.ParseAll(options.ConnectTo);
    }

    /// <summary>The rules parsed from <see cref="ProbeOptions.ConnectTo"/>.</summary>
    public IReadOnlyList<ConnectToRule> ConnectToRules => _connectTo;

    /// <summary>Probes <paramref name="target"/>; the result's <c>At</c> is <paramref name="scheduledAt"/>.
    /// Cancellation by <paramref name="ct"/> also comes back as a result (<see cref="ProbeFailure.Other"/>).</summary>
    public async Task<ProbeResult> ProbeAsync(ProbeTarget target, DateTimeOffset scheduledAt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        var limit = target.Timeout is { } own && own > TimeSpan.Zero ? own : _options.Timeout;
        using var run = new SiteRun(target, scheduledAt, limit, _time, ct);
        return await RunAsync(run, () => ProbeCoreAsync(run), ProbeFailure.TooSlow).ConfigureAwait(false);
    }

    private async Task<ProbeResult> ProbeCoreAsync(SiteRun run)
    {
        var url = run.Target.Url;
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            return run.Fail(ProbeFailure.Other, $"unsupported URL '{url}'");
        }

        Regex? pattern = null;
        if (!string.IsNullOrEmpty(run.Target.Regex))
        {
            try
            {
                pattern = new Regex(run.Target.Regex, RegexOptions.CultureInvariant, RegexTimeout);
            }
            catch (ArgumentException ex)
            {
                return run.Fail(ProbeFailure.Other, $"invalid regex: {ex.Message}");
            }
        }

        for (var hop = 0; ; hop++)
        {
            var (result, next) = await HopAsync(run, url, pattern, follow: hop < _options.MaxRedirects).ConfigureAwait(false);
            if (result is not null)
            {
                return result;
            }

            if (next!.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps)
            {
                return run.Fail(ProbeFailure.Other, $"redirected to unsupported URL '{next}'");
            }

            run.Redirects.Add(next);
            url = next;
        }
    }

    /// <summary>One request on a fresh connection: the probe's result, or the URL a followed redirect leads to.</summary>
    private async Task<(ProbeResult? Result, Uri? Next)> HopAsync(SiteRun run, Uri url, Regex? pattern, bool follow)
    {
        var host = BareHost(url);
        // An earlier hop's status, first byte and certificate problem are not this one's.
        (run.HttpStatus, run.FirstByteAt, run.CertificateProblem) = (null, null, null);

        // Resolve.
        var resolved = await ResolveAsync(run, _resolver, host, $"no DNS answer for {host}").ConfigureAwait(false);
        if (resolved is null)
        {
            return (run.Result!, null);
        }

        // Guard: the address DNS answered, before connect-to rules (which are the operator's own routing).
        var address = Admit(run, _guard, resolved, "no address");
        if (address is null)
        {
            return (run.Result!, null);
        }

        run.Address = address;
        var endPoint = ConnectToRule.Apply(_connectTo, host, url.Port, address);

        // Connect.
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream connection;
        var started = _time.GetTimestamp();
        try
        {
            await socket.ConnectAsync(endPoint, run.Token).ConfigureAwait(false);
            run.Connect = (run.Connect ?? TimeSpan.Zero) + _time.GetElapsedTime(started);
            connection = new NetworkStream(socket, ownsSocket: true);
        }
        catch (Exception ex) when (!run.CallerCancelled)
        {
            socket.Dispose();
            var where = Format(endPoint);
            return (run.TimedOut
                ? run.Fail(ProbeFailure.ConnectTimeout, $"connect to {where} not established within {Ms(run.Limit)}")
                : ex is SocketException { SocketErrorCode: SocketError.ConnectionRefused }
                    ? run.Fail(ProbeFailure.ConnectionRefused, $"connection to {where} refused")
                    : ex is SocketException { SocketErrorCode: SocketError.TimedOut }
                        ? run.Fail(ProbeFailure.ConnectTimeout, $"connect to {where} timed out")
                        : run.Fail(ProbeFailure.Other, $"connect to {where} failed: {Describe(ex)}"), null);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        try
        {
            // TLS.
            if (url.Scheme == Uri.UriSchemeHttps)
            {
                var ssl = new SslStream(connection, leaveInnerStreamOpen: false);
                connection = ssl;
                started = _time.GetTimestamp();
                try
                {
                    await ssl.AuthenticateAsClientAsync(TlsOptions(host, run), run.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (!run.CallerCancelled)
                {
                    run.Tls = (run.Tls ?? TimeSpan.Zero) + _time.GetElapsedTime(started);
                    return (run.TimedOut
                        ? run.Fail(ProbeFailure.TooSlow, $"TLS handshake not finished within {Ms(run.Limit)}")
                        : run.Fail(ProbeFailure.TlsError, run.CertificateProblem is { } problem && !_options.AcceptInvalidCertificates
                            ? $"TLS handshake failed: certificate rejected: {problem}"
                            : $"TLS handshake failed: {Describe(ex)}"), null);
                }

                run.Tls = (run.Tls ?? TimeSpan.Zero) + _time.GetElapsedTime(started);
            }

            return await ExchangeAsync(run, url, connection, pattern, follow).ConfigureAwait(false);
        }
        finally
        {
            // The outermost stream (TLS over TCP when https) owns and closes the socket.
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<(ProbeResult? Result, Uri? Next)> ExchangeAsync(SiteRun run, Uri url, Stream connection, Regex? pattern, bool follow)
    {
        var timed = new FirstByteStream(connection, _time);
        var handed = 0;
        using var handler = new SocketsHttpHandler
        {
            // The one connection this probe opened; a second would mean the handler wants to retry elsewhere.
            ConnectCallback = (_, _) => Interlocked.Exchange(ref handed, 1) == 0
                ? ValueTask.FromResult<Stream>(timed)
                : ValueTask.FromException<Stream>(new IOException("the probe's connection is already used")),
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
            PreAuthenticate = false,
            ActivityHeadersPropagator = null,
        };
        using var invoker = new HttpMessageInvoker(handler, disposeHandler: false);

        // The handler sees an http:// URI, so it does no TLS of its own over the already authenticated stream.
        var plain = new UriBuilder(url) { Scheme = Uri.UriSchemeHttp, Port = url.Port }.Uri;
        using var request = new HttpRequestMessage(HttpMethod.Get, plain)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Host = url.IsDefaultPort ? url.IdnHost : $"{url.IdnHost}:{url.Port.ToString(CultureInfo.InvariantCulture)}";
        request.Headers.TryAddWithoutValidation("User-Agent", _options.UserAgent);
        request.Headers.TryAddWithoutValidation("Accept", "*/*");
        request.Headers.ConnectionClose = true;

        HttpResponseMessage response;
        try
        {
            response = await invoker.SendAsync(request, run.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!run.CallerCancelled)
        {
            run.FirstByteAt = timed.FirstByteAt;
            return (run.TimedOut
                ? run.Fail(ProbeFailure.TooSlow, timed.FirstByteAt is null
                    ? $"no response within {Ms(run.Limit)} (waiting for the first byte)"
                    : $"response headers not complete within {Ms(run.Limit)}")
                : run.Fail(ProbeFailure.Other, $"HTTP exchange failed: {Describe(ex)}"), null);
        }

        using (response)
        {
            run.FirstByteAt = timed.FirstByteAt ?? _time.GetTimestamp();
            var status = (int)response.StatusCode;
            run.HttpStatus = status;
            if (IsRedirect(status) && response.Headers.Location is { } location && _options.MaxRedirects > 0)
            {
                var next = new Uri(url, location);
                return follow
                    ? (null, next)
                    : (run.Fail(ProbeFailure.HttpStatus, $"status {status}: more than {_options.MaxRedirects} redirects (the last to {next})"), null);
            }

            if (!Accepts(run.Target.ExpectedStatus, status))
            {
                return (run.Fail(ProbeFailure.HttpStatus, $"status {status} not in {Expected(run.Target.ExpectedStatus)}"), null);
            }

            using var body = new MemoryStream();
            try
            {
                await ReadBodyAsync(response, body, _options.MaxBodyBytes, run.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (!run.CallerCancelled)
            {
                var read = body.Length.ToString(CultureInfo.InvariantCulture);
                return (run.TimedOut
                    ? run.Fail(ProbeFailure.TooSlow, $"body not complete within {Ms(run.Limit)} ({read} bytes read)")
                    : run.Fail(ProbeFailure.Other, $"reading the body failed after {read} bytes: {Describe(ex)}"), null);
            }

            run.Total = _time.GetElapsedTime(run.Started);
            return (Check(run, response, body, pattern), null);
        }
    }

    private ProbeResult Check(SiteRun run, HttpResponseMessage response, MemoryStream body, Regex? pattern)
    {
        var keyword = run.Target.Keyword;
        if (string.IsNullOrEmpty(keyword) && pattern is null)
        {
            return run.Succeed();
        }

        var text = BodyText(response, body);
        if (!string.IsNullOrEmpty(keyword) && !text.Contains(keyword, StringComparison.Ordinal))
        {
            return run.Fail(ProbeFailure.BodyCheckFailed, $"keyword '{keyword}' not found in {Bytes(body)}");
        }

        if (pattern is not null)
        {
            try
            {
                if (!pattern.IsMatch(text))
                {
                    return run.Fail(ProbeFailure.BodyCheckFailed, $"regex '{pattern}' does not match {Bytes(body)}");
                }
            }
            catch (RegexMatchTimeoutException)
            {
                return run.Fail(ProbeFailure.Other, $"regex '{pattern}' took longer than {Ms(RegexTimeout)}");
            }
        }

        return run.Succeed();
    }

    private string BodyText(HttpResponseMessage response, MemoryStream body)
    {
        var bytes = body.GetBuffer().AsSpan(0, (int)body.Length);
        var coding = response.Content.Headers.ContentEncoding;
        byte[] decoded = coding.Count == 0
            ? bytes.ToArray()
            : ContentDecoder.Decode(bytes, string.Join(", ", coding), _options.MaxBodyBytes, out _);
        return EncodingOf(response.Content.Headers.ContentType?.CharSet).GetString(decoded);
    }

    private static Encoding EncodingOf(string? charset)
    {
        var name = charset?.Trim().Trim('"');
        if (string.IsNullOrEmpty(name))
        {
            return Encoding.UTF8;
        }

        try
        {
            return Encoding.GetEncoding(name);
        }
        catch (ArgumentException)
        {
            // EUC-KR and other legacy code pages live in the code-pages provider, asked without registering it globally.
            return CodePagesEncodingProvider.Instance.GetEncoding(name) ?? Encoding.UTF8;
        }
    }

    private static async Task ReadBodyAsync(HttpResponseMessage response, MemoryStream body, int max, CancellationToken ct)
    {
        var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[Math.Min(ReadChunk, Math.Max(1, max))];
            while (body.Length < max)
            {
                var want = (int)Math.Min(buffer.Length, max - body.Length);
                var read = await stream.ReadAsync(buffer.AsMemory(0, want), ct).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                body.Write(buffer, 0, read);
            }
        }
    }

    private SslClientAuthenticationOptions TlsOptions(string host, SiteRun run) => new()
    {
        TargetHost = host,
        ApplicationProtocols = [SslApplicationProtocol.Http11],
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        // No AIA/CRL downloads: the probe talks to the one address the guard admitted and nothing else.
        CertificateChainPolicy = new X509ChainPolicy
        {
            DisableCertificateDownloads = true,
            RevocationMode = X509RevocationMode.NoCheck,
        },
        RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
        {
            if (certificate is not null)
            {
                run.CertificateExpiry = NotAfter(certificate);
            }

            if (errors != SslPolicyErrors.None)
            {
                run.CertificateProblem = HttpFetcher.DescribeCertificateProblem(errors, chain);
            }

            return errors == SslPolicyErrors.None || _options.AcceptInvalidCertificates;
        },
    };

    private static DateTimeOffset NotAfter(X509Certificate certificate)
    {
        if (certificate is X509Certificate2 full)
        {
            return new DateTimeOffset(full.NotAfter.ToUniversalTime());
        }

        using var loaded = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return new DateTimeOffset(loaded.NotAfter.ToUniversalTime());
    }

    private static bool IsRedirect(int status) => status is 301 or 302 or 303 or 307 or 308;

    private static bool Accepts(int[]? expected, int status) =>
        expected is { Length: > 0 } ? Array.IndexOf(expected, status) >= 0 : status is >= 200 and <= 399;

    private static string Expected(int[]? expected) =>
        expected is { Length: > 0 } ? "[" + string.Join(", ", expected.Select(s => s.ToString(CultureInfo.InvariantCulture))) + "]" : "200-399";

    private static string Bytes(MemoryStream body) => body.Length.ToString(CultureInfo.InvariantCulture) + " body bytes";

    private static string BareHost(Uri url)
    {
        var host = url.IdnHost;
        return host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
    }

    /// <summary>What one HTTP probe has measured so far, beyond what every probe measures.</summary>
    private sealed class SiteRun(ProbeTarget target, DateTimeOffset at, TimeSpan limit, TimeProvider time, CancellationToken caller)
        : ProbeRun(target.Site, at, limit, time, caller)
    {
        public ProbeTarget Target { get; } = target;

        public TimeSpan? Connect { get; set; }

        public TimeSpan? Tls { get; set; }

        public long? FirstByteAt { get; set; }

        public int? HttpStatus { get; set; }

        public IPAddress? Address { get; set; }

        public DateTimeOffset? CertificateExpiry { get; set; }

        public string? CertificateProblem { get; set; }

        /// <summary>The URLs followed redirects led to, in order.</summary>
        public List<Uri> Redirects { get; } = [];

        public ProbeResult Succeed() => Succeed(null);

        /// <summary>The address and the certificate's problem, when known, follow the step's detail.</summary>
        protected override ProbeResult Build(ProbeFailure failure, string? detail) =>
            base.Build(failure, WithContext(detail)) with
            {
                Connect = Connect,
                Tls = Tls,
                FirstByte = FirstByteAt is { } first ? Time.GetElapsedTime(Started, first) : null,
                HttpStatus = HttpStatus,
                TlsCertificateExpiry = CertificateExpiry,
            };

        private string? WithContext(string? detail)
        {
            var parts = new List<string>(4);
            if (detail is not null)
            {
                parts.Add(detail);
            }

            if (Redirects.Count > 0)
            {
                parts.Add(Redirects.Count == 1 ? $"after a redirect to {Redirects[0]}" : $"after {Redirects.Count} redirects, the last to {Redirects[^1]}");
            }

            if (Address is not null)
            {
                parts.Add($"address {Address}");
            }

            if (CertificateProblem is not null)
            {
                parts.Add($"certificate: {CertificateProblem}");
            }

            return parts.Count == 0 ? null : string.Join("; ", parts);
        }
    }
}
