// Search bench for bench/search.sh (issue 10): indexes generated pages into the SQLite search index (the FTS5 tables
// `crawler run` and `crawler serve` keep beside the archive) and times a fixed set of searches, as /api/search runs
// them (SqliteSearchIndex.SearchAsync, a page of 20 hits with snippets). The pages are the simulated web's words
// (Crawler.Simulation's Vocabulary, Korean and English), Korean words carrying particles, plus rarer words, so that
// searches range from one matching most pages to one matching a few.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Crawler.Core.Search;
using Crawler.Simulation.Web;
using Crawler.Storage;
using Crawler.Storage.Sqlite;

namespace Crawler.Bench.Search;

internal static class Program
{
    private const string Usage = """
        usage:
          crawler-bench-search --data DIR [--pages N] [--runs N] [--seed N] [--reuse true] [--ranked N]
              Indexes N generated pages (default 100,000) into DIR/search.db (created anew), then runs each query of
              the set --runs times (default 200, after 10 warm-up runs) and prints one JSON line per query and a
              summary line: p50 / p99 / max ms, hits, index time and size. --reuse true: search the DIR/search.db
              an earlier run left (same --pages and --seed) instead of indexing anew. --ranked N: how many of the
              newest matches a search ranks (SqliteSearchIndex's rankedMatches, default 5,000).
        """;

    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly string[] Particles = ["의", "은", "는", "이", "가", "을", "를", "에", "에서", "과", "와", "로", "도"];

    /// <summary>The searches timed: common and rare words, Korean prefixes, phrases, exclusions and every filter.</summary>
    private static readonly (string Name, string Q, string? Site, string? Lang, bool Window)[] Queries =
    [
        ("ko common word", "조선", null, null, false),
        ("ko two words", "평양 경제", null, null, false),
        ("ko phrase", "\"인민 경제\"", null, null, false),
        ("ko rare word", "가나다라", null, null, false),
        ("en common word", "Pyongyang", null, null, false),
        ("en two words", "railway trade", null, null, false),
        ("en phrase", "\"power production\"", null, null, false),
        ("en rare word", "term1234", null, null, false),
        ("exclusion", "조선 -평양", null, null, false),
        ("site filter", "조선", "site7.sim.kp", null, false),
        ("lang + window", "Pyongyang", null, "en", true),
        ("no match", "zzzzqqq", null, null, false),
    ];

    public static async Task<int> Main(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            options[args[i]] = args[i + 1];
        }

        if (!options.TryGetValue("--data", out var data))
        {
            await Console.Error.WriteLineAsync(Usage).ConfigureAwait(false);
            return 2;
        }

        var pages = Int(options, "--pages", 100_000);
        var runs = Int(options, "--runs", 200);
        var seed = Int(options, "--seed", 1);
        Directory.CreateDirectory(data);
        var path = Path.Combine(data, "search.db");
        var reuse = options.GetValueOrDefault("--reuse") == "true" && File.Exists(path);
        foreach (var file in reuse ? [] : new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }

        var t0 = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        await using var index = new SqliteSearchIndex(new SqliteStoreOptions { Path = path }, Int(options, "--ranked", SqliteSearchIndex.DefaultRankedMatches));
        await index.InitializeAsync().ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        var batch = new List<SearchDocument>(1000);
        for (var p = 0; p < (reuse ? 0 : pages); p++)
        {
            batch.Add(Page(p, seed, t0));
            if (batch.Count == batch.Capacity || p == pages - 1)
            {
                await index.AddAsync(batch).ConfigureAwait(false);
                batch.Clear();
            }
        }

