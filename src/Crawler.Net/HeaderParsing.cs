using System.Globalization;

namespace Crawler.Net;

internal static class HeaderParsing
{
    private static readonly string[] HttpDateFormats =
    [
        "r", // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        "dddd, dd-MMM-yy HH:mm:ss 'GMT'", // obsolete RFC 850
        "ddd MMM d HH:mm:ss yyyy", // asctime
        "ddd MMM dd HH:mm:ss yyyy",
    ];

    /// <summary>Retry-After as delay-seconds or an HTTP-date (relative to <paramref name="now"/>, never negative).</summary>
    public static TimeSpan? ParseRetryAfter(string? value, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var text = value.Trim();
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(Math.Min(seconds, (long)TimeSpan.MaxValue.TotalSeconds - 1));
        }

        if (TryParseHttpDate(text, out var date))
        {
            var delay = date - now;
            return delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
        }

        return null;
    }

    public static bool TryParseHttpDate(string text, out DateTimeOffset date) =>
        DateTimeOffset.TryParseExact(
            text.Trim(),
            HttpDateFormats,
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowInnerWhite,
            out date);
}
