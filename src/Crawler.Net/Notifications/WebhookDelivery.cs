namespace Crawler.Net.Notifications;

/// <summary>What became of one event: whether a receiver accepted it (2xx), after how many attempts, and the last answer or error.</summary>
/// <param name="Delivered">A receiver answered 2xx.</param>
/// <param name="Attempts">HTTP requests made (0 when no URL is configured).</param>
/// <param name="StatusCode">Status of the last answer; null when the last attempt got none (network error, time-out).</param>
/// <param name="Error">Why the last attempt failed without an answer; null otherwise.</param>
public sealed record WebhookDelivery(bool Delivered, int Attempts, int? StatusCode, string? Error)
{
    /// <summary>No URL configured: nothing was sent.</summary>
    public static WebhookDelivery NotConfigured { get; } = new(false, 0, null, null);
}
