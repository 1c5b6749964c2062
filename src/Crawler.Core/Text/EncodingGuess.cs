using System.Text.Unicode;
using UtfUnknown;

namespace Crawler.Core.Text;

/// <summary>
/// The HTML standard's optional autodetection step for a document that declares no encoding: UTF.Unknown (a port of
/// Mozilla's universal charset detector, uchardet) guesses from the bytes, as browsers do (Chromium guesses EUC-KR,
/// Shift_JIS, KOI8-R… where nothing is declared). Older North Korean pages are often undeclared EUC-KR.
/// </summary>
/// <remarks>
/// Bytes that are valid UTF-8 (and not ASCII only) are UTF-8: legacy encodings practically never form valid UTF-8.
/// Otherwise no guess (null, so the default stands) when the bytes are ASCII only (every ASCII-compatible encoding
/// reads them alike), when they hold fewer than <see cref="MinimumNonAsciiBytes"/> other bytes (too little to tell: the
/// detector takes "Café" for ISO-8859-2), when the detector is unsure (<see cref="MinimumConfidence"/>), or
/// when it names an encoding that is not ASCII-compatible or that the Encoding Standard maps to "replacement"
/// (UTF-16/32 without a byte order mark, ISO-2022-KR): the prescan read the document as ASCII, so those are not
/// credible, and "replacement" would lose the whole text.
/// </remarks>
public static class EncodingGuess
{
    /// <summary>How many bytes the detector examines at most (enough for it to be sure; bounds its cost per page).</summary>
    public const int MaxExaminedBytes = 64 * 1024;

    /// <summary>Non-ASCII bytes needed before a legacy encoding is guessed (8 Hangul syllables in EUC-KR).</summary>
    public const int MinimumNonAsciiBytes = 16;

    /// <summary>The detector's confidence (0–1) below which no guess is made.</summary>
    public const float MinimumConfidence = 0.5f;

    /// <summary>The Encoding Standard name of the encoding the bytes look like, or null (no credible guess).</summary>
    public static string? Guess(ReadOnlySpan<byte> bytes)
    {
        var examined = bytes[..Math.Min(bytes.Length, MaxExaminedBytes)];
        var firstNonAscii = examined.IndexOfAnyInRange((byte)0x80, (byte)0xFF);
        if (firstNonAscii < 0)
        {
            return null;
        }

        if (Utf8.IsValid(WithoutCutSequence(examined, cut: examined.Length < bytes.Length)))
        {
            return "UTF-8";
        }

        if (CountNonAscii(examined[firstNonAscii..]) < MinimumNonAsciiBytes)
        {
            return null;
        }

        var detected = CharsetDetector.DetectFromBytes(examined).Detected;
        if (detected is null || detected.Confidence < MinimumConfidence)
        {
            return null;
        }

        return EncodingLabels.NameOf(detected.EncodingName) switch
        {
            null or "replacement" or "UTF-16LE" or "UTF-16BE" or "x-user-defined" => null,
            var name => name,
        };
    }

    private static int CountNonAscii(ReadOnlySpan<byte> bytes)
    {
        var count = 0;
        foreach (var b in bytes)
        {
            count += b >> 7;
        }

        return count;
    }

    /// <summary>When the examined bytes were cut from a longer body, a UTF-8 sequence cut at the end is left out.</summary>
    private static ReadOnlySpan<byte> WithoutCutSequence(ReadOnlySpan<byte> bytes, bool cut)
    {
        if (!cut)
        {
            return bytes;
        }

        for (var i = bytes.Length - 1; i >= Math.Max(0, bytes.Length - 4); i--)
        {
            if ((bytes[i] & 0xC0) != 0x80)
            {
                // A lead byte (or ASCII): drop it and what follows unless its sequence is complete.
                var length = bytes[i] switch
                {
                    < 0x80 => 1,
                    >= 0xF0 => 4,
                    >= 0xE0 => 3,
                    _ => 2,
                };
                return bytes.Length - i >= length ? bytes : bytes[..i];
            }
        }

        return bytes;
    }
}
