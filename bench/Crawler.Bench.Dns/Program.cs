// Load generator for bench/dns-vs-dnsperf.sh: drives Crawler.Net.DnsClientResolver (the crawler's resolver engine)
// against one DNS server with its cache off, at a fixed concurrency for a fixed time, and prints one JSON line of
// lookups/s, queries/s, latency percentiles and this process's CPU. Written by hand because no tool drives this
// project's resolver class; dnsperf, the anchor, measures the server with its own C client.
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Crawler.Net;

namespace Crawler.Bench.Dns;

internal static class Program
{
    private const string Usage = """
        usage:
          crawler-bench-dns names --server ADDR:PORT --csv kp-domains.csv [--hosts FILE] --out names.txt
              keeps the names whose A query is answered NOERROR with an IPv4 address (one per line)
          crawler-bench-dns run --server ADDR:PORT --names names.txt --concurrency N --seconds S
                                [--warmup S] [--aaaa true|false] [--label TEXT] [--server-pid PID [--clk-tck HZ]]
              N workers, each owning its own share of the names (so no two lookups of one name are ever in
              flight together and the resolver's coalescing never merges them), for S seconds after S warm-up;
              with --server-pid also the server process's CPU seconds in the measured window (/proc/PID/stat)
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || !BenchArguments.TryParse(args.AsSpan(1), out var options))
        {
            await Console.Error.WriteLineAsync(Usage).ConfigureAwait(false);
            return 2;
        }

        try
        {
            return args[0] switch
            {
                "names" => await NamesAsync(options).ConfigureAwait(false),
                "run" => await RunAsync(options).ConfigureAwait(false),
                _ => Fail(Usage),
            };
        }
        catch (ArgumentException ex)
        {
            return Fail(ex.Message);
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }

    private static string Required(Dictionary<string, string> options, string name) =>
        options.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required");

    private static double Number(Dictionary<string, string> options, string name, double fallback) =>
        options.TryGetValue(name, out var value) ? double.Parse(value, CultureInfo.InvariantCulture) : fallback;

    /// <summary>The resolver as a node builds it, with its answer cache off so every lookup reaches the server:
    /// Min/Max/NegativeCacheTtl zero make the cache time of every answer zero, and a zero cache time stores nothing.
    /// Timeout (2 s) and Retries (1) keep the node's defaults.</summary>
    private static DnsClientResolver Resolver(string server, bool aaaa) => new(new DnsResolverOptions
    {
        Servers = [server],
        QueryAaaa = aaaa,
        MinCacheTtl = TimeSpan.Zero,
        MaxCacheTtl = TimeSpan.Zero,
        NegativeCacheTtl = TimeSpan.Zero,
    });

    private static bool HasIpv4(ResolvedHost result) =>
        result.Succeeded && result.Addresses.Any(a => a.AddressFamily == AddressFamily.InterNetwork);

    private static async Task<int> NamesAsync(Dictionary<string, string> options)
    {
        var candidates = new List<string>();
        foreach (var line in (await File.ReadAllLinesAsync(Required(options, "csv")).ConfigureAwait(false)).Skip(1))
        {
            var domain = line.Split(',', 2)[0].Trim();
            if (domain.Length > 0)
            {
                candidates.Add(domain.ToLowerInvariant());
            }
        }

        if (options.TryGetValue("hosts", out var hostsFile))
        {
            candidates.AddRange((await File.ReadAllLinesAsync(hostsFile).ConfigureAwait(false))
                .Select(h => h.Trim().ToLowerInvariant())
                .Where(h => h.Length > 0));
        }

        var resolver = Resolver(Required(options, "server"), aaaa: false);
        var kept = new List<string>();
        var distinct = candidates.Distinct(StringComparer.Ordinal).ToList();
        foreach (var name in distinct)
        {
            var result = await resolver.ResolveAsync(name, CancellationToken.None).ConfigureAwait(false);
            if (HasIpv4(result))
            {
                kept.Add(name);
            }
            else
            {
                await Console.Error.WriteLineAsync($"dropped {name}: {result.Error ?? "no IPv4 address"}").ConfigureAwait(false);
            }
        }

        await File.WriteAllLinesAsync(Required(options, "out"), kept).ConfigureAwait(false);
        await Console.Error.WriteLineAsync($"{kept.Count} of {distinct.Count} names answer NOERROR with an A record").ConfigureAwait(false);
        return kept.Count > 0 ? 0 : 1;
    }

    private static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        var names = (await File.ReadAllLinesAsync(Required(options, "names")).ConfigureAwait(false))
            .Where(n => n.Length > 0).ToArray();
        var concurrency = (int)Number(options, "concurrency", 1);
        if (concurrency < 1 || concurrency > names.Length)
        {
            throw new ArgumentException($"--concurrency must be 1..{names.Length} (one name may not be in flight twice)");
        }

        var aaaa = bool.Parse(options.GetValueOrDefault("aaaa", "false"));
        var resolver = Resolver(Required(options, "server"), aaaa);
        var shares = Enumerable.Range(0, concurrency)
            .Select(w => names.Where((_, i) => i % concurrency == w).ToArray())
            .ToArray();

        await PhaseAsync(resolver, shares, TimeSpan.FromSeconds(Number(options, "warmup", 2))).ConfigureAwait(false);

        var serverPid = options.TryGetValue("server-pid", out var pidText) ? int.Parse(pidText, CultureInfo.InvariantCulture) : (int?)null;
        var clockTicks = Number(options, "clk-tck", 100);
        var serverBefore = serverPid is { } p1 ? ProcessCpuSeconds(p1, clockTicks) : 0;
        var queriesBefore = resolver.QueriesSent;
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
        var gen0Before = GC.CollectionCount(0);
        var (results, elapsed) = await PhaseAsync(resolver, shares, TimeSpan.FromSeconds(Number(options, "seconds", 10))).ConfigureAwait(false);
        var cpu = (Environment.CpuUsage.TotalTime - cpuBefore).TotalSeconds;
        double? serverCpu = serverPid is { } p2 ? Math.Round(ProcessCpuSeconds(p2, clockTicks) - serverBefore, 2) : null;
        var allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore;
        var gen0 = GC.CollectionCount(0) - gen0Before;
        var queries = resolver.QueriesSent - queriesBefore;

        var latencies = results.SelectMany(r => r.Latencies).Order().ToArray();
        var lookups = latencies.Length;
        var errors = results.SelectMany(r => r.Errors)
            .GroupBy(e => e.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(e => e.Value), StringComparer.Ordinal);
        var report = new RunReport(
            options.GetValueOrDefault("label", aaaa ? "resolver A+AAAA" : "resolver A"),
            concurrency,
            aaaa,
            Math.Round(elapsed.TotalSeconds, 3),
            lookups,
            results.Sum(r => r.Ok),
            errors,
            errors.GetValueOrDefault("timeout"),
            queries,
            lookups * (aaaa ? 2L : 1L) - queries,
            Math.Round(lookups / elapsed.TotalSeconds, 1),
            Math.Round(queries / elapsed.TotalSeconds, 1),
            Math.Round(Percentile(latencies, 0.50), 4),
            Math.Round(Percentile(latencies, 0.99), 4),
            Math.Round(cpu, 3),
            lookups == 0 ? 0 : Math.Round(cpu * 1e6 / lookups, 1),
            lookups == 0 ? 0 : allocated / lookups,
            gen0,
            serverCpu);
        Console.WriteLine(JsonSerializer.Serialize(report));
        return 0;
    }

    /// <summary>User + system CPU of a process from /proc/PID/stat (fields 14 and 15, in clock ticks).</summary>
    private static double ProcessCpuSeconds(int pid, double clockTicks)
    {
        var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / clockTicks;
    }

    private static double Percentile(long[] sortedTicks, double q) =>
        sortedTicks.Length == 0
            ? 0
            : sortedTicks[Math.Min(sortedTicks.Length - 1, (int)Math.Ceiling(q * sortedTicks.Length) - 1)] * 1000.0 / Stopwatch.Frequency;

    private static async Task<(WorkerResult[] Results, TimeSpan Elapsed)> PhaseAsync(
        DnsClientResolver resolver, string[][] shares, TimeSpan duration)
    {
        var clock = Stopwatch.StartNew();
        var workers = shares.Select(share => Task.Run(() => WorkerAsync(resolver, share, clock, duration))).ToArray();
        var results = await Task.WhenAll(workers).ConfigureAwait(false);
        return (results, clock.Elapsed);
    }

    private static async Task<WorkerResult> WorkerAsync(DnsClientResolver resolver, string[] names, Stopwatch clock, TimeSpan duration)
    {
        var result = new WorkerResult();
        for (var i = 0; clock.Elapsed < duration; i = (i + 1) % names.Length)
        {
            var started = Stopwatch.GetTimestamp();
            var answer = await resolver.ResolveAsync(names[i], CancellationToken.None).ConfigureAwait(false);
            result.Latencies.Add(Stopwatch.GetTimestamp() - started);
            if (HasIpv4(answer))
            {
                result.Ok++;
            }
            else
            {
                var key = answer.Error ?? "no IPv4 address";
                result.Errors[key] = result.Errors.GetValueOrDefault(key) + 1;
            }
        }

        return result;
    }

    private sealed class WorkerResult
    {
        public List<long> Latencies { get; } = new(capacity: 1 << 16);

        public Dictionary<string, int> Errors { get; } = new(StringComparer.Ordinal);

        public int Ok { get; set; }
    }

    private sealed record RunReport(
        string Label,
        int Concurrency,
        bool Aaaa,
        double Seconds,
        long Lookups,
        long Ok,
        IReadOnlyDictionary<string, int> Errors,
        int Timeouts,
        long Queries,
        long Coalesced,
        double LookupsPerSecond,
        double QueriesPerSecond,
        double P50Ms,
        double P99Ms,
        double CpuSeconds,
        double CpuMicrosecondsPerLookup,
        long AllocatedBytesPerLookup,
        int Gen0Collections,
        double? ServerCpuSeconds);
}
