namespace Crawler.Net.Notifications;

/// <summary>Where and how <see cref="WebhookNotifier"/> delivers events. A null <see cref="Url"/> turns webhooks off.</summary>
public sealed record WebhookOptions
{
    /// <summary>The receiver (http or https); null = no webhook, nothing is sent.</summary>
    public Uri? Url { get; init; }

    /// <summary>Attempts per event, the first included (at least 1).</summary>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>First retry delay; later ones grow exponentially, with jitter.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Upper bound of any one retry delay, a receiver's Retry-After included.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Time limit of one attempt (connect, send, response headers).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often the sender reads the uptime store for events it has not sent (each announced event wakes it at once too;
    /// this bounds the delay of one whose announcement was lost).
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How far back the sender reads the store: a change is owed while it began less than this long ago. At least the
    /// longest a change takes to be confirmed and stored (failures to down × interval, plus a store outage's delay).
    /// </summary>
    public TimeSpan Lookback { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Extra request headers sent with every attempt (e.g. Authorization).</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
}
