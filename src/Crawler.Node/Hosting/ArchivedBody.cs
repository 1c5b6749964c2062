using System.Text;
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
