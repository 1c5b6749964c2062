namespace Crawler.Net.Notifications;

/// <summary>
/// One notification: a site's state changed (e.g. up → down). <see cref="Id"/> is stable across
/// retries and goes out as the Idempotency-Key header and in the body, so a receiver can drop repeats.
/// Serialized as camelCase JSON with ISO-8601 times; null fields are left out.
/// </summary>
/// <param name="Id">Stable id of the event (the same on every attempt).</param>
/// <param name="Kind">What happened, e.g. "down", "up", "degraded".</param>
/// <param name="Site">The site's host.</param>
/// <param name="From">State before.</param>
/// <param name="To">State after.</param>
/// <param name="At">When the change began (first failing or first succeeding probe).</param>
/// <param name="ConfirmedAt">When the change was confirmed.</param>
/// <param name="Reason">Why, e.g. "connection refused" or "HTTP 503"; null when there is none.</param>
public sealed record WebhookEvent(string Id, string Kind, string Site, string From, string To, DateTimeOffset At, DateTimeOffset ConfirmedAt, string? Reason)
{
    /// <summary>Start of the outage this event is about, when known.</summary>
    public DateTimeOffset? OutageStart { get; init; }

    /// <summary>End of the outage (set on recovery).</summary>
    public DateTimeOffset? OutageEnd { get; init; }

    /// <summary>Length of the outage in seconds (set on recovery).</summary>
    public double? OutageSeconds { get; init; }
}
