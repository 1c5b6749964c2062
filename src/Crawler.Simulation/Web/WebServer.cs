using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Crawler.Simulation.Web;

/// <summary>Kestrel on every site address, one HTTP port and one HTTPS port shared by all addresses.</summary>
internal sealed class WebServer : IAsyncDisposable
{
    private const string ConnectionKey = "sim.connection";
    private readonly SimulationModel _model;
    private readonly ServerLog _log;
    private readonly Func<int> _epoch;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, int> _retryCounts = new(StringComparer.Ordinal);
    private WebApplication? _app;

    private WebServer(SimulationModel model, ServerLog log, Func<int> epoch)
    {
        _model = model;
        _log = log;
        _epoch = epoch;
    }

    public int HttpPort { get; private set; }

    /// <summary>Per-host availability (up, down, error, slow) applied to every request of the host.</summary>
    public AvailabilityBoard Availability { get; } = new();

    public int HttpsPort { get; private set; }

    public static async Task<WebServer> StartAsync(SimulationModel model, ServerLog log, Func<int> epoch, X509Certificate2 certificate, CancellationToken ct)
    {
        var server = new WebServer(model, log, epoch);
        var addresses = model.Addresses;
        Exception? last = null;
        for (var attempt = 0; attempt < 10; attempt++)
        {
            ct.ThrowIfCancellationRequested();
            var httpPort = FreePort(addresses[0]);
            var httpsPort = FreePort(addresses[0]);
            if (httpsPort == httpPort)
            {
                continue;
            }

            var app = server.Build(addresses, httpPort, httpsPort, certificate);
            try
            {
                await app.StartAsync(ct).ConfigureAwait(false);
                server._app = app;
                server.HttpPort = httpPort;
                server.HttpsPort = httpsPort;
                return server;
            }
            catch (IOException ex)
            {
                // Port taken on one of the addresses: try another pair.
                last = ex;
                await app.DisposeAsync().ConfigureAwait(false);
            }
        }

        throw new InvalidOperationException("Could not bind the simulated web's ports.", last);
    }

