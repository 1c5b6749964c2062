using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Crawler.Core.Uptime;

namespace Crawler.Actors.Uptime;

/// <summary>
/// The uptime monitor's metrics, with Prometheus blackbox_exporter's names where they fit, one series per
/// site (label <c>site</c>): <c>probe_success</c>, <c>probe_duration_seconds</c>, <c>probe_http_status_code</c>,
/// <c>probe_dns_lookup_time_seconds</c>, <c>probe_http_duration_seconds{phase}</c>,
/// <c>probe_ssl_earliest_cert_expiry</c>; and the monitor's own: <c>crawler_site_state{state}</c>,
/// <c>crawler_uptime_ratio{window}</c>, <c>crawler_country_outage</c>, <c>crawler_probes_total{result}</c> and
/// <c>crawler_probe_lateness_seconds</c>. Plain System.Diagnostics.Metrics: the node exports them (OpenTelemetry's
/// Prometheus exporter on /metrics). Thread-safe; the probe actors feed it.
/// </summary>
public sealed class UptimeMetrics : IDisposable
{
    public const string MeterName = "Crawler.Uptime";

    private static readonly string[] States = ["unknown", "up", "degraded", "down"];
    private readonly Meter _meter;
    private readonly ConcurrentDictionary<string, (ProbeResult Result, SiteState State)> _sites = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Site, string Window), double> _uptime = new();
    private readonly Counter<long> _probes;
    private readonly Histogram<double> _lateness;
    private volatile bool _countryOutage;

    public UptimeMetrics(IMeterFactory? factory = null)
    {
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _meter.CreateObservableGauge("probe_success", () => Each(s => s.Result.Success ? 1 : 0), description: "Whether the last probe succeeded");
        _meter.CreateObservableGauge("probe_duration_seconds", () => EachWith(s => s.Result.Total), description: "Duration of the last probe, start to end");
        _meter.CreateObservableGauge("probe_dns_lookup_time_seconds", () => EachWith(s => s.Result.Resolve), description: "DNS resolution time of the last probe");
        _meter.CreateObservableGauge("probe_http_status_code", () => _sites
            .Where(s => s.Value.Result.HttpStatus is not null)
            .Select(s => new Measurement<int>(s.Value.Result.HttpStatus!.Value, Site(s.Key))), description: "HTTP status of the last probe");
        _meter.CreateObservableGauge("probe_ssl_earliest_cert_expiry", () => _sites
            .Where(s => s.Value.Result.TlsCertificateExpiry is not null)
            .Select(s => new Measurement<double>(s.Value.Result.TlsCertificateExpiry!.Value.ToUnixTimeSeconds(), Site(s.Key))), description: "Expiry of the site's TLS certificate, in unix seconds");
        _meter.CreateObservableGauge("probe_http_duration_seconds", Phases, description: "Duration of each phase of the last probe");
        _meter.CreateObservableGauge("crawler_site_state", StateSeries, description: "1 for the site's current state (unknown, up, degraded, down)");
        _meter.CreateObservableGauge("crawler_uptime_ratio", () => _uptime.Select(u =>
            new Measurement<double>(u.Value, new KeyValuePair<string, object?>("site", u.Key.Site), new KeyValuePair<string, object?>("window", u.Key.Window))), description: "Time-based uptime over the window");
        _meter.CreateObservableGauge("crawler_country_outage", () => _countryOutage ? 1 : 0, description: "1 while nearly every .kp site fails at once");
        _probes = _meter.CreateCounter<long>("crawler_probes", description: "Probes run, by result");
        _lateness = _meter.CreateHistogram(
            "crawler_probe_lateness_seconds",
            unit: null,
            description: "How late probes started against their schedule",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
    }

    /// <summary>A probe's result and the site's state after it.</summary>
    public void Record(ProbeResult result, SiteState state, TimeSpan lateness)
    {
        ArgumentNullException.ThrowIfNull(result);
        _sites[result.Site] = (result, state);
        _probes.Add(1, Site(result.Site), new KeyValuePair<string, object?>("result", result.Success ? "success" : result.Failure.ToString()));
        _lateness.Record(Math.Max(0, lateness.TotalSeconds));
    }

    /// <summary>
    /// Stops exporting the site's probe series from this node: its probe stopped here (moved to another node, or
    /// no longer watched), and the node now probing it exports them; two nodes must not both claim the site.
    /// </summary>
    public void Forget(string site) => _sites.TryRemove(site, out _);

    /// <summary>Whether this node exports probe series of the site.</summary>
    internal bool Exports(string site) => _sites.ContainsKey(site);

    /// <summary>Replaces every uptime series: a (site, window) left out (no evidence in that window any more) is no longer exported.</summary>
    public void SetUptime(IReadOnlyCollection<(string Site, string Window, double Ratio)> ratios)
    {
        ArgumentNullException.ThrowIfNull(ratios);
        foreach (var (site, window, ratio) in ratios)
        {
            _uptime[(site, window)] = ratio;
        }

        var kept = ratios.Select(r => (r.Site, r.Window)).ToHashSet();
        foreach (var key in _uptime.Keys.Where(k => !kept.Contains(k)))
        {
            _uptime.TryRemove(key, out _);
        }
    }

    public void SetCountryOutage(bool down) => _countryOutage = down;

    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?> Site(string site) => new("site", site);

    private IEnumerable<Measurement<int>> Each(Func<(ProbeResult Result, SiteState State), int> value) =>
        _sites.Select(s => new Measurement<int>(value(s.Value), Site(s.Key)));

    private IEnumerable<Measurement<double>> EachWith(Func<(ProbeResult Result, SiteState State), TimeSpan?> value) =>
        _sites.Where(s => value(s.Value) is not null).Select(s => new Measurement<double>(value(s.Value)!.Value.TotalSeconds, Site(s.Key)));

    private IEnumerable<Measurement<double>> Phases()
    {
        foreach (var (site, (r, _)) in _sites)
        {
            var tlsEnd = (r.Connect ?? TimeSpan.Zero) + (r.Tls ?? TimeSpan.Zero) + (r.Resolve ?? TimeSpan.Zero);
            foreach (var (phase, value) in new (string, TimeSpan?)[]
            {
                ("resolve", r.Resolve),
                ("connect", r.Connect),
                ("tls", r.Tls),
                ("processing", r.FirstByte is { } fb ? fb - tlsEnd : null),
                ("transfer", r.Total is { } t && r.FirstByte is { } f ? t - f : null),
            })
            {
                if (value is { } v)
                {
                    yield return new Measurement<double>(Math.Max(0, v.TotalSeconds), Site(site), new KeyValuePair<string, object?>("phase", phase));
                }
            }
        }
    }

    private IEnumerable<Measurement<int>> StateSeries()
    {
        foreach (var (site, (_, state)) in _sites)
        {
            for (var i = 0; i < States.Length; i++)
            {
                yield return new Measurement<int>((int)state == i ? 1 : 0, Site(site), new KeyValuePair<string, object?>("state", States[i]));
            }
        }
    }
}
