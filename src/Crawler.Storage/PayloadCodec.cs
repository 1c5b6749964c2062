using System.IO.Compression;

namespace Crawler.Storage;

/// <summary>
/// Payload compression shared by every store (SQLite's payloads table, MongoDB's payloads collection and
/// GridFS files), so that a payload is compressed the same way whichever store keeps it: Brotli at a fast
/// quality (see <see cref="Quality"/>), or the raw bytes when compression does not pay (images, archives), or zstd
/// with a per-site dictionary once one is trained (<see cref="SiteDictionaries"/>; issue 9's archive size). Every
/// stored record names its codec (and dictionary), so records of every codec ever written still decode.
/// Pure: no I/O.
/// </summary>
public static class PayloadCodec
{
    public const string Brotli = "br";
    public const string None = "none";

    /// <summary>zstd, with the dictionary the record names (or none).</summary>
    public const string Zstd = "zstd";

    /// <summary>
    /// Brotli quality 1. Measured on 400 HTML pages (17 MiB, 45 KB mean), one core: Brotli q1 stores 23.9 %
    /// at ~170-190 MiB/s (decode ~350 MiB/s); q2 22.4 % at ~90; gzip/zlib level 1 30.7 % at ~230;
    /// zlib level 2 24.0 % at ~125; zlib level 6 21.2 % at ~80. q1 is the best ratio per CPU second.
    /// </summary>
    public const int Quality = 1;

    /// <summary>Largest LZ window (2^22 = 4 MiB): no cost at low quality, better on big pages.</summary>
    private const int Window = 22;

    public static (string Compression, byte[] Data) Encode(byte[] raw)
    {
        if (raw.Length < 64)
        {
            return (None, raw);
        }

        var buffer = new byte[BrotliEncoder.GetMaxCompressedLength(raw.Length)];
        if (!BrotliEncoder.TryCompress(raw, buffer, out var written, Quality, Window)
            || written >= raw.Length - (raw.Length / 32))
        {
            // Incompressible (or less than ~3 % saved): keep the bytes as they are.
            return (None, raw);
        }

        return (Brotli, buffer.AsSpan(0, written).ToArray());
    }

    /// <summary>The raw bytes of a stored record; <paramref name="dictionary"/> is the dictionary the record names
    /// (null when it names none). Throws <see cref="InvalidDataException"/> when the bytes do not decode to
    /// <paramref name="rawLength"/> bytes.</summary>
    public static byte[] Decode(string compression, long rawLength, byte[] data, byte[]? dictionary = null)
    {
        ArgumentNullException.ThrowIfNull(compression);
        ArgumentNullException.ThrowIfNull(data);
        switch (compression)
        {
            case Zstd:
                return ZstdDecode(data, rawLength, dictionary);
            case None:
                return data;
            case Brotli:
                var raw = new byte[checked((int)rawLength)];
                if (!BrotliDecoder.TryDecompress(data, raw, out var written) || written != raw.Length)
                {
                    throw new InvalidDataException($"Stored payload does not decompress to its recorded length {rawLength}.");
                }

                return raw;
            default:
                throw new InvalidDataException($"Unknown payload compression '{compression}'.");
        }
    }

    /// <summary>A zstd frame (with the dictionary it was compressed with, or none) to its <paramref name="rawLength"/>
    /// bytes, or -1 for any length.</summary>
    public static byte[] ZstdDecode(byte[] data, long rawLength, byte[]? dictionary)
    {
        using var decompressor = new ZstdSharp.Decompressor();
        if (dictionary is not null)
        {
            decompressor.LoadDictionary(dictionary);
        }

        try
        {
            if (rawLength < 0)
            {
                return decompressor.Unwrap(data).ToArray();
            }

            var raw = new byte[checked((int)rawLength)];
            var written = decompressor.Unwrap(data, raw);
            return written == raw.Length
                ? raw
                : throw new InvalidDataException($"Stored record decompresses to {written} bytes, not its recorded length {rawLength}.");
        }
        catch (ZstdSharp.ZstdException e)
        {
            throw new InvalidDataException($"Stored zstd record does not decompress{(dictionary is null ? " (no dictionary)" : " with its dictionary")}: {e.Message}", e);
        }
    }
}
