namespace Crawler.Core.Uptime;

/// <summary>Why a probe failed; <see cref="None"/> for a successful probe.</summary>
public enum ProbeFailure
{
    None,
    DnsNxDomain,
    DnsTimeout,
    DnsError,
    ConnectionRefused,
    ConnectTimeout,
    TlsError,

    /// <summary>The server answered with a status the check does not accept.</summary>
    HttpStatus,

    /// <summary>The body did not contain (or did contain) what the check looks for.</summary>
    BodyCheckFailed,

    /// <summary>The probe hit its hard time limit. (A probe that merely exceeds
    /// <see cref="UptimeThresholds.DegradedAfter"/> is a slow <em>success</em>, not this.)</summary>
    TooSlow,
    Other,
}

/// <summary>
/// The outcome of one probe of one site. <paramref name="At"/> is the probe's <em>scheduled</em>
/// start, so that results line up on the probe grid whatever the probe's latency. The probe
/// succeeded exactly when <paramref name="Failure"/> is <see cref="ProbeFailure.None"/>.
/// Timings are those the probe got far enough to measure.
/// </summary>
public sealed record ProbeResult(string Site, DateTimeOffset At, ProbeFailure Failure)
{
    public bool Success => Failure == ProbeFailure.None;

    public TimeSpan? Resolve { get; init; }

    public TimeSpan? Connect { get; init; }

    public TimeSpan? Tls { get; init; }

    public TimeSpan? FirstByte { get; init; }

    /// <summary>Whole probe, from start to the last byte checked: the response time.</summary>
    public TimeSpan? Total { get; init; }

    public int? HttpStatus { get; init; }

    public DateTimeOffset? TlsCertificateExpiry { get; init; }

    public string? Detail { get; init; }

    /// <summary>A successful probe that took <paramref name="total"/>.</summary>
    public static ProbeResult Up(string site, DateTimeOffset at, TimeSpan total, int? httpStatus = 200) =>
        new(site, at, ProbeFailure.None) { Total = total, HttpStatus = httpStatus };

    /// <summary>A failed probe.</summary>
    public static ProbeResult Failed(string site, DateTimeOffset at, ProbeFailure failure, string? detail = null)
    {
        if (failure == ProbeFailure.None)
        {
            throw new ArgumentOutOfRangeException(nameof(failure), "A failed probe needs a failure reason.");
        }

        return new ProbeResult(site, at, failure) { Detail = detail };
    }
}
