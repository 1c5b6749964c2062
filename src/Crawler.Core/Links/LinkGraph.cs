using Crawler.Core.Urls;

namespace Crawler.Core.Links;

/// <summary>One page's links to other sites, as the crawl recorded them.</summary>
public sealed record PageLinks(string Host, int Epoch, DateTimeOffset At, string PageUrl, IEnumerable<string> Targets);

/// <summary>Site <see cref="From"/> linked to site <see cref="To"/> in an epoch: how many links, from how many pages, first and last seen.</summary>
public sealed record SiteLink(string From, string To, int Epoch, int Links, int Pages, DateTimeOffset FirstSeen, DateTimeOffset LastSeen);

/// <summary>
/// The link graph between sites over time: per epoch, which site links to which (a link to the same site is not an
/// edge; <c>www.</c> is the site without it). Pure: the caller decides which targets count (in scope or not).
/// </summary>
public static class LinkGraph
{
    public static IReadOnlyList<SiteLink> Build(IEnumerable<PageLinks> pages)
    {
        ArgumentNullException.ThrowIfNull(pages);
        var edges = new Dictionary<(string From, string To, int Epoch), Edge>();
        foreach (var page in pages)
        {
            var from = Site(page.Host);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var target in page.Targets)
            {
                if (!UrlCanonicalizer.TryGetHost(target, out var host) || Site(host) is var to && to == from)
                {
                    continue;
                }

                var key = (from, to, page.Epoch);
                if (!edges.TryGetValue(key, out var edge))
                {
                    edges[key] = edge = new Edge(page.At);
                }

                edge.Links++;
                edge.FirstSeen = page.At < edge.FirstSeen ? page.At : edge.FirstSeen;
                edge.LastSeen = page.At > edge.LastSeen ? page.At : edge.LastSeen;
                if (seen.Add(to))
                {
                    edge.Pages++;
                }
            }
        }

        return [.. edges
            .Select(e => new SiteLink(e.Key.From, e.Key.To, e.Key.Epoch, e.Value.Links, e.Value.Pages, e.Value.FirstSeen, e.Value.LastSeen))
            .OrderBy(e => e.From, StringComparer.Ordinal).ThenBy(e => e.To, StringComparer.Ordinal).ThenBy(e => e.Epoch)];
    }

    private static string Site(string host)
    {
        var lower = host.ToLowerInvariant();
        return lower.StartsWith("www.", StringComparison.Ordinal) ? lower[4..] : lower;
    }

    private sealed class Edge(DateTimeOffset at)
    {
        public int Links { get; set; }

        public int Pages { get; set; }

        public DateTimeOffset FirstSeen { get; set; } = at;

        public DateTimeOffset LastSeen { get; set; } = at;
    }
}
