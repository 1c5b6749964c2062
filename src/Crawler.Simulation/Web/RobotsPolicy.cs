using System.Globalization;
using System.Text;

namespace Crawler.Simulation.Web;

public sealed record RobotsRule(bool Allow, string Pattern);

public sealed record RobotsGroup(IReadOnlyList<string> UserAgents, IReadOnlyList<RobotsRule> Rules, double? CrawlDelay = null);

/// <summary>
/// A site's robots.txt as data: the text served is rendered from it, and the manifest evaluates it
/// with the small RFC 9309 matcher below. The matcher is written by hand on purpose: the simulation
/// must not share the crawler's implementation (it is the oracle the crawler is checked against),
/// and it only has to handle the patterns this generator emits (ASCII, '*' and '$').
/// </summary>
public sealed class RobotsPolicy
{
    public RobotsPolicy(int status, IReadOnlyList<RobotsGroup> groups, IReadOnlyList<string> sitemaps)
    {
        Status = status;
        Groups = groups;
        Sitemaps = sitemaps;
    }

    /// <summary>HTTP status of /robots.txt: 200, 404 (allow all) or 500 (crawl nothing).</summary>
    public int Status { get; }

    public IReadOnlyList<RobotsGroup> Groups { get; }

    /// <summary>Absolute URLs of the Sitemap: lines.</summary>
    public IReadOnlyList<string> Sitemaps { get; }

    public string Render()
    {
        var sb = new StringBuilder();
        sb.Append("# robots.txt\n");
        foreach (var g in Groups)
        {
            foreach (var ua in g.UserAgents)
            {
                sb.Append("User-agent: ").Append(ua).Append('\n');
            }

            foreach (var r in g.Rules)
            {
                sb.Append(r.Allow ? "Allow: " : "Disallow: ").Append(r.Pattern).Append('\n');
            }

            if (g.CrawlDelay is { } d)
            {
                sb.Append("Crawl-delay: ").Append(d.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }

            sb.Append('\n');
        }

        foreach (var s in Sitemaps)
        {
            sb.Append("Sitemap: ").Append(s).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>The group that applies to the product token (exact, case-insensitive), else the '*' group, else none.</summary>
    public RobotsGroup? GroupFor(string productToken)
    {
        return Groups.FirstOrDefault(g => g.UserAgents.Any(a => string.Equals(a, productToken, StringComparison.OrdinalIgnoreCase)))
            ?? Groups.FirstOrDefault(g => g.UserAgents.Contains("*"));
    }

    /// <summary>Whether a path (with query) may be fetched: 4xx allows everything, 5xx nothing.</summary>
    public bool IsAllowed(string pathAndQuery, string productToken = "crawler")
    {
        if (Status >= 500)
        {
            return false;
        }

        if (Status >= 400)
        {
            return true;
        }

        var group = GroupFor(productToken);
        if (group is null)
        {
            return true;
        }

        RobotsRule? best = null;
        foreach (var rule in group.Rules)
        {
            if (rule.Pattern.Length == 0 || !Matches(rule.Pattern, pathAndQuery))
            {
                continue;
            }

            if (best is null || rule.Pattern.Length > best.Pattern.Length || (rule.Pattern.Length == best.Pattern.Length && rule.Allow))
            {
                best = rule;
            }
        }

        return best is null || best.Allow;
    }

    internal static bool Matches(string pattern, string path)
    {
        var anchored = pattern.EndsWith('$');
        var p = anchored ? pattern[..^1] : pattern;
        return Match(p, 0, path, 0, anchored);
    }

    private static bool Match(string p, int pi, string s, int si, bool anchored)
    {
        while (pi < p.Length)
        {
            if (p[pi] == '*')
            {
                for (var k = si; k <= s.Length; k++)
                {
                    if (Match(p, pi + 1, s, k, anchored))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (si >= s.Length || s[si] != p[pi])
            {
                return false;
            }

            pi++;
            si++;
        }

        return !anchored || si == s.Length;
    }
}
