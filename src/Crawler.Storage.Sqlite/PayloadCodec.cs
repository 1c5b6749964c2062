using System.IO.Compression;

namespace Crawler.Storage.Sqlite;

/// <summary>
/// Payload compression for the payloads table: Brotli at a fast quality (see <see cref="Quality"/>),
/// or the raw bytes when compression does not pay (images, archives).
/// </summary>
internal static class PayloadCodec
{
    public const string Brotli = "br";
    public const string None = "none";

    /// <summary>Brotli quality 1: close to gzip-9 ratio on HTML at several times gzip-fastest speed.</summary>
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

    public static byte[] Decode(string compression, long rawLength, byte[] data)
    {
        switch (compression)
        {
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
}
