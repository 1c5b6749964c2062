using System.Text;

namespace Crawler.Core.Uptime;

/// <summary>
/// When each site is probed: every <c>interval</c>, at slots aligned to the Unix epoch plus a fixed phase
/// per site (a hash of its name), so a thousand sites spread evenly over the interval instead of firing
/// together, a site's slots never drift, and each site falls exactly once into every round
/// (<see cref="RoundStart"/>) the country-wide rollup judges.
/// </summary>
public static class ProbeSchedule
{
    /// <summary>The site's offset within every interval, in [0, interval).</summary>
    public static TimeSpan Phase(string site, TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);

        // FNV-1a: stable across processes and runs (string.GetHashCode is not).
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(site))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        var slots = (ulong)(interval.Ticks / TimeSpan.TicksPerMillisecond);
        return slots == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(hash % slots);
    }

    /// <summary>The site's first slot strictly after <paramref name="after"/>.</summary>
    public static DateTimeOffset NextDue(string site, TimeSpan interval, DateTimeOffset after)
    {
        var slot = RoundStart(after, interval) + Phase(site, interval);
        return slot > after ? slot : slot + interval;
    }

    /// <summary>The start of the round (interval aligned to the Unix epoch) that <paramref name="at"/> falls in.</summary>
    public static DateTimeOffset RoundStart(DateTimeOffset at, TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        var sinceEpoch = at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var rounds = Math.DivRem(sinceEpoch, interval.Ticks, out var rest);
        if (rest < 0)
        {
            rounds--;
        }

        return new DateTimeOffset(DateTimeOffset.UnixEpoch.UtcTicks + (rounds * interval.Ticks), TimeSpan.Zero);
    }
}
