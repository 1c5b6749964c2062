using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Crawler.IntegrationTests;

/// <summary>
/// A hostile .kp site on loopback that speaks plain HTTP/1.1 over a real socket: it serves fixed
/// answers by Host and path and records every connection it accepts and every request head it
/// reads. Written on a raw socket so that a connection is counted even if no request follows.
/// </summary>
internal sealed class HostileSite : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<(string Host, string Path), string> _answers = [];
    private readonly ConcurrentQueue<(string Host, string Target)> _requests = new();
    private readonly Task _accepting;
    private int _connections;

    public HostileSite()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Request heads read so far: the Host header and the request target.</summary>
    public IReadOnlyCollection<(string Host, string Target)> Requests => _requests;

    public void Page(string host, string path, string html) =>
        _answers[(host, path)] = Answer("200 OK", "text/html; charset=utf-8", html);

    public void Redirect(string host, string path, string location) =>
        _answers[(host, path)] = Answer("302 Found", "text/plain", "moved", $"Location: {location}\r\n");

    private static string Answer(string status, string type, string body, string extra = "") =>
        $"HTTP/1.1 {status}\r\nContent-Type: {type}\r\nContent-Length: {Encoding.UTF8.GetByteCount(body).ToString(CultureInfo.InvariantCulture)}\r\n{extra}Connection: close\r\n\r\n{body}";

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        await using var stream = new NetworkStream(socket);
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

        var lines = head.ToString().Split("\r\n");
        var target = lines[0].Split(' ')[1];
        var host = lines.Skip(1).FirstOrDefault(l => l.StartsWith("Host:", StringComparison.OrdinalIgnoreCase))?[5..].Trim() ?? string.Empty;
        _requests.Enqueue((host, target));
        var answer = _answers.TryGetValue((host, target), out var known) ? known : Answer("404 Not Found", "text/plain", "not here");
        await stream.WriteAsync(Encoding.UTF8.GetBytes(answer), _stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
