using Akka.Actor;
using Crawler.Storage;
using Microsoft.Extensions.Logging;

namespace Crawler.Actors.Archive;

public sealed record ArchiveWriterOptions
{
    public int MaxBatch { get; init; } = 256;

    /// <summary>
    /// The group-commit window: a write waits this long for others to join it, and the next write starts at most this
    /// long after the previous one started (at once when <see cref="MaxBatch"/> writes wait, or a flush is asked for).
    /// 50 ms: on issue 11's one-site bench (~2,000 pages/s) 20 ms wrote 0.65 GB of WAL and database pages for the
    /// crawl, 50 ms 0.4 GB, ~5 % less CPU per page; a site waits for acknowledgements only past
    /// <c>Crawler:Crawl:MaxUnacknowledged</c> (256) writes, ~100 ms of fetching at that rate.
    /// </summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>First pause after a failed write; doubles up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Batches fetch results into store transactions. A sender hears <see cref="ArchiveWriterProtocol.Persisted"/>
/// only after the batch holding its write committed; a store outage keeps the batch and
/// retries with backoff, so nothing acknowledged is lost and nothing unacknowledged is dropped.
/// </summary>
/// <remarks>
/// Group commit: transactions start at most once per <see cref="ArchiveWriterOptions.FlushInterval"/> (unless a full
/// batch waits). Every commit syncs the WAL and writes every b-tree page its rows touched again (the indexes on URLs and
/// digests are in random order), so a commit of 10 pages wrote ~75 KB per page; starting the next transaction as soon as
/// the last one ended made commits as small as the disk was fast (issue 11's one-site bench: ~2,000 commits of ~10 pages
/// at c=1, 1.1-1.5 GB written for 82 MB of pages).
/// </remarks>
internal sealed class ArchiveWriter : ReceiveActor, IWithTimers
{
    private const string FlushTimer = "flush";
    private readonly ICrawlStore _store;
    private readonly ArchiveWriterOptions _options;
    private readonly ILogger _logger;
    private readonly List<(FetchCommit Commit, IActorRef ReplyTo)> _commits = [];
    private readonly List<(FrontierUpdate Update, IActorRef ReplyTo)> _updates = [];
    private readonly List<IActorRef> _flushWaiters = [];
    private bool _writing;
    private DateTimeOffset _writeStarted;
    private TimeSpan _retryDelay;

