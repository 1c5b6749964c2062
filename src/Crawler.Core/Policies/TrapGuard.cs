using System.Globalization;

namespace Crawler.Core.Policies;

public sealed record TrapGuardOptions
{
    /// <summary>
    /// Links followed from a seed, at most (a seed has depth 0). A safety net, not the trap bound: paginated listings
    /// thousands of pages deep are a site's own archive; traps are caught by what they look like and by the site's page budget.
    /// </summary>
    public int MaxDepth { get; init; } = 10_000;

    public int MaxUrlLength { get; init; } = 2048;

    /// <summary>One path segment may appear at most this many times in a path (/a/b/a/b/a/...).</summary>
    public int MaxRepeatedSegment { get; init; } = 3;

    public int MaxPathSegments { get; init; } = 32;

    public int MaxQueryParameters { get; init; } = 24;

    /// <summary>A calendar's navigation (a dated page linking to its neighbour of the same shape) is followed this many
    /// years back from the fetch, at most; a dated link from any other page is followed whatever its date.</summary>
    public int CalendarYearsBack { get; init; } = 20;

    /// <summary>... and this many days ahead of the fetch, at most.</summary>
    public int CalendarDaysAhead { get; init; } = 366;

    /// <summary>Links one page may add to the crawl (followed or recorded as declined); the rest are one counted record.</summary>
    public int MaxLinksPerPage { get; init; } = 10_000;

    /// <summary>
    /// HTML pages longer than this (in chars) are read by a streaming pass that holds no DOM (a DOM costs about a hundred
    /// times the page: gigabytes for a page of a million links), their links counted past <see cref="MaxLinksPerPage"/>
    /// rather than kept. Shorter pages are read with a DOM, as ever.
    /// </summary>
    public int MaxDomChars { get; init; } = Html.HtmlText.DefaultMaxDomChars;

    /// <summary>Near-copies of a page (<see cref="NearDuplicates"/>) a site fetches before their links to their own shape are declined.</summary>
    public int MaxNearDuplicates { get; init; } = 10;
}

/// <summary>The reasons a URL is not archived, as the crawl log records them (issue 11's "no silent gaps").</summary>
public static class DeclineReason
{
    /// <summary>Its host is outside the crawl's scope (another site that is not .kp, say).</summary>
    public const string OutOfScope = "out-of-scope";

    public const string Robots = "robots";

    public const string Depth = "depth";

    /// <summary>The site's page budget (<c>MaxPagesPerSite</c>) was spent.</summary>
    public const string PageBudget = "page-budget";

    /// <summary>It looks like a crawler trap: a calendar walked too far, a session id, near-duplicate pages, repeated segments, an overlong URL.</summary>
    public const string Trap = "trap";

    /// <summary>The page that linked to it had more links than one page may add; this is the first cut, its detail counts the rest.</summary>
    public const string LinkCap = "link-cap";

    /// <summary>Its host has only addresses the crawler must not reach (loopback, private ranges...).</summary>
    public const string RefusedAddress = "refused-address";

    public const string DnsFailure = "dns-failure";

    /// <summary>No usable answer after every attempt (time-outs, refused connections, HTTP errors, a failure to process it).</summary>
    public const string Error = "error";

    /// <summary>Not an http(s) URL.</summary>
    public const string Unsupported = "unsupported";

    /// <summary>Every reason, in the order status prints them.</summary>
    public static readonly IReadOnlyList<string> All =
        [OutOfScope, Robots, Depth, PageBudget, Trap, LinkCap, RefusedAddress, DnsFailure, Error, Unsupported];
}

/// <summary>Why a link is not followed: one of <see cref="DeclineReason"/> and the particulars.</summary>
public sealed record TrapVerdict(string Reason, string Detail);