    private static int FreePort(IPAddress address)
    {
        using var s = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    private WebApplication Build(IReadOnlyList<IPAddress> addresses, int httpPort, int httpsPort, X509Certificate2 certificate)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxConcurrentConnections = null;
            k.Limits.MaxConcurrentUpgradedConnections = null;
            k.Limits.MinResponseDataRate = null;
            foreach (var ip in addresses)
            {
                k.Listen(ip, httpPort, lo =>
                {
                    lo.Protocols = HttpProtocols.Http1;
                    lo.Use(TrackConnection);
                });
                k.Listen(ip, httpsPort, lo =>
                {
                    lo.Protocols = HttpProtocols.Http1AndHttp2;
                    lo.Use(TrackConnection);
                    lo.UseHttps(certificate);
                });
            }
        });
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(2));
        var app = builder.Build();
        app.Run(HandleAsync);
        return app;
    }

    private ConnectionDelegate TrackConnection(ConnectionDelegate next) => async connection =>
    {
        var ep = connection.LocalEndPoint as IPEndPoint;
        var record = _log.ConnectionOpened(ep?.Address, ep?.Port ?? 0);
        connection.Items[ConnectionKey] = record;
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            _log.ConnectionClosed(record);
        }
    };

    private async Task HandleAsync(HttpContext ctx)
    {
        var request = ctx.Request;
        var scheme = request.IsHttps ? "https" : "http";
        var host = request.Host.Host.ToLowerInvariant();
        var raw = ctx.Features.Get<IHttpRequestFeature>()?.RawTarget;
        var pathAndQuery = raw is { Length: > 0 } && raw[0] == '/' ? raw : request.Path.ToUriComponent() + request.QueryString.ToUriComponent();
        var connection = ctx.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ConnectionKey, out var c) == true ? c as ConnectionRecord : null;
        var record = _log.RequestStarted(scheme, host, ctx.Connection.LocalIpAddress, pathAndQuery, connection?.Id ?? 0, request.Headers.UserAgent.ToString());
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _stopping.Token);
        var ct = abort.Token;
        var status = 0;
        var aborted = false;
        var logged = false;
        try
        {
            var (availability, slowDelay) = Availability.Get(host);
            switch (availability)
            {
                case SiteAvailability.Down:
                    // No response at all: the client sees its connection closed. Logged as status 0, aborted, before
                    // the abort (as every answer is logged before its last write), so the log is complete when the client sees it.
                    aborted = true;
                    _log.RequestEnded(record, status, aborted: true);
                    logged = true;
                    ctx.Abort();
                    return;

                case SiteAvailability.Error:
                    status = 503;
                    await WriteAsync(ctx, 503, "text/html; charset=utf-8", [], UnavailableBody, () => Finishing(ctx, record, connection, 503), ct).ConfigureAwait(false);
                    return;

                case SiteAvailability.Slow:
                    await Task.Delay(slowDelay, ct).ConfigureAwait(false);
                    break;
            }

            var epoch = _epoch();
            var r = _model.Respond(scheme, host, pathAndQuery, epoch) ?? PageRenderer.NotFound();
            status = r.Status;
            switch (r.Behavior)
            {
                case ResponseBehavior.RetryThenOk:
                    {
                        var n = _retryCounts.AddOrUpdate(epoch + "|" + record.Url, 1, (_, v) => v + 1);
                        if (n <= _model.Options.RetryFailures)
                        {
                            status = r.RetryStatus;
                            ctx.Response.Headers.RetryAfter = _model.Options.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                            var msg = status == 429 ? "Too Many Requests" : "Service Unavailable";
                            await WriteAsync(ctx, status, "text/html; charset=utf-8", [], System.Text.Encoding.UTF8.GetBytes($"<html><body><h1>{status} {msg}</h1></body></html>\n"), () => Finishing(ctx, record, connection, status), ct).ConfigureAwait(false);
                            return;
                        }

                        break;
                    }

                case ResponseBehavior.Slow:
                    await Task.Delay(_model.Options.SlowResponse, ct).ConfigureAwait(false);
                    break;

                case ResponseBehavior.Hang:
                    {
                        ctx.Response.StatusCode = r.Status;
                        ctx.Response.ContentType = r.ContentType;
                        var part = Math.Min(_model.Options.HangAfterBytes, r.Body.Length - 1);
                        await ctx.Response.Body.WriteAsync(r.Body.AsMemory(0, part), ct).ConfigureAwait(false);
                        await ctx.Response.Body.FlushAsync(ct).ConfigureAwait(false);
                        await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
                        return;
                    }
            }

            if (r.Status == 200)
            {
                // Validators as Apache sends them, so recrawls can ask conditionally: an entity tag
                // from the body, and a Last-Modified that moves with the epoch.
                var etag = EntityTag(r.Body);
                var headers = r.Headers.Concat([new("ETag", etag), new("Last-Modified", LastModified(epoch))]).ToList();
                if (request.Headers.IfNoneMatch.ToString() == etag)
                {
                    status = 304;
                    await WriteAsync(ctx, 304, null, headers, [], () => Finishing(ctx, record, connection, 304), ct).ConfigureAwait(false);
                    return;
                }

                await WriteAsync(ctx, r.Status, r.ContentType, headers, r.Body, () => Finishing(ctx, record, connection, r.Status), ct).ConfigureAwait(false);
                return;
            }

            await WriteAsync(ctx, r.Status, r.ContentType, r.Headers, r.Body, () => Finishing(ctx, record, connection, r.Status), ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionAbortedException)
        {
            aborted = true;
        }
        finally
        {
            if (!logged)
            {
                _log.RequestEnded(record, status, aborted || ctx.RequestAborted.IsCancellationRequested);
            }
        }
    }

    private static readonly byte[] UnavailableBody = System.Text.Encoding.UTF8.GetBytes("<html><body><h1>503 Service Unavailable</h1></body></html>\n");

    private static string EntityTag(byte[] body) =>
        "\"" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body))[..16] + "\"";

    private static string LastModified(int epoch) =>
        new DateTimeOffset(2016, 9, 19, 0, 0, 0, TimeSpan.Zero).AddDays(epoch).ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Marks the request ended just before its final write: the client cannot see the response
    /// end before this moment, so a next request that starts after the client saw it can never
    /// look concurrent because of when the server got round to logging. After a response to a
    /// "Connection: close" request the connection is over for the client too.
    /// </summary>
    private void Finishing(HttpContext ctx, RequestRecord record, ConnectionRecord? connection, int status)
    {
        _log.RequestEnded(record, status, aborted: false);
        if (connection is not null && ctx.Request.Headers.Connection.ToString().Contains("close", StringComparison.OrdinalIgnoreCase))
        {
            _log.ConnectionClosed(connection);
        }
    }

    private static async Task WriteAsync(HttpContext ctx, int status, string? contentType, IReadOnlyList<KeyValuePair<string, string>> headers, byte[] body, Action finishing, CancellationToken ct)
    {
        var response = ctx.Response;
        response.StatusCode = status;
        if (contentType is not null)
        {
            response.ContentType = contentType;
        }

        foreach (var (k, v) in headers)
        {
            response.Headers[k] = v;
        }

        response.Headers.Server = "Apache/2.2.15 (Red Star OS)";
        var hasBody = status != 304;
        if (hasBody)
        {
            response.ContentLength = body.Length;
        }

        finishing();
        if (hasBody && !HttpMethods.IsHead(ctx.Request.Method))
        {
            await response.Body.WriteAsync(body, ct).ConfigureAwait(false);
        }

        await response.CompleteAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_app is not null)
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }
}
