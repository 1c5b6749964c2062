// Load test for bench/uptime-probes.sh (issue 4): hosts only a node's uptime monitor (Akka.Hosting with
// UptimeHosting.WithUptimeActors and the services it needs: the real SiteProber, DnsClientResolver, AddressGuard,
// SQLite uptime store) against the simulated web of `crawler simulate`, and measures one window of whole probe
// intervals: probes/s, successes, lateness of probes against their slots (ProbeProtocol.ProbeCompleted), and this
// process's CPU and memory. Written by hand because no tool drives this project's actor-based monitor.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Crawler.Actors.Hosting;
using Crawler.Actors.Uptime;
using Crawler.Core.Uptime;
using Crawler.Net;
using Crawler.Net.Probing;
using Crawler.Storage;
using Crawler.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Crawler.Bench.Uptime;

internal static class Program
{
    private const string Usage = """
        usage:
          crawler-bench-uptime --info info.json [--sites N] [--interval S] [--intervals N] [--warmup S]
                               [--timeout S] [--label TEXT] [--server-pid PID] [--clk-tck HZ] [--data DIR]
                               [--store sqlite|discard] [--timeline FILE] [--window S]
              Probes the first N seeds of the simulation described by info.json (`crawler simulate --info`)
              every S seconds (default 1,000 sites, 60 s) through a node's uptime actors; after --warmup
              seconds (default: one interval) measures --intervals whole intervals (default 3) and prints
              one JSON line. --server-pid: also the simulation's CPU seconds in the window (/proc/PID/stat).
              --store discard (diagnosis only): results are not stored, to tell the store's cost from the rest.
              --timeline: one line per probe in the window (slot offset s, lateness ms, probe ms) for plots.
              --window S: measure S seconds instead of whole intervals (for the idle cost with a long interval;
              slots are then not counted, MissedSlots is 0).
              --list-targets FILE: only write "host address port path" per http seed (for a peer prober) and exit.
        """;

    public static async Task<int> Main(string[] args)
    {
        if (!BenchArguments.TryParse(args, out var options) || options.Count == 0)
        {
            await Console.Error.WriteLineAsync(Usage).ConfigureAwait(false);
            return 2;
        }

        try
        {
            return await RunAsync(options).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 2;
        }
    }

    private static string Required(Dictionary<string, string> options, string name) =>
        options.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required");

    private static double Number(Dictionary<string, string> options, string name, double fallback) =>
        options.TryGetValue(name, out var value) ? double.Parse(value, CultureInfo.InvariantCulture) : fallback;

    private static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        var simulation = Simulation.Read(Required(options, "info"));
        var siteCount = (int)Number(options, "sites", 1000);
        if (siteCount < 1 || siteCount > simulation.Seeds.Count)
        {
            throw new ArgumentException($"--sites must be 1..{simulation.Seeds.Count} (the simulation's sites)");
        }

        var interval = TimeSpan.FromSeconds(Number(options, "interval", 60));
        var intervals = (int)Number(options, "intervals", 3);
        var warmup = TimeSpan.FromSeconds(Number(options, "warmup", interval.TotalSeconds));
        var timeout = TimeSpan.FromSeconds(Number(options, "timeout", 10));
        var serverPid = options.TryGetValue("server-pid", out var pidText) ? int.Parse(pidText, CultureInfo.InvariantCulture) : (int?)null;
        var clockTicks = Number(options, "clk-tck", 100);
        var ownData = !options.ContainsKey("data");
        var data = options.GetValueOrDefault("data") ?? Directory.CreateTempSubdirectory("uptime-bench-").FullName;
        Directory.CreateDirectory(data);