/// <summary>
/// Guards against crawler traps: endless calendars, session ids and generated paths. Each rule bounds the number of
/// URLs a trap can feed the frontier by what the trap looks like; hop depth is only a wide safety net, and the per-site
/// page budget bounds the rest.
/// </summary>
public static class TrapGuard
{
    /// <summary>Parameters that carry a session id whatever their value.</summary>
    private static readonly HashSet<string> SessionParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        "phpsessid", "jsessionid", "aspsessionid", "sessionid", "session_id", "sessid", "cfid", "cftoken", "zenid", "osCsid",
    };

    /// <summary>Parameters that carry a session id only when their value looks like one (<c>sid=3</c> may be a section).</summary>
    private static readonly HashSet<string> MaybeSessionParameters = new(StringComparer.OrdinalIgnoreCase) { "sid", "s", "session" };

    /// <summary>Returns null when <paramref name="url"/> may be queued, else why it may not.</summary>
    /// <param name="from">The page the link is on (null for a seed): a dated link from a dated page of the same shape is a calendar step.</param>
    /// <param name="now">When the page was fetched: the calendar window's centre.</param>
    public static TrapVerdict? Check(TrapGuardOptions options, Uri url, int depth, Uri? from = null, DateTimeOffset now = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(url);
        if (depth > options.MaxDepth)
        {
            return new(DeclineReason.Depth, $"depth {depth} exceeds {options.MaxDepth}");
        }

        var text = url.OriginalString;
        if (text.Length > options.MaxUrlLength)
        {
            return Trap($"URL length {text.Length} exceeds {options.MaxUrlLength}");
        }

        var path = url.AbsolutePath;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length > options.MaxPathSegments)
        {
            return Trap($"{segments.Length} path segments exceed {options.MaxPathSegments}");
        }

        if (segments.Length > options.MaxRepeatedSegment)
        {
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var segment in segments)
            {
                counts.TryGetValue(segment, out var n);
                if (++n > options.MaxRepeatedSegment)
                {
                    return Trap($"path segment '{segment}' repeats more than {options.MaxRepeatedSegment} times");
                }

                counts[segment] = n;
            }
        }

        if (path.Contains(";jsessionid=", StringComparison.OrdinalIgnoreCase))
        {
            return Trap("session id in the path (;jsessionid=)");
        }

        var query = Query(url);
        if (query.Count > options.MaxQueryParameters)
        {
            return Trap($"{query.Count} query parameters exceed {options.MaxQueryParameters}");
        }

        foreach (var (name, value) in query)
        {
            if (SessionParameters.Contains(name) || (MaybeSessionParameters.Contains(name) && value.Length >= 16 && value.All(char.IsAsciiLetterOrDigit)))
            {
                return Trap($"session id parameter '{name}'");
            }
        }

        if (from is not null && Calendar.Read(url) is { } date && Calendar.Read(from) is { } page && date.Shape == page.Shape)
        {
            var day = DateOnly.FromDateTime(now.UtcDateTime);
            if (date.Date < day.AddYears(-options.CalendarYearsBack))
            {
                return Trap($"calendar step to {date.Date:yyyy-MM-dd} is more than {options.CalendarYearsBack} years back");
            }

            if (date.Date > day.AddDays(options.CalendarDaysAhead))
            {
                return Trap($"calendar step to {date.Date:yyyy-MM-dd} is more than {options.CalendarDaysAhead} days ahead");
            }
        }

        return null;
    }

    private static TrapVerdict Trap(string detail) => new(DeclineReason.Trap, detail);

    internal static List<(string Name, string Value)> Query(Uri url)
    {
        var query = url.Query;
        var pairs = new List<(string, string)>();
        if (query.Length <= 1)
        {
            return pairs;
        }

        foreach (var part in query[1..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            pairs.Add(eq < 0 ? (Uri.UnescapeDataString(part), string.Empty) : (Uri.UnescapeDataString(part[..eq]), Uri.UnescapeDataString(part[(eq + 1)..])));
        }

        return pairs;
    }
}

/// <summary>
/// The date a URL is about, when it looks like a calendar's page: year/month[/day] path segments (<c>/calendar/2016/09</c>),
/// a yyyy-mm[-dd] segment or query value, or year= and month= query parameters. The shape is the URL with the date taken
/// out: two pages of one calendar have the same shape.
/// </summary>
public static class Calendar
{
    public sealed record Dated(DateOnly Date, string Shape);

    public static Dated? Read(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var segments = url.AbsolutePath.Split('/');
        DateOnly? date = null;
        for (var i = 0; i < segments.Length && date is null; i++)
        {
            if (Iso(segments[i]) is { } iso)
            {
                date = iso;
                segments[i] = "{date}";
            }
            else if (i + 1 < segments.Length && Number(segments[i], 4, 4, 1000, 2999) is { } year && Number(segments[i + 1], 1, 2, 1, 12) is { } month)
            {
                var day = i + 2 < segments.Length ? Number(segments[i + 2], 1, 2, 1, DateTime.DaysInMonth(year, month)) : null;
                date = new DateOnly(year, month, day ?? 1);
                segments[i] = "{y}";
                segments[i + 1] = "{m}";
                if (day is not null)
                {
                    segments[i + 2] = "{d}";
                }
            }
        }

        var query = TrapGuard.Query(url);
        var names = new List<string>(query.Count);
        int? qYear = null, qMonth = null, qDay = null;
        foreach (var (name, value) in query)
        {
            var lower = name.ToLowerInvariant();
            if (date is null && Iso(value) is { } iso)
            {
                date = iso;
                names.Add(lower + "={date}");
                continue;
            }

            switch (lower)
            {
                case "year" or "y" when Number(value, 4, 4, 1000, 2999) is { } y:
                    qYear = y;
                    break;
                case "month" or "m" when Number(value, 1, 2, 1, 12) is { } m:
                    qMonth = m;
                    break;
                case "day" or "d" when Number(value, 1, 2, 1, 31) is { } d:
                    qDay = d;
                    break;
                default:
                    names.Add(lower);
                    continue;
            }

            names.Add(lower + "={n}");
        }

        if (date is null && qYear is { } yy && qMonth is { } mm)
        {
            date = new DateOnly(yy, mm, Math.Min(qDay ?? 1, DateTime.DaysInMonth(yy, mm)));
        }

        if (date is null)
        {
            return null;
        }

        names.Sort(StringComparer.Ordinal);
        return new Dated(date.Value, url.Host + string.Join('/', segments) + "?" + string.Join('&', names));
    }

    private static DateOnly? Iso(string text)
    {
        var parts = text.Split('-');
        if (parts.Length is < 2 or > 3 || Number(parts[0], 4, 4, 1000, 2999) is not { } year || Number(parts[1], 1, 2, 1, 12) is not { } month)
        {
            return null;
        }

        if (parts.Length == 2)
        {
            return new DateOnly(year, month, 1);
        }

        return Number(parts[2], 1, 2, 1, DateTime.DaysInMonth(year, month)) is { } day ? new DateOnly(year, month, day) : null;
    }

    private static int? Number(string text, int minLength, int maxLength, int min, int max) =>
        text.Length >= minLength && text.Length <= maxLength && text.All(char.IsAsciiDigit)
            && int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture) is var n && n >= min && n <= max
            ? n
            : null;
}
