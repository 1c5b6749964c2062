using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Crawler.Net.Tests;

/// <summary>A Kestrel server on 127.0.0.1:0 that counts connections and records the requests it saw.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _connections;

    private TestServer(WebApplication app) => _app = app;

    public int Port { get; private set; }

    public int Connections => Volatile.Read(ref _connections);

    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    public string? LastServerName { get; private set; }

    /// <summary>A server answering every request with <paramref name="status"/> and a Location from <paramref name="location"/>.</summary>
    public static Task<TestServer> RedirectingAsync(int status, Func<HttpContext, string> location) =>
        StartAsync(context =>
        {
            context.Response.StatusCode = status;
            context.Response.Headers.Location = location(context);
            return Task.CompletedTask;
        });

    public static async Task<TestServer> StartAsync(RequestDelegate handler, X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        TestServer? server = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Use(next => connection =>
                {
                    Interlocked.Increment(ref server!._connections);
                    return next(connection);
                });
                if (certificate is not null)
                {
                    listen.UseHttps(new HttpsConnectionAdapterOptions
                    {
                        ServerCertificateSelector = (_, name) =>
                        {
                            server!.LastServerName = name;
                            return certificate;
                        },
                    });
                }
            });
        });
        var app = builder.Build();
        server = new TestServer(app);
        app.Run(async context =>
        {
            server.Requests.Enqueue(new SeenRequest(
                context.Request.Path + context.Request.QueryString,
                context.Request.Headers.Host.ToString(),
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            await handler(context);
        });
        await app.StartAsync();
        var address = app.Urls.Single();
        server.Port = new Uri(address).Port;
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }

    /// <summary>A self-signed server certificate for <paramref name="dnsName"/>.</summary>
    public static X509Certificate2 SelfSignedCertificate(string dnsName)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(dnsName);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    /// <summary>A loopback port with nothing listening.</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

internal sealed record SeenRequest(string PathAndQuery, string Host, IReadOnlyDictionary<string, string> Headers);
