// Hand-written: no .NET SURT library exists. Follows the canonicalization the webrecorder tools
// (warcio's cdx-index, pywb) apply, so our CDXJ keys match the keys replay tools look up.
using System.Globalization;
using System.Text.RegularExpressions;

namespace Crawler.Core.Cdx;

/// <summary>Sort-friendly URI Reordering Transform keys for CDXJ.</summary>
public static partial class Surt
{
    /// <summary>
    /// The SURT key of an http(s) URL: lower-cased, a leading <c>www.</c> (or <c>www2.</c> …)
    /// dropped, host labels reversed and comma-joined, the port kept only when not the default,
    /// <c>)</c>, then the path and the query with its <c>&amp;</c>-separated arguments sorted
    /// (as warcio and pywb do); the fragment is dropped.
    /// <c>http://www.kcna.kp/index.php?a=1</c> → <c>kp,kcna)/index.php?a=1</c>.
    /// Other schemes (<c>dns:</c>, …) and unparseable URLs are returned unchanged.
    /// </summary>
    public static string Key(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.StartsWith("http:", StringComparison.OrdinalIgnoreCase) && !url.StartsWith("https:", StringComparison.OrdinalIgnoreCase))
        {
            return url;
        }

        string lowered = WwwPrefix().Replace(url, "$1", 1).ToLowerInvariant();
        if (!Uri.TryCreate(lowered, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            return url;
        }

        string host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost;
        var key = new System.Text.StringBuilder(lowered.Length + 8);
        key.AppendJoin(',', host.Split('.').Reverse());
        if (!uri.IsDefaultPort)
        {
            key.Append(':').Append(uri.Port.ToString(CultureInfo.InvariantCulture));
        }

        key.Append(')').Append(uri.AbsolutePath);
        if (uri.Query.Length > 1)
        {
            string[] args = uri.Query[1..].Split('&');
            Array.Sort(args, StringComparer.Ordinal);
            key.Append('?').AppendJoin('&', args);
        }

        return key.ToString();
    }

    /// <summary>The 14-digit UTC timestamp <c>yyyyMMddHHmmss</c>.</summary>
    public static string Timestamp14(DateTimeOffset timestamp) =>
        timestamp.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(https?://)www\d*\.", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WwwPrefix();
}
