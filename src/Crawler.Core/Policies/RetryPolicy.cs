namespace Crawler.Core.Policies;

public sealed record RetryOptions
{
    /// <summary>Attempts per URL and epoch, the first included.</summary>
    public int MaxAttempts { get; init; } = 5;

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>A Retry-After longer than this is capped (a hostile server cannot park the crawl).</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromHours(1);
}

public enum RetryDecisionKind
{
    /// <summary>The outcome is final: archive it and move on.</summary>
    Final,

    /// <summary>Transient: archive this attempt and fetch the URL again after the delay.</summary>
    Retry,

    /// <summary>Transient, but the attempts are used up: archive and give up.</summary>
    GiveUp,
}

public readonly record struct RetryDecision(RetryDecisionKind Kind, TimeSpan Delay);

/// <summary>Which outcomes are worth another attempt, and when: exponential backoff, or Retry-After.</summary>
public static class RetryPolicy
{
    /// <summary>Status codes that mean "try again later".</summary>
    public static bool IsTransientStatus(int status) => status is 429 or 500 or 502 or 503 or 504;

    /// <param name="attempt">1 for the attempt that just finished.</param>
    /// <param name="status">HTTP status, or null when no response arrived.</param>
    /// <param name="transientError">True for network errors worth retrying (time-outs, refused connections).</param>
    public static RetryDecision Decide(RetryOptions options, int attempt, int? status, bool transientError, TimeSpan? retryAfter)
    {
        ArgumentNullException.ThrowIfNull(options);
        var transient = status is { } s ? IsTransientStatus(s) : transientError;
        if (!transient)
        {
            return new RetryDecision(RetryDecisionKind.Final, TimeSpan.Zero);
        }

        if (attempt >= options.MaxAttempts)
        {
            return new RetryDecision(RetryDecisionKind.GiveUp, TimeSpan.Zero);
        }

        var delay = Backoff(options, attempt);
        if (retryAfter is { } ra && ra > TimeSpan.Zero)
        {
            delay = ra < options.MaxRetryAfter ? ra : options.MaxRetryAfter;
        }

        return new RetryDecision(RetryDecisionKind.Retry, delay);
    }

    /// <summary>BaseDelay × 2^(attempt−1), capped at MaxDelay.</summary>
    public static TimeSpan Backoff(RetryOptions options, int attempt)
    {
        ArgumentNullException.ThrowIfNull(options);
        var exponent = Math.Clamp(attempt - 1, 0, 30);
        var ticks = options.BaseDelay.Ticks * Math.Pow(2, exponent);
        return ticks >= options.MaxDelay.Ticks ? options.MaxDelay : TimeSpan.FromTicks((long)ticks);
    }
}
