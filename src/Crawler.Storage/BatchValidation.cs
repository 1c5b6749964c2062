namespace Crawler.Storage;

/// <summary>
/// The argument checks every crawl store makes before writing, with the same messages: a batch with a malformed
/// record is refused whole, before anything is written.
/// </summary>
public static class BatchValidation
{
    public static void Entry(FrontierEntry? entry, string paramName, int index)
    {
        if (entry is null || entry.Url is null || entry.Host is null || entry.Kind is null)
        {
            throw new ArgumentException($"Frontier entry #{index} is null or lacks Url, Host or Kind.", paramName);
        }
    }

    public static void Commit(FetchCommit? commit, int index)
    {
        var capture = commit?.Capture;
        if (commit is null || capture is null || capture.Id is null || capture.Url is null || capture.Host is null
            || capture.RequestHeaders is null || capture.Outlinks is null || commit.Discovered is null || commit.Declined is null)
        {
            throw new ArgumentException(
                $"Commit #{index} is null or its capture lacks Id, Url, Host, RequestHeaders or Outlinks.", "batch");
        }

        if (commit.Payload is not null && capture.PayloadDigest is null)
        {
            throw new ArgumentException(
                $"Commit #{index} (capture '{capture.Id}') carries payload bytes but no PayloadDigest to store them under.", "batch");
        }

        for (var i = 0; i < commit.Discovered.Count; i++)
        {
            Entry(commit.Discovered[i], "batch", i);
        }

        Declined(commit.Declined, "batch");

        if (commit.Schedule is { } schedule)
        {
            Schedule(schedule, "batch", index);
            if (schedule.Url != capture.Url)
            {
                throw new ArgumentException(
                    $"Commit #{index} (capture '{capture.Id}' of {capture.Url}) carries the schedule of another URL ({schedule.Url}).", "batch");
            }
        }
    }

    public static void Update(FrontierUpdate? update, string paramName, int index)
    {
        if (update is not { Url: not null, Host: not null, Discovered: not null, Declined: not null })
        {
            throw new ArgumentException($"Frontier update #{index} is null or lacks Url, Host or Discovered.", paramName);
        }

        for (var j = 0; j < update.Discovered.Count; j++)
        {
            Entry(update.Discovered[j], paramName, j);
        }

        Declined(update.Declined, paramName);
    }

    public static void Declined(IReadOnlyList<CrawlLogEntry> declined, string paramName)
    {
        for (var i = 0; i < declined.Count; i++)
        {
            if (declined[i] is not { Url: not null, Host: not null, Reason: not null })
            {
                throw new ArgumentException($"Crawl log row #{i} is null or lacks Url, Host or Reason.", paramName);
            }
        }
    }

    public static void Schedule(UrlSchedule? schedule, string paramName, int index)
    {
        if (schedule is null || schedule.Url is null || schedule.Host is null)
        {
            throw new ArgumentException($"Schedule #{index} is null or lacks Url or Host.", paramName);
        }

        if (schedule.Interval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Schedule #{index} ({schedule.Url}) has interval {schedule.Interval}: it must be positive.", paramName);
        }
    }
}