        var indexSeconds = clock.Elapsed.TotalSeconds;
        var bytes = new[] { path, path + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);
        var all = new List<double>();
        foreach (var (name, q, site, lang, window) in Queries)
        {
            if (!SearchExpression.TryParse(q, out var expression, out var error))
            {
                throw new ArgumentException(error);
            }

            var request = new SearchRequest(expression) { Site = site, Language = lang, From = window ? t0.AddDays(10) : null, To = window ? t0.AddDays(17) : null };
            var times = new List<double>(runs);
            var hits = 0;
            for (var r = -10; r < runs; r++)
            {
                var start = Stopwatch.GetTimestamp();
                hits = (await index.SearchAsync(request).ConfigureAwait(false)).Count;
                if (r >= 0)
                {
                    times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            }

            all.AddRange(times);
            Console.WriteLine(JsonSerializer.Serialize(new { query = name, q, site, lang, window, hits, p50 = Percentile(times, 0.50), p99 = Percentile(times, 0.99), max = times.Max() }, Json));
        }

        Console.WriteLine(JsonSerializer.Serialize(new
        {
            summary = true,
            pages,
            indexSeconds = reuse ? (double?)null : Math.Round(indexSeconds, 1),
            pagesPerSecond = reuse ? (double?)null : Math.Round(pages / indexSeconds),
            indexMB = Math.Round(bytes / 1048576.0, 1),
            searches = all.Count,
            p50 = Percentile(all, 0.50),
            p99 = Percentile(all, 0.99),
            max = all.Max(),
        }, Json));
        return 0;
    }

    /// <summary>
    /// One page: 60 % Korean, 40 % English, on 100 sites over 30 days; a title of 4 words and about 150 words of text
    /// (sentences of the simulation's vocabulary, half of the Korean words with a particle), plus 5 rarer words
    /// (Hangul syllable pairs, or termNNNN) of a 20,000-word vocabulary, picked with a skewed distribution.
    /// </summary>
    private static SearchDocument Page(int p, int seed, DateTimeOffset t0)
    {
        var random = new Random((seed * 1_000_003) + p); // the same pages in every run (HashCode is seeded per process)
        var lang = random.Next(10) < 6 ? "ko" : "en";
        var text = new StringBuilder();
        for (var s = 0; s < 14; s++)
        {
            var sentence = Vocabulary.Sentence(lang, seed, "bench", p, s);
            if (lang == "ko")
            {
                sentence = string.Join(' ', sentence.Split(' ').Select(w => random.Next(2) == 0 ? w + Particles[random.Next(Particles.Length)] : w));
            }

            text.Append(sentence).Append('\n');
        }

        for (var r = 0; r < 5; r++)
        {
            var n = (int)Math.Min(19_999, Math.Floor(Math.Pow(random.NextDouble(), 3) * 20_000));
            text.Append(Rare(lang, n)).Append(' ');
        }

        return new SearchDocument
        {
            Url = string.Create(CultureInfo.InvariantCulture, $"http://site{p % 100}.sim.kp/{lang}/article/{p}.html"),
            PayloadDigest = "sha256:" + p.ToString("x64", CultureInfo.InvariantCulture),
            Site = string.Create(CultureInfo.InvariantCulture, $"site{p % 100}.sim.kp"),
            Language = lang,
            CapturedAt = t0.AddSeconds(p * 30L * 86400 / 100_000),
            Title = Vocabulary.Words(lang, 4, seed, "title", p),
            Text = text.ToString(),
        };
    }

    /// <summary>Rare word n: two Hangul syllables from the n-th pair (가나, 가다, …; 가나다라 is pair 0 twice), or termN.</summary>
    private static string Rare(string lang, int n)
    {
        const string syllables = "가나다라마바사아자차카타파하거너더러머버서어저처커터퍼허고노도로모보소오조초코토포호구누두루무부수우주";
        return lang == "en"
            ? "term" + n.ToString(CultureInfo.InvariantCulture)
            : string.Concat(syllables[n % syllables.Length], syllables[(n / syllables.Length) % syllables.Length], syllables[n % 4 * 2], syllables[(n % 4 * 2) + 1]);
    }

    private static double Percentile(List<double> values, double q)
    {
        var sorted = values.Order().ToList();
        return Math.Round(sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)], 2);
    }

    private static int Int(Dictionary<string, string> options, string name, int fallback) =>
        options.TryGetValue(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
