using Crawler.Core.Search;
using Crawler.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Crawler.Node.Hosting;

/// <summary>
/// Brings the search index up to date with the store: every archived HTML page (2xx, with a payload) is indexed once per
/// version (URL and payload digest), with the time of the first capture of that version.
/// </summary>
/// <remarks>
/// It reads the store rather than hooking the archive writer's commits: every capture any node commits (a cluster has
/// one writer per node, all on one store) is in the store, whoever wrote it, and an archive written before search
/// existed is indexed the same way on open. Keys make it idempotent: a pass that runs twice, two nodes catching up at
/// once, or a pass cut short by a crash and run again index nothing twice. Passes run one at a time in a process.
/// A pass reads every capture's record (not its payload) to find the versions it has not indexed yet: the versions it
/// indexed are remembered in memory, the others asked of the index in batches, so a pass over an archive already indexed
/// reads records only; on an archive of millions of captures that reading is the pass's cost (a capture watermark that
/// tolerates late commits from other nodes would bound it).
/// </remarks>
public sealed partial class SearchIndexer(ICrawlStore store, ISearchIndex index, ILogger<SearchIndexer> logger)
{
    private const int BatchSize = 200;

    private readonly SemaphoreSlim _pass = new(1, 1);
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _firstPass = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _initialized;

    /// <summary>Completes when the first pass has ended (well or not): what the search endpoint waits for after a start.</summary>
    public Task FirstPass => _firstPass.Task;

    /// <summary>One pass over the store's captures; returns how many versions it added to the index.</summary>
    public async Task<int> CatchUpAsync(CancellationToken ct = default)
    {
        await _pass.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!_initialized)
            {
                await index.InitializeAsync(ct).ConfigureAwait(false);
                _initialized = true;
            }

            var added = 0;
            var batch = new List<CaptureRecord>(BatchSize);
            var inPass = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var capture in store.GetCapturesAsync(new CaptureQuery(), ct).ConfigureAwait(false))
            {
                if (!IsPage(capture) || _known.Contains(Key(capture)) || !inPass.Add(Key(capture)))
                {
                    continue; // the first capture of a version (fetch order) gives its time
                }

                batch.Add(capture);
                if (batch.Count == BatchSize)
                {
                    added += await IndexAsync(batch, ct).ConfigureAwait(false);
                    batch.Clear();
                }
            }

            added += await IndexAsync(batch, ct).ConfigureAwait(false);
            if (added > 0)
            {
                Indexed(logger, added);
            }

            return added;
        }
        finally
        {
            _pass.Release();
            _firstPass.TrySetResult();
        }
    }

    /// <summary>A capture search indexes: an HTML page answered 2xx with a body.</summary>
    public static bool IsPage(CaptureRecord capture)
    {
        ArgumentNullException.ThrowIfNull(capture);
        return capture.Status is >= 200 and < 300 && capture.PayloadDigest is not null && capture.PayloadLength > 0 && ArchivedBody.IsHtml(capture.ContentType);
    }

    /// <summary>The index entry of a page capture: its text, title, site and language.</summary>
    public static async Task<SearchDocument> DocumentAsync(ICrawlStore store, CaptureRecord capture, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(capture);
        var text = string.Join('\n', await ArchivedBody.TextBlocksAsync(store, capture, ct).ConfigureAwait(false));
        return new SearchDocument
        {
            Url = capture.Url,
            PayloadDigest = capture.PayloadDigest!,
            Site = capture.Host,
            Language = PageLanguage.Of(capture.Language, text),
            CapturedAt = capture.FetchedAt,
            Title = capture.Title ?? string.Empty,
            Text = text,
        };
    }

    private static string Key(CaptureRecord capture) => SearchDocument.SearchKey(capture.Url, capture.PayloadDigest!);

    private async Task<int> IndexAsync(List<CaptureRecord> batch, CancellationToken ct)
    {
        if (batch.Count == 0)
        {
            return 0;
        }

        var indexed = await index.GetIndexedAsync([.. batch.Select(Key)], ct).ConfigureAwait(false);
        var documents = new List<SearchDocument>();
        foreach (var capture in batch.Where(c => !indexed.Contains(Key(c))))
        {
            documents.Add(await DocumentAsync(store, capture, ct).ConfigureAwait(false));
        }

        var added = await index.AddAsync(documents, ct).ConfigureAwait(false);
        _known.UnionWith(batch.Select(Key));
        return added;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Search index: {Count} page versions added")]
    private static partial void Indexed(ILogger logger, int count);
}

/// <summary>Runs <see cref="SearchIndexer"/> when the host starts (an existing archive gets indexed) and then every <see cref="Interval"/>.</summary>
internal sealed partial class SearchIndexService(SearchIndexer indexer, ILogger<SearchIndexService> logger) : BackgroundService
{
    /// <summary>How often the index catches up with the store (a page is searchable this long after it was archived, at most about).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await indexer.CatchUpAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The crawl goes on without search: the next pass tries again.
            catch (Exception e)
#pragma warning restore CA1031
            {
                CatchUpFailed(logger, e, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Search index could not catch up with the store; trying again in 30 s: {Reason}")]
    private static partial void CatchUpFailed(ILogger logger, Exception exception, string reason);
}
