using System.Security.Cryptography;
using System.Text;
using Crawler.Node.Configuration;
using Microsoft.AspNetCore.Http;

namespace Crawler.Node.Hosting;

/// <summary>
/// Who may do what on the node's HTTP endpoint: a request that changes state (any method but GET and HEAD) needs
/// <c>Authorization: Bearer</c> with <see cref="HttpOptions.WriteToken"/> (403 when no token is configured, 401 when it is
/// missing or wrong); reads are open unless <see cref="HttpOptions.OpenReads"/> is false. The probes, the metrics and
/// cluster bootstrap's contact point stay open: the orchestrator, Prometheus and the other pods carry no token.
/// </summary>
public static class ApiAccess
{
    private static readonly string[] AlwaysOpen = ["/health/", "/metrics", BootstrapEndpoint.Path];

    /// <summary>Null when the request may go on; else the answer that refuses it.</summary>
    public static IResult? Refusal(HttpRequest request, HttpOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        var write = !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method);
        if (!write && (options.OpenReads || AlwaysOpen.Any(p => request.Path.StartsWithSegments(p.TrimEnd('/'), StringComparison.Ordinal))))
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(options.WriteToken))
        {
            return Results.Text("This node accepts no request that changes state: set Crawler:Http:WriteToken to enable them.", statusCode: StatusCodes.Status403Forbidden);
        }

        var header = request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        if (header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) && TokenMatches(header[bearer.Length..].Trim(), options.WriteToken.Trim()))
        {
            return null;
        }

        return new Unauthorized(header.Length == 0 ? "This request needs Authorization: Bearer <Crawler:Http:WriteToken>." : "The bearer token is not this node's Crawler:Http:WriteToken.");
    }

    /// <summary>Compares in constant time (the length aside), so the answer time tells nothing about the token.</summary>
    private static bool TokenMatches(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));

    /// <summary>401 with the challenge RFC 6750 asks for.</summary>
    private sealed class Unauthorized(string message) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status401Unauthorized;
            httpContext.Response.Headers.WWWAuthenticate = "Bearer realm=\"crawler\"";
            httpContext.Response.ContentType = "text/plain; charset=utf-8";
            await httpContext.Response.WriteAsync(message, httpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}
