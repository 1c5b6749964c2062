using System.Globalization;
using System.Text.RegularExpressions;

namespace Crawler.Core.Cdx;

/// <summary>Which captures a CDX query's <c>url</c> selects (pywb and Wayback <c>matchType</c>).</summary>
public enum CdxMatchType
{
    /// <summary>The URL itself (its SURT key: scheme and a leading <c>www.</c> do not count).</summary>
    Exact,

    /// <summary>Every URL whose key begins with the URL's (<c>http://kcna.kp/news/*</c>).</summary>
    Prefix,

    /// <summary>Every URL of the URL's host.</summary>
    Host,

    /// <summary>Every URL of the host and its subdomains (<c>*.kcna.kp</c>).</summary>
    Domain,
}

/// <summary>The order of a CDX answer: index order (key, then time), reversed, or by distance from a time.</summary>
public enum CdxSort
{
    Index,
    Reverse,
    Closest,
}

/// <summary>How a CDX answer is written (pywb's <c>output</c>).</summary>
public enum CdxOutput
{
    /// <summary><c>urlkey timestamp {json}</c> per line (pywb's default).</summary>
    Cdxj,

    /// <summary>One JSON object per line (NDJSON).</summary>
    Json,

    /// <summary>The fields separated by spaces, <c>-</c> for a missing one (the classic CDX line).</summary>
    Text,
}

/// <summary>
/// One <c>filter</c>: <c>[!][=|~]field:expression</c>, pywb's syntax. No modifier: the field contains the
/// expression; <c>=</c>: equals it; <c>~</c>: the regular expression matches from the field's start; <c>!</c> negates.
/// </summary>
public sealed record CdxFilter(string Field, string Expression, bool Negate, char Kind)
{
    private readonly Regex? _regex = Kind == '~'
        ? new Regex(Expression, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))
        : null;

    public bool Matches(CdxRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var value = row.Field(Field) ?? string.Empty;
        bool hit = Kind switch
        {
            '=' => string.Equals(value, Expression, StringComparison.Ordinal),
            '~' => _regex!.Match(value) is { Success: true, Index: 0 },
            _ => value.Contains(Expression, StringComparison.Ordinal),
        };
        return hit != Negate;
    }
}

/// <summary>One <c>collapse</c>: adjacent captures whose field (or its first <see cref="Length"/> characters) repeat are dropped.</summary>
public sealed record CdxCollapse(string Field, int? Length)
{
    public string Value(CdxRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var value = row.Field(Field) ?? string.Empty;
        return Length is { } n && value.Length > n ? value[..n] : value;
    }
}

/// <summary>A CDX server query (pywb's CDXJ server API, with the Wayback CDX server's field names accepted too).</summary>
public sealed partial record CdxQuery
{
    /// <summary>The fields of a capture, in the order the text output writes them by default.</summary>
    public static readonly IReadOnlyList<string> Fields = ["urlkey", "timestamp", "url", "mime", "status", "digest", "length", "redirect"];

