using System.Diagnostics;
using Crawler.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Crawler.Storage.Tests.Sqlite;

/// <summary>
/// Several crawler nodes on one machine share the embedded store by file: three real OS processes
/// (tests/Crawler.Storage.WriterProcess) create the schema and write to one database at once, and
/// every write of every process must be there exactly once.
/// </summary>
public sealed class MultiProcessWriterTests : IDisposable
{
    private const int Writers = 3;
    private const int Rounds = 150;

    // Bounded wait for all writers; it bounds a hang, it does not judge speed.
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "crawler-storage-tests", Guid.NewGuid().ToString("N"));
    private readonly ITestOutputHelper _output;

    public MultiProcessWriterTests(ITestOutputHelper output) => _output = output;

    private string DatabasePath => Path.Combine(_folder, "shared.db");

    [Fact]
    public async Task Three_writer_processes_on_one_file_store_every_write_exactly_once()
    {
        var results = await RunWritersAsync();
        foreach (var (writer, exit, stdout, stderr) in results)
        {
            _output.WriteLine($"writer {writer}: exit {exit}, {stdout.Trim()} {stderr.Trim()}");
        }

        Assert.All(results, r => Assert.True(r.Exit == 0, $"writer {r.Writer} exited {r.Exit}: {r.Stderr}"));
        Assert.All(results, r => Assert.StartsWith($"done {r.Writer} {Rounds} ", r.Stdout, StringComparison.Ordinal));

        await using var crawl = new SqliteCrawlStore(new SqliteStoreOptions { Path = DatabasePath });
        await crawl.InitializeAsync();
        await using var uptime = new SqliteUptimeStore(new SqliteStoreOptions { Path = DatabasePath });
        await uptime.InitializeAsync();

        // Per writer and round: two captures, one own payload (plus one shared by all), five URLs of
        // its own host (two fetched, one discovered, one skipped, one added) and two of the shared host.
        var stats = await crawl.GetStatsAsync();
        Assert.Equal(Writers * Rounds * 2, stats.Captures);
        Assert.Equal((Writers * Rounds) + 1, stats.Payloads);
        Assert.Equal(Writers * Rounds * 2, stats.FrontierDone);
        Assert.Equal((Writers * Rounds * 2) + (Rounds * 2), stats.FrontierPending);
        Assert.Equal(Writers + 1, stats.Hosts);
        Assert.Equal((Writers * Rounds * 5) + (Rounds * 2), Scalar("SELECT COUNT(*) FROM frontier"));
        Assert.Equal(Writers * Rounds, Scalar("SELECT COUNT(*) FROM frontier WHERE state = 3"));
        Assert.Equal(0, Scalar("SELECT COUNT(*) FROM frontier WHERE attempts > 1"));
        Assert.Equal(Writers * Rounds, Scalar("SELECT COUNT(*) FROM captures WHERE id LIKE '%-shared'"));

        // One insertion order across processes: GetPending's "oldest first" holds for every writer.
        Assert.Equal(0, Scalar("SELECT COUNT(*) - COUNT(DISTINCT added_seq) FROM frontier"));

        for (var writer = 0; writer < Writers; writer++)
        {
            var host = $"w{writer}.kp";
            var captures = await crawl.GetCapturesAsync(new CaptureQuery { Host = host }).ToListAsync();
            Assert.Equal(Rounds * 2, captures.Count);
            Assert.Equal(Rounds * 2, captures.Select(c => c.Id).Distinct(StringComparer.Ordinal).Count());
            Assert.Equal(Rounds * 5, (await crawl.GetFrontierAsync(host, 1)).Count);
            for (var round = 0; round < Rounds; round++)
            {
                Assert.Equal(round.ToString(System.Globalization.CultureInfo.InvariantCulture), await crawl.GetSettingAsync($"writer.{writer}.{round}"));
            }

            var hours = await uptime.GetHourlyAsync(host, T0.AddHours(-1), T0.AddHours(2));
            Assert.Equal(Rounds, Assert.Single(hours).Probes);
        }

        Assert.Contains(await crawl.GetSettingAsync("last-writer"), new[] { "0", "1", "2" });
        Assert.Equal((Writers * Rounds) + 1, Scalar("SELECT COUNT(*) FROM settings"));
        Assert.Equal(Writers * Rounds * 2, Scalar("SELECT COUNT(*) FROM uptime_results"));

        // Every writer's probes of the shared site are folded into one hour: no lost read-modify-write.
        var shared = await uptime.GetHourlyAsync("shared.kp", T0.AddHours(-1), T0.AddHours(2));
        Assert.Equal(Writers * Rounds, Assert.Single(shared).Probes);
        Assert.Equal(Writers * ((Rounds + 9) / 10), Scalar("SELECT COUNT(*) FROM dns_observations"));
    }

    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private long Scalar(string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    private async Task<List<(int Writer, int Exit, string Stdout, string Stderr)>> RunWritersAsync()
    {
        Directory.CreateDirectory(_folder);
        var writerDll = Path.Combine(AppContext.BaseDirectory, "writer", "Crawler.Storage.WriterProcess.dll");
        Assert.True(File.Exists(writerDll), $"The writer process is missing at {writerDll}: the test project's build copies it there.");

        var processes = new List<Process>();
        try
        {
            for (var writer = 0; writer < Writers; writer++)
            {
                var start = new ProcessStartInfo(DotnetHost())
                {
                    RedirectStandardInput = true,
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                foreach (var argument in new[] { writerDll, DatabasePath, writer.ToString(System.Globalization.CultureInfo.InvariantCulture), Rounds.ToString(System.Globalization.CultureInfo.InvariantCulture) })
                {
                    start.ArgumentList.Add(argument);
                }

                processes.Add(Process.Start(start)!);
            }

            // Every process is up and waiting: release them together, so that they race from the
            // schema creation on.
            var outputs = processes.Select(p => (Out: p.StandardOutput.ReadToEndAsync(), Err: p.StandardError.ReadToEndAsync())).ToList();
            foreach (var process in processes)
            {
                await process.StandardInput.WriteLineAsync("go");
                await process.StandardInput.FlushAsync();
            }

            using var patience = new CancellationTokenSource(Patience);
            try
            {
                await Task.WhenAll(processes.Select(p => p.WaitForExitAsync(patience.Token)));
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"The writers did not finish within {Patience}.");
            }

            var results = new List<(int, int, string, string)>();
            for (var writer = 0; writer < Writers; writer++)
            {
                results.Add((writer, processes[writer].ExitCode, await outputs[writer].Out, await outputs[writer].Err));
            }

            return results;
        }
        finally
        {
            foreach (var process in processes)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                process.Dispose();
            }
        }
    }

    /// <summary>The dotnet host running these tests (the CLI names it in DOTNET_HOST_PATH), else the one on PATH.</summary>
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        return "dotnet";
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
