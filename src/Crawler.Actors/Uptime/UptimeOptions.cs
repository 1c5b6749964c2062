using Crawler.Core.Uptime;

namespace Crawler.Actors.Uptime;

/// <summary>One site's own probe settings (overrides of <see cref="UptimeOptions"/>).</summary>
public sealed record ProbeSiteOptions
{
    /// <summary>The site (host) these settings are for, e.g. "kcna.kp".</summary>
    public string Site { get; init; } = string.Empty;

    /// <summary>The URL probed; default: the site's seed URL (its front page).</summary>
    public string? Url { get; init; }

    public TimeSpan? Interval { get; init; }

    /// <summary>The body must contain this text.</summary>
    public string? Keyword { get; init; }

    /// <summary>The body must match this regular expression.</summary>
    public string? Regex { get; init; }
}

/// <summary>The uptime monitor, bound from "Crawler:Uptime".</summary>
public sealed record UptimeOptions
{
    /// <summary>Off: no probes (the crawl goes on).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>How often each site is probed (each on its own phase within the interval, so load is even).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A probe that takes longer fails as too slow.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Redirects a probe follows (each hop resolved and guarded afresh) before it fails; 0 judges the 3xx itself.
    /// Uptime Kuma and blackbox_exporter follow 10.</summary>
    public int MaxRedirects { get; init; } = 10;

    /// <summary>Consecutive failures before a site is down (one lost packet is not an outage).</summary>
    public int FailuresToDown { get; init; } = 3;

    /// <summary>Consecutive successes before a down site is up again.</summary>
    public int SuccessesToUp { get; init; } = 2;

    /// <summary>A success slower than this is slow; <see cref="SlowToDegraded"/> slow ones in a row make the site degraded.</summary>
    public TimeSpan DegradedAfter { get; init; } = TimeSpan.FromSeconds(2);

    public int SlowToDegraded { get; init; } = 2;

    /// <summary>Raw results are kept this long; hourly aggregates, state changes and outages for good.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(30);

    /// <summary>A probe round in which at least this fraction of targets fail counts toward a country-wide outage.</summary>
    public double CountryFailingFraction { get; init; } = 0.9;

    /// <summary>Consecutive failing rounds that confirm a country-wide outage.</summary>
    public int CountryRoundsToConfirm { get; init; } = 2;

    /// <summary>Rounds with fewer results than this are not judged (a start-up round, a tiny monitor).</summary>
    public int CountryMinimumTargets { get; init; } = 10;

    /// <summary>Name servers probed with an SOA query for <see cref="NameServerZone"/> (they count in the country-wide
    /// rollup as "dns:NAME"); the .kp ones per IANA are ns1.kptc.kp and ns2.kptc.kp.</summary>
    public List<string> NameServers { get; init; } = [];

    public string NameServerZone { get; init; } = "kp";

    /// <summary>The port name servers are asked on (53; tests point it at the simulated server).</summary>
    public int NameServerPort { get; init; } = 53;

    /// <summary>Per-site overrides (probe URL, interval, body checks).</summary>
    public List<ProbeSiteOptions> Sites { get; init; } = [];

    public UptimeThresholds Thresholds => new()
    {
        FailuresToDown = FailuresToDown,
        SuccessesToUp = SuccessesToUp,
        DegradedAfter = DegradedAfter,
        SlowToDegraded = SlowToDegraded,
    };

    public CountryRollupOptions Country => new()
    {
        FailingFraction = CountryFailingFraction,
        RoundsToConfirm = CountryRoundsToConfirm,
        RoundsToClear = CountryRoundsToConfirm,
        MinimumTargets = CountryMinimumTargets,
    };
}
