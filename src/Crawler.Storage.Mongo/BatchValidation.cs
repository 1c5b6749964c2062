namespace Crawler.Storage.Mongo;

/// <summary>
/// The argument checks every crawl store makes before writing (the SQLite store's, same messages): a batch with a
/// malformed record is refused whole, before anything is sent to the server.
/// </summary>
internal static class BatchValidation
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
            || capture.RequestHeaders is null || capture.Outlinks is null || commit.Discovered is null)
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
    }
}
