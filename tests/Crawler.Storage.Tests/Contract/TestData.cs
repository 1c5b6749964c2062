using System.Security.Cryptography;
using System.Text;

namespace Crawler.Storage.Tests.Contract;

/// <summary>Builders for contract tests: captures, commits and frontier entries with sensible defaults.</summary>
internal static class TestData
{
    /// <summary>Stores keep milliseconds (BSON dates do too), so test times are whole milliseconds.</summary>
    public static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset At(int seconds) => T0.AddSeconds(seconds);

    public static CaptureRecord Capture(string url, int epoch = 1, int at = 0, string? host = null) => new()
    {
        Id = Guid.CreateVersion7().ToString("N"), // as the crawler writes them (the SQLite store keeps this form as 16 bytes)
        Url = url,
        Host = host ?? new Uri(url).Host,
        Epoch = epoch,
        FetchedAt = At(at),
        Status = 200,
        RequestHeaders = Encoding.ASCII.GetBytes($"GET {new Uri(url).PathAndQuery} HTTP/1.1\r\n\r\n"),
    };

    public static FetchCommit Commit(CaptureRecord capture, FrontierState state = FrontierState.Done, params FrontierEntry[] discovered) =>
        new() { Capture = capture, UrlState = state, Discovered = discovered };

    public static FetchCommit CommitWithPayload(CaptureRecord capture, byte[] payload) => new()
    {
        Capture = capture with { PayloadDigest = Digest(payload), PayloadLength = payload.Length },
        Payload = payload,
    };

    public static FrontierEntry Entry(string url, int epoch = 1, string? via = null, int depth = 0, string kind = "seed") => new()
    {
        Url = url,
        Host = new Uri(url).Host,
        Epoch = epoch,
        Via = via,
        Depth = depth,
        Kind = kind,
    };

    /// <summary>A crawl log row: a declined link (with the page it was on as via) or, without via, a URL's own verdict.</summary>
    public static CrawlLogEntry Declined(string url, string reason, int epoch = 1, string? via = null, string? detail = null) =>
        new() { Url = url, Host = new Uri(url).Host, Epoch = epoch, Reason = reason, Detail = detail, Via = via, Depth = via is null ? 0 : 3, At = At(5) };

    public static string Digest(byte[] payload) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(payload));

    public static byte[] Html(string title) => Encoding.UTF8.GetBytes(
        $"<!DOCTYPE html><html><head><title>{title}</title></head><body>"
        + string.Concat(Enumerable.Range(0, 50).Select(i => $"<p><a href=\"/page/{i}.html\">Page {i}</a> of {title}</p>"))
        + "</body></html>");

    public static async Task<List<CaptureRecord>> ToListAsync(this IAsyncEnumerable<CaptureRecord> source)
    {
        var list = new List<CaptureRecord>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }
}
