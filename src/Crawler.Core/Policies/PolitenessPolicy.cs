namespace Crawler.Core.Policies;

public sealed record PolitenessOptions
{
    /// <summary>Lower bound on the pause between two requests to one host.</summary>
    public TimeSpan MinDelay { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Upper bound on the response-time-derived pause (robots Crawl-delay may exceed it).</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Pause = factor × the last response time (Heritrix's delayFactor).</summary>
    public double DelayFactor { get; init; } = 5.0;

    /// <summary>Honour robots.txt Crawl-delay, up to <see cref="MaxCrawlDelay"/>.</summary>
    public bool RespectCrawlDelay { get; init; } = true;

    public TimeSpan MaxCrawlDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Requests one site may have in flight at once (Heritrix's parallel queues per host, Nutch's threads per queue);
    /// the rule per IP address follows it, since one site at a time holds an address. 1, the default, is one request at
    /// a time; raise it only for sites that allow it (an archive's own server, a CDN).
    /// </summary>
    public int MaxConcurrentPerHost { get; init; } = 1;
}

/// <summary>
/// The pause a host gets between two requests: the largest of the robots Crawl-delay, the
/// configured minimum and a multiple of the last response time (bounded above), and at least
/// any Retry-After the server asked for.
/// </summary>
public static class PolitenessPolicy
{
    public static TimeSpan NextDelay(PolitenessOptions options, TimeSpan lastResponseTime, TimeSpan? crawlDelay, TimeSpan? retryAfter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var factorDelay = TimeSpan.FromTicks((long)Math.Min(lastResponseTime.Ticks * options.DelayFactor, TimeSpan.MaxValue.Ticks / 2.0));
        var delay = Max(options.MinDelay, Min(factorDelay, options.MaxDelay));
        if (options.RespectCrawlDelay && crawlDelay is { } cd)
        {
            delay = Max(delay, Min(cd, options.MaxCrawlDelay));
        }

        if (retryAfter is { } ra)
        {
            delay = Max(delay, ra);
        }

        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