    /// <summary>The Wayback CDX server's names for some of them.</summary>
    public static readonly IReadOnlyDictionary<string, string> Aliases = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["original"] = "url",
        ["mimetype"] = "mime",
        ["statuscode"] = "status",
    };

    /// <summary>The <c>url</c> as given, without a wildcard.</summary>
    public required string Url { get; init; }

    public CdxMatchType MatchType { get; init; }

    /// <summary>Inclusive bounds, 14 digits (shorter ones padded down resp. up).</summary>
    public string? From { get; init; }

    public string? To { get; init; }

    public IReadOnlyList<CdxFilter> Filters { get; init; } = [];

    public IReadOnlyList<CdxCollapse> Collapse { get; init; } = [];

    public CdxSort Sort { get; init; }

    /// <summary>With <see cref="CdxSort.Closest"/>: the time to sort by, 14 digits.</summary>
    public string? Closest { get; init; }

    /// <summary>At most this many captures; negative: the last N.</summary>
    public int? Limit { get; init; }

    public CdxOutput Output { get; init; }

    /// <summary>The fields to write (<c>fl</c>); null: all.</summary>
    public IReadOnlyList<string>? FieldList { get; init; }

    /// <summary>The page to answer (0-based); null: every capture.</summary>
    public int? Page { get; init; }

    public int PageSize { get; init; } = DefaultPageSize;

    /// <summary>Answer only how many pages there are.</summary>
    public bool ShowNumPages { get; init; }

    public const int DefaultPageSize = 1000;

    /// <summary>The SURT key the match is about: the URL's, or for host and domain matches its host's (<c>kp,kcna)</c>).</summary>
    public string Key => MatchType switch
    {
        CdxMatchType.Host or CdxMatchType.Domain => HostKey(Url),
        _ => Surt.Key(WithScheme(Url)),
    };

    /// <summary>The host the URL names (lower-case, without a leading <c>www.</c>).</summary>
    public string Host => HostOf(Url);

    /// <summary>
    /// For host and domain matches, the beginnings of the keys they select, in ascending order (<c>)</c> &lt; <c>,</c>
    /// &lt; <c>:</c>): the host's path (<c>kp,kcna)</c>), for a domain its subdomains' hosts (<c>kp,kcna,</c>), and the
    /// host on another port (<c>kp,kcna:</c>). A store that keeps the keys in order reads these ranges one after
    /// another and gives the captures in the index order. Null for exact and prefix matches.
    /// </summary>
    public IReadOnlyList<string>? KeyPrefixes => MatchType is CdxMatchType.Host or CdxMatchType.Domain ? PrefixesOf(MatchType, Key) : null;

    /// <summary>Whether a capture's key is selected by the URL and match type.</summary>
    public bool Selects(string urlkey)
    {
        ArgumentNullException.ThrowIfNull(urlkey);
        return KeySelector()(urlkey);
    }

    /// <summary>
    /// <see cref="Selects"/> with the query's key worked out once: the key is parsed from the URL, which per capture of
    /// a long answer would cost more than the rest of the selection.
    /// </summary>
    public Func<string, bool> KeySelector()
    {
        var key = Key;
        var prefixes = PrefixesOf(MatchType, key);
        return MatchType switch
        {
            CdxMatchType.Exact => urlkey => string.Equals(urlkey, key, StringComparison.Ordinal),
            CdxMatchType.Prefix => urlkey => urlkey.StartsWith(key, StringComparison.Ordinal),
            _ => urlkey => Array.Exists(prefixes, p => urlkey.StartsWith(p, StringComparison.Ordinal)),
        };
    }

    private static string[] PrefixesOf(CdxMatchType matchType, string key) => matchType switch
    {
        CdxMatchType.Host => [key + ")", key + ":"],
        CdxMatchType.Domain => [key + ")", key + ",", key + ":"],
        _ => [],
    };

    /// <summary>
    /// Reads the query string's parameters. Throws <see cref="CdxQueryException"/> naming the parameter and
    /// what it accepts when one is wrong.
    /// </summary>
    public static CdxQuery Parse(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var all = parameters.ToList();
        string? One(string name)
        {
            var values = all.Where(p => p.Key == name).Select(p => p.Value).ToList();
            return values.Count switch
            {
                0 => null,
                1 => values[0],
                _ => throw new CdxQueryException($"'{name}' is given {values.Count} times; give it once."),
            };
        }

        var url = One("url");
        if (string.IsNullOrWhiteSpace(url))
        {
            throw new CdxQueryException("'url' is required: the URL (or http://host/path/*, or *.domain) whose captures to list.");
        }

        url = url.Trim();
        var matchType = CdxMatchType.Exact;
        if (url.StartsWith("*.", StringComparison.Ordinal))
        {
            (url, matchType) = (url[2..], CdxMatchType.Domain);
        }
        else if (url.EndsWith('*'))
        {
            (url, matchType) = (url[..^1], CdxMatchType.Prefix);
        }

        if (One("matchType") is { } mt)
        {
            matchType = mt switch
            {
                "exact" => CdxMatchType.Exact,
                "prefix" => CdxMatchType.Prefix,
                "host" => CdxMatchType.Host,
                "domain" => CdxMatchType.Domain,
                _ => throw new CdxQueryException($"'matchType' is '{mt}'; use exact, prefix, host or domain."),
            };
        }

        if (HostOf(url).Length == 0)
        {
            throw new CdxQueryException($"'url' is '{url}', which names no host; give an http(s) URL or a host name.");
        }

        var sort = One("sort") switch
        {
            null => CdxSort.Index,
            "reverse" => CdxSort.Reverse,
            "closest" => CdxSort.Closest,
            var s => throw new CdxQueryException($"'sort' is '{s}'; use reverse or closest (with closest=TIMESTAMP)."),
        };
        var closest = One("closest") is { } c ? Timestamp("closest", c, upper: false) : null;
        if (sort == CdxSort.Closest && closest is null)
        {
            throw new CdxQueryException("'sort=closest' needs 'closest', the time to sort by (1 to 14 digits, e.g. 20261207).");
        }

        var output = One("output") switch
        {
            null or "cdxj" => CdxOutput.Cdxj,
            "json" => CdxOutput.Json,
            "text" => CdxOutput.Text,
            var o => throw new CdxQueryException($"'output' is '{o}'; use cdxj, json or text."),
        };

        var pageSize = One("pageSize") is { } ps ? Integer("pageSize", ps, min: 1) : DefaultPageSize;
        return new CdxQuery
        {
            Url = url,
            MatchType = matchType,
            From = One("from") is { } from ? Timestamp("from", from, upper: false) : null,
            To = One("to") is { } to ? Timestamp("to", to, upper: true) : null,
            Filters = [.. all.Where(p => p.Key == "filter").Select(p => ParseFilter(p.Value))],
            Collapse = [.. all.Where(p => p.Key == "collapse").Select(p => ParseCollapse(p.Value))],
            Sort = sort,
            Closest = closest,
            Limit = One("limit") is { } limit ? Integer("limit", limit, min: int.MinValue) : null,
            Output = output,
            FieldList = One("fl") is { } fl ? [.. fl.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(f => FieldName("fl", f))] : null,
            Page = One("page") is { } page ? Integer("page", page, min: 0) : null,
            PageSize = pageSize,
            ShowNumPages = One("showNumPages") is "true" or "1",
        };
    }

    /// <summary>A field's canonical name (an alias resolved), or a <see cref="CdxQueryException"/> naming the parameter.</summary>
    public static string FieldName(string parameter, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var canonical = Aliases.TryGetValue(name, out var a) ? a : name;
        return Fields.Contains(canonical)
            ? canonical
            : throw new CdxQueryException($"'{parameter}' names the field '{name}'; the fields are {string.Join(", ", Fields)} (and original, mimetype, statuscode).");
    }

    /// <summary>
    /// A 1–14 digit timestamp padded to 14 digits for comparing with capture times as strings: with 0s as a lower
    /// bound, with 9s as an upper one (2026 → 20269999999999: after every second of 2026, before 2027).
    /// </summary>
    public static string Timestamp(string parameter, string value, bool upper)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length is 0 or > 14 || !value.All(char.IsAsciiDigit))
        {
            throw new CdxQueryException($"'{parameter}' is '{value}'; give a timestamp of 1 to 14 digits, yyyyMMddHHmmss (e.g. 2026 or 20261207153000).");
        }

        return value.PadRight(14, upper ? '9' : '0');
    }

    /// <summary>The time a padded timestamp stands for (month and day 00 read as 01; out-of-range parts clamped).</summary>
    public static DateTimeOffset TimeOf(string timestamp14)
    {
        ArgumentNullException.ThrowIfNull(timestamp14);
        int Part(int start, int length, int min, int max) =>
            Math.Clamp(int.Parse(timestamp14.AsSpan(start, length), NumberStyles.None, CultureInfo.InvariantCulture), min, max);
        var year = Part(0, 4, 1, 9999);
        var month = Part(4, 2, 1, 12);
        var day = Math.Min(Part(6, 2, 1, 31), DateTime.DaysInMonth(year, month));
        return new DateTimeOffset(year, month, day, Part(8, 2, 0, 23), Part(10, 2, 0, 59), Part(12, 2, 0, 59), TimeSpan.Zero);
    }

    private static int Integer(string parameter, string value, int min) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= min
            ? n
            : throw new CdxQueryException($"'{parameter}' is '{value}'; give a whole number{(min == int.MinValue ? string.Empty : $" of at least {min}")}.");

    private static CdxFilter ParseFilter(string value)
    {
        var rest = value;
        var negate = rest.StartsWith('!');
        if (negate)
        {
            rest = rest[1..];
        }

        var kind = rest.Length > 0 && rest[0] is '=' or '~' ? rest[0] : ' ';
        if (kind != ' ')
        {
            rest = rest[1..];
        }

        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new CdxQueryException($"'filter' is '{value}'; write [!][=|~]field:expression, e.g. =status:200 or ~mime:text/.*");
        }

        var expression = rest[(colon + 1)..];
        try
        {
            return new CdxFilter(FieldName("filter", rest[..colon]), expression, negate, kind);
        }
        catch (ArgumentException e)
        {
            throw new CdxQueryException($"'filter' is '{value}', whose regular expression does not parse: {e.Message}");
        }
    }

    private static CdxCollapse ParseCollapse(string value)
    {
        var parts = value.Split(':', 2);
        int? length = parts.Length == 2
            ? int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new CdxQueryException($"'collapse' is '{value}'; write field or field:N with N a positive number of characters, e.g. timestamp:10 (one capture per hour).")
            : null;
        return new CdxCollapse(FieldName("collapse", parts[0]), length);
    }

    private static string WithScheme(string url) =>
        url.Contains("://", StringComparison.Ordinal) ? url : "http://" + url;

    private static string HostOf(string url) =>
        Uri.TryCreate(WithScheme(url), UriKind.Absolute, out var uri) && uri.Host.Length > 0
            ? WwwHost().Replace(uri.IdnHost.ToLowerInvariant(), string.Empty, 1)
            : string.Empty;

    private static string HostKey(string url) => string.Join(',', HostOf(url).Split('.').Reverse());

    [GeneratedRegex(@"^www\d*\.", RegexOptions.CultureInvariant)]
    private static partial Regex WwwHost();
}

/// <summary>A CDX query that cannot be answered as given; the message names the parameter and what it accepts.</summary>
public sealed class CdxQueryException : Exception
{
    public CdxQueryException()
    {
    }

    public CdxQueryException(string message)
        : base(message)
    {
    }

    public CdxQueryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
