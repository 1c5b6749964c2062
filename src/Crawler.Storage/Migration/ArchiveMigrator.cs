using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using Crawler.Core.Dns;
using Crawler.Core.Uptime;

namespace Crawler.Storage.Migration;

/// <summary>The three stores of one archive (one SQLite file or one MongoDB database).</summary>
public sealed record ArchiveStores(ICrawlStore Crawl, IDnsStore Dns, IUptimeStore Uptime);

/// <summary>How far a collection's copy or count has come; <paramref name="Done"/> once it is complete.</summary>
public sealed record MigrationStep(string Collection, long Rows, bool Done);

/// <summary>One collection's rows on both sides after a copy.</summary>
public sealed record CollectionCount(string Collection, long Source, long Target)
{
    public bool Equal => Source == Target;
}

/// <summary>
/// What <see cref="ArchiveMigrator.VerifyAsync"/> found: the counts per collection, the payloads checked, and the
/// payload digests referenced by a capture whose bytes the target lacks or holds under another hash.
/// </summary>
public sealed record MigrationVerification(
    IReadOnlyList<CollectionCount> Counts,
    long PayloadsChecked,
    IReadOnlyList<string> MissingPayloads,
    IReadOnlyList<string> CorruptPayloads)
{
    public bool Succeeded => Counts.All(c => c.Equal) && MissingPayloads.Count == 0 && CorruptPayloads.Count == 0;
}

/// <summary>
/// Copies an archive between two stores through their interfaces (<c>crawler migrate</c>, issue 9), then verifies the copy.
/// Every collection is streamed from the source in its export order and written to the target in batches by the
/// interfaces' idempotent writes, so a copy that was interrupted is completed by running it again, without duplicates:
/// </summary>
/// <remarks>
/// <list type="number">
/// <item>Settings.</item>
/// <item>The frontier, in the order its rows were added: each row added as it is (a settled one added pending, then
/// settled by <see cref="ICrawlStore.UpdateFrontierAsync"/> with its reason and outcome, the only write that sets them).</item>
/// <item>Captures in fetch order, each committed with its payload (read from the source unless this run copied that digest
/// already) and leaving its URL pending: a state only moves forward, so the frontier's states stay as copied; attempts are
/// the larger of the row's and the capture's (the row's, copied from the source, is already the largest).</item>
/// <item>The due times of URLs left pending after a failure, which a commit resets: the URL's latest capture is written
/// again (a replay stores nothing) carrying the row's due time.</item>
/// <item>Recrawl schedules, job marks, the crawl log, DNS observations (a name's observations already in the target are skipped: the
/// SQLite store does not deduplicate them), discovered names.</item>
/// <item>Uptime: raw results (which fold into their hours), then every hourly aggregate as stored
/// (<see cref="IUptimeStore.ImportHourlyAsync"/>: purged hours included, folded hours replaced by the source's own),
/// state changes, outages and country-wide outages.</item>
/// </list>
/// Ids, times, epochs, frontier states and attempts are kept exactly (times to the millisecond, as every store keeps them).
/// </remarks>
public sealed class ArchiveMigrator
{
    public const string Settings = "settings";
    public const string Frontier = "frontier";
    public const string Captures = "captures";
    public const string Payloads = "payloads";
    public const string Schedules = "schedules";
    public const string Jobs = "jobs";
    public const string CrawlLog = "crawlLog";
    public const string DnsObservations = "dnsObservations";
    public const string DiscoveredNames = "discoveredNames";
    public const string UptimeResults = "uptimeResults";
    public const string UptimeHourly = "uptimeHourly";
    public const string UptimeChanges = "uptimeChanges";
    public const string UptimeOutages = "uptimeOutages";
    public const string CountryOutages = "countryOutages";

