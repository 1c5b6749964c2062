using Crawler.Core.Search;
using Crawler.Storage.Mongo;
using Crawler.Storage.Sqlite;
using Crawler.Storage.Tests.Mongo;
using CsCheck;
using Xunit;

namespace Crawler.Storage.Tests.Contract;

/// <summary>The search index contract, written once and run against every store.</summary>
public abstract class SearchIndexContract : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly List<ISearchIndex> _indexes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var index in _indexes)
        {
            await index.DisposeAsync();
        }
    }

    protected abstract ISearchIndex CreateIndex();

    protected async Task<ISearchIndex> Index(params SearchDocument[] documents)
    {
        var index = CreateIndex();
        _indexes.Add(index);
        await index.InitializeAsync();
        await index.AddAsync(documents);
        return index;
    }

    protected static SearchDocument Page(string url, string text, string title = "", string lang = "ko", int minutes = 0, string digest = "1") => new()
    {
        Url = url,
        PayloadDigest = "sha256:" + digest,
        Site = new Uri(url).Host,
        Language = lang,
        CapturedAt = T0.AddMinutes(minutes),
        Title = title,
        Text = text,
    };

    protected static SearchRequest Query(string q) =>
        SearchExpression.TryParse(q, out var expression, out var error) ? new SearchRequest(expression) : throw new ArgumentException(error);

    protected static async Task<List<string>> Urls(ISearchIndex index, SearchRequest request) => [.. (await index.SearchAsync(request)).Select(h => h.Url)];

    [SkippableFact]
    public async Task A_korean_word_is_found_with_a_particle_attached_and_not_inside_another_word()
    {
        var index = await Index(
            Page("http://a.kp/1", "조선의 경제 건설"),
            Page("http://a.kp/2", "평양에서 조선은 발전"),
            Page("http://a.kp/3", "북조선 평양 소식"),
            Page("http://a.kp/4", "Pyongyang trade news", lang: "en"));

        Assert.Equal(["http://a.kp/1", "http://a.kp/2"], (await Urls(index, Query("조선"))).Order(StringComparer.Ordinal));
        Assert.Equal(["http://a.kp/2", "http://a.kp/3"], (await Urls(index, Query("평양"))).Order(StringComparer.Ordinal));
    }

    [SkippableFact]
    public async Task Every_word_must_be_present_a_phrase_in_order_and_an_excluded_word_absent()
    {
        var index = await Index(
            Page("http://a.kp/1", "trade fair opens in Pyongyang", lang: "en"),
            Page("http://a.kp/2", "Pyongyang fair of trade", lang: "en"),
            Page("http://a.kp/3", "trade news only", lang: "en"));

        Assert.Equal(["http://a.kp/1", "http://a.kp/2"], (await Urls(index, Query("Pyongyang TRADE"))).Order(StringComparer.Ordinal));
        Assert.Equal(["http://a.kp/1"], await Urls(index, Query("\"trade fair\"")));
        Assert.Equal(["http://a.kp/3"], await Urls(index, Query("trade -pyongyang")));
    }

    [SkippableFact]
    public async Task Site_language_and_time_filters_narrow_the_hits_with_the_time_window_half_open()
    {
        var index = await Index(
            Page("http://a.kp/1", "조선 인민", minutes: 0),
            Page("http://a.kp/2", "조선 인민", minutes: 10),
            Page("http://b.kp/1", "조선 인민", minutes: 20),
            Page("http://b.kp/2", "조선 people", lang: "en", minutes: 30));

        Assert.Equal(["http://b.kp/1", "http://b.kp/2"], (await Urls(index, Query("조선") with { Site = "b.kp" })).Order(StringComparer.Ordinal));
        Assert.Equal(["http://b.kp/2"], await Urls(index, Query("조선") with { Language = "en" }));
        Assert.Equal(["http://a.kp/2", "http://b.kp/1"], (await Urls(index, Query("조선") with { From = T0.AddMinutes(10), To = T0.AddMinutes(30) })).Order(StringComparer.Ordinal));
    }

    [SkippableFact]
    public async Task A_version_indexed_again_is_kept_once_and_another_version_of_the_url_is_a_second_entry()
    {
        var first = Page("http://a.kp/1", "조선 인민", digest: "1");
        var index = await Index(first);

        Assert.Equal(0, await index.AddAsync([first, first with { Text = "changed text never stored", CapturedAt = T0.AddDays(1) }]));
        Assert.Equal(1, await index.AddAsync([Page("http://a.kp/1", "조선 인민 경제", digest: "2", minutes: 60)]));

        Assert.Equal(2, await index.CountAsync());
        var hits = await index.SearchAsync(Query("조선"));
        Assert.Equal([("sha256:1", T0), ("sha256:2", T0.AddMinutes(60))], hits.Select(h => (h.PayloadDigest, h.CapturedAt)).Order());
        Assert.Empty(await index.SearchAsync(Query("changed")));
        Assert.Equal(
            new HashSet<string> { first.Key },
            await index.GetIndexedAsync([first.Key, SearchDocument.SearchKey("http://a.kp/1", "sha256:3")]));
    }

    [SkippableFact]
    public async Task A_page_with_the_word_in_its_title_and_text_ranks_above_one_that_mentions_it_once()
    {
        var index = await Index(
            Page("http://a.kp/once", "news of the day and trade and more words here", lang: "en"),
            Page("http://a.kp/title", "trade fair trade news", title: "Trade", lang: "en"));

        Assert.Equal(["http://a.kp/title", "http://a.kp/once"], await Urls(index, Query("trade")));
    }

    [SkippableFact]
    public async Task The_site_and_language_are_filters_never_words_of_the_page()
    {
        var index = await Index(Page("http://kcna.kp/1", "조선 인민", lang: "ko"), Page("http://a.kp/2", "kcna site lang ko", lang: "en"));

        Assert.Equal(["http://a.kp/2"], await Urls(index, Query("kcna")));
        Assert.Equal(["http://a.kp/2"], await Urls(index, Query("site lang ko")));
        Assert.Empty(await Urls(index, Query("kp")));
        Assert.Equal(["http://kcna.kp/1"], await Urls(index, Query("조선") with { Site = "kcna.kp", Language = "ko" }));
    }

    [SkippableFact]
    public async Task A_hit_carries_its_title_and_a_snippet_with_the_match_marked()
    {
        var index = await Index(Page("http://a.kp/1", "로동 신문 조선의 경제 <건설>", title: "조선 소식"));

        var hit = Assert.Single(await index.SearchAsync(Query("경제")));
        Assert.Equal(("조선 소식", "a.kp", "ko"), (hit.Title, hit.Site, hit.Language));
        Assert.Contains("<b>경제</b>", hit.Snippet, StringComparison.Ordinal);
        Assert.Contains("&lt;건설&gt;", hit.Snippet, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Pages_of_results_follow_one_another_without_overlap()
    {
        var index = await Index([.. Enumerable.Range(0, 7).Select(i => Page($"http://a.kp/{i}", "조선 " + string.Join(' ', Enumerable.Repeat("인민", i + 1)), minutes: i))]);

        var pages = new List<string>();
        for (var offset = 0; offset < 8; offset += 3)
        {
            pages.AddRange(await Urls(index, Query("조선") with { Limit = 3, Offset = offset }));
        }

        Assert.Equal(7, pages.Distinct().Count());
        Assert.Equal(pages, await Urls(index, Query("조선") with { Limit = 10 }));
    }
}

/// <summary>The search contract against SQLite FTS5: a fresh file per test; plus that no user input breaks a query.</summary>
public sealed class SqliteSearchIndexContractTests : SearchIndexContract
{
    protected override ISearchIndex CreateIndex() =>
        new SqliteSearchIndex(new SqliteStoreOptions { Path = Path.Combine(Path.GetTempPath(), "search-" + Guid.NewGuid().ToString("N"), "crawler.db") });

    [Fact]
    public async Task A_search_ranks_its_newest_matches_and_a_deeper_page_widens_the_window()
    {
        var index = new SqliteSearchIndex(new SqliteStoreOptions { Path = Path.Combine(Path.GetTempPath(), "search-" + Guid.NewGuid().ToString("N"), "crawler.db") }, rankedMatches: 2);
        await using var _ = index;
        await index.InitializeAsync();
        await index.AddAsync(
        [
            Page("http://a.kp/best", "trade trade trade", title: "trade", lang: "en"),
            Page("http://a.kp/other", "trade", lang: "en", minutes: 1),
            Page("http://a.kp/site-b", "trade news", lang: "en", minutes: 2) with { Site = "b.kp" },
            Page("http://a.kp/newest", "trade news of the day", lang: "en", minutes: 3),
        ]);

        Assert.Equal(["http://a.kp/site-b", "http://a.kp/newest"], await Urls(index, Query("trade") with { Limit = 2 }));
        Assert.Equal(["http://a.kp/other", "http://a.kp/newest"], await Urls(index, Query("trade") with { Site = "a.kp", Limit = 2 }));
        Assert.Equal("http://a.kp/best", (await Urls(index, Query("trade") with { Limit = 4 }))[0]);
    }

    [Fact]
    public async Task No_user_input_makes_fts5_fail_or_read_it_as_syntax()
    {
        var index = await Index(Page("http://a.kp/1", "NEAR(body) OR AND title: NOT 조선의 \"quoted\" a*b", lang: "en"));
        var inputs = Gen.OneOf(Gen.String[0, 40], Gen.Char["\"*-()^:{}+NEAROTD 조선ab\\'"].Array[0, 30].Select(c => new string(c)));
        var failures = new List<string>();
        inputs.Sample(
            input =>
            {
                if (!SearchExpression.TryParse(input, out var expression, out _))
                {
                    return;
                }

                try
                {
                    index.SearchAsync(new SearchRequest(expression)).GetAwaiter().GetResult();
                }
                catch (StoreUnavailableException e)
                {
                    failures.Add($"{input}: {e.Message}");
                }
            },
            iter: 400);

        Assert.Empty(failures);
        Assert.Single(await index.SearchAsync(Query("NEAR(body")));
        Assert.Single(await index.SearchAsync(Query("title: NOT")));
    }
}

/// <summary>The search contract against MongoDB (see <see cref="MongoTestServer"/>), on a fresh database per test, dropped afterwards.</summary>
[Collection(MongoServerCollection.Name)]
public sealed class MongoSearchIndexContractTests(MongoTestServer server) : SearchIndexContract, IDisposable
{
    private readonly string _database = MongoTestServer.NewDatabaseName();

    protected override ISearchIndex CreateIndex() => new MongoSearchIndex(server.Options(_database));

    public void Dispose() => server.Drop(_database);
}
