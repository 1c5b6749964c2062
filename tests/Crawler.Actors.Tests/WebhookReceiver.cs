using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Crawler.Actors.Tests;

/// <summary>
/// A webhook receiver on a real loopback socket that fails the first attempt of every event (500) and
/// accepts the next, keyed by the Idempotency-Key header; it records each accepted body.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Key, string Body)> _accepted = new();
    private readonly Task _accepting;

    public WebhookReceiver()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/hook");

    public IReadOnlyDictionary<string, int> Attempts => _attempts;

    public IReadOnlyCollection<(string Key, string Body)> Accepted => _accepted;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                _ = ServeAsync(socket);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        await using var stream = new NetworkStream(socket);
        var received = new List<byte>();
        var buffer = new byte[8192];
        int headEnd;
        while ((headEnd = IndexOfHeadEnd(received)) < 0)
        {
            var read = await stream.ReadAsync(buffer, _stop.Token);
            if (read == 0)
            {
                return;
            }

            received.AddRange(buffer.AsSpan(0, read).ToArray());
        }

        var head = Encoding.ASCII.GetString(received.GetRange(0, headEnd).ToArray()).Split("\r\n");
        string Header(string name) => head.FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))?[(name.Length + 1)..].Trim() ?? string.Empty;
        var length = int.Parse(Header("Content-Length"), System.Globalization.CultureInfo.InvariantCulture);
        while (received.Count < headEnd + 4 + length)
        {
            var read = await stream.ReadAsync(buffer, _stop.Token);
            if (read == 0)
            {
                return;
            }

            received.AddRange(buffer.AsSpan(0, read).ToArray());
        }

        var key = Header("Idempotency-Key");
        var attempt = _attempts.AddOrUpdate(key, 1, (_, n) => n + 1);
        if (attempt > 1)
        {
            _accepted.Enqueue((key, Encoding.UTF8.GetString(received.GetRange(headEnd + 4, length).ToArray())));
        }

        var status = attempt == 1 ? "500 Internal Server Error" : "200 OK";
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), _stop.Token);
    }

    private static int IndexOfHeadEnd(List<byte> bytes)
    {
        for (var i = 3; i < bytes.Count; i++)
        {
            if (bytes[i - 3] == '\r' && bytes[i - 2] == '\n' && bytes[i - 1] == '\r' && bytes[i] == '\n')
            {
                return i - 3;
            }
        }

        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
