using System.Net;

namespace Crawler.Net;

/// <summary>Configuration of <see cref="HttpFetcher"/>.</summary>
public sealed record FetcherOptions
{
    public string UserAgent { get; init; } = "Crawler.Net/1.0";

    /// <summary>Sent as Accept; null or empty sends none.</summary>
    public string? Accept { get; init; } = "*/*";

    /// <summary>Sent as Accept-Encoding; bodies are stored as received and decoded by <see cref="HttpFetcher.Decode"/>.</summary>
    public string? AcceptEncoding { get; init; } = "gzip, deflate, br";

    /// <summary>Time to open the TCP connection and complete the TLS handshake.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time from the start of the fetch until the response head has arrived.</summary>
    public TimeSpan HeadersTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Total time to read the body once the head has arrived.</summary>
    public TimeSpan BodyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public long MaxBodyBytes { get; init; } = 20L * 1024 * 1024;

    public long MaxDecompressedBytes { get; init; } = 50L * 1024 * 1024;

    /// <summary>Accept certificates that fail validation (the problem is recorded either way).</summary>
    public bool AcceptInvalidCertificates { get; init; }

    /// <summary>False sends "Connection: close", so a server never sees an idle second connection from us.</summary>
    public bool KeepAlive { get; init; }

    /// <summary>curl-style "HOST1:PORT1:HOST2:PORT2" rules, first match wins (see <see cref="ConnectToRule"/>).</summary>
    public List<string> ConnectTo { get; init; } = [];
}

/// <summary>One GET of <paramref name="Url"/> over a connection to exactly <paramref name="Address"/>.</summary>
public sealed record FetchRequest(Uri Url, IPAddress Address, string? IfNoneMatch = null, string? IfModifiedSince = null);

public enum FetchErrorKind
{
    AddressRefused,
    DnsFailure,
    ConnectRefused,
    ConnectTimeout,
    TlsFailure,
    HeadersTimeout,
    BodyTimeout,
    TooLarge,
    ProtocolError,
    Cancelled,
    Other,
}

/// <summary>Everything observed about one fetch, shaped for WARC request/response records.</summary>
public sealed record FetchResult
{
    public required Uri Url { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public TimeSpan Elapsed { get; init; }

    public TimeSpan? TimeToFirstByte { get; init; }

    /// <summary>The address connected to (after connect-to rules).</summary>
    public string? IpAddress { get; init; }

    public int? StatusCode { get; init; }

    public string? ReasonPhrase { get; init; }

    public string HttpVersion { get; init; } = "HTTP/1.1";

    /// <summary>The request head exactly as written to the connection; empty when nothing was sent.</summary>
#pragma warning disable CA1819 // Raw protocol bytes are the payload here.
    public byte[] RequestHeaderBlock { get; init; } = [];

    /// <summary>The response head exactly as received (status line, headers in order, blank line).</summary>
    public byte[]? ResponseHeaderBlock { get; init; }

    /// <summary>The entity body as received: de-chunked but not content-decoded.</summary>
    public byte[] Body { get; init; } = [];
#pragma warning restore CA1819

    public bool Truncated { get; init; }

    /// <summary>WARC-Truncated style: "length", "time", "disconnect", "cancelled".</summary>
    public string? TruncatedReason { get; init; }

    public string? ContentType { get; init; }

    public string? ContentEncoding { get; init; }

    public string? Location { get; init; }

    public TimeSpan? RetryAfter { get; init; }

    public string? ETag { get; init; }

    public string? LastModified { get; init; }

    public FetchErrorKind? Error { get; init; }

    public string? ErrorDetail { get; init; }

    /// <summary>Why certificate validation failed ("RemoteCertificateChainErrors: UntrustedRoot"), whether or not the
    /// certificate was then accepted; null when valid or plain HTTP.</summary>
    public string? TlsCertificateProblem { get; init; }
}
