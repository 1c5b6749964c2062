using System.Globalization;
using Crawler.Core.Urls;

namespace Crawler.Core.Replay;

/// <summary>What a replayed URL asks for: the page itself (with the banner), or a resource of it, or its bytes as archived.</summary>
public enum ReplayMode
{
    /// <summary>A page the reader navigates to: rewritten, with the archive's banner.</summary>
    Page,

    /// <summary>A resource of a page (image, stylesheet, script, frame): rewritten by its type, no banner (pywb's <c>im_</c>, <c>cs_</c>, <c>js_</c>, <c>if_</c>).</summary>
    Resource,

    /// <summary>The archived bytes as they are (pywb's <c>id_</c>).</summary>
    Identity,
}

/// <summary>
/// Replay URLs, in the Wayback Machine's and pywb's form: <c>/web/{timestamp}{modifier}/{url}</c>, the timestamp
/// 1-14 digits of <c>yyyyMMddHHmmss</c> (a prefix stands for the earliest moment it names), the modifier empty (a page),
/// <c>id_</c> (as archived) or a resource's (<c>im_</c>, <c>cs_</c>, <c>js_</c>, <c>if_</c>, <c>oe_</c>). Pure.
/// </summary>
public static class ReplayPath
{
    public const string Prefix = "/web/";

    /// <summary>The replay path of <paramref name="url"/> at <paramref name="at"/>; <paramref name="modifier"/> as above.</summary>
    public static string For(DateTimeOffset at, string url, string modifier = "") =>
        Prefix + Timestamp(at) + modifier + "/" + url;

    /// <summary>A capture time as a 14-digit timestamp (UTC).</summary>
    public static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads <paramref name="pathAndQuery"/> (starting with <see cref="Prefix"/>). The URL is made absolute and canonical
    /// (<c>kcna.kp/</c> is <c>http://kcna.kp/</c>); false when any part is not what a replay URL holds.
    /// </summary>
    public static bool TryParse(string pathAndQuery, out DateTimeOffset at, out ReplayMode mode, out string url)
    {
        at = default;
        mode = ReplayMode.Page;
        url = string.Empty;
        if (!pathAndQuery.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = pathAndQuery.AsSpan(Prefix.Length);
        var slash = rest.IndexOf('/');
        if (slash <= 0)
        {
            return false;
        }

        var stamp = rest[..slash];
        var digits = 0;
        while (digits < stamp.Length && char.IsAsciiDigit(stamp[digits]))
        {
            digits++;
        }

        var modifier = stamp[digits..].ToString();
        if (digits is 0 or > 14 || !TryReadTimestamp(stamp[..digits].ToString(), out at))
        {
            return false;
        }

        switch (modifier)
        {
            case "":
                mode = ReplayMode.Page;
                break;
            case "id_":
                mode = ReplayMode.Identity;
                break;
            case "im_" or "cs_" or "js_" or "if_" or "oe_" or "fr_":
                mode = ReplayMode.Resource;
                break;
            default:
                return false;
        }

        var target = rest[(slash + 1)..].ToString();
        if (target.Length == 0)
        {
            return false;
        }

        // Proxies and browsers fold "http://" in a path to "http:/".
        if (target.StartsWith("http:/", StringComparison.OrdinalIgnoreCase) && !target.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            target = "http://" + target[6..];
        }
        else if (target.StartsWith("https:/", StringComparison.OrdinalIgnoreCase) && !target.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            target = "https://" + target[7..];
        }
        else if (!target.Contains("://", StringComparison.Ordinal))
        {
            target = "http://" + target;
        }

        if (UrlCanonicalizer.Canonicalize(target) is not { } canonical)
        {
            return false;
        }

        url = canonical;
        return true;
    }

    /// <summary>A timestamp prefix (4-14 digits, or fewer for a year's first digits) as the earliest moment it names, UTC.</summary>
    public static bool TryReadTimestamp(string digits, out DateTimeOffset at)
    {
        at = default;
        if (digits.Length is 0 or > 14 || !digits.All(char.IsAsciiDigit))
        {
            return false;
        }

        // Padded as pywb pads: the missing digits are the earliest ones (month and day 01).
        var padded = digits.Length >= 4 ? digits : digits.PadRight(4, '0');
        padded += "0101000000"[(padded.Length - 4)..];
        return DateTime.TryParseExact(padded, "yyyyMMddHHmmss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed)
            && (at = new DateTimeOffset(parsed, TimeSpan.Zero)) != default;
    }
}
