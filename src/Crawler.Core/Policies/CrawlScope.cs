namespace Crawler.Core.Policies;

/// <summary>
/// Which hosts the crawl fetches: hosts under the .kp top-level domain plus configured extra
/// domains (North Korean sites outside .kp, such as uriminzokkiri.com) and their subdomains.
/// Everything else is off scope: recorded as an outlink, never fetched.
/// </summary>
public sealed class CrawlScope
{
    private readonly string[] _suffixes;

    public CrawlScope(IEnumerable<string> domains)
    {
        ArgumentNullException.ThrowIfNull(domains);
        _suffixes = domains
            .Select(d => d.Trim().Trim('.').ToLowerInvariant())
            .Where(d => d.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>The default scope: the .kp top-level domain.</summary>
    public static CrawlScope KpOnly { get; } = new(["kp"]);

    public IReadOnlyList<string> Domains => _suffixes;

    public bool IsInScope(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var h = host.TrimEnd('.');
        foreach (var suffix in _suffixes)
        {
            if (h.Length == suffix.Length && h.Equals(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (h.Length > suffix.Length
                && h[h.Length - suffix.Length - 1] == '.'
                && h.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
