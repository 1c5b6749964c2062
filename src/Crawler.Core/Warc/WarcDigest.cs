// Labelled digests as WARC files carry them ("sha1:" + RFC 4648 base32, as Heritrix and wget
// write; "sha256:" in base32 or hex). Hand-written because the BCL has no base32 encoder and the
// label/encoding pairing is WARC-specific; hashing itself is System.Security.Cryptography.
using System.Security.Cryptography;

namespace Crawler.Core.Warc;

/// <summary>How a WARC digest is computed and spelled.</summary>
public enum WarcDigestAlgorithm
{
    /// <summary><c>sha1:</c> + base32 (Heritrix, wget, pywb deduplication).</summary>
    Sha1Base32,

    /// <summary><c>sha256:</c> + base32 (padded, RFC 4648).</summary>
    Sha256Base32,

    /// <summary><c>sha256:</c> + lower-case hex.</summary>
    Sha256Hex,
}

/// <summary>Labelled digests for <c>WARC-Block-Digest</c> and <c>WARC-Payload-Digest</c>.</summary>
public static class WarcDigest
{
    private const string Base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    /// <summary><c>sha1:</c> followed by the RFC 4648 base32 of the SHA-1 of <paramref name="data"/>.</summary>
    public static string Sha1Base32(ReadOnlySpan<byte> data) => Compute(WarcDigestAlgorithm.Sha1Base32, data);

    /// <summary><c>sha256:</c> followed by the RFC 4648 base32 (padded) of the SHA-256.</summary>
    public static string Sha256Base32(ReadOnlySpan<byte> data) => Compute(WarcDigestAlgorithm.Sha256Base32, data);

    /// <summary><c>sha256:</c> followed by the lower-case hex of the SHA-256.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> data) => Compute(WarcDigestAlgorithm.Sha256Hex, data);

    /// <summary>The labelled digest of <paramref name="data"/> in the given form.</summary>
    public static string Compute(WarcDigestAlgorithm algorithm, ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        int written = algorithm == WarcDigestAlgorithm.Sha1Base32
            ? SHA1.HashData(data, hash)
            : SHA256.HashData(data, hash);
        return Format(algorithm, hash[..written]);
    }

    /// <summary>The labelled digest of everything left in <paramref name="stream"/>, read in chunks.</summary>
    public static string Compute(WarcDigestAlgorithm algorithm, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var digester = new WarcDigester(algorithm);
        byte[] buffer = new byte[81920];
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            digester.Append(buffer.AsSpan(0, read));
        }

        return digester.Finish();
    }

    /// <summary>The labelled digest of everything left in <paramref name="stream"/>, read asynchronously.</summary>
    public static async Task<string> ComputeAsync(WarcDigestAlgorithm algorithm, Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var digester = new WarcDigester(algorithm);
        byte[] buffer = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            digester.Append(buffer.AsSpan(0, read));
        }

        return digester.Finish();
    }

    /// <summary>The label (<c>sha1</c>, <c>sha256</c>) of an algorithm.</summary>
    public static string Label(WarcDigestAlgorithm algorithm) =>
        algorithm == WarcDigestAlgorithm.Sha1Base32 ? "sha1" : "sha256";

    internal static string Format(WarcDigestAlgorithm algorithm, ReadOnlySpan<byte> hash) => algorithm switch
    {
        WarcDigestAlgorithm.Sha1Base32 => "sha1:" + Base32(hash),
        WarcDigestAlgorithm.Sha256Base32 => "sha256:" + Base32(hash),
        WarcDigestAlgorithm.Sha256Hex => "sha256:" + Convert.ToHexStringLower(hash),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown digest algorithm."),
    };

    /// <summary>RFC 4648 base32 with '=' padding to a multiple of 8 characters.</summary>
    public static string Base32(ReadOnlySpan<byte> data)
    {
        int chars = (data.Length * 8 + 4) / 5;
        int padded = (chars + 7) / 8 * 8;
        return string.Create(padded, data.ToArray(), static (span, bytes) =>
        {
            int outIndex = 0;
            int buffer = 0;
            int bits = 0;
            foreach (byte b in bytes)
            {
                buffer = (buffer << 8) | b;
                bits += 8;
                while (bits >= 5)
                {
                    bits -= 5;
                    span[outIndex++] = Base32Alphabet[(buffer >> bits) & 31];
                }
            }

            if (bits > 0)
            {
                span[outIndex++] = Base32Alphabet[(buffer << (5 - bits)) & 31];
            }

            span[outIndex..].Fill('=');
        });
    }
}

/// <summary>An incremental WARC digest over data that arrives in pieces (large bodies, streams).</summary>
public sealed class WarcDigester : IDisposable
{
    private readonly IncrementalHash _hash;

    /// <summary>Starts an empty digest.</summary>
    public WarcDigester(WarcDigestAlgorithm algorithm)
    {
        Algorithm = algorithm;
        _hash = IncrementalHash.CreateHash(algorithm == WarcDigestAlgorithm.Sha1Base32
            ? HashAlgorithmName.SHA1
            : HashAlgorithmName.SHA256);
    }

    /// <summary>The algorithm and spelling of the result.</summary>
    public WarcDigestAlgorithm Algorithm { get; }

    /// <summary>Adds bytes to the digest.</summary>
    public void Append(ReadOnlySpan<byte> data) => _hash.AppendData(data);

    /// <summary>The labelled digest of all bytes appended so far; the digester starts over afterwards.</summary>
    public string Finish()
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        int written = _hash.GetHashAndReset(hash);
        return WarcDigest.Format(Algorithm, hash[..written]);
    }

    /// <inheritdoc />
    public void Dispose() => _hash.Dispose();
}
