using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Crawler.Net.Tests.Probing;

/// <summary>An in-memory resolver: known names get their addresses, everything else NXDOMAIN; counts lookups.</summary>
internal sealed class StubResolver(Dictionary<string, IPAddress[]> zone) : IHostResolver
{
    private int _lookups;

    public int Lookups => Volatile.Read(ref _lookups);

    public ValueTask<ResolvedHost> ResolveAsync(string host, CancellationToken ct)
    {
        Interlocked.Increment(ref _lookups);
        return ValueTask.FromResult(zone.TryGetValue(host, out var addresses)
            ? new ResolvedHost(host, addresses, null, TimeSpan.FromMinutes(5), "stub")
            : new ResolvedHost(host, [], "NXDOMAIN", TimeSpan.Zero, "stub"));
    }
}

/// <summary>The crawler's own resolver over a <see cref="TinyDnsServer"/> on loopback, as the probe tests use it.</summary>
internal static class LoopbackResolvers
{
    /// <summary>Asks only <paramref name="dns"/>, once (no retries).</summary>
    public static DnsClientResolver Over(TinyDnsServer dns, bool queryAaaa = true) =>
        new(new DnsResolverOptions { Servers = [dns.Endpoint], QueryAaaa = queryAaaa, Retries = 0 });

    /// <summary>Asks only <paramref name="dns"/>, once, over UDP only, and gives up after 200 ms: for a silent server.</summary>
    public static DnsClientResolver Impatient(TinyDnsServer dns, bool queryAaaa = true) =>
        new(new DnsResolverOptions
        {
            Servers = [dns.Endpoint],
            Timeout = TimeSpan.FromMilliseconds(200),
            Retries = 0,
            UseTcpFallback = false,
            QueryAaaa = queryAaaa,
        });
}

/// <summary>How the loopback test servers here tell being stopped from a failure.</summary>
internal static class ServerStop
{
    /// <summary>Awaits one accept, receive or send; <c>Stopped</c> when the server is being stopped (its token
    /// cancelled, its socket disposed or closed, or its listener stopped once <paramref name="stopping"/> is
    /// cancelled: a listener stopped between two accepts throws "Not listening"), anything else is thrown.</summary>
    public static async Task<(bool Stopped, T Value)> OrStoppedAsync<T>(Func<ValueTask<T>> step, CancellationToken stopping = default)
    {
        try
        {
            return (false, await step());
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException
            || (ex is InvalidOperationException && stopping.IsCancellationRequested))
        {
            return (true, default!);
        }
    }
}

/// <summary>A resolver that never answers (and ignores cancellation), as a wedged resolver would.</summary>
internal sealed class HangingResolver : IHostResolver
{
    private readonly TaskCompletionSource<ResolvedHost> _never = new();

    public ValueTask<ResolvedHost> ResolveAsync(string host, CancellationToken ct) => new(_never.Task);
}

/// <summary>
/// A raw TCP server on 127.0.0.1:0 for what Kestrel will not do: it reads the request head, writes
/// <paramref name="prefix"/> (possibly a partial response, possibly nothing) and then holds the connection
/// open, silent, until disposed.
/// </summary>
internal sealed class StallingServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _prefix;
    private readonly Task _loop;

    public StallingServer(string prefix)
    {
        _prefix = Encoding.ASCII.GetBytes(prefix);
        _listener.Start();
        // Started inline so the first accept is pending before the constructor returns; a dispose racing a
        // later accept is a stop (OrStoppedAsync with the stop token), not "Not listening".
        _loop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var clients = new List<Task>();
        while (true)
        {
            var (stopped, client) = await ServerStop.OrStoppedAsync(() => _listener.AcceptTcpClientAsync(_stop.Token), _stop.Token);
            if (stopped)
            {
                break;
            }

            clients.Add(ServeAsync(client));
        }

        await Task.WhenAll(clients);
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var seen = new List<byte>();
                var buffer = new byte[4096];
                while (!EndsHead(seen))
                {
                    var read = await stream.ReadAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    seen.AddRange(buffer.AsSpan(0, read));
                }

                await stream.WriteAsync(_prefix, _stop.Token);
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
            {
                // Stopped, or the prober hung up.
            }
        }
    }

    private static bool EndsHead(List<byte> seen) =>
        seen.Count >= 4 && seen[^4] == '\r' && seen[^3] == '\n' && seen[^2] == '\r' && seen[^1] == '\n';
}

internal static class ProbeCertificates
{
    /// <summary>A self-signed server certificate for <paramref name="dnsName"/> valid until exactly <paramref name="notAfter"/>.</summary>
    public static X509Certificate2 SelfSigned(string dnsName, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(dnsName);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.CreateSelfSigned(notBefore, notAfter);
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }
}
