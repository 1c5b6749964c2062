using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Crawler.Net;

/// <summary>
/// Fetches one URL over a connection to exactly the address the caller pinned. One shared
/// <see cref="SocketsHttpHandler"/> (HTTP/1.1 only, no redirects, no decompression, no cookies, no proxy);
/// thread-safe; never throws for network or protocol failures — they come back as <see cref="FetchResult.Error"/>.
/// </summary>
/// <remarks>
/// The pinned address (after connect-to rules) is written into the request URI's authority while the Host header
/// (and so the TLS server name) keeps the URL's host. The handler's connection pool is keyed by that authority, so
/// a pooled or concurrently opened connection can never carry a request to a different address than pinned. The
/// connect callback accepts only IP literals and applies the <see cref="AddressGuard"/> again before connecting.
/// The guard judges the address DNS answered (the request's pinned address before connect-to rules).
/// </remarks>
public sealed class HttpFetcher : IDisposable
{
    /// <summary>The address DNS answered for a request (before connect-to rules): what the guard judges.</summary>
    private static readonly HttpRequestOptionsKey<IPAddress> ResolvedAddressKey = new("Crawler.Net.ResolvedAddress");

    private readonly FetcherOptions _options;
    private readonly AddressGuard _guard;
    private readonly IReadOnlyList<ConnectToRule> _connectTo;
    private readonly SocketsHttpHandler _handler;
    private readonly HttpMessageInvoker _invoker;
    private readonly ConditionalWeakTable<SslStream, string> _tlsProblems = new();

