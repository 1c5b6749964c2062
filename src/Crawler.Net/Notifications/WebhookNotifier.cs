using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Crawler.Net.Notifications;

/// <summary>
/// POSTs one JSON document per <see cref="WebhookEvent"/> to <see cref="WebhookOptions.Url"/>, retried by a Polly
/// pipeline: exponential backoff with jitter (capped by <see cref="WebhookOptions.MaxDelay"/>) around a per-attempt
/// time-out. Retries network errors, time-outs, 408, 429 and 5xx, honouring Retry-After (also capped); other answers
/// are final. The event's id goes out as the Idempotency-Key header on every attempt. Thread-safe.
/// </summary>
/// <remarks>
/// All waiting (backoff and time-outs) runs on the <see cref="TimeProvider"/> given, so tests can drive it with a fake clock.
/// </remarks>
public sealed class WebhookNotifier : IDisposable
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json") { CharSet = "utf-8" };

    private readonly WebhookOptions _options;
    private readonly TimeProvider _clock;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly ResiliencePipeline<AttemptResult>? _pipeline;

    /// <param name="options">Receiver and retry settings.</param>
    /// <param name="httpClient">Client to send with (not disposed by the notifier); null = a private one without redirects or cookies.</param>
    /// <param name="clock">Clock for backoff and time-outs; null = the system clock.</param>
    public WebhookNotifier(WebhookOptions options, HttpClient? httpClient = null, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        _options = options;
        _clock = clock ?? TimeProvider.System;
        if (httpClient is null)
        {
            var handler = new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                UseProxy = false,
                ActivityHeadersPropagator = null,
                PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            };

            // The pipeline's per-attempt time-out governs, on the injected clock.
            _http = new HttpClient(handler, disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
            _ownsHttp = true;
        }
        else
        {
            _http = httpClient;
        }

        if (options.Url is not null)
        {
            _pipeline = BuildPipeline(options, _clock);
        }
    }

    /// <summary>False when no URL is configured: <see cref="SendAsync"/> then sends nothing.</summary>
    public bool Enabled => _pipeline is not null;

    /// <summary>The settings it was made with.</summary>
    public WebhookOptions Options => _options;

    /// <summary>The JSON document sent for <paramref name="evt"/> (camelCase, ISO-8601 times, nulls left out).</summary>
    public static byte[] Serialize(WebhookEvent evt) => JsonSerializer.SerializeToUtf8Bytes(evt, JsonOptions);

    /// <summary>
    /// Delivers <paramref name="evt"/>, retrying as configured. Never throws for HTTP or network failures; those
    /// come back in the <see cref="WebhookDelivery"/>. Throws <see cref="OperationCanceledException"/> only when
    /// <paramref name="ct"/> is cancelled.
    /// </summary>
    public async Task<WebhookDelivery> SendAsync(WebhookEvent evt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(evt);
        if (_pipeline is null)
        {
            return WebhookDelivery.NotConfigured;
        }

        ct.ThrowIfCancellationRequested();
        var attempt = new AttemptState(this, evt, Serialize(evt));
        AttemptResult last;
        try
        {
            last = await _pipeline.ExecuteAsync(static (s, token) => s.Notifier.PostOnceAsync(s, token), attempt, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or OperationCanceledException)
        {
            return new WebhookDelivery(false, attempt.Count, null, Describe(ex));
        }

        ct.ThrowIfCancellationRequested();
        return new WebhookDelivery(IsSuccess(last.Status), attempt.Count, last.Status, null);
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private async ValueTask<AttemptResult> PostOnceAsync(AttemptState state, CancellationToken ct)
    {
        Interlocked.Increment(ref state.Count);
        using var request = new HttpRequestMessage(HttpMethod.Post, _options.Url);
        var content = new ByteArrayContent(state.Body);
        content.Headers.ContentType = JsonContentType;
        request.Content = content;
        request.Headers.UserAgent.ParseAdd("Crawler-Webhook/1.0");
        if (_options.Headers is { } extra)
        {
            foreach (var (name, value) in extra)
            {
                if (!request.Headers.TryAddWithoutValidation(name, value))
                {
                    content.Headers.TryAddWithoutValidation(name, value);
                }
            }
        }

        request.Headers.Remove(IdempotencyKeyHeader);
        request.Headers.TryAddWithoutValidation(IdempotencyKeyHeader, state.Event.Id);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        return new AttemptResult((int)response.StatusCode, RetryAfter(response.Headers.RetryAfter));
    }

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - _clock.GetUtcNow(),
        _ => null,
    };

    private static ResiliencePipeline<AttemptResult> BuildPipeline(WebhookOptions options, TimeProvider clock)
    {
        var builder = new ResiliencePipelineBuilder<AttemptResult> { TimeProvider = clock };
        if (options.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<AttemptResult>
            {
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                ShouldHandle = static args => ValueTask.FromResult(ShouldRetry(args.Outcome)),

                // Polly caps its own backoff by MaxDelay but takes a generated delay as is: cap Retry-After here.
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Result is { RetryAfter: { } after } && (args.Outcome.Result.Status is 429 or 503)
                        ? (TimeSpan?)Clamp(after, options.MaxDelay)
                        : null),
            });
        }

        builder.AddTimeout(options.Timeout);
        return builder.Build();
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan max) =>
        value < TimeSpan.Zero ? TimeSpan.Zero : value > max ? max : value;

    private static bool ShouldRetry(Outcome<AttemptResult> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException or OperationCanceledException } => true,
        { Exception: not null } => false,
        { Result.Status: var s } => s is 408 or 429 or >= 500,
    };

    private static bool IsSuccess(int status) => status is >= 200 and < 300;

    private static string Describe(Exception ex) => ex switch
    {
        TimeoutRejectedException => "timed out",
        HttpRequestException { HttpRequestError: not HttpRequestError.Unknown } h => h.HttpRequestError + ": " + h.Message,
        _ => ex.Message,
    };

    private static void Validate(WebhookOptions o)
    {
        if (o.Url is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            throw new ArgumentException("The webhook URL must be an absolute http or https URL.", nameof(o));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(o.MaxAttempts, 1, nameof(o.MaxAttempts));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(o.BaseDelay, TimeSpan.Zero, nameof(o.BaseDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(o.MaxDelay, o.BaseDelay, nameof(o.MaxDelay));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(o.Timeout, TimeSpan.Zero, nameof(o.Timeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(o.PollInterval, TimeSpan.Zero, nameof(o.PollInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(o.Lookback, TimeSpan.Zero, nameof(o.Lookback));
    }

    private readonly record struct AttemptResult(int Status, TimeSpan? RetryAfter);

    private sealed class AttemptState(WebhookNotifier notifier, WebhookEvent evt, byte[] body)
    {
        public int Count;

        public WebhookNotifier Notifier { get; } = notifier;

        public WebhookEvent Event { get; } = evt;

        public byte[] Body { get; } = body;
    }
}
