namespace Crawler.Core.Policies;

public sealed record TrapGuardOptions
{
    /// <summary>Links followed from a seed, at most (a seed has depth 0).</summary>
    public int MaxDepth { get; init; } = 50;

    public int MaxUrlLength { get; init; } = 2048;

    /// <summary>One path segment may appear at most this many times in a path (/a/b/a/b/a/...).</summary>
    public int MaxRepeatedSegment { get; init; } = 3;

    public int MaxPathSegments { get; init; } = 32;

    public int MaxQueryParameters { get; init; } = 24;
}

/// <summary>
/// Guards against crawler traps: endless calendars and generated paths. Each rule bounds the
/// number of URLs a trap can feed the frontier; the per-site page limit bounds the rest.
/// </summary>
public static class TrapGuard
{
    /// <summary>Returns null when the URL may be queued, else the reason it may not.</summary>
    public static string? Check(TrapGuardOptions options, Uri url, int depth)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(url);
        if (depth > options.MaxDepth)
        {
            return $"depth {depth} exceeds {options.MaxDepth}";
        }

        var text = url.OriginalString;
        if (text.Length > options.MaxUrlLength)
        {
            return $"URL length {text.Length} exceeds {options.MaxUrlLength}";
        }

        var path = url.AbsolutePath;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length > options.MaxPathSegments)
        {
            return $"{segments.Length} path segments exceed {options.MaxPathSegments}";
        }

        if (segments.Length > options.MaxRepeatedSegment)
        {
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var segment in segments)
            {
                counts.TryGetValue(segment, out var n);
                if (++n > options.MaxRepeatedSegment)
                {
                    return $"path segment '{segment}' repeats more than {options.MaxRepeatedSegment} times";
                }

                counts[segment] = n;
            }
        }

        var query = url.Query;
        if (query.Length > 1)
        {
            var parameters = query.AsSpan(1).Count('&') + 1;
            if (parameters > options.MaxQueryParameters)
            {
                return $"{parameters} query parameters exceed {options.MaxQueryParameters}";
            }
        }

        return null;
    }
}
