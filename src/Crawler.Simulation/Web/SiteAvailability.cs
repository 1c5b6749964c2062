using System.Collections.Concurrent;

namespace Crawler.Simulation.Web;

/// <summary>How a simulated site answers, switchable at any moment by tests (uptime monitoring).</summary>
public enum SiteAvailability
{
    /// <summary>Normal answers.</summary>
    Up,

    /// <summary>Every request's connection is aborted at once, without any HTTP response.</summary>
    Down,

    /// <summary>Every request gets 503 Service Unavailable with a short body.</summary>
    Error,

    /// <summary>Response headers only after a delay, then the normal answer.</summary>
    Slow,
}

/// <summary>Per-host availability the web server consults on every request; hosts not listed are <see cref="SiteAvailability.Up"/>.</summary>
internal sealed class AvailabilityBoard
{
    public static readonly TimeSpan DefaultSlowDelay = TimeSpan.FromSeconds(3);

    private readonly ConcurrentDictionary<string, (SiteAvailability Mode, TimeSpan SlowDelay)> _hosts = new(StringComparer.Ordinal);

    public void Set(string host, SiteAvailability availability, TimeSpan? slowDelay)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        if (!Enum.IsDefined(availability))
        {
            throw new ArgumentOutOfRangeException(nameof(availability), availability, "Unknown availability.");
        }

        var delay = slowDelay ?? DefaultSlowDelay;
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero, nameof(slowDelay));
        var key = Normalize(host);
        if (availability == SiteAvailability.Up)
        {
            _hosts.TryRemove(key, out _);
        }
        else
        {
            _hosts[key] = (availability, delay);
        }
    }

    public (SiteAvailability Mode, TimeSpan SlowDelay) Get(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return !_hosts.IsEmpty && _hosts.TryGetValue(Normalize(host), out var v) ? v : (SiteAvailability.Up, TimeSpan.Zero);
    }

    private static string Normalize(string host) => host.Trim().TrimEnd('.').ToLowerInvariant();
}