    /// <summary>The collections in the order they are copied and counted.</summary>
    public static IReadOnlyList<string> Collections { get; } =
    [
        Settings, Frontier, Captures, Payloads, Schedules, Jobs, CrawlLog, DnsObservations, DiscoveredNames,
        UptimeResults, UptimeHourly, UptimeChanges, UptimeOutages, CountryOutages,
    ];

    /// <summary>Digests remembered as copied (or checked) in this run: repeats are skipped without reading their bytes again; bounded, so memory stays flat.</summary>
    private const int RememberedDigests = 100_000;

    private readonly ArchiveStores _from;
    private readonly ArchiveStores _to;
    private readonly int _batchSize;
    private readonly Action<MigrationStep> _progress;

    /// <param name="from">The archive to copy.</param>
    /// <param name="to">The archive to copy into: empty, or holding a partial earlier copy.</param>
    /// <param name="progress">Told after every batch and when each collection is complete.</param>
    /// <param name="batchSize">Rows per write.</param>
    public ArchiveMigrator(ArchiveStores from, ArchiveStores to, Action<MigrationStep>? progress = null, int batchSize = 200)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _from = from;
        _to = to;
        _progress = progress ?? (_ => { });
        _batchSize = batchSize;
    }

    /// <summary>Copies every collection; returns the rows read from the source per collection (payloads: the distinct digests copied).</summary>
    public async Task<IReadOnlyDictionary<string, long>> CopyAsync(CancellationToken ct = default)
    {
        var copied = new Dictionary<string, long>(StringComparer.Ordinal);
        copied[Settings] = await CopyAsync(Settings, _from.Crawl.ExportSettingsAsync(ct),
            async (batch, c) =>
            {
                foreach (var (key, value) in batch)
                {
                    await _to.Crawl.SetSettingAsync(key, value, c).ConfigureAwait(false);
                }
            }, ct).ConfigureAwait(false);

        copied[Frontier] = await CopyAsync(Frontier, _from.Crawl.ExportFrontierAsync(ct), CopyFrontierAsync, ct).ConfigureAwait(false);

        var payloads = new DigestSet(RememberedDigests);
        long payloadsCopied = 0;
        copied[Captures] = await CopyAsync(Captures, _from.Crawl.GetCapturesAsync(new CaptureQuery(), ct),
            async (batch, c) =>
            {
                var commits = new List<FetchCommit>(batch.Count);
                foreach (var capture in batch)
                {
                    byte[]? payload = null;
                    if (capture.PayloadDigest is { } digest && payloads.Add(digest))
                    {
                        payload = await _from.Crawl.GetPayloadAsync(digest, c).ConfigureAwait(false);
                        payloadsCopied += payload is null ? 0 : 1;
                    }

                    commits.Add(Replay(capture, payload, retryAt: null));
                }

                await _to.Crawl.CommitAsync(commits, c).ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
        copied[Payloads] = payloadsCopied;
        _progress(new MigrationStep(Payloads, payloadsCopied, Done: true));

        await CopyAsync("frontier due times", PendingWithRetryAsync(ct), CopyRetryTimesAsync, ct).ConfigureAwait(false);

        copied[Schedules] = await CopyAsync(Schedules, _from.Crawl.ExportSchedulesAsync(ct),
            (batch, c) => _to.Crawl.UpsertSchedulesAsync(batch, c), ct).ConfigureAwait(false);
        copied[Jobs] = await CopyAsync(Jobs, _from.Crawl.ExportJobMarksAsync(ct),
            async (batch, c) =>
            {
                foreach (var mark in batch)
                {
                    await _to.Crawl.MarkJobAsync(mark.Host, mark.Epoch, mark.StartedAt, mark.FinishedAt, c).ConfigureAwait(false);
                }
            }, ct).ConfigureAwait(false);
        copied[CrawlLog] = await CopyAsync(CrawlLog, _from.Crawl.ExportCrawlLogAsync(ct),
            (batch, c) => _to.Crawl.AddToCrawlLogAsync(batch, c), ct).ConfigureAwait(false);

        copied[DnsObservations] = await CopyAsync(DnsObservations, _from.Dns.ExportObservationsAsync(ct), CopyObservationsAsync, ct).ConfigureAwait(false);
        var names = await _from.Dns.GetDiscoveredNamesAsync(ct).ConfigureAwait(false);
        copied[DiscoveredNames] = await CopyAsync(DiscoveredNames, names.ToAsyncEnumerable(),
            async (batch, c) => await _to.Dns.AddDiscoveredNamesAsync(batch, c).ConfigureAwait(false), ct).ConfigureAwait(false);

        copied[UptimeResults] = await CopyAsync(UptimeResults, _from.Uptime.ExportResultsAsync(ct),
            (batch, c) => _to.Uptime.AddResultsAsync(batch, c), ct).ConfigureAwait(false);
        copied[UptimeHourly] = await CopyAsync(UptimeHourly, _from.Uptime.ExportHourlyAsync(ct),
            (batch, c) => _to.Uptime.ImportHourlyAsync(batch, c), ct).ConfigureAwait(false);
        copied[UptimeChanges] = await CopyAsync(UptimeChanges, _from.Uptime.ExportStateChangesAsync(ct),
            (batch, c) => _to.Uptime.AddStateChangesAsync(batch, c), ct).ConfigureAwait(false);
        copied[UptimeOutages] = await CopyAsync(UptimeOutages, _from.Uptime.ExportOutagesAsync(ct),
            async (batch, c) =>
            {
                foreach (var outage in batch)
                {
                    await _to.Uptime.UpsertOutageAsync(outage, c).ConfigureAwait(false);
                }
            }, ct).ConfigureAwait(false);
        copied[CountryOutages] = await CopyAsync(CountryOutages, _from.Uptime.ExportCountryOutagesAsync(ct),
            async (batch, c) =>
            {
                foreach (var outage in batch)
                {
                    await _to.Uptime.UpsertCountryOutageAsync(outage, c).ConfigureAwait(false);
                }
            }, ct).ConfigureAwait(false);
        return copied;
    }

    /// <summary>
    /// Counts every collection on both sides, and reads every payload a target capture refers to: present, and its bytes'
    /// SHA-256 equal to its digest.
    /// </summary>
    public async Task<MigrationVerification> VerifyAsync(CancellationToken ct = default)
    {
        var counts = new List<CollectionCount>();
        foreach (var collection in Collections)
        {
            var source = await CountAsync(_from, collection, ct).ConfigureAwait(false);
            var target = await CountAsync(_to, collection, ct).ConfigureAwait(false);
            counts.Add(new CollectionCount(collection, source, target));
            _progress(new MigrationStep("verify " + collection, target, Done: true));
        }

        var checkedDigests = new DigestSet(RememberedDigests);
        var missing = new List<string>();
        var corrupt = new List<string>();
        long checkedCount = 0;
        await foreach (var capture in _to.Crawl.GetCapturesAsync(new CaptureQuery(), ct).ConfigureAwait(false))
        {
            if (capture.PayloadDigest is not { } digest || !checkedDigests.Add(digest))
            {
                continue;
            }

            var bytes = await _to.Crawl.GetPayloadAsync(digest, ct).ConfigureAwait(false);
            checkedCount++;
            if (bytes is null)
            {
                missing.Add(digest);
            }
            else if (!DigestMatches(digest, bytes))
            {
                corrupt.Add(digest);
            }

            if (checkedCount % 1000 == 0)
            {
                _progress(new MigrationStep("verify payload digests", checkedCount, Done: false));
            }
        }

        _progress(new MigrationStep("verify payload digests", checkedCount, Done: true));
        return new MigrationVerification(counts, checkedCount, missing, corrupt);
    }

    /// <summary>Whether <paramref name="bytes"/> hash to <paramref name="digest"/> ("sha256:" and lower- or upper-case hex).</summary>
    public static bool DigestMatches(string digest, ReadOnlySpan<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(digest);
        const string prefix = "sha256:";
        if (!digest.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var hex = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return string.Equals(hex, digest[prefix.Length..], StringComparison.OrdinalIgnoreCase);
    }

    private async Task CopyFrontierAsync(IReadOnlyList<FrontierRecord> batch, CancellationToken ct)
    {
        // Added pending (kept as it is when it is pending), then settled: the settling write is the one that stores reason and outcome.
        var entries = batch.Select(r => r.Entry.State == FrontierState.Pending ? r.Entry : r.Entry with { State = FrontierState.Pending, RetryAt = null }).ToList();
        await _to.Crawl.AddToFrontierAsync(entries, ct).ConfigureAwait(false);
        var settled = batch
            .Where(r => r.Entry.State != FrontierState.Pending)
            .Select(r => new FrontierUpdate(r.Entry.Url, r.Entry.Host, r.Entry.Epoch, r.Entry.State, r.Reason!) { Outcome = r.Outcome })
            .ToList();
        await _to.Crawl.UpdateFrontierAsync(settled, ct).ConfigureAwait(false);
    }

    private async IAsyncEnumerable<FrontierEntry> PendingWithRetryAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var row in _from.Crawl.ExportFrontierAsync(ct).ConfigureAwait(false))
        {
            if (row.Entry is { State: FrontierState.Pending, RetryAt: not null })
            {
                yield return row.Entry;
            }
        }
    }

    private async Task CopyRetryTimesAsync(IReadOnlyList<FrontierEntry> batch, CancellationToken ct)
    {
        var commits = new List<FetchCommit>();
        foreach (var entry in batch)
        {
            CaptureRecord? latest = null;
            await foreach (var capture in _to.Crawl.GetCapturesAsync(new CaptureQuery { Url = entry.Url, Epoch = entry.Epoch }, ct).ConfigureAwait(false))
            {
                if (latest is null || capture.Attempt >= latest.Attempt)
                {
                    latest = capture;
                }
            }

            if (latest is not null)
            {
                commits.Add(Replay(latest, payload: null, entry.RetryAt));
            }
        }

        await _to.Crawl.CommitAsync(commits, ct).ConfigureAwait(false);
    }

    /// <summary>A stored capture written again: nothing but itself (no discovered URLs, no schedule, no outcome), its URL left pending.</summary>
    private static FetchCommit Replay(CaptureRecord capture, byte[]? payload, DateTimeOffset? retryAt) => new()
    {
        Capture = capture,
        Payload = payload,
        UrlState = FrontierState.Pending,
        RetryAt = retryAt,
    };

    private async Task CopyObservationsAsync(IReadOnlyList<DnsObservation> batch, CancellationToken ct)
    {
        var fresh = new List<DnsObservation>(batch.Count);
        foreach (var name in batch.GroupBy(o => o.Name, StringComparer.Ordinal))
        {
            // A multiset: the target's observations of the name, each matching one source observation at most.
            var stored = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var o in await _to.Dns.GetObservationsAsync(name.Key, ct).ConfigureAwait(false))
            {
                stored[ObservationKey(o)] = stored.GetValueOrDefault(ObservationKey(o)) + 1;
            }

            foreach (var o in name)
            {
                var key = ObservationKey(o);
                if (stored.GetValueOrDefault(key) > 0)
                {
                    stored[key]--;
                }
                else
                {
                    fresh.Add(o);
                }
            }
        }

        if (fresh.Count > 0)
        {
            await _to.Dns.AddObservationsAsync(fresh, ct).ConfigureAwait(false);
        }
    }

    private static string ObservationKey(DnsObservation o) => string.Create(CultureInfo.InvariantCulture,
        $"{o.At.ToUnixTimeMilliseconds()}|{o.Server}|{o.Outcome}|{JsonSerializer.Serialize(o.Records)}");

    private async Task<long> CopyAsync<T>(string collection, IAsyncEnumerable<T> rows, Func<IReadOnlyList<T>, CancellationToken, Task> write, CancellationToken ct)
    {
        long count = 0;
        var batch = new List<T>(_batchSize);
        await foreach (var row in rows.WithCancellation(ct).ConfigureAwait(false))
        {
            batch.Add(row);
            if (batch.Count == _batchSize)
            {
                await write(batch, ct).ConfigureAwait(false);
                count += batch.Count;
                batch = new List<T>(_batchSize);
                _progress(new MigrationStep(collection, count, Done: false));
            }
        }

        if (batch.Count > 0)
        {
            await write(batch, ct).ConfigureAwait(false);
            count += batch.Count;
        }

        _progress(new MigrationStep(collection, count, Done: true));
        return count;
    }

    private static async Task<long> CountAsync(ArchiveStores stores, string collection, CancellationToken ct) => collection switch
    {
        Settings => await CountAsync(stores.Crawl.ExportSettingsAsync(ct), ct).ConfigureAwait(false),
        Frontier => await CountAsync(stores.Crawl.ExportFrontierAsync(ct), ct).ConfigureAwait(false),
        Captures => await CountAsync(stores.Crawl.GetCapturesAsync(new CaptureQuery(), ct), ct).ConfigureAwait(false),
        Payloads => (await stores.Crawl.GetStatsAsync(ct).ConfigureAwait(false)).Payloads,
        Schedules => await CountAsync(stores.Crawl.ExportSchedulesAsync(ct), ct).ConfigureAwait(false),
        Jobs => await CountAsync(stores.Crawl.ExportJobMarksAsync(ct), ct).ConfigureAwait(false),
        CrawlLog => await CountAsync(stores.Crawl.ExportCrawlLogAsync(ct), ct).ConfigureAwait(false),
        DnsObservations => await CountAsync(stores.Dns.ExportObservationsAsync(ct), ct).ConfigureAwait(false),
        DiscoveredNames => (await stores.Dns.GetDiscoveredNamesAsync(ct).ConfigureAwait(false)).Count,
        UptimeResults => await CountAsync(stores.Uptime.ExportResultsAsync(ct), ct).ConfigureAwait(false),
        UptimeHourly => await CountAsync(stores.Uptime.ExportHourlyAsync(ct), ct).ConfigureAwait(false),
        UptimeChanges => await CountAsync(stores.Uptime.ExportStateChangesAsync(ct), ct).ConfigureAwait(false),
        UptimeOutages => await CountAsync(stores.Uptime.ExportOutagesAsync(ct), ct).ConfigureAwait(false),
        CountryOutages => await CountAsync(stores.Uptime.ExportCountryOutagesAsync(ct), ct).ConfigureAwait(false),
        _ => throw new ArgumentOutOfRangeException(nameof(collection), collection, "Not a collection of the archive."),
    };

    private static async Task<long> CountAsync<T>(IAsyncEnumerable<T> rows, CancellationToken ct)
    {
        long count = 0;
        await foreach (var _ in rows.WithCancellation(ct).ConfigureAwait(false))
        {
            count++;
        }

        return count;
    }

    /// <summary>The digests seen most recently, at most <c>capacity</c> (the oldest forgotten first): bounded memory for any archive.</summary>
    private sealed class DigestSet(int capacity)
    {
        private readonly HashSet<string> _set = new(StringComparer.Ordinal);
        private readonly Queue<string> _order = new();

        /// <summary>True when the digest was not remembered (and now is).</summary>
        public bool Add(string digest)
        {
            if (!_set.Add(digest))
            {
                return false;
            }

            _order.Enqueue(digest);
            if (_order.Count > capacity)
            {
                _set.Remove(_order.Dequeue());
            }

            return true;
        }
    }
}
