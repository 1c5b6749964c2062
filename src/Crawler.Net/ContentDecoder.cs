using System.IO.Compression;

namespace Crawler.Net;

/// <summary>Bounded gzip/deflate/br decoding: output never grows beyond the cap, so a bomb costs at most the cap (fetches, and replay of what was archived encoded).</summary>
public static class ContentDecoder
{
    public static byte[] Decode(ReadOnlySpan<byte> body, string? contentEncoding, long maxBytes, out bool bomb)
    {
        bomb = false;
        var codings = (contentEncoding ?? "")
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(c => c.ToLowerInvariant())
            .Where(c => c != "identity")
            .ToArray();
        var data = body.ToArray();

        // Codings are listed in the order they were applied; undo them last-first.
        for (var i = codings.Length - 1; i >= 0; i--)
        {
            if (!IsKnown(codings[i]))
            {
                return data; // Unknown coding: leave as received.
            }

            data = DecodeOne(data, codings[i], maxBytes, out bomb);
            if (bomb)
            {
                return data;
            }
        }

        return data;
    }

    private static bool IsKnown(string coding) => coding is "gzip" or "x-gzip" or "deflate" or "br";

    private static byte[] DecodeOne(byte[] input, string coding, long maxBytes, out bool bomb)
    {
        using var source = new MemoryStream(input, writable: false);
        using Stream decoder = coding switch
        {
            "gzip" or "x-gzip" => new GZipStream(source, CompressionMode.Decompress),
            "br" => new BrotliStream(source, CompressionMode.Decompress),
            _ => LooksLikeZlib(input) ? new ZLibStream(source, CompressionMode.Decompress) : new DeflateStream(source, CompressionMode.Decompress),
        };
        return ReadBounded(decoder, maxBytes, out bomb);
    }

    /// <summary>"deflate" should be zlib-wrapped (RFC 9110) but many servers send raw deflate.</summary>
    private static bool LooksLikeZlib(byte[] data) =>
        data.Length >= 2 && (data[0] & 0x0F) == 8 && ((data[0] << 8) | data[1]) % 31 == 0;

    private static byte[] ReadBounded(Stream decoder, long maxBytes, out bool bomb)
    {
        bomb = false;
        var cap = (int)Math.Min(maxBytes, Array.MaxLength);
        var buffer = new byte[Math.Min(cap, 64 * 1024)];
        var length = 0;
        Span<byte> probe = stackalloc byte[1];
        try
        {
            while (true)
            {
                if (length == cap)
                {
                    // At the cap: one more byte means the content is larger than allowed.
                    if (decoder.Read(probe) > 0)
                    {
                        bomb = true;
                    }

                    break;
                }

                if (length == buffer.Length)
                {
                    Array.Resize(ref buffer, (int)Math.Min(cap, (long)buffer.Length * 2));
                }

                var n = decoder.Read(buffer, length, buffer.Length - length);
                if (n == 0)
                {
                    break;
                }

                length += n;
            }
        }
        catch (InvalidDataException)
        {
            // Corrupt or truncated input: keep what decoded so far (a truncated body still yields its start).
        }

        return length == buffer.Length ? buffer : buffer.AsSpan(0, length).ToArray();
    }
}