    public ArchiveWriter(ICrawlStore store, ArchiveWriterOptions options, ILogger logger)
    {
        _store = store;
        _options = options;
        _logger = logger;
        _retryDelay = options.RetryDelay;

        Receive<ArchiveWriterProtocol.Persist>(p =>
        {
            _commits.Add((p.Commit, Sender));
            Schedule();
        });
        Receive<ArchiveWriterProtocol.Settle>(s =>
        {
            _updates.Add((s.Update, Sender));
            Schedule();
        });
        Receive<ArchiveWriterProtocol.Flush>(_ =>
        {
            if (!_writing && _commits.Count == 0 && _updates.Count == 0)
            {
                Sender.Tell(new ArchiveWriterProtocol.Flushed());
                return;
            }

            _flushWaiters.Add(Sender);
            StartWrite();
        });
        Receive<FlushTick>(_ => StartWrite());
        Receive<WriteDone>(OnWriteDone);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private void Schedule()
    {
        if (_commits.Count + _updates.Count >= _options.MaxBatch)
        {
            StartWrite();
        }
        else if (!_writing && !Timers.IsTimerActive(FlushTimer))
        {
            Timers.StartSingleTimer(FlushTimer, FlushTick.Instance, _options.FlushInterval);
        }
    }

    private void StartWrite()
    {
        if (_writing || (_commits.Count == 0 && _updates.Count == 0))
        {
            return;
        }

        Timers.Cancel(FlushTimer);
        _writing = true;
        _writeStarted = Context.System.Scheduler.Now; // the scheduler's clock: a test's virtual time moves it
        var commits = _commits.Take(_options.MaxBatch * 4).ToList();
        var updates = _updates.ToList();
        var store = _store;
        Write(store, commits, updates).PipeTo(Self);
    }

    /// <summary>Each store call is one transaction; report which of the two went through.</summary>
    private static async Task<WriteDone> Write(ICrawlStore store, List<(FetchCommit Commit, IActorRef ReplyTo)> commits, List<(FrontierUpdate Update, IActorRef ReplyTo)> updates)
    {
        try
        {
            if (commits.Count > 0)
            {
                await store.CommitAsync(commits.Select(c => c.Commit).ToList()).ConfigureAwait(false);
            }
        }
        catch (StoreUnavailableException ex)
        {
            return new WriteDone([], [], ex);
        }
        catch (Exception) when (commits.Count > 1)
        {
            // The store refused the batch itself (not an outage): find the commit it refuses by
            // writing one at a time, so one bad record cannot stall the whole crawl.
            var written = new List<(FetchCommit Commit, IActorRef ReplyTo)>();
            foreach (var commit in commits)
            {
                try
                {
                    await store.CommitAsync([commit.Commit]).ConfigureAwait(false);
                }
                catch (StoreUnavailableException outage)
                {
                    return new WriteDone(written, [], outage);
                }
                catch (Exception refused)
                {
                    return new WriteDone(written, [], refused) { Refused = commit };
                }

                written.Add(commit);
            }

            return new WriteDone(written, [], null);
        }
        catch (Exception ex)
        {
            return new WriteDone([], [], ex) { Refused = commits[0] };
        }

        try
        {
            if (updates.Count > 0)
            {
                await store.UpdateFrontierAsync(updates.Select(u => u.Update).ToList()).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            return new WriteDone(commits, [], ex);
        }

        return new WriteDone(commits, updates, null);
    }

    private void OnWriteDone(WriteDone done)
    {
        _writing = false;
        _commits.RemoveRange(0, done.Commits.Count);
        var error = done.Error;
        if (done.Refused is { } refused)
        {
            // Never storable (a bug, not an outage): log it with its URL and let the crawl go on.
            _commits.Remove(refused);
            Log.CommitRefused(_logger, done.Error!, refused.Commit.Capture.Url);
            refused.ReplyTo.Tell(new ArchiveWriterProtocol.Persisted(refused.Commit.Capture.Url));
            error = null;
        }

        _updates.RemoveRange(0, done.Updates.Count);
        foreach (var (commit, replyTo) in done.Commits)
        {
            replyTo.Tell(new ArchiveWriterProtocol.Persisted(commit.Capture.Url));
        }

        foreach (var (update, replyTo) in done.Updates)
        {
            replyTo.Tell(new ArchiveWriterProtocol.Persisted(update.Url));
        }

        if (error is not null)
        {
            // What was not written stays buffered and is tried again: nothing is dropped.
            Log.StoreWriteFailed(_logger, error, _commits.Count + _updates.Count, _retryDelay.TotalSeconds);
            Timers.StartSingleTimer(FlushTimer, FlushTick.Instance, _retryDelay);
            _retryDelay = TimeSpan.FromTicks(Math.Min(_retryDelay.Ticks * 2, _options.MaxRetryDelay.Ticks));
            return;
        }

        _retryDelay = _options.RetryDelay;

        if (_commits.Count > 0 || _updates.Count > 0)
        {
            // The next transaction one window after this one started: what arrives meanwhile joins it.
            // Never longer than one window, should the clock step back.
            var elapsed = Context.System.Scheduler.Now - _writeStarted;
            var wait = elapsed < TimeSpan.Zero ? _options.FlushInterval : _options.FlushInterval - elapsed;
            if (wait <= TimeSpan.Zero || _flushWaiters.Count > 0 || _commits.Count + _updates.Count >= _options.MaxBatch)
            {
                StartWrite();
            }
            else
            {
                Timers.StartSingleTimer(FlushTimer, FlushTick.Instance, wait);
            }
        }
        else
        {
            foreach (var waiter in _flushWaiters)
            {
                waiter.Tell(new ArchiveWriterProtocol.Flushed());
            }

            _flushWaiters.Clear();
        }
    }

    private sealed record FlushTick : INoSerializationVerificationNeeded
    {
        public static readonly FlushTick Instance = new();
    }

    private sealed record WriteDone(
        List<(FetchCommit Commit, IActorRef ReplyTo)> Commits,
        List<(FrontierUpdate Update, IActorRef ReplyTo)> Updates,
        Exception? Error) : INoSerializationVerificationNeeded
    {
        /// <summary>A commit the store refuses for good (not an outage).</summary>
        public (FetchCommit Commit, IActorRef ReplyTo)? Refused { get; init; }
    }
}
