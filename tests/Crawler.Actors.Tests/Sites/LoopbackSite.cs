using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Crawler.Actors.Tests.Sites;

/// <summary>
/// A tiny HTTP/1.1 server on a real loopback socket: each path answers a scripted status and body (404
/// otherwise), optionally only once a test releases it, cut short (the connection closes halfway through the
/// body) or hung (half the body, then nothing until the server stops). Every request path is recorded in arrival order.
/// </summary>
internal sealed class LoopbackSite : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, Page> _pages = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly Task _accepting;
    private int _inFlight;
    private int _maxInFlight;

    public LoopbackSite()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The paths requested so far, in order.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>The most requests this server had under way at once (from reading a request to the end of its answer).</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public void Serve(string path, int status, string body, string contentType = "text/html", TaskCompletionSource? gate = null, bool cutShort = false, bool hangs = false) =>
        _pages[path] = new Page(status, body, contentType, gate, cutShort, hangs);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var head = new StringBuilder();
        var buffer = new byte[4096];
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, _stop.Token);
            if (read == 0)
            {
                return;
            }

            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        var path = head.ToString().Split(' ')[1];
        var now = Interlocked.Increment(ref _inFlight);
        for (var max = Volatile.Read(ref _maxInFlight); now > max; max = Volatile.Read(ref _maxInFlight))
        {
            Interlocked.CompareExchange(ref _maxInFlight, now, max);
        }

        try
        {
            await AnswerAsync(stream, path);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task AnswerAsync(NetworkStream stream, string path)
    {
        _requests.Enqueue(path);
        var page = _pages.TryGetValue(path, out var p) ? p : new Page(404, "not found", "text/plain", null, false, false);
        if (page.Gate is { } gate)
        {
            await gate.Task.WaitAsync(_stop.Token);
        }

        var body = Encoding.UTF8.GetBytes(page.Body);
        var response = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {page.Status} X\r\nContent-Type: {page.ContentType}\r\nContent-Length: {(page.CutShort ? 2 * body.Length : body.Length)}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(response, _stop.Token);
        if (page.Hangs)
        {
            await stream.WriteAsync(body.AsMemory(0, body.Length / 2), _stop.Token);
            await Task.Delay(Timeout.Infinite, _stop.Token);
        }

        await stream.WriteAsync(body, _stop.Token);
    }

    private sealed record Page(int Status, string Body, string ContentType, TaskCompletionSource? Gate, bool CutShort, bool Hangs);
}
