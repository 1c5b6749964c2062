using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Crawler.Net.Notifications;
using Microsoft.AspNetCore.Http;

namespace Crawler.Net.Tests.Notifications;

public sealed class WebhookNotifierTests
{
    // Longer than any backoff (MaxDelay defaults to 5 min), so the clock can tell time-outs from backoffs.
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private static readonly DateTimeOffset T0 = new(2016, 9, 19, 10, 0, 0, TimeSpan.Zero);

    private static WebhookEvent Down(string id = "evt-1") =>
        new(id, "down", "www.kcna.kp", "up", "down", T0, T0.AddMinutes(2), "connection refused") { OutageStart = T0 };

    private static WebhookOptions Options(int port, int maxAttempts = 6) => new()
    {
        Url = new Uri($"http://127.0.0.1:{port}/hooks/uptime"),
        MaxAttempts = maxAttempts,
        Timeout = AttemptTimeout,
    };

    [Fact]
    public async Task A_event_is_delivered_once_as_camel_case_json_with_iso_times_and_the_idempotency_key()
    {
        await using var receiver = await Receiver.StartAsync((_, _) => Task.FromResult(200));
        var clock = new RecordingClock(AttemptTimeout);
        var options = Options(receiver.Port) with { Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer t0k3n" } };
        using var notifier = new WebhookNotifier(options, clock: clock);
        var evt = new WebhookEvent("evt-42", "up", "www.kcna.kp", "down", "up", T0, T0.AddMinutes(1), null)
        {
            OutageStart = T0.AddHours(-1),
            OutageEnd = T0,
            OutageSeconds = 3600,
        };

        var delivery = await notifier.SendAsync(evt, CancellationToken.None).WaitAsync(Guard);

        Assert.Equal(new WebhookDelivery(true, 1, 200, null), delivery);
        var seen = Assert.Single(receiver.Seen);
        Assert.Equal("POST", seen.Method);
        Assert.Equal("/hooks/uptime", seen.Path);
        Assert.Equal("evt-42", seen.IdempotencyKey);
        Assert.Equal("Bearer t0k3n", seen.Authorization);
        Assert.StartsWith("application/json", seen.ContentType, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(seen.Body);
        var root = json.RootElement;
        Assert.Equal("evt-42", root.GetProperty("id").GetString());
        Assert.Equal("up", root.GetProperty("kind").GetString());
        Assert.Equal("www.kcna.kp", root.GetProperty("site").GetString());
        Assert.Equal("down", root.GetProperty("from").GetString());
        Assert.Equal("up", root.GetProperty("to").GetString());
        Assert.Equal("2016-09-19T10:00:00+00:00", root.GetProperty("at").GetString());
        Assert.Equal("2016-09-19T10:01:00+00:00", root.GetProperty("confirmedAt").GetString());
        Assert.Equal("2016-09-19T09:00:00+00:00", root.GetProperty("outageStart").GetString());
        Assert.Equal("2016-09-19T10:00:00+00:00", root.GetProperty("outageEnd").GetString());
        Assert.Equal(3600, root.GetProperty("outageSeconds").GetDouble());
        Assert.False(root.TryGetProperty("reason", out _));
        Assert.Equal(T0, JsonSerializer.Deserialize<WebhookEvent>(seen.Body, new JsonSerializerOptions(JsonSerializerDefaults.Web))!.At);
    }

    [Fact]
    public async Task A_500_is_retried_and_the_receiver_accepts_exactly_one_delivery_with_the_same_idempotency_key()
    {
        await using var receiver = await Receiver.StartAsync((n, _) => Task.FromResult(n == 0 ? 500 : 200));
        var clock = new RecordingClock(AttemptTimeout);
        using var notifier = new WebhookNotifier(Options(receiver.Port), clock: clock);

        var (delivery, waited) = await DriveAsync(notifier.SendAsync(Down(), CancellationToken.None), clock);

        Assert.True(delivery.Delivered);
        Assert.Equal(2, delivery.Attempts);
        Assert.Equal(200, delivery.StatusCode);
        Assert.Equal([500, 200], receiver.Seen.Select(s => s.Answered));
        Assert.Single(receiver.Seen, s => s.Answered == 200);
        Assert.All(receiver.Seen, s => Assert.Equal("evt-1", s.IdempotencyKey));
        Assert.Equal(receiver.Seen.First().Body, receiver.Seen.Last().Body);
        var backoff = Assert.Single(waited);
        Assert.InRange(backoff, TimeSpan.FromTicks(1), TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task A_receiver_whose_answer_was_lost_sees_the_same_key_again_and_can_drop_the_repeat()
    {
        var accepted = new ConcurrentDictionary<string, int>();
        await using var receiver = await Receiver.StartAsync((n, ctx) =>
        {
            var key = ctx.Request.Headers["Idempotency-Key"].ToString();
            var first = accepted.TryAdd(key, n);
            if (n == 0)
            {
                ctx.Abort(); // processed, but the answer never reaches the sender
            }

            return Task.FromResult(first ? 201 : 200);
        });
        var clock = new RecordingClock(AttemptTimeout);
        using var notifier = new WebhookNotifier(Options(receiver.Port), clock: clock);

        var (delivery, waited) = await DriveAsync(notifier.SendAsync(Down("evt-7"), CancellationToken.None), clock);

        Assert.Equal(new WebhookDelivery(true, 2, 200, null), delivery);
        Assert.Single(waited);
        Assert.Equal(["evt-7", "evt-7"], receiver.Seen.Select(s => s.IdempotencyKey));
        Assert.Equal(0, Assert.Single(accepted).Value);
    }

    [Fact]
    public async Task A_400_is_not_retried()
    {
        await using var receiver = await Receiver.StartAsync((_, _) => Task.FromResult(400));
        var clock = new RecordingClock(AttemptTimeout);
        using var notifier = new WebhookNotifier(Options(receiver.Port), clock: clock);

        var (delivery, waited) = await DriveAsync(notifier.SendAsync(Down(), CancellationToken.None), clock);

        Assert.Equal(new WebhookDelivery(false, 1, 400, null), delivery);
        Assert.Single(receiver.Seen);
        Assert.Empty(waited);
    }

    [Theory]
    [InlineData(408)]
    [InlineData(502)]
    [InlineData(503)]
    public async Task Request_timeout_and_server_errors_are_retried(int status)
    {
        await using var receiver = await Receiver.StartAsync((n, _) => Task.FromResult(n == 0 ? status : 204));
        var clock = new RecordingClock(AttemptTimeout);
        using var notifier = new WebhookNotifier(Options(receiver.Port), clock: clock);

        var (delivery, _) = await DriveAsync(notifier.SendAsync(Down(), CancellationToken.None), clock);

        Assert.Equal(new WebhookDelivery(true, 2, 204, null), delivery);
        Assert.Equal([status, 204], receiver.Seen.Select(s => s.Answered));
    }

    [Fact]
    public async Task A_429_with_retry_after_3_waits_3_seconds_of_fake_time()
    {
        await using var receiver = await Receiver.StartAsync((n, ctx) =>
        {
            if (n == 0)
            {
                ctx.Response.Headers.RetryAfter = "3";
                return Task.FromResult(429);
            }

            return Task.FromResult(200);
        });
        var clock = new RecordingClock(AttemptTimeout);
        using var notifier = new WebhookNotifier(Options(receiver.Port) with { BaseDelay = TimeSpan.FromSeconds(40) }, clock: clock);
        var send = notifier.SendAsync(Down(), CancellationToken.None);

        var delay = await clock.Delays.ReadAsync().AsTask().WaitAsync(Guard);
        Assert.Equal(TimeSpan.FromSeconds(3), delay);
        clock.Fake.Advance(TimeSpan.FromMilliseconds(2999));
        Assert.False(send.IsCompleted);
        Assert.Single(receiver.Seen);
        clock.Fake.Advance(TimeSpan.FromMilliseconds(1));
        var delivery = await send.WaitAsync(Guard);

        Assert.Equal(new WebhookDelivery(true, 2, 200, null), delivery);
        Assert.Equal([429, 200], receiver.Seen.Select(s => s.Answered));
    }

    [Fact]
    public async Task Retry_after_is_capped_by_max_delay()
    {
        await using var receiver = await Receiver.StartAsync((n, ctx) =>
        {
            ctx.Response.Headers.RetryAfter = "3600";
            return Task.FromResult(n == 0 ? 429 : 200);
        });
        var clock = new RecordingClock(AttemptTimeout);
        using var notifier = new WebhookNotifier(Options(receiver.Port) with { MaxDelay = TimeSpan.FromSeconds(30) }, clock: clock);

        var (delivery, waited) = await DriveAsync(notifier.SendAsync(Down(), CancellationToken.None), clock);

        Assert.True(delivery.Delivered);
        Assert.Equal([TimeSpan.FromSeconds(30)], waited);
    }

    [Fact]
    public async Task It_gives_up_after_max_attempts_with_backoffs_capped_by_max_delay()
    {
        await using var receiver = await Receiver.StartAsync((_, _) => Task.FromResult(500));
        var clock = new RecordingClock(AttemptTimeout);
        var options = Options(receiver.Port, maxAttempts: 5) with { BaseDelay = TimeSpan.FromSeconds(2), MaxDelay = TimeSpan.FromSeconds(5) };
        using var notifier = new WebhookNotifier(options, clock: clock);

        var (delivery, waited) = await DriveAsync(notifier.SendAsync(Down(), CancellationToken.None), clock);

        Assert.Equal(new WebhookDelivery(false, 5, 500, null), delivery);
        Assert.Equal(5, receiver.Seen.Count);
        Assert.Equal(4, waited.Count);
        Assert.All(waited, d => Assert.InRange(d, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Backoff_grows_exponentially_from_the_base_delay()
    {
        await using var receiver = await Receiver.StartAsync((_, _) => Task.FromResult(503));
        var clock = new RecordingClock(AttemptTimeout);
        var options = Options(receiver.Port, maxAttempts: 8) with { BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromMinutes(5) };
        using var notifier = new WebhookNotifier(options, clock: clock);

        var (delivery, waited) = await DriveAsync(notifier.SendAsync(Down(), CancellationToken.None), clock);

        Assert.Equal(8, delivery.Attempts);
        Assert.Equal(7, waited.Count);

        // Jittered, so no single step is fixed, but seven steps from 1 s add up to far more than seven base delays.
        Assert.True(waited.Sum(d => d.TotalSeconds) > 20, string.Join(", ", waited));
        Assert.True(waited[^1] > waited[0], string.Join(", ", waited));
    }

    [Fact]
    public async Task Network_errors_are_retried_and_reported_without_throwing()
    {
        var clock = new RecordingClock(AttemptTimeout);
        using var notifier = new WebhookNotifier(Options(TestServer.ClosedPort(), maxAttempts: 3), clock: clock);

        var (delivery, waited) = await DriveAsync(notifier.SendAsync(Down(), CancellationToken.None), clock);

        Assert.False(delivery.Delivered);
        Assert.Equal(3, delivery.Attempts);
        Assert.Null(delivery.StatusCode);
        Assert.Contains("ConnectionError", delivery.Error, StringComparison.Ordinal);
        Assert.Equal(2, waited.Count);
    }

    [Fact]
    public async Task An_attempt_that_outlives_the_timeout_is_abandoned_and_retried()
    {
        await using var receiver = await Receiver.StartAsync(async (n, ctx) =>
        {
            if (n == 0)
            {
                await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
            }

            return 200;
        });
        var clock = new RecordingClock(AttemptTimeout);
        using var notifier = new WebhookNotifier(Options(receiver.Port), clock: clock);
        var send = notifier.SendAsync(Down(), CancellationToken.None);

        await receiver.FirstRequest.WaitAsync(Guard);
        Assert.False(send.IsCompleted);
        clock.Fake.Advance(AttemptTimeout);
        var (delivery, waited) = await DriveAsync(send, clock);

        Assert.Equal(new WebhookDelivery(true, 2, 200, null), delivery);
        Assert.Single(waited);
        Assert.Equal(2, receiver.Received);
        Assert.Equal([200], receiver.Seen.Select(s => s.Answered));
    }

    [Fact]
    public async Task No_url_configured_sends_nothing()
    {
        await using var receiver = await Receiver.StartAsync((_, _) => Task.FromResult(200));
        using var notifier = new WebhookNotifier(new WebhookOptions());

        var delivery = await notifier.SendAsync(Down(), CancellationToken.None);

        Assert.False(notifier.Enabled);
        Assert.Equal(WebhookDelivery.NotConfigured, delivery);
        Assert.Equal(0, delivery.Attempts);
        Assert.Empty(receiver.Seen);
        Assert.Equal(0, receiver.Connections);
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentException>(() => new WebhookNotifier(new WebhookOptions { Url = new Uri("ftp://127.0.0.1/") }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WebhookNotifier(new WebhookOptions { MaxAttempts = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WebhookNotifier(new WebhookOptions { Timeout = TimeSpan.Zero }));
    }

    /// <summary>Sends <paramref name="send"/> to completion, advancing fake time by each backoff as it is scheduled.</summary>
    private static async Task<(WebhookDelivery Delivery, List<TimeSpan> Waited)> DriveAsync(Task<WebhookDelivery> send, RecordingClock clock)
    {
        var waited = new List<TimeSpan>();
        while (true)
        {
            var next = clock.Delays.ReadAsync().AsTask();
            var first = await Task.WhenAny(send, next).WaitAsync(Guard);
            if (first == send)
            {
                return (await send, waited);
            }

            var delay = await next;
            waited.Add(delay);
            clock.Fake.Advance(delay);
        }
    }

    private sealed record Seen(string Method, string Path, string IdempotencyKey, string Authorization, string ContentType, byte[] Body, int Answered);

    /// <summary>A loopback HTTP receiver; <c>answer(n, ctx)</c> picks the status of the n-th request (0-based).</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly ConcurrentQueue<Seen> _seen = new();
        private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TestServer _server = null!;
        private int _count;

        public int Port => _server.Port;

        public int Connections => _server.Connections;

        /// <summary>Requests that arrived, answered or not.</summary>
        public int Received => _server.Requests.Count;

        public IReadOnlyList<Seen> Seen => _seen.ToArray();

        public Task FirstRequest => _first.Task;

        public static async Task<Receiver> StartAsync(Func<int, HttpContext, Task<int>> answer)
        {
            var receiver = new Receiver();
            receiver._server = await TestServer.StartAsync(async ctx =>
            {
                var n = Interlocked.Increment(ref receiver._count) - 1;
                using var body = new MemoryStream();
                await ctx.Request.Body.CopyToAsync(body);
                receiver._first.TrySetResult();
                var status = await answer(n, ctx);
                var h = ctx.Request.Headers;
                receiver._seen.Enqueue(new Seen(ctx.Request.Method, ctx.Request.Path, h["Idempotency-Key"].ToString(), h.Authorization.ToString(), h.ContentType.ToString(), body.ToArray(), status));
                if (!ctx.RequestAborted.IsCancellationRequested)
                {
                    ctx.Response.StatusCode = status;
                }
            });
            return receiver;
        }

        public ValueTask DisposeAsync() => _server.DisposeAsync();
    }
}
