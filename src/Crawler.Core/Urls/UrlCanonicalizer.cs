namespace Crawler.Core.Urls;

/// <summary>
/// The crawler's canonical URL form, the identity of a URL in the frontier and the archive: the WHATWG
/// serialization of an http(s) URL without its fragment. Nothing else is rewritten: query parameters keep
/// their order and "www." is kept, because servers may treat those differently.
/// </summary>
public static class UrlCanonicalizer
{
    /// <summary>
    /// Resolves <paramref name="rawUrl"/> against <paramref name="baseUrl"/> the way a browser does and returns
    /// the canonical form, or null when parsing fails or the scheme is not http/https. An unparsable base is
    /// ignored (the link then only resolves if it is absolute). Never throws for any string input.
    /// </summary>
    public static string? Canonicalize(string rawUrl, string? baseUrl = null)
    {
        if (rawUrl is null)
        {
            return null;
        }

        WhatwgUrl? parsedBase = null;
        if (baseUrl is not null)
        {
            WhatwgUrl.TryParse(baseUrl, null, out parsedBase);
        }

        return CanonicalizeRelativeTo(rawUrl, parsedBase);
    }

    /// <summary>
    /// As <see cref="Canonicalize(string, string?)"/> with an already parsed base (null for none): parse a
    /// page's URL once and resolve all of its links against it.
    /// </summary>
    public static string? CanonicalizeRelativeTo(string rawUrl, WhatwgUrl? baseUrl)
    {
        if (rawUrl is null)
        {
            return null;
        }

        if (!WhatwgUrl.TryParse(rawUrl, baseUrl, out WhatwgUrl? url))
        {
            return null;
        }

        return url!.Scheme is "http" or "https" ? url.HrefWithoutFragment : null;
    }

    /// <summary>
    /// Extracts the host of a canonical URL (lowercase, no port, IPv6 in brackets) without a full parse.
    /// Returns false when the string has no "scheme://host" authority.
    /// </summary>
    public static bool TryGetHost(string canonicalUrl, out string host)
    {
        host = string.Empty;
        if (!TryGetAuthority(canonicalUrl, out ReadOnlySpan<char> hostSpan, out _, out _))
        {
            return false;
        }

        host = LowerAscii(hostSpan);
        return host.Length > 0;
    }

    /// <summary>
    /// The host plus ":port" only when the URL has a port other than its scheme's default, e.g.
    /// "example.kp" or "example.kp:8080". Used to group URLs per server.
    /// </summary>
    /// <exception cref="ArgumentException">The string has no "scheme://host" authority.</exception>
    public static string HostKey(string canonicalUrl)
    {
        if (!TryGetAuthority(canonicalUrl, out ReadOnlySpan<char> hostSpan, out ReadOnlySpan<char> port, out ReadOnlySpan<char> scheme)
            || hostSpan.Length == 0)
        {
            throw new ArgumentException("Not an absolute URL with a host: " + canonicalUrl, nameof(canonicalUrl));
        }

        string host = LowerAscii(hostSpan);
        if (port.Length == 0)
        {
            return host;
        }

        int defaultPort = WhatwgUrl.DefaultPort(LowerAscii(scheme));
        if (defaultPort >= 0 && int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int p) && p == defaultPort)
        {
            return host;
        }

        return string.Concat(host, ":", port);
    }

    private static bool TryGetAuthority(
        string url,
        out ReadOnlySpan<char> host,
        out ReadOnlySpan<char> port,
        out ReadOnlySpan<char> scheme)
    {
        host = default;
        port = default;
        scheme = default;
        if (url is null)
        {
            return false;
        }

        int sep = url.IndexOf("://", StringComparison.Ordinal);
        if (sep <= 0)
        {
            return false;
        }

        scheme = url.AsSpan(0, sep);
        ReadOnlySpan<char> rest = url.AsSpan(sep + 3);
        int end = rest.IndexOfAny('/', '?', '#');
        ReadOnlySpan<char> authority = end < 0 ? rest : rest[..end];
        int at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            authority = authority[(at + 1)..];
        }

        if (authority.Length > 0 && authority[0] == '[')
        {
            int close = authority.IndexOf(']');
            if (close < 0)
            {
                return false;
            }

            host = authority[..(close + 1)];
            ReadOnlySpan<char> after = authority[(close + 1)..];
            port = after.Length > 0 && after[0] == ':' ? after[1..] : default;
            return true;
        }

        int colon = authority.IndexOf(':');
        host = colon < 0 ? authority : authority[..colon];
        port = colon < 0 ? default : authority[(colon + 1)..];
        return true;
    }

    private static string LowerAscii(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                return string.Create(s.Length, s.ToString(), static (dst, src) =>
                {
                    for (int i = 0; i < src.Length; i++)
                    {
                        dst[i] = char.IsAsciiLetterUpper(src[i]) ? (char)(src[i] | 0x20) : src[i];
                    }
                });
            }
        }

        return s.ToString();
    }
}
