using Crawler.Storage;

namespace Crawler.Actors.Discovery;

/// <summary>
/// Which discovered names become sites of the crawl. A name is a site only when it can be fetched: it has an address
/// (A or AAAA), or its <c>www.</c> name has one (the web server of a domain whose apex has no address, as
/// www.star.co.kp for star.co.kp), and then that name is the site. Every other name (registry zones such as com.kp,
/// edu.kp, gov.kp, domains kept only for mail) stays a discovered name in the store and is neither crawled nor probed:
/// as a site it would be "down" forever and weigh in the country-wide outage rule.
/// </summary>
public static class DiscoveredSites
{
    /// <summary>How many names are looked up at once.</summary>
    public const int LookupParallelism = 4;

    /// <summary>
    /// The names that may become sites: in scope (<paramref name="inScope"/>), PTR names only when
    /// <paramref name="includePtrNames"/>; lower-cased without the trailing dot, distinct and sorted.
    /// </summary>
    public static IReadOnlyList<string> Candidates(IEnumerable<DiscoveredNameRecord> names, bool includePtrNames, Func<string, bool> inScope)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(inScope);
        return [.. names
            .Where(n => n.How != "ptr" || includePtrNames)
            .Select(n => n.Name.TrimEnd('.').ToLowerInvariant())
            .Where(inScope)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Splits <paramref name="candidates"/> into the sites to crawl (each candidate with an address, else its
    /// <c>www.</c> name if that has one and is in scope) and the names without either, in candidate order.
    /// </summary>
    /// <param name="candidates">From <see cref="Candidates"/>.</param>
    /// <param name="hasAddress">Whether a name has an A or AAAA record (a DNS look-up).</param>
    /// <param name="inScope">The crawl's scope (a www. name is checked too).</param>
    public static async Task<(IReadOnlyList<string> Sites, IReadOnlyList<string> WithoutAddress)> SplitAsync(
        IReadOnlyList<string> candidates, Func<string, CancellationToken, Task<bool>> hasAddress, Func<string, bool> inScope, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(hasAddress);
        ArgumentNullException.ThrowIfNull(inScope);
        var chosen = new string?[candidates.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, candidates.Count),
            new ParallelOptions { MaxDegreeOfParallelism = LookupParallelism, CancellationToken = ct },
            async (i, token) =>
            {
                var name = candidates[i];
                if (await hasAddress(name, token).ConfigureAwait(false))
                {
                    chosen[i] = name;
                }
                else if (!name.StartsWith("www.", StringComparison.Ordinal) && inScope("www." + name)
                    && await hasAddress("www." + name, token).ConfigureAwait(false))
                {
                    chosen[i] = "www." + name;
                }
            }).ConfigureAwait(false);

        var sites = chosen.OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var without = candidates.Where((_, i) => chosen[i] is null).ToList();
        return (sites, without);
    }
}
