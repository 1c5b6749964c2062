namespace Crawler.Core.Robots;

/// <summary>How the fetch of a robots.txt ended, as far as RFC 9309 §2.3.1 cares.</summary>
public enum RobotsFetchOutcome
{
    /// <summary>2xx: the body was parsed.</summary>
    Success,

    /// <summary>4xx other than 429, or a 3xx left after following redirects: treated as no robots.txt.</summary>
    Unavailable,

    /// <summary>429, 5xx or an unexpected status: treated as complete disallow.</summary>
    ServerError,

    /// <summary>No response at all (DNS, connect, TLS or timeout failure): treated as complete disallow.</summary>
    Unreachable,
}

/// <summary>How long each kind of robots.txt outcome is trusted before fetching again.</summary>
public sealed record RobotsCacheOptions
{
    /// <summary>Defaults: 24 h after a 2xx or 4xx, 1 h after a 5xx/429/failure.</summary>
    public static RobotsCacheOptions Default { get; } = new();

    /// <summary>Lifetime of a parsed file (RFC 9309: not more than 24 h while reachable).</summary>
    public TimeSpan Success { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Lifetime of an "unavailable" (4xx) answer.</summary>
    public TimeSpan Unavailable { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Lifetime of a disallow-all caused by 429/5xx, after which the file is fetched again.</summary>
    public TimeSpan ServerError { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Lifetime of a disallow-all caused by a network failure.</summary>
    public TimeSpan Unreachable { get; init; } = TimeSpan.FromHours(1);
}

/// <summary>The rules to apply to a host until <see cref="ExpiresAt"/>.</summary>
public sealed record RobotsDecision(
    RobotsRules Rules,
    RobotsFetchOutcome Outcome,
    DateTimeOffset ExpiresAt,
    IReadOnlyList<string> Sitemaps);

/// <summary>Turns the outcome of fetching robots.txt into rules and a cache lifetime (RFC 9309 §2.3.1, §2.4).</summary>
public static class RobotsPolicy
{
    /// <summary>Classifies a fetch: <paramref name="statusCode"/> is null when no HTTP response was received.</summary>
    public static RobotsFetchOutcome Classify(int? statusCode) => statusCode switch
    {
        null => RobotsFetchOutcome.Unreachable,
        >= 200 and <= 299 => RobotsFetchOutcome.Success,
        429 => RobotsFetchOutcome.ServerError,
        >= 300 and <= 499 => RobotsFetchOutcome.Unavailable,
        _ => RobotsFetchOutcome.ServerError,
    };

    /// <summary>How long a decision with this outcome stays valid.</summary>
    public static TimeSpan CacheFor(RobotsFetchOutcome outcome, RobotsCacheOptions? options = null)
    {
        options ??= RobotsCacheOptions.Default;
        return outcome switch
        {
            RobotsFetchOutcome.Success => options.Success,
            RobotsFetchOutcome.Unavailable => options.Unavailable,
            RobotsFetchOutcome.ServerError => options.ServerError,
            _ => options.Unreachable,
        };
    }

    /// <summary>
    /// Decides the rules for <paramref name="productToken"/>: 2xx → the parsed body; 3xx (redirects exhausted)
    /// or 4xx except 429 → allow all; 429, 5xx, other statuses or no response (null) → disallow all until the
    /// shorter retry lifetime ends.
    /// </summary>
    public static RobotsDecision Decide(
        int? statusCode,
        string? body,
        string productToken,
        DateTimeOffset now,
        RobotsCacheOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(productToken);
        var outcome = Classify(statusCode);
        var expires = now + CacheFor(outcome, options);
        switch (outcome)
        {
            case RobotsFetchOutcome.Success:
                var parsed = RobotsTxt.Parse(body ?? string.Empty);
                return new RobotsDecision(parsed.ForAgent(productToken), outcome, expires, parsed.Sitemaps);
            case RobotsFetchOutcome.Unavailable:
                return new RobotsDecision(RobotsRules.AllowAll, outcome, expires, []);
            default:
                return new RobotsDecision(RobotsRules.DisallowAll, outcome, expires, []);
        }
    }
}
