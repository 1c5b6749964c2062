using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Crawler.Node.Configuration;
using Crawler.Storage;
using Crawler.Storage.Migration;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Crawler.Node.Commands;

/// <summary>
/// <c>crawler migrate --from STORE --to STORE</c> (issue 9): copies an archive between any two stores (<c>sqlite:PATH</c> or a
/// <c>mongodb://</c> connection string) through the store interfaces (<see cref="ArchiveMigrator"/>), then verifies it: the
/// rows of every collection counted on both sides, and every payload a capture refers to read from the target and hashed.
/// The target may be empty or hold an interrupted earlier copy: running the command again completes it without duplicates.
/// Exit codes: 0 copied and verified; 1 the verification found differences (listed on stderr); 2 a store cannot be
/// opened or both options name the same store.
/// </summary>
internal static class MigrateCommand
{
    /// <summary>Differences listed at most per kind; the rest are counted.</summary>
    private const int Listed = 20;

    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = "The archive to copy: sqlite:PATH or a mongodb:// connection string.", Required = true };
        var to = new Option<string>("--to") { Description = "The archive to copy into (empty, or an interrupted earlier copy): sqlite:PATH or a mongodb:// connection string.", Required = true };
        var command = new Command("migrate", "Copy an archive between two stores (SQLite, MongoDB), then verify the row counts of every collection and every payload's SHA-256.")
        {
            from, to,
        };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(from)!, parse.GetValue(to)!, ct));
        return command;
    }

    private static async Task<int> RunAsync(string fromValue, string toValue, CancellationToken ct)
    {
        if (Locate("--from", fromValue) is not { } source || Locate("--to", toValue) is not { } target)
        {
            return 2;
        }

        if (SameStore(source, target))
        {
            Console.Error.WriteLine($"--from and --to name the same store ({source.Display}). Name another store to copy into.");
            return 2;
        }

        if (!source.MayHoldArchive)
        {
            Console.Error.WriteLine($"--from: no archive at {source.Display}. Check the path (sqlite:PATH names the crawler.db file).");
            return 2;
        }

        var stores = new List<IAsyncDisposable>();
        try
        {
            var sourceStores = await OpenAsync("--from", source, stores, ct).ConfigureAwait(false);
            var targetStores = await OpenAsync("--to", target, stores, ct).ConfigureAwait(false);
            if (sourceStores is null || targetStores is null)
            {
                return 2;
            }

            return await MigrateAsync(source, target, sourceStores, targetStores, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("Interrupted: run the same command again to complete the copy (what was copied is not copied twice).");
            return 130;
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<int> MigrateAsync(StoreLocation source, StoreLocation target, ArchiveStores from, ArchiveStores to, CancellationToken ct)
    {
        var live = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        var steps = new ConcurrentDictionary<string, MigrationStep>(StringComparer.Ordinal);
        var order = new ConcurrentQueue<string>();
        void Progress(MigrationStep step)
        {
            if (steps.TryAdd(step.Collection, step))
            {
                order.Enqueue(step.Collection);
            }
            else
            {
                steps[step.Collection] = step;
            }

            if (!live && step.Done)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{step.Collection}: {step.Rows} {(step.Collection.StartsWith("verify", StringComparison.Ordinal) ? "rows in the target" : "copied")}"));
            }
        }

        Console.WriteLine($"Copying {source.Display} to {target.Display}");
        var migrator = new ArchiveMigrator(from, to, Progress);
        var clock = Stopwatch.StartNew();
        IReadOnlyDictionary<string, long>? copied = null;
        MigrationVerification? verification = null;
        TimeSpan copyTime = default;
        async Task Work()
        {
            try
            {
                copied = await migrator.CopyAsync(ct).ConfigureAwait(false);
                copyTime = clock.Elapsed;
                verification = await migrator.VerifyAsync(ct).ConfigureAwait(false);
            }
            catch (StoreUnavailableException e)
            {
                throw new MigrationStoreException(e);
            }
        }

        try
        {
            if (live)
            {
                await AnsiConsole.Live(Render(steps, order, clock.Elapsed)).StartAsync(async ctx =>
                {
                    var work = Work();
                    while (!work.IsCompleted)
                    {
                        ctx.UpdateTarget(Render(steps, order, clock.Elapsed));
                        await Task.WhenAny(work, Task.Delay(250, CancellationToken.None)).ConfigureAwait(false);
                    }

                    ctx.UpdateTarget(Render(steps, order, clock.Elapsed));
                    await work.ConfigureAwait(false);
                }).ConfigureAwait(false);
            }
            else
            {
                await Work().ConfigureAwait(false);
            }
        }
        catch (MigrationStoreException e)
        {
            Console.Error.WriteLine($"Store unavailable during the copy: {e.InnerException!.Message} Run the same command again once it is back: the copy resumes without duplicates.");
            return 2;
        }

        var v = verification!;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Copied in {copyTime.TotalSeconds:F1} s ({copied![ArchiveMigrator.Captures]} captures, {copied[ArchiveMigrator.Frontier]} frontier rows), verified in {(clock.Elapsed - copyTime).TotalSeconds:F1} s ({v.PayloadsChecked} payloads hashed)."));
        if (v.Succeeded)
        {
            Console.WriteLine("Verified: " + string.Join(", ", v.Counts.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Collection} {c.Target}"))));
            return 0;
        }

        Console.Error.WriteLine($"Verification failed: {target.Display} differs from {source.Display}:");
        foreach (var line in Differences(v))
        {
            Console.Error.WriteLine("  " + line);
        }

        Console.Error.WriteLine("Run the command again to complete an interrupted copy; a payload that is corrupt in the target must be deleted there first (the copy keeps what is stored).");
        return 1;
    }

    /// <summary>What the verification found, one line each (at most <see cref="Listed"/> payloads of each kind, then how many more).</summary>
    internal static IEnumerable<string> Differences(MigrationVerification verification)
    {
        foreach (var c in verification.Counts.Where(c => !c.Equal))
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"{c.Collection}: {c.Source} in the source, {c.Target} in the target");
        }

        foreach (var (digests, what) in new[] { (verification.MissingPayloads, "is missing from the target"), (verification.CorruptPayloads, "in the target does not hash to its digest (SHA-256)") })
        {
            foreach (var digest in digests.Take(Listed))
            {
                yield return $"payload {digest} {what}";
            }

            if (digests.Count > Listed)
            {
                yield return string.Create(CultureInfo.InvariantCulture, $"… and {digests.Count - Listed} more payloads that {what}");
            }
        }
    }

    private static StoreLocation? Locate(string option, string value)
    {
        try
        {
            return StoreLocation.From(new NodeOptions { Store = value });
        }
        catch (StoreLocationException e)
        {
            Console.Error.WriteLine(e.Message.Replace(StoreLocation.Setting, option, StringComparison.Ordinal));
            return null;
        }
    }

    private static bool SameStore(StoreLocation a, StoreLocation b) =>
        a.IsSqlite == b.IsSqlite
        && string.Equals(a.Display, b.Display, a.IsSqlite ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);

    /// <summary>Opens and initializes the archive's three stores (each added to <paramref name="opened"/> to be disposed); null after one line naming the option when one cannot be.</summary>
    private static async Task<ArchiveStores?> OpenAsync(string option, StoreLocation location, List<IAsyncDisposable> opened, CancellationToken ct)
    {
        try
        {
            var crawl = location.OpenCrawlStore();
            opened.Add(crawl);
            var dns = location.OpenDnsStore();
            opened.Add(dns);
            var uptime = location.OpenUptimeStore();
            opened.Add(uptime);
            await crawl.InitializeAsync(ct).ConfigureAwait(false);
            await dns.InitializeAsync(ct).ConfigureAwait(false);
            await uptime.InitializeAsync(ct).ConfigureAwait(false);
            return new ArchiveStores(crawl, dns, uptime);
        }
        catch (StoreUnavailableException e)
        {
            Console.Error.WriteLine($"Store unavailable ({option}): {e.Message}");
            return null;
        }
    }

    private static IRenderable Render(ConcurrentDictionary<string, MigrationStep> steps, ConcurrentQueue<string> order, TimeSpan elapsed)
    {
        var table = new Table().Border(TableBorder.Simple)
            .Title(string.Create(CultureInfo.InvariantCulture, $"crawler migrate, {elapsed.TotalSeconds:F0} s"))
            .AddColumn("collection").AddColumn(new TableColumn("rows").RightAligned()).AddColumn("");
        foreach (var name in order)
        {
            var step = steps[name];
            table.AddRow(Markup.Escape(name), step.Rows.ToString("N0", CultureInfo.InvariantCulture), step.Done ? "[green]done[/]" : "[yellow]…[/]");
        }

        return table;
    }

    /// <summary>A store that failed during the copy, carried out of the live view.</summary>
    private sealed class MigrationStoreException(StoreUnavailableException inner) : Exception(inner.Message, inner);
}
