namespace Crawler.Bench.Cdx;

/// <summary>A kind of CDX query: a name and a maker of its query strings.</summary>
internal sealed record QueryKind(string Name, Func<Corpus, Random, string> Make);

/// <summary>The query mix: what researchers and replay tools ask a CDX server, on big and small sites.</summary>
internal static class QueryKinds
{
    public static readonly IReadOnlyList<QueryKind> All =
    [
        new("exact, big site", (c, r) => Url(Exact(c, r, big: true))),
        new("exact, small site", (c, r) => Url(Exact(c, r, big: false))),
        new("exact, no scheme, www. dropped", (c, r) => Url(Bare(Exact(c, r, big: true)))),
        new("exact, output=json limit=-1", (c, r) => Url(Exact(c, r, big: true)) + "&output=json&limit=-1"),
        new("exact, from/to", (c, r) => Url(Exact(c, r, big: true)) + "&from=2018&to=2022"),
        new("exact, filter=statuscode:200 collapse=timestamp:8", (c, r) => Url(Exact(c, r, big: true)) + "&filter=statuscode:200&collapse=timestamp:8"),
        new("exact, sort=closest limit=1", (c, r) => Url(Exact(c, r, big: true)) + $"&sort=closest&closest={2016 + r.Next(10)}0601&limit=1"),
        new("prefix, a day's directory", (c, r) => Url(DayDirectory(c, r)) + "&matchType=prefix"),
        new("prefix, page=1 pageSize=20", (c, r) => Url(DayDirectory(c, r)) + "&matchType=prefix&page=1&pageSize=20"),
        new("prefix, showNumPages", (c, r) => Url(DayDirectory(c, r)) + "&matchType=prefix&showNumPages=true"),
        new("host, limit=10, small site", (c, r) => Url(Pick(c, r, big: false).Host) + "&matchType=host&limit=10"),
        new("host, limit=10, big site", (c, r) => Url(Pick(c, r, big: true).Host) + "&matchType=host&limit=10"),
        new("host, www./https spelling, limit=10", (c, r) => Url("https://www." + Pick(c, r, big: true).Host.Replace("www.", string.Empty, StringComparison.Ordinal).ToUpperInvariant() + "/") + "&matchType=host&limit=10"),
        new("host, page=1 pageSize=20, big site", (c, r) => Url(Pick(c, r, big: true).Host) + "&matchType=host&page=1&pageSize=20"),
        // Deeper pages: the first line is found by an offset into the key index (1,000 and 100,000 keys stepped).
        new("host, page=10 pageSize=100, big site", (c, r) => Url(Pick(c, r, big: true).Host) + "&matchType=host&page=10&pageSize=100"),
        new("host, page=1000 pageSize=100, big site", (c, r) => Url(Pick(c, r, big: true).Host) + "&matchType=host&page=1000&pageSize=100"),
        new("host, filter=statuscode:200 collapse=urlkey limit=10, big site", (c, r) => Url(Pick(c, r, big: true).Host) + "&matchType=host&filter=statuscode:200&collapse=urlkey&limit=10"),
        new("host, showNumPages, small site", (c, r) => Url(Pick(c, r, big: false).Host) + "&matchType=host&showNumPages=true"),
        new("host, showNumPages, big site", (c, r) => Url(Pick(c, r, big: true).Host) + "&matchType=host&showNumPages=true"),
        new("domain *.rep.kp, limit=10", (_, _) => Url("*.rep.kp") + "&limit=10"),
        new("domain, a small site's, limit=10", (c, r) => Url("*." + Pick(c, r, big: false).Host) + "&limit=10"),
        new("domain *.rep.kp, page=1 pageSize=20", (_, _) => Url("*.rep.kp") + "&page=1&pageSize=20"),
        new("domain *.rep.kp, showNumPages", (_, _) => Url("*.rep.kp") + "&showNumPages=true"),
        // Every capture of the archive: a count of 1,000,000 index entries.
        new("domain *.kp, showNumPages", (_, _) => Url("*.kp") + "&showNumPages=true"),
    ];

    private static string Url(string url) => "url=" + Uri.EscapeDataString(url);

    private static Site Pick(Corpus corpus, Random random, bool big)
    {
        var sites = corpus.Sites.Where(s => s.Big == big).ToList();
        return sites[random.Next(sites.Count)];
    }

    private static string Exact(Corpus corpus, Random random, bool big)
    {
        var site = Pick(corpus, random, big);
        return corpus.Url(site, random.Next(site.Urls));
    }

    private static string Bare(string url) => url.Replace("http://www.", string.Empty, StringComparison.Ordinal).Replace("http://", string.Empty, StringComparison.Ordinal);

    /// <summary>A directory of dated articles (<c>http://host/news/2019/04/17/</c>) on a site that has them.</summary>
    private static string DayDirectory(Corpus corpus, Random random)
    {
        var sites = corpus.Sites.Where(s => s.Pattern == 2).ToList();
        while (true)
        {
            var site = sites[random.Next(sites.Count)];
            var url = corpus.Url(site, random.Next(site.Urls));
            if (url.Contains("/news/", StringComparison.Ordinal))
            {
                return url[..(url.LastIndexOf('/') + 1)];
            }
        }
    }
}
