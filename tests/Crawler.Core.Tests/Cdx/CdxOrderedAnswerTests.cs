using Crawler.Core.Cdx;
using Xunit;

namespace Crawler.Core.Tests.Cdx;

public sealed class CdxOrderedAnswerTests
{
    /// <summary>
    /// A seeded archive of hosts, subdomains, www., https, ports and mixed case, many captures in one second (so the
    /// URL decides their order), several per URL, with statuses and mimes to filter and collapse on.
    /// </summary>
    private static List<CdxRow> Archive(int seed)
    {
        var random = new Random(seed);
        string[] hosts = ["kcna.kp", "www.kcna.kp", "en.kcna.kp", "kcna.kp:8080", "rodong.rep.kp", "www2.rodong.rep.kp", "vok.rep.kp", "rep.kp", "kcnawatch.kp"];
        string[] paths = ["/", "/index.php?b=2&a=1", "/Index.php?a=1&b=2", "/news/a.html", "/NEWS/b.html", "/img/Logo.PNG", "/news/", "/?page=Article&no=1"];
        var rows = new List<CdxRow>();
        for (var i = 0; i < 400; i++)
        {
            var url = (random.Next(2) == 0 ? "http://" : "https://") + hosts[random.Next(hosts.Length)] + paths[random.Next(paths.Length)];
            var second = random.Next(6);
            var status = new[] { 200, 200, 301, 404, 304 }[random.Next(5)];
            rows.Add(new CdxRow(Surt.Key(url), $"2026010112000{second}", url, status == 304 ? "warc/revisit" : "text/html", status, "sha256:" + random.Next(3), 100, null));
        }

        return rows;
    }

    private static CdxQuery Query(string parameters) =>
        CdxQuery.Parse(parameters.Split('&').Select(p => p.Split('=', 2)).Select(p => new KeyValuePair<string, string>(p[0], Uri.UnescapeDataString(p[1]))));

    /// <summary>
    /// The captures as a store gives them: by key, then second, the URLs of one second in no particular order (their
    /// milliseconds), the captures of one URL in one second in the archive's order (as a whole read gives them too).
    /// </summary>
    private static IEnumerable<CdxRow> InStoreOrder(List<CdxRow> rows, int seed)
    {
        var random = new Random(seed);
        var shuffle = rows.Select(r => r.Url).Distinct().ToDictionary(u => u, _ => random.Next());
        return rows.Select((r, i) => (r, i)).OrderBy(p => p.r.UrlKey, StringComparer.Ordinal).ThenBy(p => p.r.Timestamp, StringComparer.Ordinal)
            .ThenBy(p => shuffle[p.r.Url]).ThenBy(p => p.i).Select(p => p.r);
    }

    public static TheoryData<string> Queries =>
    [
        "url=kcna.kp&matchType=host",
        "url=kcna.kp&matchType=host&limit=7",
        "url=http://www.kcna.kp/&matchType=host&limit=3",
        "url=https://KCNA.kp/news/&matchType=host&limit=1",
        "url=*.rep.kp&limit=10",
        "url=rep.kp&matchType=domain&limit=0",
        "url=*.kcna.kp&page=2&pageSize=5",
        "url=*.kcna.kp&page=40&pageSize=5",
        "url=*.rep.kp&page=1&pageSize=4&limit=6",
        "url=kcna.kp&matchType=host&filter=status:200&collapse=urlkey&limit=5",
        "url=kcna.kp&matchType=domain&collapse=timestamp:13&page=1&pageSize=3",
        "url=kcna.kp&matchType=domain&from=20260101120002&to=20260101120004&filter=!mime:revisit",
        "url=kcna.kp/news/&matchType=prefix&limit=4",
    ];

    [Theory]
    [MemberData(nameof(Queries))]
    public void The_answer_from_captures_in_store_order_is_the_engines_answer_over_all_of_them(string parameters)
    {
        var query = Query(parameters);
        for (var seed = 0; seed < 5; seed++)
        {
            var archive = Archive(seed);
            var answer = new CdxOrderedAnswer(query);
            var read = 0;
            foreach (var row in InStoreOrder(archive, seed))
            {
                read++;
                answer.Add(row);
                if (answer.Done)
                {
                    break;
                }
            }

            Assert.Equal(CdxEngine.Answer(archive, query), answer.Finish());
            if (query.Limit is { } limit && query.Page is null)
            {
                // It stops soon after the limit: at the end of the second after the last line's, here a few captures.
                Assert.True(read < archive.Count, $"read all {read} captures");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public void Counting_pages_from_captures_in_store_order_gives_the_engines_count(string parameters)
    {
        var query = Query(parameters + "&showNumPages=true");
        var archive = Archive(7);
        var answer = new CdxOrderedAnswer(query);
        foreach (var row in InStoreOrder(archive, 7))
        {
            answer.Add(row);
        }

        answer.Finish();
        Assert.Equal(CdxEngine.PageCount(archive, query).Captures, answer.Count);
    }

    [Fact]
    public void Captures_out_of_key_order_are_refused_rather_than_answered_wrongly()
    {
        var answer = new CdxOrderedAnswer(Query("url=kcna.kp&matchType=host"));
        answer.Add(new CdxRow("kp,kcna)/b", "20260101120000", "http://kcna.kp/b", null, 200, null, null, null));

        Assert.Throws<InvalidOperationException>(() => answer.Add(new CdxRow("kp,kcna)/a", "20260101120000", "http://kcna.kp/a", null, 200, null, null, null)));
    }

    [Theory]
    [InlineData("url=kcna.kp&matchType=host&sort=reverse")]
    [InlineData("url=kcna.kp&matchType=host&limit=-3")]
    [InlineData("url=kcna.kp&matchType=host&sort=closest&closest=2026")]
    public void Queries_whose_answer_is_not_a_beginning_of_the_index_order_are_not_streamed(string parameters)
    {
        Assert.False(CdxOrderedAnswer.Streams(Query(parameters)));
        Assert.Throws<ArgumentException>(() => new CdxOrderedAnswer(Query(parameters)));
    }

    [Fact]
    public void Host_and_domain_matches_name_their_key_prefixes_in_ascending_order()
    {
        Assert.Equal(["kp,kcna)", "kp,kcna:"], Query("url=http://www.KCNA.kp/x&matchType=host").KeyPrefixes);
        Assert.Equal(["kp,rep)", "kp,rep,", "kp,rep:"], Query("url=*.rep.kp").KeyPrefixes);
        Assert.Null(Query("url=kcna.kp/news/&matchType=prefix").KeyPrefixes);
        Assert.Equal(["kp,rep)", "kp,rep,", "kp,rep:"], Query("url=*.rep.kp").KeyPrefixes!.Order(StringComparer.Ordinal));
    }
}
