namespace Crawler.Core.Robots;

/// <summary>One Allow or Disallow line, normalised.</summary>
internal readonly record struct RobotsRule(bool Allow, string Pattern);

/// <summary>The rules that apply to one crawler, as chosen by <see cref="RobotsTxt.ForAgent"/>.</summary>
public sealed class RobotsRules
{
    private readonly RobotsRule[] _rules;

    internal RobotsRules(IEnumerable<RobotsRule> rules, TimeSpan? crawlDelay)
    {
        // Longest pattern first, Allow before Disallow at equal length: the first match decides.
        _rules = rules
            .Distinct()
            .OrderByDescending(r => r.Pattern.Length)
            .ThenByDescending(r => r.Allow)
            .ToArray();
        CrawlDelay = crawlDelay;
    }

    /// <summary>No restrictions (robots.txt missing, 4xx, or no group for this crawler).</summary>
    public static RobotsRules AllowAll { get; } = new([], null);

    /// <summary>Everything disallowed except <c>/robots.txt</c> itself (5xx, 429, unreachable).</summary>
    public static RobotsRules DisallowAll { get; } = new([new RobotsRule(false, "/")], null);

    /// <summary>The group's Crawl-delay (non-standard); when several merged groups give one, the largest.</summary>
    public TimeSpan? CrawlDelay { get; }

    /// <summary>Number of distinct Allow/Disallow rules.</summary>
    public int Count => _rules.Length;

    /// <summary>
    /// Whether the crawler may fetch <paramref name="pathAndQuery"/> (the URL's path plus "?query", as sent
    /// on the wire). The most specific (longest) matching rule wins; on a tie Allow wins; no match means
    /// allowed; <c>/robots.txt</c> is always allowed. Both sides are compared after percent-encoding
    /// normalisation.
    /// </summary>
    public bool IsAllowed(string pathAndQuery)
    {
        ArgumentNullException.ThrowIfNull(pathAndQuery);
        if (_rules.Length == 0)
        {
            return true;
        }

        var path = pathAndQuery.Length == 0 ? "/" : pathAndQuery;
        var hash = path.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0)
        {
            path = path[..hash];
        }

        if (path == "/robots.txt")
        {
            return true;
        }

        path = RobotsPath.Normalize(path);
        foreach (var rule in _rules)
        {
            if (RobotsPath.Matches(rule.Pattern, path))
            {
                return rule.Allow;
            }
        }

        return true;
    }
}
