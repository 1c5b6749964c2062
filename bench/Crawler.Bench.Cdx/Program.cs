// CDX query benchmark for bench/cdx-queries.sh (issue 10). `fill` writes a seeded corpus of captures into a SQLite
// store through the real SqliteCrawlStore (ICrawlStore.CommitAsync, in batches); `query` serves that store with the
// node's real serve host (NodeHost.BuildServeHost, on 127.0.0.1) and times a mix of pywb CDX queries over HTTP.
// Written by hand: no CDX load tool knows this corpus; the queries are the ones researchers script.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Crawler.Node.Configuration;
using Crawler.Node.Hosting;
using Crawler.Storage;
using Crawler.Storage.Sqlite;

namespace Crawler.Bench.Cdx;

internal static class Program
{
    private const string Usage = """
        usage:
          crawler-bench-cdx fill --db FILE [--captures N] [--seed S] [--batch B]
              writes N captures (default 1,000,000) of the seeded corpus into a new SQLite store, B per commit
              (default 1,000); prints one JSON line: captures, seconds, bytes of the file
          crawler-bench-cdx query --db FILE [--captures N] [--seed S] [--samples K] [--kinds "a;b"]
              serves FILE on 127.0.0.1 (NodeHost.BuildServeHost) and issues K queries of each kind, one at a
              time, after a warm-up;
              prints a markdown table of p50/p95/p99 per kind and overall. N and S must be the ones the store was
              filled with.
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || !BenchArguments.TryParse(args.AsSpan(1), out var options) || !options.TryGetValue("db", out var db))
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        var captures = Int(options, "captures", 1_000_000);
        var corpus = new Corpus(Int(options, "seed", 1), captures);
        return args[0] switch
        {
            "fill" => await FillAsync(db, corpus, Int(options, "batch", 1000)),
            "query" => await QueryAsync(db, corpus, Int(options, "samples", 200), options.TryGetValue("kinds", out var k) ? k.Split(';') : null),
            _ => Fail(Usage),
        };
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }

    private static int Int(Dictionary<string, string> options, string name, int fallback) =>
        options.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    private static async Task<int> FillAsync(string db, Corpus corpus, int batchSize)
    {
        if (File.Exists(db))
        {
            Console.Error.WriteLine($"{db} exists; fill writes a new store: remove it or name another file.");
            return 1;
        }

        await using var store = new SqliteCrawlStore(new SqliteStoreOptions { Path = db });
        await store.InitializeAsync();
        var clock = Stopwatch.StartNew();
        var batch = new List<FetchCommit>(batchSize);
        long written = 0;
        foreach (var capture in corpus.Captures())
        {
            batch.Add(new FetchCommit { Capture = capture });
            if (batch.Count == batchSize)
            {
                await store.CommitAsync(batch);
                written += batch.Count;
                batch.Clear();
                if (written % 100_000 == 0)
                {
                    Console.Error.WriteLine($"{written:N0} captures, {clock.Elapsed.TotalSeconds:F0} s");
                }
            }
        }

        if (batch.Count > 0)
        {
            await store.CommitAsync(batch);
            written += batch.Count;
        }

        var seconds = clock.Elapsed.TotalSeconds;
        await store.DisposeAsync();
        var bytes = new FileInfo(db).Length + (File.Exists(db + "-wal") ? new FileInfo(db + "-wal").Length : 0);
        Console.WriteLine(JsonSerializer.Serialize(new { captures = written, seconds = Math.Round(seconds, 1), bytes, bytesPerCapture = Math.Round((double)bytes / written, 1) }));
        return 0;
    }

    private static async Task<int> QueryAsync(string db, Corpus corpus, int samples, string[]? kinds)
    {
        if (!File.Exists(db))
        {
            Console.Error.WriteLine($"{db} does not exist; run `crawler-bench-cdx fill --db {db}` first.");
            return 1;
        }

        var location = StoreLocation.From(new NodeOptions { Store = "sqlite:" + db });
        await using var app = NodeHost.BuildServeHost(location, "http://127.0.0.1:0");
        await app.StartAsync();
        var address = NodeHost.HttpAddresses(app)[0];
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(5) };

        var random = new Random(corpus.Seed + 7);
        var all = new List<double>();
        var table = new StringBuilder("| query kind | queries | p50 ms | p95 ms | p99 ms | max ms | lines/answer |\n|---|---:|---:|---:|---:|---:|---:|\n");
        foreach (var kind in QueryKinds.All.Where(k => kinds is null || kinds.Contains(k.Name)))
        {
            var n = samples;
            var queries = Enumerable.Range(0, n + Math.Max(2, n / 10)).Select(_ => kind.Make(corpus, random)).ToList();
            var times = new List<double>();
            long lines = 0;
            for (var i = 0; i < queries.Count; i++)
            {
                var clock = Stopwatch.StartNew();
                using var response = await http.GetAsync(new Uri("/cdx?" + queries[i], UriKind.Relative));
                var body = await response.Content.ReadAsStringAsync();
                var ms = clock.Elapsed.TotalMilliseconds;
                if (!response.IsSuccessStatusCode)
                {
                    Console.Error.WriteLine($"/cdx?{queries[i]} answered {(int)response.StatusCode}: {body}");
                    return 1;
                }

                if (i < queries.Count - n)
                {
                    continue; // warm-up
                }

                times.Add(ms);
                lines += body.Count(c => c == '\n');
            }

            all.AddRange(times);

            Console.Error.WriteLine($"{kind.Name}: p99 {Percentile(times, 99):F1} ms (e.g. /cdx?{queries[^1]})");
            table.Append(CultureInfo.InvariantCulture, $"| {kind.Name} | {times.Count} | {Percentile(times, 50):F1} | {Percentile(times, 95):F1} | {Percentile(times, 99):F1} | {times.Max():F1} | {(double)lines / times.Count:F0} |\n");
        }

        if (all.Count > 0)
        {
            table.Append(CultureInfo.InvariantCulture, $"| **all kinds** | {all.Count} | {Percentile(all, 50):F1} | {Percentile(all, 95):F1} | **{Percentile(all, 99):F1}** | {all.Max():F1} | |\n");
        }

        Console.WriteLine(table);
        await app.StopAsync();
        return 0;
    }

    private static double Percentile(List<double> values, int p)
    {
        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }
}
