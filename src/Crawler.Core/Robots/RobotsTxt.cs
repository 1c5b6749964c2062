// Hand-written: a tolerant RFC 9309 parser; the .NET robots.txt packages on NuGet are unmaintained
// and differ from the RFC on grouping, tie-breaking and percent-encoding.
using System.Globalization;

namespace Crawler.Core.Robots;

/// <summary>A parsed robots.txt file (RFC 9309) with the widely honoured Crawl-delay and Sitemap lines.</summary>
public sealed class RobotsTxt
{
    /// <summary>Characters parsed at most; RFC 9309 asks for at least 500 KiB.</summary>
    public const int MaxParsedChars = 500 * 1024;

    private readonly List<Group> _groups;

    private RobotsTxt(List<Group> groups, IReadOnlyList<string> sitemaps)
    {
        _groups = groups;
        Sitemaps = sitemaps;
    }

    /// <summary>Sitemap URLs, in file order, without duplicates (raw; the caller resolves and validates).</summary>
    public IReadOnlyList<string> Sitemaps { get; }

    /// <summary>
    /// Parses robots.txt text. Never throws on content: a BOM, CR/LF/CRLF line ends, comments, unknown lines,
    /// missing spaces, case differences in field names and a few common misspellings are tolerated. Rules
    /// before the first User-agent line are ignored. Only the first <see cref="MaxParsedChars"/> characters
    /// are read (cut back to the last complete line).
    /// </summary>
    public static RobotsTxt Parse(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var text = content.AsSpan();
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        if (text.Length > MaxParsedChars)
        {
            text = text[..MaxParsedChars];
            var lastBreak = text.LastIndexOfAny('\r', '\n');
            text = lastBreak >= 0 ? text[..lastBreak] : [];
        }

        var groups = new List<Group>();
        var sitemaps = new List<string>();
        var seenSitemaps = new HashSet<string>(StringComparer.Ordinal);
        Group? current = null;
        var sawRuleInGroup = false;

        while (!text.IsEmpty)
        {
            var end = text.IndexOfAny('\r', '\n');
            var line = end < 0 ? text : text[..end];
            text = end < 0 ? [] : text[(end + 1)..];

            var hashPos = line.IndexOf('#');
            if (hashPos >= 0)
            {
                line = line[..hashPos];
            }

            if (!TrySplit(line.Trim(), out var key, out var value))
            {
                continue;
            }

            switch (key)
            {
                case Field.UserAgent:
                    if (current is null || sawRuleInGroup)
                    {
                        current = new Group();
                        groups.Add(current);
                        sawRuleInGroup = false;
                    }

                    var agent = ProductToken(value);
                    if (agent.Length > 0)
                    {
                        current.Agents.Add(agent);
                    }

                    break;
                case Field.Allow or Field.Disallow:
                    if (current is null)
                    {
                        break;
                    }

                    sawRuleInGroup = true;
                    var pattern = value.ToString();
                    if (pattern.Length > 0)
                    {
                        if (pattern[0] != '/' && pattern[0] != '*')
                        {
                            pattern = "/" + pattern;
                        }

                        current.Rules.Add(new RobotsRule(key == Field.Allow, RobotsPath.Normalize(pattern)));
                    }

                    break;
                case Field.CrawlDelay:
                    if (current is null)
                    {
                        break;
                    }

                    sawRuleInGroup = true;
                    if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
                        && double.IsFinite(seconds) && seconds >= 0 && seconds <= 1e7)
                    {
                        var delay = TimeSpan.FromSeconds(seconds);
                        current.CrawlDelay = current.CrawlDelay is { } d && d > delay ? d : delay;
                    }

                    break;
                case Field.Sitemap:
                    var url = value.ToString();
                    if (url.Length > 0 && seenSitemaps.Add(url))
                    {
                        sitemaps.Add(url);
                    }

                    break;
            }
        }

        return new RobotsTxt(groups, sitemaps.AsReadOnly());
    }

    /// <summary>
    /// The rules for the crawler named <paramref name="productToken"/> (e.g. "KpArchiver"; anything after a
    /// '/' or a space is ignored). All groups naming the token (case-insensitive) are merged; if none does,
    /// all <c>*</c> groups are merged; if there is no <c>*</c> group either, everything is allowed.
    /// </summary>
    public RobotsRules ForAgent(string productToken)
    {
        ArgumentNullException.ThrowIfNull(productToken);
        var token = ProductToken(productToken.AsSpan().Trim());
        var matched = token.Length > 0 && token != "*"
            ? _groups.Where(g => g.Agents.Contains(token, StringComparer.OrdinalIgnoreCase)).ToList()
            : [];
        if (matched.Count == 0)
        {
            matched = _groups.Where(g => g.Agents.Contains("*", StringComparer.Ordinal)).ToList();
        }

        if (matched.Count == 0)
        {
            return RobotsRules.AllowAll;
        }

        TimeSpan? delay = null;
        foreach (var g in matched)
        {
            if (g.CrawlDelay is { } d && (delay is null || d > delay))
            {
                delay = d;
            }
        }

        return new RobotsRules(matched.SelectMany(g => g.Rules), delay);
    }

    private static string ProductToken(ReadOnlySpan<char> value)
    {
        if (value.StartsWith("*"))
        {
            return "*";
        }

        var stop = value.IndexOfAny(" \t/;");
        return (stop < 0 ? value : value[..stop]).ToString();
    }

    private static bool TrySplit(ReadOnlySpan<char> line, out Field key, out ReadOnlySpan<char> value)
    {
        key = Field.Unknown;
        value = default;
        if (line.IsEmpty)
        {
            return false;
        }

        ReadOnlySpan<char> name;
        var colon = line.IndexOf(':');
        if (colon >= 0)
        {
            name = line[..colon].Trim();
            value = line[(colon + 1)..].Trim();
        }
        else
        {
            // Tolerate "Disallow /path" (a missing colon), as Google's parser does.
            var space = line.IndexOfAny(' ', '\t');
            if (space < 0)
            {
                return false;
            }

            name = line[..space];
            value = line[(space + 1)..].Trim();
        }

        key = FieldOf(name);
        return key != Field.Unknown;
    }

    private static Field FieldOf(ReadOnlySpan<char> name)
    {
        Span<char> lower = stackalloc char[16];
        if (name.Length > lower.Length)
        {
            return Field.Unknown;
        }

        var n = name.ToLowerInvariant(lower);
        return lower[..n] switch
        {
            "user-agent" or "useragent" or "user agent" or "user_agent" => Field.UserAgent,
            "allow" => Field.Allow,
            "disallow" or "dissallow" or "dissalow" or "disalow" or "diasllow" or "disallaw" => Field.Disallow,
            "crawl-delay" or "crawldelay" or "crawl_delay" => Field.CrawlDelay,
            "sitemap" or "site-map" => Field.Sitemap,
            _ => Field.Unknown,
        };
    }

    private enum Field
    {
        Unknown,
        UserAgent,
        Allow,
        Disallow,
        CrawlDelay,
        Sitemap,
    }

    private sealed class Group
    {
        public List<string> Agents { get; } = [];

        public List<RobotsRule> Rules { get; } = [];

        public TimeSpan? CrawlDelay { get; set; }
    }
}
