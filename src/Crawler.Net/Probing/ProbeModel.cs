namespace Crawler.Net.Probing;

/// <summary>What one probe checks: one URL of one site, and what its answer must look like.</summary>
/// <param name="Site">The site the result is recorded for (e.g. "kcna.kp").</param>
/// <param name="Url">An absolute http:// or https:// URL; its host is resolved through the crawler's resolver.</param>
public sealed record ProbeTarget(string Site, Uri Url)
{
    /// <summary>The body must contain this text (ordinal, case-sensitive), else <c>BodyCheckFailed</c>.</summary>
    public string? Keyword { get; init; }

    /// <summary>The body must match this regular expression, else <c>BodyCheckFailed</c>.</summary>
    public string? Regex { get; init; }

    /// <summary>Accepted HTTP statuses of the final response (after redirects, see <see cref="ProbeOptions.MaxRedirects"/>);
    /// null accepts 200-399.</summary>
#pragma warning disable CA1819 // An init-only list of statuses given by configuration; copying it buys nothing.
    public int[]? ExpectedStatus { get; init; }
#pragma warning restore CA1819

    /// <summary>Passed through for the caller's degraded/up judgement; the prober does not use it.</summary>
    public TimeSpan? DegradedAfter { get; init; }

    /// <summary>This target's whole-probe limit, overriding <see cref="ProbeOptions.Timeout"/>.</summary>
    public TimeSpan? Timeout { get; init; }
}

/// <summary>Configuration of <see cref="SiteProber"/>.</summary>
public sealed record ProbeOptions
{
    /// <summary>The whole probe (resolve, connect, TLS, headers, body) must finish within this.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>At most this many body bytes are read (and checked); the rest is not downloaded.</summary>
    public int MaxBodyBytes { get; init; } = 1024 * 1024;

    public string UserAgent { get; init; } = "CrawlerProbe/1.0";

    /// <summary>Complete the TLS handshake whatever the certificate's problems (the .kp sites' certificates
    /// are often expired or self-signed); the certificate's expiry is recorded either way.</summary>
    public bool AcceptInvalidCertificates { get; init; } = true;

    /// <summary>
    /// Redirects (301, 302, 303, 307, 308 with a Location) are followed up to this many hops, each one resolved,
    /// admitted by the address guard and connected to afresh, as Uptime Kuma and blackbox_exporter follow them
    /// (their defaults are 10). More is a failure. 0 follows none and judges the 3xx itself by its status.
    /// </summary>
    public int MaxRedirects { get; init; } = 10;

    /// <summary>curl-style "HOST1:PORT1:HOST2:PORT2" rules (see <see cref="ConnectToRule"/>), applied after the guard.</summary>
    public List<string> ConnectTo { get; init; } = [];
}