        // The node's settings (NodeHost.AddCrawlerServices), pointed at the simulation as SimulatedWebSettings does:
        // its DNS server, loopback-only address guard, its connect-to rules. Resolver: the node's defaults.
        var uptime = new UptimeOptions { Interval = interval, Timeout = timeout };
        var resolver = new DnsClientResolver(new DnsResolverOptions { Servers = [simulation.Dns] }, TimeProvider.System);
        var guard = new AddressGuard(new AddressGuardOptions { Allow = ["127.0.0.0/8"], AllowPublic = false });
        var prober = new SiteProber(
            new ProbeOptions { Timeout = uptime.Timeout, AcceptInvalidCertificates = true, ConnectTo = [.. simulation.ConnectTo] },
            resolver,
            guard,
            TimeProvider.System);
        var storeMode = options.GetValueOrDefault("store", "sqlite");
        if (storeMode is not ("sqlite" or "discard"))
        {
            throw new ArgumentException("--store must be sqlite or discard");
        }

        if (options.GetValueOrDefault("list-targets") is { } targetsFile)
        {
            // For a peer prober that does not resolve through the simulation's DNS (blackbox_exporter): each seed's
            // address and the simulation's HTTP port, as this bench's prober connects to them.
            await ListTargetsAsync(simulation, siteCount, resolver, targetsFile).ConfigureAwait(false);
            return 0;
        }

