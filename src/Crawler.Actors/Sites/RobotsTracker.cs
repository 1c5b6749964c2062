using Crawler.Core.Policies;
using Crawler.Core.Robots;

namespace Crawler.Actors.Sites;

/// <summary>What a site must do about an origin's robots.txt before it may fetch a URL of that origin.</summary>
internal enum RobotsStep
{
    /// <summary>Never looked at in this actor's life: a capture of this epoch may be in the store (load it).</summary>
    Load,

    /// <summary>Fetch <see cref="RobotsCheck.Url"/> (robots.txt or the redirect being followed).</summary>
    Fetch,

    /// <summary>robots.txt failed transiently: wait until <see cref="RobotsCheck.Until"/>.</summary>
    Wait,

    /// <summary>The rules are known: <see cref="RobotsCheck.Rules"/> decide.</summary>
    Decide,
}

internal readonly record struct RobotsCheck(RobotsStep Step, string Url, int Attempt, int Hops, DateTimeOffset Until, RobotsRules? Rules, RobotsFetchOutcome Outcome);

/// <summary>
/// The robots.txt of each origin (scheme, host, port) of one site: the rules and until when they hold, when a
/// transiently failed robots.txt is tried again, which same-host redirect is being followed (RFC 9309 §2.3.1.2)
/// and the host's crawl-delay (the largest any origin asks for). Pure: every time is passed in.
/// </summary>
internal sealed class RobotsTracker(RetryOptions retry)
{
    public const int MaxRedirects = 5;

    private readonly Dictionary<string, State> _origins = new(StringComparer.Ordinal);

    /// <summary>Crawl-delay is per host: the largest any of its origins' robots.txt asks for.</summary>
    public TimeSpan? CrawlDelay =>
        _origins.Values.Select(r => r.Rules?.CrawlDelay).Where(d => d is not null).DefaultIfEmpty(null).Max();

    public void Clear() => _origins.Clear();

    public static string RobotsUrl(string origin) => origin + "/robots.txt";

    /// <summary>The in-scope sitemaps a robots.txt names, as frontier entries one link from it (kind "sitemap").</summary>
    public static IReadOnlyList<Storage.FrontierEntry> Sitemaps(RobotsDecision decision, string robotsUrl, int epoch, CrawlScope scope)
    {
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(scope);
        var sitemaps = new List<Storage.FrontierEntry>();
        foreach (var sitemap in decision.Sitemaps)
        {
            var url = Core.Urls.UrlCanonicalizer.Canonicalize(sitemap, robotsUrl);
            if (url is not null && Core.Urls.UrlCanonicalizer.TryGetHost(url, out var host) && scope.IsInScope(host))
            {
                sitemaps.Add(new Storage.FrontierEntry { Url = url, Host = host, Epoch = epoch, Depth = 1, Via = robotsUrl, Kind = "sitemap" });
            }
        }

        return sitemaps;
    }

    /// <summary>What to do before a URL of <paramref name="origin"/> may be fetched at <paramref name="now"/>.</summary>
    public RobotsCheck Check(string origin, DateTimeOffset now)
    {
        if (!_origins.TryGetValue(origin, out var state))
        {
            return new RobotsCheck(RobotsStep.Load, RobotsUrl(origin), 0, 0, now, null, RobotsFetchOutcome.Unreachable);
        }

        if (state.Rules is { } rules)
        {
            return now >= state.ExpiresAt
                ? new RobotsCheck(RobotsStep.Fetch, RobotsUrl(origin), 1, 0, now, null, state.Outcome) // expired: fetch afresh
                : new RobotsCheck(RobotsStep.Decide, RobotsUrl(origin), state.Attempts, 0, state.ExpiresAt, rules, state.Outcome);
        }

        if (state.RetryAt > now)
        {
            return new RobotsCheck(RobotsStep.Wait, RobotsUrl(origin), state.Attempts, state.Hops, state.RetryAt, null, state.Outcome);
        }

        return state.FollowUrl is { } follow
            ? new RobotsCheck(RobotsStep.Fetch, follow, 1, state.Hops, now, null, state.Outcome)
            : new RobotsCheck(RobotsStep.Fetch, RobotsUrl(origin), state.Attempts + 1, state.Hops, now, null, state.Outcome);
    }

    /// <summary>What the store held for this epoch (null: nothing usable): the rules when still valid, else a fetch is due.</summary>
    public bool Loaded(string origin, RobotsDecision? decision, DateTimeOffset now)
    {
        if (decision is { } d && d.ExpiresAt > now)
        {
            _origins[origin] = new State(d.Rules, d.Outcome, d.ExpiresAt, 0, DateTimeOffset.MinValue);
            return true;
        }

        _origins[origin] = new State(null, RobotsFetchOutcome.Unreachable, DateTimeOffset.MinValue, 0, DateTimeOffset.MinValue);
        return false;
    }

    /// <summary>robots.txt redirected within the host: the next fetch follows <paramref name="target"/>.</summary>
    public void Redirected(string origin, string target, int hops, DateTimeOffset now) =>
        _origins[origin] = new State(null, RobotsFetchOutcome.Unavailable, DateTimeOffset.MinValue, 0, now, target, hops);

    /// <summary>
    /// Records a fetched robots.txt. A transient failure (5xx, 429, no response) before the attempts are used
    /// up makes the origin wait (<paramref name="retryDecision"/>'s delay, else backoff) and returns that delay;
    /// anything else is final (a failure then disallows all, as RFC 9309 says) and returns null. The rules also
    /// hold for the origin <paramref name="finalUrl"/> belongs to when a redirect led there.
    /// </summary>
    public TimeSpan? Fetched(string origin, int attempt, RobotsDecision decision, string finalUrl, RetryDecision retryDecision, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var outcome = decision.Outcome;
        if (outcome is RobotsFetchOutcome.ServerError or RobotsFetchOutcome.Unreachable && attempt < retry.MaxAttempts)
        {
            var delay = retryDecision.Kind == RetryDecisionKind.Retry ? retryDecision.Delay : RetryPolicy.Backoff(retry, attempt);
            _origins[origin] = new State(null, outcome, DateTimeOffset.MinValue, attempt, now + delay);
            return delay;
        }

        var state = new State(decision.Rules, outcome, decision.ExpiresAt, attempt, DateTimeOffset.MinValue);
        _origins[origin] = state;
        var finalOrigin = SiteUrls.Origin(finalUrl);
        if (finalOrigin != origin && finalUrl == RobotsUrl(finalOrigin))
        {
            _origins[finalOrigin] = state; // reached by a redirect: it is that origin's robots.txt as well
        }

        return null;
    }

    /// <summary>An origin's robots.txt: its rules, or (Rules null) when to try again or which redirect to follow.</summary>
    private sealed record State(RobotsRules? Rules, RobotsFetchOutcome Outcome, DateTimeOffset ExpiresAt, int Attempts, DateTimeOffset RetryAt, string? FollowUrl = null, int Hops = 0);
}

/// <summary>URL parts the site needs (the URLs are canonical absolute http(s) URLs).</summary>
internal static class SiteUrls
{
    public static string Origin(string url) => new Uri(url).GetLeftPart(UriPartial.Authority);

    public static string PathAndQuery(string url) => new Uri(url).PathAndQuery;

    public static bool TryOrigin(string url, out string origin)
    {
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            origin = uri.GetLeftPart(UriPartial.Authority);
            return true;
        }

        origin = string.Empty;
        return false;
    }
}
