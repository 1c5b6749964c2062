using Crawler.Storage;

namespace Crawler.Actors.Sites;

// The site's pure parts (SiteFrontier, RobotsTracker, AddressLease) live beside SiteActor rather than in
// Crawler.Core: they hold storage records (FrontierEntry) and the fetch job of the actor, and Core does not
// reference Crawler.Storage. They do no I/O and read no clock: every time is passed in.

/// <summary>
/// One site's frontier in one epoch, in memory: the URLs ready to fetch (shallowest first, then in order of
/// arrival), those waiting for a retry until their due time, those whose recrawl schedule is not due (settled
/// without a request, in order of arrival), every URL known in the epoch and the attempts made per URL. Rebuilt
/// from the store's frontier when the site starts (<see cref="Load"/>).
/// </summary>
/// <param name="isDue">Whether a URL new to the queues is due for a fetch (its recrawl schedule); null: every URL is.
/// Asked when the URL is queued; a URL already attempted in the epoch is due whatever it says.</param>
internal sealed class SiteFrontier(Func<FrontierEntry, bool>? isDue = null)
{
    private readonly PriorityQueue<FrontierEntry, (int Depth, long Seq)> _ready = new();
    private readonly PriorityQueue<FrontierEntry, (DateTimeOffset Due, long Seq)> _waiting = new();
    private readonly Queue<FrontierEntry> _notDue = new();
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private long _seq;

    public int ReadyCount => _ready.Count;

    /// <summary>URLs not due, still to settle (their links to follow from the store).</summary>
    public int NotDueCount => _notDue.Count;

    public int WaitingCount => _waiting.Count;

    /// <summary>When the first waiting URL is due, or null when none waits.</summary>
    public DateTimeOffset? NextDue => _waiting.TryPeek(out _, out var due) ? due.Due : null;

    public void Clear()
    {
        _ready.Clear();
        _waiting.Clear();
        _notDue.Clear();
        _known.Clear();
        _attempts.Clear();
    }

    /// <summary>
    /// Rebuilds the frontier from the store's rows of the epoch: pending URLs are ready (or not due, see the
    /// constructor), or wait until their stored retry due time when it is still ahead; settled URLs are only known.
    /// Returns the settled counts (URLs settled as not due among the skipped).
    /// </summary>
    public (int Fetched, int Skipped) Load(IEnumerable<FrontierEntry> entries, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(entries);
        int fetched = 0, skipped = 0;
        foreach (var entry in entries)
        {
            _known.Add(entry.Url);
            if (entry.Attempts > 0)
            {
                _attempts[entry.Url] = entry.Attempts;
            }

            switch (entry.State)
            {
                case FrontierState.Pending when entry.RetryAt is { } due && due > now:
                    _waiting.Enqueue(entry, (due, _seq++));
                    break;
                case FrontierState.Pending:
                    Queue(entry);
                    break;
                case FrontierState.Done or FrontierState.Failed:
                    fetched++;
                    break;
                default:
                    skipped++;
                    break;
            }
        }

        return (fetched, skipped);
    }

    /// <summary>Adds a URL not yet known in the epoch as ready (or not due); false (and nothing changes) when it is known.</summary>
    public bool Add(FrontierEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!_known.Add(entry.Url))
        {
            return false;
        }

        Queue(entry);
        return true;
    }

    private void Queue(FrontierEntry entry)
    {
        if (entry.Attempts == 0 && !_attempts.ContainsKey(entry.Url) && isDue is not null && !isDue(entry))
        {
            _notDue.Enqueue(entry);
        }
        else
        {
            _ready.Enqueue(entry, (entry.Depth, _seq++));
        }
    }

    /// <summary>Takes the next URL that is not due, to settle without a request.</summary>
    public bool TryTakeNotDue(out FrontierEntry entry) => _notDue.TryDequeue(out entry!);

    /// <summary>A URL taken as not due that must be fetched after all (nothing stored to follow its links from): ready.</summary>
    public void FetchAfterAll(FrontierEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        _known.Add(entry.Url);
        _ready.Enqueue(entry, (entry.Depth, _seq++));
    }

    /// <summary>Remembers a URL as known without queueing it (robots.txt, fetched outside the queue).</summary>
    public void MarkKnown(string url) => _known.Add(url);

    public bool IsKnown(string url) => _known.Contains(url);

    /// <summary>Attempts made on the URL in this epoch so far.</summary>
    public int Attempts(string url) => _attempts.GetValueOrDefault(url);

    /// <summary>Records that attempt number <paramref name="attempt"/> of the URL was made.</summary>
    public void Attempted(string url, int attempt) => _attempts[url] = attempt;

    /// <summary>The URL waits until <paramref name="due"/>, then becomes ready again (<see cref="PromoteDue"/>).</summary>
    public void RetryAt(FrontierEntry entry, DateTimeOffset due)
    {
        ArgumentNullException.ThrowIfNull(entry);
        _known.Add(entry.Url);
        _waiting.Enqueue(entry with { RetryAt = due }, (due, _seq++));
    }

    /// <summary>Moves every waiting URL whose due time has come to the ready queue.</summary>
    public void PromoteDue(DateTimeOffset now)
    {
        while (_waiting.TryPeek(out var entry, out var due) && due.Due <= now)
        {
            _waiting.Dequeue();
            _ready.Enqueue(entry with { RetryAt = null }, (entry.Depth, _seq++));
        }
    }

    public bool TryPeekReady(out FrontierEntry entry) => _ready.TryPeek(out entry!, out _);

    /// <summary>Takes the next ready URL (shallowest, then oldest).</summary>
    public FrontierEntry TakeReady() => _ready.Dequeue();
}