        var store = new TimedUptimeStore(
            new SqliteUptimeStore(new SqliteStoreOptions { Path = Path.Combine(data, "crawler.db") }, uptime.Thresholds),
            discard: storeMode == "discard");
        await store.InitializeAsync(CancellationToken.None).ConfigureAwait(false);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // Logs (e.g. "probe slot skipped") go to stderr: stdout carries only the JSON report.
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddSingleton<IOptions<UptimeOptions>>(Options.Create(uptime));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IUptimeStore>(store);
        builder.Services.AddMetrics();
        builder.Services.AddSingleton(sp => new UptimeMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        builder.Services.AddSingleton(prober);
        builder.Services.AddSingleton<IHostResolver>(resolver);
        builder.Services.AddSingleton(guard);
        builder.Services.AddSingleton(new CrawlSeeds([.. simulation.Seeds.Take(siteCount)]));
        var samples = new ConcurrentQueue<Sample>();
        builder.Services.AddAkka("uptime-bench", (akka, _) =>
        {
            akka.ConfigureLoggers(l =>
            {
                l.ClearLoggers();
                l.AddLoggerFactory();
            });

            // A node's cluster settings (its files, a cluster of one on loopback), as NodeHost gives a node alone.
            foreach (var file in new[] { "node.hocon", "cluster.hocon" })
            {
                akka.AddHocon(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "cluster-config", file)), HoconAddMode.Prepend);
            }

            akka.AddHocon("akka.remote.dot-netty.tcp { hostname = \"127.0.0.1\", port = 0 }", HoconAddMode.Prepend);

            // Subscribed before the probe actors are started, so no probe is missed.
            akka.WithActors((system, _) =>
            {
                var cluster = Akka.Cluster.Cluster.Get(system);
                cluster.Join(cluster.SelfAddress);
                var recorder = system.ActorOf(Props.Create(() => new Recorder(samples)), "bench-recorder");
                system.EventStream.Subscribe(recorder, typeof(ProbeProtocol.ProbeCompleted));
            });
            akka.WithAddressGates();
            akka.WithUptimeActors();
        });

        using var host = builder.Build();
        await host.StartAsync().ConfigureAwait(false);
        var started = DateTimeOffset.UtcNow;
        var windowStart = started + warmup;
        var windowEnd = options.ContainsKey("window")
            ? windowStart + TimeSpan.FromSeconds(Number(options, "window", 0))
            : windowStart + (interval * intervals);
        await Console.Error.WriteLineAsync(
            $"{siteCount} sites every {interval.TotalSeconds} s: warm-up until {windowStart:HH:mm:ss}, measuring until {windowEnd:HH:mm:ss}").ConfigureAwait(false);

        await DelayUntil(windowStart).ConfigureAwait(false);
        using var self = Process.GetCurrentProcess();
        var before = Counters.Take(self, resolver, serverPid, clockTicks);
        using var pool = new PoolSampler(TimeSpan.FromMilliseconds(50));
        await DelayUntil(windowEnd).ConfigureAwait(false);
        var after = Counters.Take(self, resolver, serverPid, clockTicks);
        pool.Stop();

        // Probes of slots in the window that are still running finish within their time-out.
        var expected = options.ContainsKey("window") ? -1 : (long)siteCount * intervals;
        var settle = windowEnd + timeout + TimeSpan.FromSeconds(2);
        while (InWindow(samples, windowStart, windowEnd).Count() < expected && DateTimeOffset.UtcNow < settle)
        {
            await Task.Delay(100).ConfigureAwait(false);
        }

        await host.StopAsync().ConfigureAwait(false);
        self.Refresh();
        var report = Report(options, siteCount, interval, intervals, samples, windowStart, windowEnd, before, after, self, expected)
            with { Store = storeMode, PoolMaxThreads = pool.MaxThreads, PoolMaxPending = pool.MaxPending, PoolMeanPending = Math.Round(pool.MeanPending, 1) };
        report = WithStoreTimes(report, store, before, after);
        Console.WriteLine(JsonSerializer.Serialize(report));
        if (options.TryGetValue("timeline", out var timeline))
        {
            await File.WriteAllLinesAsync(timeline, InWindow(samples, windowStart, windowEnd).OrderBy(s => s.Scheduled).Select(s => string.Create(
                CultureInfo.InvariantCulture,
                $"{(s.Scheduled - windowStart).TotalSeconds:F3}\t{s.Lateness.TotalMilliseconds:F1}\t{s.Total?.TotalMilliseconds ?? -1:F2}"))).ConfigureAwait(false);
        }

        if (ownData)
        {
            Directory.Delete(data, recursive: true);
        }

        return 0;
    }

    private static IEnumerable<Sample> InWindow(IEnumerable<Sample> samples, DateTimeOffset start, DateTimeOffset end) =>
        samples.Where(s => s.Scheduled >= start && s.Scheduled < end);

    private static async Task DelayUntil(DateTimeOffset when)
    {
        var wait = when - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait).ConfigureAwait(false);
        }
    }

    private static RunReport Report(
        Dictionary<string, string> options, int sites, TimeSpan interval, int intervals, IEnumerable<Sample> all,
        DateTimeOffset windowStart, DateTimeOffset windowEnd, Counters before, Counters after, Process self, long expected)
    {
        var window = InWindow(all, windowStart, windowEnd).ToList();
        // Probes are counted by their slot in the nominal window; CPU over the wall time between the two readings.
        var seconds = (after.Wall - before.Wall).TotalSeconds;
        var windowSeconds = (windowEnd - windowStart).TotalSeconds;
        var lateness = window.Select(s => s.Lateness.TotalMilliseconds).Order().ToArray();
        var totals = window.Where(s => s.Total is not null).Select(s => s.Total!.Value.TotalMilliseconds).Order().ToArray();
        var perInterval = Enumerable.Range(0, intervals)
            .Select(i => window.Where(s => s.Scheduled >= windowStart + (interval * i) && s.Scheduled < windowStart + (interval * (i + 1)))
                .Select(s => s.Lateness.TotalMilliseconds).Order().ToArray())
            .Select(l => Math.Round(Percentile(l, 0.99), 1))
            .ToArray();
        var failures = window.Where(s => !s.Success)
            .GroupBy(s => s.Failure.ToString(), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var cpu = (after.Cpu - before.Cpu).TotalSeconds;
        var probes = window.Count;
        var statuses = window.Where(s => s.Status is not null)
            .GroupBy(s => s.Status!.Value.ToString(CultureInfo.InvariantCulture), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new RunReport(
            options.GetValueOrDefault("label", $"{sites} sites / {interval.TotalSeconds} s"),
            sites,
            interval.TotalSeconds,
            intervals,
            windowSeconds,
            Math.Round(seconds, 3),
            expected,
            probes,
            window.Count(s => s.Success),
            expected < 0 ? 0 : expected - probes,
            failures,
            statuses,
            Math.Round(probes / windowSeconds, 2),
            Math.Round(Percentile(lateness, 0.50), 1),
            Math.Round(Percentile(lateness, 0.95), 1),
            Math.Round(Percentile(lateness, 0.99), 1),
            Math.Round(lateness.Length == 0 ? 0 : lateness[^1], 1),
            Math.Round(lateness.Length == 0 ? 0 : lateness[0], 1),
            perInterval,
            Math.Round(Percentile(totals, 0.50), 2),
            Math.Round(Percentile(totals, 0.99), 2),
            Math.Round(cpu, 3),
            Math.Round(cpu / seconds * 100, 2),
            probes == 0 ? 0 : Math.Round(cpu * 1e6 / probes, 1),
            Math.Round(self.PeakWorkingSet64 / 1048576.0, 1),
            Math.Round(after.WorkingSet / 1048576.0, 1),
            probes == 0 ? 0 : (after.Allocated - before.Allocated) / probes,
            after.Gen0 - before.Gen0,
            after.Gen2 - before.Gen2,
            after.DnsQueries - before.DnsQueries,
            after.ServerCpu is { } s1 && before.ServerCpu is { } s0 ? Math.Round(s1 - s0, 2) : null);
    }

    private static RunReport WithStoreTimes(RunReport report, TimedUptimeStore store, Counters before, Counters after)
    {
        var writes = store.Writes.Where(w => w.At >= before.Timestamp && w.At < after.Timestamp).ToList();
        var wall = writes.Select(w => w.WallMs).Order().ToArray();
        var blocking = writes.Sum(w => w.BlockingMs);
        return report with
        {
            StoreWrites = writes.Count,
            StoreWriteP50Ms = Math.Round(Percentile(wall, 0.50), 2),
            StoreWriteP99Ms = Math.Round(Percentile(wall, 0.99), 2),
            StoreWriteMaxMs = Math.Round(wall.Length == 0 ? 0 : wall[^1], 2),
            StoreBlockingSeconds = Math.Round(blocking / 1000, 3),
        };
    }

    private static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(q * sorted.Length) - 1))];

    /// <summary>User + system CPU of a process from /proc/PID/stat (fields 14 and 15, in clock ticks).</summary>
    private static double ProcessCpuSeconds(int pid, double clockTicks)
    {
        var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / clockTicks;
    }

    private sealed record Sample(DateTimeOffset Scheduled, TimeSpan Lateness, bool Success, ProbeFailure Failure, int? Status, TimeSpan? Total);

    /// <summary>Keeps every <see cref="ProbeProtocol.ProbeCompleted"/> the probe actors publish.</summary>
    private sealed class Recorder : ReceiveActor
    {
        public Recorder(ConcurrentQueue<Sample> samples) =>
            Receive<ProbeProtocol.ProbeCompleted>(e => samples.Enqueue(
                new Sample(e.Result.At, e.Lateness, e.Result.Success, e.Result.Failure, e.Result.HttpStatus, e.Result.Total)));
    }

    /// <summary>Samples the thread pool (threads, queued work items) until stopped.</summary>
    private sealed class PoolSampler : IDisposable
    {
        private readonly Timer _timer;
        private long _samples;
        private long _pendingSum;

        public PoolSampler(TimeSpan every) => _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, every);

        public int MaxThreads { get; private set; }

        public long MaxPending { get; private set; }

        public double MeanPending => _samples == 0 ? 0 : (double)_pendingSum / _samples;

        private void Sample()
        {
            lock (_timer)
            {
                var pending = ThreadPool.PendingWorkItemCount;
                MaxThreads = Math.Max(MaxThreads, ThreadPool.ThreadCount);
                MaxPending = Math.Max(MaxPending, pending);
                _pendingSum += pending;
                _samples++;
            }
        }

        public void Stop()
        {
            lock (_timer)
            {
                _timer.Change(Timeout.Infinite, Timeout.Infinite);
            }
        }

        public void Dispose() => _timer.Dispose();
    }

    private sealed record Counters(long Timestamp, DateTimeOffset Wall, TimeSpan Cpu, long Allocated, int Gen0, int Gen2, long WorkingSet, long DnsQueries, double? ServerCpu)
    {
        public static Counters Take(Process self, DnsClientResolver resolver, int? serverPid, double clockTicks)
        {
            self.Refresh();
            return new Counters(
                Stopwatch.GetTimestamp(),
                DateTimeOffset.UtcNow,
                self.TotalProcessorTime,
                GC.GetTotalAllocatedBytes(precise: false),
                GC.CollectionCount(0),
                GC.CollectionCount(2),
                self.WorkingSet64,
                resolver.QueriesSent,
                serverPid is { } pid ? ProcessCpuSeconds(pid, clockTicks) : null);
        }
    }

    /// <summary>"host address port path" per seed (tab-separated): where an http seed is served, resolved as the prober resolves it.</summary>
    private static async Task ListTargetsAsync(Simulation simulation, int siteCount, DnsClientResolver resolver, string path)
    {
        var httpPort = simulation.ConnectTo.Select(r => r.Split(':')).First(p => p is ["", "80", "", _])[3];
        var lines = new List<string>();
        foreach (var seed in simulation.Seeds.Take(siteCount))
        {
            var uri = new Uri(seed);
            var resolved = await resolver.ResolveAsync(uri.Host, CancellationToken.None).ConfigureAwait(false);
            if (uri.Scheme == Uri.UriSchemeHttp && resolved.Succeeded)
            {
                lines.Add($"{uri.Host}\t{resolved.Addresses[0]}\t{httpPort}\t{uri.PathAndQuery}");
            }
        }

        await File.WriteAllLinesAsync(path, lines).ConfigureAwait(false);
    }

    /// <summary>What the bench needs from `crawler simulate --info`: DNS server, seeds, connect-to rules.</summary>
    private sealed record Simulation(string Dns, IReadOnlyList<string> Seeds, IReadOnlyList<string> ConnectTo)
    {
        public static Simulation Read(string path)
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            var root = json.RootElement;
            var seeds = root.GetProperty("seeds").EnumerateArray().Select(s => s.GetString()!).ToList();
            var connectTo = root.GetProperty("environment").EnumerateObject()
                .Where(p => p.Name.StartsWith("Crawler__Fetcher__ConnectTo__", StringComparison.Ordinal))
                .OrderBy(p => int.Parse(p.Name[(p.Name.LastIndexOf('_') + 1)..], CultureInfo.InvariantCulture))
                .Select(p => p.Value.GetString()!)
                .ToList();
            return new Simulation(root.GetProperty("dns").GetString()!, seeds, connectTo);
        }
    }

    private sealed record RunReport(
        string Label,
        int Sites,
        double IntervalSeconds,
        int Intervals,
        double WindowSeconds,
        double CpuWindowSeconds,
        long ExpectedProbes,
        long Probes,
        long Ok,
        long MissedSlots,
        IReadOnlyDictionary<string, int> Failures,
        IReadOnlyDictionary<string, int> HttpStatuses,
        double ProbesPerSecond,
        double LatenessP50Ms,
        double LatenessP95Ms,
        double LatenessP99Ms,
        double LatenessMaxMs,
        double LatenessMinMs,
        double[] LatenessP99MsPerInterval,
        double ProbeTotalP50Ms,
        double ProbeTotalP99Ms,
        double CpuSeconds,
        double CpuPercentOfOneCore,
        double CpuMicrosecondsPerProbe,
        double PeakWorkingSetMb,
        double WorkingSetMb,
        long AllocatedBytesPerProbe,
        int Gen0Collections,
        int Gen2Collections,
        long DnsQueries,
        double? ServerCpuSeconds)
    {
        public string Store { get; init; } = "sqlite";

        public int PoolMaxThreads { get; init; }

        public long PoolMaxPending { get; init; }

        public double PoolMeanPending { get; init; }

        public int StoreWrites { get; init; }

        public double StoreWriteP50Ms { get; init; }

        public double StoreWriteP99Ms { get; init; }

        public double StoreWriteMaxMs { get; init; }

        public double StoreBlockingSeconds { get; init; }
    }
}
