namespace Crawler.Core.Cdx;

/// <summary>A read of stored URLs, ignoring the case of ASCII letters: <see cref="Url"/>, or every URL beginning with it.</summary>
public sealed record CdxUrlRead(string Url, bool Exact);

/// <summary>
/// The stored URLs an exact or prefix CDX match can select, as narrow reads of the URL index instead of a whole site
/// (<see cref="For"/>): <see cref="Reads"/>, and the prefixes of <see cref="Deviations"/>, which complete them.
/// </summary>
/// <remarks>
/// <para>A stored URL is the crawler's canonical form (WHATWG: scheme and host lower-case, host in punycode, no default
/// port, no dot segments, non-ASCII percent-encoded; the site id is its host; the path and query keep their case),
/// and its SURT key lower-cases it, drops a leading <c>www.</c>, lets .NET's <see cref="Uri"/> normalize it (which
/// decodes <c>%61</c> to <c>a</c> and encodes <c>|</c> as <c>%7C</c>) and sorts the query's arguments.</para>
/// <para>So for a key's path and query text up to its first <c>%</c>, upper-case or non-ASCII character (the
/// <em>plain</em> part, which only the stored URL's own characters, in either case, can have produced), a stored URL
/// whose key matches begins, after <c>http(s)://[www.]host[:port]</c>, with that text in some case, or it differs
/// first at some position i where it holds <c>%</c> (an escape the key decoded). The reads ignore case;
/// <see cref="Deviations"/> lists the prefixes up to each i followed by <c>%</c>: every URL the match can select
/// is one of <see cref="Reads"/> or begins with one of them (such URLs are rare, and these reads mostly find none).</para>
/// <para>Query arguments: the key sorts them, the stored URL keeps its order, so an exact match with a query reads
/// the URL with its arguments in each order (up to <see cref="MaxOrdered"/> arguments), or the path with each of its
/// arguments first (up to <see cref="MaxArguments"/>), else the path and <c>?</c>; a prefix match whose key has a
/// query reads the path and <c>?</c>.</para>
/// <para>Not covered, as host reads do: a URL of another host whose key still matches (the site is its host, and the
/// key drops only <c>www.</c>), and URLs carrying <c>user@</c> credentials (their key drops them; none are crawled from
/// links on .kp sites so far).</para>
/// </remarks>
public sealed record CdxUrlPlan(IReadOnlyList<CdxUrlRead> Reads, IReadOnlyList<string> Deviations)
{
    public const int MaxArguments = 8;

    /// <summary>Up to this many arguments an exact match reads each order of them (24 at most), more: each argument first.</summary>
    public const int MaxOrdered = 4;

    /// <summary>The plan for an exact or prefix match, or null when the query needs its sites read (host and domain matches, keys this plan cannot invert).</summary>
    public static CdxUrlPlan? For(CdxQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.MatchType is not (CdxMatchType.Exact or CdxMatchType.Prefix))
        {
            return null;
        }

        var key = query.Key;
        var close = key.IndexOf(')', StringComparison.Ordinal);
        if (close < 0 || close + 1 >= key.Length || key[close + 1] != '/')
        {
            return null;
        }

        var authority = key[..close];
        var colon = authority.IndexOf(':', StringComparison.Ordinal);
        var port = colon < 0 ? string.Empty : authority[colon..];
        var host = query.Host;
        if (string.Join('.', (colon < 0 ? authority : authority[..colon]).Split(',').Reverse()) != host
            || !host.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-'))
        {
            return null; // an IPv6 literal or a host spelled in a way the key does not show as it is stored
        }

        var rest = key[(close + 1)..];
        var question = rest.IndexOf('?', StringComparison.Ordinal);
        var targets = new List<(string Text, bool Exact)>();
        if (query.MatchType == CdxMatchType.Prefix)
        {
            targets.Add((Plain(question < 0 ? rest : rest[..(question + 1)]), false));
        }
        else if (question < 0)
        {
            var plain = Plain(rest);
            targets.AddRange(plain == rest ? [(rest, true), (rest + "?", false)] : [(plain, false)]);
        }
        else
        {
            var path = rest[..(question + 1)];
            var arguments = rest[(question + 1)..].Split('&');
            targets.AddRange(arguments.Length <= MaxOrdered
                ? Orders(arguments).Select(order => path + string.Join('&', order)).Select(text => Plain(text) == text ? (text, true) : (Plain(text), false))
                : arguments.Distinct(StringComparer.Ordinal).Take(MaxArguments + 1).Count() > MaxArguments
                    ? [(Plain(path), false)]
                    : arguments.Distinct(StringComparer.Ordinal).Select(a => (Plain(path + a), false)));
        }

        var reads = new List<CdxUrlRead>();
        var deviations = new List<string>();
        foreach (var scheme in (string[])["http://", "https://"])
        {
            foreach (var www in (string[])["", "www."])
            {
                var origin = scheme + www + host + port;
                foreach (var (text, exact) in targets.Distinct())
                {
                    reads.Add(new CdxUrlRead(origin + text, exact));
                    for (var i = 0; i < text.Length; i++)
                    {
                        deviations.Add(origin + text[..i] + "%");
                    }
                }
            }
        }

        return new CdxUrlPlan(reads, [.. deviations.Distinct(StringComparer.Ordinal)]);
    }

    /// <summary>Every order of the items (duplicates give repeated orders; the caller's Distinct drops them).</summary>
    private static IEnumerable<IEnumerable<string>> Orders(IReadOnlyList<string> items) =>
        items.Count <= 1
            ? [items]
            : Enumerable.Range(0, items.Count).SelectMany(i => Orders([.. items.Take(i), .. items.Skip(i + 1)]).Select(rest => rest.Prepend(items[i])));

    /// <summary>
    /// The text up to its first character a stored URL may spell otherwise: <c>%</c>, an upper-case letter (from a
    /// decoded escape), a non-ASCII one; in a query also anything but letters, digits and <c>=&amp;._-</c>.
    /// </summary>
    private static string Plain(string text)
    {
        var inQuery = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var plain = char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-' or '=' or '&'
                || (!inQuery && c is '/' or '~' or '!' or '$' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or ':' or '@')
                || (!inQuery && c == '?');
            if (!plain)
            {
                return text[..i];
            }

            inQuery |= c == '?';
        }

        return text;
    }
}
