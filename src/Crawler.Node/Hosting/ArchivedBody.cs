using System.Text;
using Crawler.Core.Html;
using Crawler.Core.Text;
using Crawler.Net;
using Crawler.Storage;

namespace Crawler.Node.Hosting;

/// <summary>What the archive's HTTP answers read from a capture: a header of its response as received, its body content-decoded.</summary>
internal static class ArchivedBody
{
    /// <summary>The most a body may decode to (the fetch cap and a margin): a stored gzip bomb stays bounded.</summary>
    private const long MaxDecodedBytes = 64L << 20;

    /// <summary>The capture's body with its Content-Encoding undone (as received when the coding is unknown).</summary>
    public static byte[] Decoded(CaptureRecord capture, byte[] body) =>
        ContentDecoder.Decode(body, HeaderValue(capture.ResponseHeaders, "Content-Encoding"), MaxDecodedBytes, out _);

    /// <summary>Whether a capture's type is a page whose text <see cref="TextBlocksAsync"/> reads with <see cref="HtmlText"/>.</summary>
    public static bool IsHtml(string? contentType) => MediaType(contentType) is "text/html" or "application/xhtml+xml";

    /// <summary>
    /// The text blocks of a capture: an HTML page's (<see cref="HtmlText"/>), a text file's lines, nothing for anything else
    /// (what <c>/api/diff</c> compares and search indexes). Decoded as the crawl decoded it: the declared charset, else a guess.
    /// </summary>
    public static async Task<IReadOnlyList<string>> TextBlocksAsync(ICrawlStore store, CaptureRecord capture, CancellationToken ct)
    {
        if (capture.PayloadDigest is not { } digest || await store.GetPayloadAsync(digest, ct).ConfigureAwait(false) is not { } body)
        {
            return [];
        }

        var type = MediaType(capture.ContentType);
        if (!IsHtml(capture.ContentType) && type != "text/plain")
        {
            return [];
        }

        var text = EncodingSniffer.Decode(Decoded(capture, body), capture.ContentType, out _);
        return IsHtml(capture.ContentType) ? HtmlText.ExtractBlocks(text) : [.. text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];
    }

    private static string MediaType(string? contentType) => (contentType ?? string.Empty).Split(';')[0].Trim().ToLowerInvariant();

    /// <summary>A header of an archived response head (status line and headers as received), or null.</summary>
    public static string? HeaderValue(byte[]? head, string name)
    {
        if (head is null)
        {
            return null;
        }

        foreach (var line in Encoding.Latin1.GetString(head).Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return line[(colon + 1)..].Trim();
            }
        }

        return null;
    }
}