    public HttpFetcher(FetcherOptions options, AddressGuard guard)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(guard);
        _options = options;
        _guard = guard;
        _connectTo = ConnectToRule.ParseAll(options.ConnectTo);
        _handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
            PreAuthenticate = false,
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ActivityHeadersPropagator = null, // send no traceparent or similar headers
            ConnectCallback = ConnectAsync,
            PlaintextStreamFilter = WrapConnection,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = ValidateCertificate,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                // No AIA/CRL downloads: every connection we make goes through the guard and the pinned address.
                CertificateChainPolicy = new X509ChainPolicy
                {
                    DisableCertificateDownloads = true,
                    RevocationMode = X509RevocationMode.NoCheck,
                },
            },
        };
        _invoker = new HttpMessageInvoker(_handler, disposeHandler: true);
    }

    /// <summary>The guard every fetch passes (sites ask it before they spend a request on a refused host).</summary>
    public AddressGuard Guard => _guard;

    /// <summary>The longest one fetch can take: its connect, headers and body time-outs together (the gate's lease on an address).</summary>
    public TimeSpan MaxFetchDuration => _options.ConnectTimeout + _options.HeadersTimeout + _options.BodyTimeout;

    /// <summary>The rules parsed from <see cref="FetcherOptions.ConnectTo"/>.</summary>
    public IReadOnlyList<ConnectToRule> ConnectToRules => _connectTo;

    public void Dispose() => _invoker.Dispose();

    /// <summary>Content-decodes <see cref="FetchResult.Body"/> (gzip, deflate, br, chained) into at most
    /// <paramref name="maxDecompressedBytes"/> bytes; <paramref name="bomb"/> is true when there was more.
    /// Unknown codings return the body as received; corrupt data returns what decoded before the fault.</summary>
    public static byte[] Decode(FetchResult r, long maxDecompressedBytes, out bool bomb)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentOutOfRangeException.ThrowIfNegative(maxDecompressedBytes);
        return ContentDecoder.Decode(r.Body, r.ContentEncoding, maxDecompressedBytes, out bomb);
    }

    public async Task<FetchResult> FetchAsync(FetchRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        try
        {
            return await FetchCoreAsync(request, startedAt, clock, ct).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Contract: failures are results, never exceptions.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new FetchResult
            {
                Url = request.Url,
                StartedAt = startedAt,
                Elapsed = clock.Elapsed,
                Error = ct.IsCancellationRequested ? FetchErrorKind.Cancelled : FetchErrorKind.Other,
                ErrorDetail = Describe(ex),
            };
        }
    }

    private async Task<FetchResult> FetchCoreAsync(FetchRequest request, DateTimeOffset startedAt, Stopwatch clock, CancellationToken ct)
    {
        var url = request.Url;
        var result = new FetchResult { Url = url, StartedAt = startedAt };

        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            return result with { Error = FetchErrorKind.Other, ErrorDetail = $"unsupported URL '{url}'", Elapsed = clock.Elapsed };
        }

        var host = BareHost(url);
        // The guard judges the address DNS answered: what the crawl was told to reach. Connect-to rules are
        // the operator's own routing (as curl's --connect-to), applied after the guard, never instead of it.
        var target = ConnectToRule.Apply(_connectTo, host, url.Port, request.Address);
        result = result with { IpAddress = request.Address.ToString() };
        var decision = _guard.Check(request.Address);
        if (!decision.Allowed)
        {
            return result with { Error = FetchErrorKind.AddressRefused, ErrorDetail = decision.Reason, Elapsed = clock.Elapsed };
        }

        using var message = BuildRequest(request, url, host, target);
        var state = new FetchState();
        FetchState.Current.Value = state;
        HttpResponseMessage? response = null;
        try
        {
            try
            {
                using var headersCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                headersCts.CancelAfter(_options.HeadersTimeout);
                response = await _invoker.SendAsync(message, headersCts.Token).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Every failure becomes a result.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                var (kind, detail, tlsProblem) = Classify(ex, state, ct.IsCancellationRequested);
                return result with
                {
                    Error = kind,
                    ErrorDetail = detail,
                    TlsCertificateProblem = tlsProblem ?? state.TlsProblem,
                    RequestHeaderBlock = state.RequestHead ?? [],
                    ResponseHeaderBlock = state.ResponseHead,
                    Elapsed = clock.Elapsed,
                };
            }

            var ttfb = clock.Elapsed;
            result = DescribeResponse(result, response, state) with { TimeToFirstByte = ttfb };
            var body = await ReadBodyAsync(response, ct).ConfigureAwait(false);
            return result with
            {
                Body = body.Data,
                Truncated = body.TruncatedReason is not null,
                TruncatedReason = body.TruncatedReason,
                Error = body.Error,
                ErrorDetail = body.ErrorDetail,
                Elapsed = clock.Elapsed,
            };
        }
        finally
        {
            response?.Dispose();
            FetchState.Current.Value = null;
        }
    }

    private static string BareHost(Uri url)
    {
        var host = url.IdnHost;
        return host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
    }

    private static string Literal(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{new IPAddress(address.GetAddressBytes())}]" : address.ToString();

    private HttpRequestMessage BuildRequest(FetchRequest request, Uri url, string host, IPEndPoint target)
    {
        var authority = url.HostNameType == UriHostNameType.IPv6 ? $"[{host}]" : host;
        if (!url.IsDefaultPort)
        {
            authority += ":" + url.Port.ToString(CultureInfo.InvariantCulture);
        }

        var connectUri = new Uri(
            $"{url.Scheme}://{Literal(target.Address)}:{target.Port.ToString(CultureInfo.InvariantCulture)}{url.PathAndQuery}");
        var message = new HttpRequestMessage(HttpMethod.Get, connectUri)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        message.Options.Set(ResolvedAddressKey, request.Address);
        var headers = message.Headers;
        headers.Host = authority;
        headers.TryAddWithoutValidation("User-Agent", _options.UserAgent);
        if (!string.IsNullOrEmpty(_options.Accept))
        {
            headers.TryAddWithoutValidation("Accept", _options.Accept);
        }

        if (!string.IsNullOrEmpty(_options.AcceptEncoding))
        {
            headers.TryAddWithoutValidation("Accept-Encoding", _options.AcceptEncoding);
        }

        if (request.IfNoneMatch is { Length: > 0 } etag)
        {
            headers.TryAddWithoutValidation("If-None-Match", etag);
        }

        if (request.IfModifiedSince is { Length: > 0 } since)
        {
            headers.TryAddWithoutValidation("If-Modified-Since", since);
        }

        if (!_options.KeepAlive)
        {
            headers.ConnectionClose = true;
        }

        return message;
    }

    private static FetchResult DescribeResponse(FetchResult result, HttpResponseMessage response, FetchState state)
    {
        var head = state.ResponseHead ?? ReconstructHead(response);
        var version = HeadVersion(head) ?? $"HTTP/{response.Version.Major}.{response.Version.Minor}";
        return result with
        {
            StatusCode = (int)response.StatusCode,
            ReasonPhrase = response.ReasonPhrase,
            HttpVersion = version,
            RequestHeaderBlock = state.RequestHead ?? [],
            ResponseHeaderBlock = head,
            TlsCertificateProblem = state.TlsProblem,
            ContentType = Header(response, "Content-Type"),
            ContentEncoding = Header(response, "Content-Encoding"),
            Location = Header(response, "Location"),
            RetryAfter = HeaderParsing.ParseRetryAfter(Header(response, "Retry-After"), DateTimeOffset.UtcNow),
            ETag = Header(response, "ETag"),
            LastModified = Header(response, "Last-Modified"),
        };
    }

    private static string? HeadVersion(byte[] head)
    {
        var space = head.AsSpan().IndexOf((byte)' ');
        return space > 0 && head.AsSpan().StartsWith("HTTP/"u8) ? Encoding.Latin1.GetString(head, 0, space) : null;
    }

    /// <summary>The first value of a response or content header, as received.</summary>
    private static string? Header(HttpResponseMessage response, string name)
    {
        if (response.Headers.NonValidated.TryGetValues(name, out var values)
            || response.Content.Headers.NonValidated.TryGetValues(name, out values))
        {
            foreach (var value in values)
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>Fallback when the raw head was not captured: status line and headers from the parsed message.</summary>
    private static byte[] ReconstructHead(HttpResponseMessage response)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"HTTP/{response.Version.Major}.{response.Version.Minor} {(int)response.StatusCode} {response.ReasonPhrase}\r\n");
        foreach (var header in response.Headers.NonValidated.Concat(response.Content.Headers.NonValidated))
        {
            foreach (var value in header.Value)
            {
                sb.Append(header.Key).Append(": ").Append(value).Append("\r\n");
            }
        }

        sb.Append("\r\n");
        return Encoding.Latin1.GetBytes(sb.ToString());
    }

    private readonly record struct BodyOutcome(byte[] Data, string? TruncatedReason, FetchErrorKind? Error, string? ErrorDetail);

    private async Task<BodyOutcome> ReadBodyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var max = _options.MaxBodyBytes;
        var declared = response.Content.Headers.ContentLength;
        long? target = declared is { } d ? Math.Min(d, max) : null;
        var initial = (int)Math.Clamp(declared ?? 16 * 1024, 1024, Math.Min(Math.Max(max, 1024), 1024 * 1024));
        var buffer = ArrayPool<byte>.Shared.Rent(initial);
        var pooled = true;
        long length = 0;
        using var bodyCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bodyCts.CancelAfter(_options.BodyTimeout);
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(bodyCts.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                while (true)
                {
                    byte[]? probe = null;
                    if (length == buffer.Length && !pooled && length == target)
                    {
                        // An array of its own of exactly the declared length (or the cap): the body is that array when nothing
                        // follows, and that array truncated when more follows at the cap.
                        probe = new byte[1];
                        if (await stream.ReadAsync(probe, bodyCts.Token).ConfigureAwait(false) == 0)
                        {
                            return new BodyOutcome(buffer, null, null, null);
                        }

                        if (length == max)
                        {
                            return new BodyOutcome(buffer, "length", null, null);
                        }
                    }

                    if (length == buffer.Length)
                    {
                        // Past the pooled first buffer a body grows in arrays of its own, to its declared length (or the cap)
                        // at once when it has one, then kept without a copy: the shared pool keeps every array returned to it,
                        // so a 24 MB page once held ~60 MB of doubling buffers for the life of the process, and a copy of
                        // itself (issue 11).
                        var doubled = (long)buffer.Length * 2;
                        var size = Math.Min(target is { } t && t > length && probe is null ? t : doubled, Math.Min(max + 1, Array.MaxLength));
                        var bigger = GC.AllocateUninitializedArray<byte>((int)size);
                        buffer.AsSpan(0, (int)length).CopyTo(bigger);
                        if (pooled)
                        {
                            ArrayPool<byte>.Shared.Return(buffer);
                            pooled = false;
                        }

                        buffer = bigger;
                        if (probe is not null)
                        {
                            buffer[length++] = probe[0];
                            if (length > max)
                            {
                                return new BodyOutcome(buffer.AsSpan(0, (int)max).ToArray(), "length", null, null);
                            }
                        }
                    }

                    // Read at most one byte past the cap: enough to know the body is larger than allowed.
                    var room = (int)Math.Min(buffer.Length - length, max + 1 - length);
                    var n = await stream.ReadAsync(buffer.AsMemory((int)length, room), bodyCts.Token).ConfigureAwait(false);
                    if (n == 0)
                    {
                        return new BodyOutcome(buffer.AsSpan(0, (int)length).ToArray(), null, null, null);
                    }

                    length += n;
                    if (length > max)
                    {
                        return new BodyOutcome(buffer.AsSpan(0, (int)max).ToArray(), "length", null, null);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return new BodyOutcome(buffer.AsSpan(0, (int)length).ToArray(), "cancelled", FetchErrorKind.Cancelled, "cancelled by caller");
        }
        catch (OperationCanceledException)
        {
            return new BodyOutcome(
                buffer.AsSpan(0, (int)length).ToArray(),
                "time",
                FetchErrorKind.BodyTimeout,
                $"body not complete after {_options.BodyTimeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms");
        }
#pragma warning disable CA1031 // A broken body is a result, not a crash.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new BodyOutcome(buffer.AsSpan(0, (int)length).ToArray(), "disconnect", FetchErrorKind.ProtocolError, Describe(ex));
        }
        finally
        {
            if (pooled)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private (FetchErrorKind Kind, string Detail, string? TlsProblem) Classify(Exception ex, FetchState state, bool callerCancelled)
    {
        if (callerCancelled)
        {
            return (FetchErrorKind.Cancelled, "cancelled by caller", null);
        }

        if (ex is OperationCanceledException)
        {
            // Our timeouts surface as cancellation (the handler's connect timeout carries a TimeoutException).
            for (var e = ex.InnerException; e is not null; e = e.InnerException)
            {
                if (e is TimeoutException or ConnectTimeoutException)
                {
                    return (FetchErrorKind.ConnectTimeout, Describe(ex), null);
                }
            }

            return state.RequestWritten
                ? (FetchErrorKind.HeadersTimeout, $"no response head after {_options.HeadersTimeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms", null)
                : (FetchErrorKind.ConnectTimeout, "connection not established before the headers timeout", null);
        }

        for (var e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case AddressRefusedException refused:
                    return (FetchErrorKind.AddressRefused, refused.Message, null);
                case CertificateRejectedException rejected:
                    return (FetchErrorKind.TlsFailure, rejected.Message, rejected.Problem);
                case ConnectTimeoutException:
                case TimeoutException:
                    return (FetchErrorKind.ConnectTimeout, Describe(ex), null);
                case SocketException socket:
                    return socket.SocketErrorCode switch
                    {
                        SocketError.ConnectionRefused => (FetchErrorKind.ConnectRefused, Describe(ex), null),
                        SocketError.TimedOut => (FetchErrorKind.ConnectTimeout, Describe(ex), null),
                        _ when !state.RequestWritten => (FetchErrorKind.Other, $"connect failed: {socket.SocketErrorCode}", null),
                        _ => (FetchErrorKind.ProtocolError, Describe(ex), null),
                    };
                case AuthenticationException:
                    return (FetchErrorKind.TlsFailure, Describe(ex), null);
            }
        }

        if (ex is HttpRequestException http)
        {
            return http.HttpRequestError switch
            {
                HttpRequestError.SecureConnectionError => (FetchErrorKind.TlsFailure, Describe(ex), null),
                HttpRequestError.NameResolutionError => (FetchErrorKind.DnsFailure, Describe(ex), null),
                HttpRequestError.ConnectionError when !state.RequestWritten => (FetchErrorKind.ConnectRefused, Describe(ex), null),
                HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse or HttpRequestError.ConnectionError
                    or HttpRequestError.ConfigurationLimitExceeded or HttpRequestError.HttpProtocolError
                    => (FetchErrorKind.ProtocolError, Describe(ex), null),
                _ => (FetchErrorKind.Other, Describe(ex), null),
            };
        }

        return (FetchErrorKind.Other, Describe(ex), null);
    }

    private static string Describe(Exception ex)
    {
        var sb = new StringBuilder(ex.Message);
        for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            sb.Append(" --> ").Append(inner.Message);
        }

        return sb.ToString();
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        // The request URI's authority is the pinned (and connect-to mapped) address; never resolve a name here.
        var endPoint = context.DnsEndPoint;
        var literal = endPoint.Host.StartsWith('[') && endPoint.Host.EndsWith(']') ? endPoint.Host[1..^1] : endPoint.Host;
        if (!IPAddress.TryParse(literal, out var address))
        {
            throw new AddressRefusedException($"no pinned address for '{endPoint.Host}'");
        }

        // Checked again as the connection opens: the resolved address this request carries (the connect-to
        // target when the request carries none).
        var resolved = context.InitialRequestMessage.Options.TryGetValue(ResolvedAddressKey, out var carried) ? carried : address;
        var decision = _guard.Check(resolved);
        if (!decision.Allowed)
        {
            throw new AddressRefusedException(decision.Reason);
        }

        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, endPoint.Port), timeout.Token).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            socket.Dispose();
            throw new ConnectTimeoutException(
                $"connect to {Literal(address)}:{endPoint.Port} timed out after {_options.ConnectTimeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private ValueTask<Stream> WrapConnection(SocketsHttpPlaintextStreamFilterContext context, CancellationToken ct)
    {
        string? problem = null;
        if (context.PlaintextStream is SslStream ssl && _tlsProblems.TryGetValue(ssl, out var recorded))
        {
            problem = recorded;
            _tlsProblems.Remove(ssl);
        }

        return ValueTask.FromResult<Stream>(new RecordingStream(context.PlaintextStream, problem));
    }

    private bool ValidateCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        var problem = DescribeCertificateProblem(errors, chain);
        if (!_options.AcceptInvalidCertificates)
        {
            throw new CertificateRejectedException(problem);
        }

        if (sender is SslStream ssl)
        {
            _tlsProblems.AddOrUpdate(ssl, problem);
        }

        return true;
    }

    internal static string DescribeCertificateProblem(SslPolicyErrors errors, X509Chain? chain)
    {
        var parts = new List<string>();
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            parts.Add("RemoteCertificateNotAvailable");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            parts.Add("RemoteCertificateNameMismatch");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
        {
            var statuses = chain?.ChainStatus
                .Select(s => s.Status)
                .Where(s => s != X509ChainStatusFlags.NoError)
                .Distinct()
                .Select(s => s.ToString())
                .ToArray() ?? [];
            parts.Add(statuses.Length == 0 ? "RemoteCertificateChainErrors" : "RemoteCertificateChainErrors: " + string.Join(", ", statuses));
        }

        return string.Join("; ", parts);
    }
}

/// <summary>The connect callback refused the address (guard) — no connection was attempted.</summary>
internal sealed class AddressRefusedException(string reason) : IOException(reason);

/// <summary>The TCP connect did not complete within <see cref="FetcherOptions.ConnectTimeout"/>.</summary>
internal sealed class ConnectTimeoutException(string message) : IOException(message);

/// <summary>Certificate validation failed and invalid certificates are not accepted.</summary>
internal sealed class CertificateRejectedException(string problem)
    : AuthenticationException("certificate rejected: " + problem)
{
    public string Problem { get; } = problem;
}
