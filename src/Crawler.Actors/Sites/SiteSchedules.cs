using Crawler.Core.Policies;
using Crawler.Storage;

namespace Crawler.Actors.Sites;

/// <summary>
/// One site's recrawl schedules (<see cref="UrlSchedule"/>), in memory: loaded from the store when the site starts an
/// epoch, asked whether a URL is due, and moved on by <see cref="RecrawlPolicy"/> after each final fetch. The schedule
/// it returns travels in the fetch's commit, so the store holds it exactly when it holds the capture.
/// </summary>
/// <remarks>Pure: no I/O, no clock (every time is passed in). robots.txt is not scheduled: it is fetched once per epoch
/// in which the site fetches anything, as RFC 9309 asks of its cache.</remarks>
internal sealed class SiteSchedules(RecrawlOptions options)
{
    private readonly Dictionary<string, UrlSchedule> _byUrl = new(StringComparer.Ordinal);

    public int Count => _byUrl.Count;

    public void Clear() => _byUrl.Clear();

    public void Load(IEnumerable<UrlSchedule> schedules)
    {
        ArgumentNullException.ThrowIfNull(schedules);
        foreach (var schedule in schedules)
        {
            _byUrl[schedule.Url] = schedule;
        }
    }

    public UrlSchedule? Get(string url) => _byUrl.GetValueOrDefault(url);

    /// <summary>A URL without a schedule (never fetched under it) is always due; one with a schedule once its due time has come.</summary>
    public bool IsDue(string url, DateTimeOffset now) => !_byUrl.TryGetValue(url, out var schedule) || now >= schedule.DueAt;

    /// <summary>Settles a URL that is not due, with the URLs its latest capture leads to (added in the same write).</summary>
    public FrontierUpdate NotDue(FrontierEntry entry, IReadOnlyList<FrontierEntry> discovered)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var due = Get(entry.Url)?.DueAt;
        return new FrontierUpdate(entry.Url, entry.Host, entry.Epoch, FrontierState.NotDue, $"not due before {due:O}") { Discovered = discovered };
    }

    /// <summary>
    /// The schedule and the job outcome after the final fetch of <paramref name="entry"/> in its epoch (no retry to come).
    /// A fetch without a response (time-out, refused, DNS) or given up after its retries (<paramref name="state"/>
    /// <see cref="FrontierState.Failed"/>: a 503 to the last) is <see cref="RecrawlOutcome.Failed"/> and leaves the schedule
    /// as it was (null: nothing to store), so the URL stays due; any other response moves it: changed when it is neither a
    /// 304 nor the digest last seen (a 404 that stays a 404 is unchanged).
    /// </summary>
    /// <param name="at">When the fetch ended on the site's clock; kept to the millisecond, as the store keeps it.</param>
    public (UrlSchedule? Schedule, RecrawlOutcome Outcome) Fetched(FrontierEntry entry, CaptureRecord capture, FrontierState state, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(capture);
        if (capture.Status is null || state == FrontierState.Failed)
        {
            return (null, RecrawlOutcome.Failed);
        }

        at = DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());
        var previous = Get(entry.Url);
        var changed = previous is null || RecrawlPolicy.IsChanged(capture.Status, capture.PayloadDigest, previous.PayloadDigest);
        var pageClass = RecrawlPolicy.Classify(entry.Url, entry.Depth, entry.Kind, options);
        var next = RecrawlPolicy.Next(options, pageClass, previous?.ToPolicy(), changed, at);
        var schedule = new UrlSchedule
        {
            Url = entry.Url,
            Host = entry.Host,
            PageClass = pageClass,
            Interval = next.Interval,
            LastFetchedAt = next.LastFetchedAt,
            LastChangedAt = next.LastChangedAt,
            DueAt = next.DueAt,
            PayloadDigest = changed ? capture.PayloadDigest : previous!.PayloadDigest,
            Fetches = (previous?.Fetches ?? 0) + 1,
            Changes = (previous?.Changes ?? 0) + (changed ? 1 : 0),
            Epoch = entry.Epoch,
        };
        _byUrl[entry.Url] = schedule;
        var outcome = previous is null ? RecrawlOutcome.New : changed ? RecrawlOutcome.Changed : RecrawlOutcome.Unchanged;
        return (schedule, outcome);
    }
}
