using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Crawler.Actors.Coordination;
using Crawler.Actors.Hosting;
using Crawler.Core.Policies;
using Crawler.Core.Urls;
using Microsoft.AspNetCore.Http;

namespace Crawler.Node.Hosting;

/// <summary>
/// <c>POST /api/seeds</c> with <c>{"urls": ["http://new.kp/", ...]}</c> (a write: it needs the bearer token): the sites
/// join the current epoch and every later one, as seeds discovery finds do. URLs outside the crawl scope or not http(s)
/// are refused with the list of them, and nothing is added.
/// </summary>
public static class SeedsEndpoint
{
    public static async Task<IResult> AddAsync(HttpContext http, ActorRegistry registry, CrawlScope scope)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(scope);
        SeedsRequest? body;
        try
        {
            body = await http.Request.ReadFromJsonAsync<SeedsRequest>(http.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            return Results.BadRequest($"The body must be JSON like {{\"urls\": [\"http://example.kp/\"]}}: {e.Message}");
        }

        if (body?.Urls is not { Count: > 0 } urls)
        {
            return Results.BadRequest("The body must name at least one URL: {\"urls\": [\"http://example.kp/\"]}.");
        }

        var refused = urls.Where(u => UrlCanonicalizer.Canonicalize(u) is not { } url || !UrlCanonicalizer.TryGetHost(url, out var host) || !scope.IsInScope(host)).ToList();
        if (refused.Count > 0)
        {
            return Results.BadRequest($"Not an http(s) URL in the crawl scope (Crawler:Crawl:ScopeDomains): {string.Join(", ", refused)}. Nothing was added.");
        }

        var coordinator = registry.Get<CoordinatorKey>();
        var added = await coordinator.Ask<CoordinatorProtocol.SeedsAdded>(new CoordinatorProtocol.AddSeeds(urls, "api"), TimeSpan.FromSeconds(30), http.RequestAborted).ConfigureAwait(false);
        return Results.Json(new { epoch = added.Epoch, added = added.Added });
    }

    public sealed record SeedsRequest(IReadOnlyList<string>? Urls);
}
