using System.Net;
using System.Text;
using Akka.Actor;
using Crawler.Actors.Crawling;
using Crawler.Core.Policies;
using Crawler.Core.Robots;
using Crawler.Net;
using Crawler.Storage;
using static Crawler.Actors.Sites.SiteSelf;

namespace Crawler.Actors.Sites;

/// <summary>
/// What a <see cref="SiteActor"/> runs off its thread (store reads, the fetch and its processing) and the
/// messages those bring back. Every task here completes with a message: none faults.
/// </summary>
internal static class SitePipeline
{
    /// <summary>The epoch's frontier, the host's recrawl schedules and its last fetch; the job of (host, epoch) is marked started.</summary>
    public static async Task<Loaded> Load(ICrawlStore store, string host, int epoch, DateTimeOffset now)
    {
        await store.MarkJobAsync(host, epoch, now, null).ConfigureAwait(false);
        var schedules = await store.GetSchedulesAsync(host).ConfigureAwait(false);
        var entries = await store.GetFrontierAsync(host, epoch).ConfigureAwait(false);
        var last = await store.GetLatestHostCaptureAsync(host).ConfigureAwait(false);
        return new Loaded(epoch, entries, last is null ? null : (last.FetchedAt, TimeSpan.FromMilliseconds(last.DurationMs))) { Schedules = schedules };
    }

    /// <summary>
    /// A URL that is not due: the links of its latest capture, followed as its fetch would have followed them. Never
    /// faults: with nothing stored to follow (or a store that fails) the answer has no links and the URL is fetched instead.
    /// </summary>
    public static async Task<Revisited> Revisit(SiteContext ctx, FrontierEntry entry)
    {
        try
        {
            var capture = await ctx.Store.GetLatestCaptureAsync(entry.Url).ConfigureAwait(false);
            if (capture is null)
            {
                return new Revisited(entry, null, "no capture stored");
            }

            var (discovered, declined) = PageProcessor.FollowStored(entry, capture, ctx.Options, ctx.Scope, ctx.Clock.GetUtcNow());
            return new Revisited(entry, discovered, null) { Declined = declined };
        }
#pragma warning disable CA1031 // the site fetches the URL instead; it must never stall
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new Revisited(entry, null, ex.Message);
        }
    }

    public static async Task<RobotsDecision?> LoadRobots(ICrawlStore store, string url, int epoch, string token, RobotsCacheOptions cache)
    {
        var capture = await store.GetLatestCaptureAsync(url).ConfigureAwait(false);
        for (var hops = 0; capture is { Status: >= 300 and < 400, RedirectTo: { } next } && hops < RobotsTracker.MaxRedirects; hops++)
        {
            capture = await store.GetLatestCaptureAsync(next).ConfigureAwait(false);
        }

        if (capture is null || capture.Epoch != epoch)
        {
            return null;
        }

        var outcome = RobotsPolicy.Classify(capture.Status);
        if (outcome is RobotsFetchOutcome.ServerError or RobotsFetchOutcome.Unreachable)
        {
            return null;
        }

        var body = capture.PayloadDigest is { } d ? await store.GetPayloadAsync(d).ConfigureAwait(false) : null;
        return RobotsPolicy.Decide(capture.Status, body is null ? null : Encoding.UTF8.GetString(body), token, capture.FetchedAt, cache);
    }

    /// <summary>
    /// Fetch and process off the actor's thread. Never faults: any exception becomes a <see cref="Fetched"/> with its error.
    /// Once the response is read (the request is over for the server) <paramref name="site"/> is told at once with a
    /// <see cref="ResponseRead"/>, before the processing: the site starts its next request while this page is parsed.
    /// </summary>
    public static async Task<Fetched> FetchAndProcess(SiteContext ctx, FetchJob job, IActorRef site)
    {
        try
        {
            // Recrawl: a URL archived in an earlier epoch is asked for conditionally, so an unchanged
            // page costs the server a 304 and the archive a revisit.
            var previous = job.RobotsOrigin is null && job.Entry.Epoch > 1
                ? await PreviousCapture(ctx.Store, job.Entry).ConfigureAwait(false)
                : null;
            var result = await ctx.Fetcher.FetchAsync(
                new FetchRequest(new Uri(job.Entry.Url), IPAddress.Parse(job.Address), previous?.ETag, previous?.LastModified),
                CancellationToken.None).ConfigureAwait(false);
            site.Tell(new ResponseRead(job, result.Elapsed, result.StatusCode, result.RetryAfter, result.Error?.ToString()));
            var processed = PageProcessor.Process(job.Entry, job.Attempt, result, ctx.Options, ctx.Scope, ctx.MaxDecompressedBytes, previous);
            RobotsDecision? robots = null;
            if (job.RobotsOrigin is not null
                && !(result.StatusCode is >= 300 and < 400 && job.Hops < RobotsTracker.MaxRedirects && SameHost(processed.Commit.Capture.RedirectTo, job.Entry.Host)))
            {
                var body = result.StatusCode is >= 200 and < 300
                    ? Encoding.UTF8.GetString(HttpFetcher.Decode(result, ctx.MaxDecompressedBytes, out _))
                    : null;
                robots = RobotsPolicy.Decide(result.StatusCode, body, ctx.Options.ProductToken, ctx.Clock.GetUtcNow(), ctx.Options.Robots);
            }

            return new Fetched(job, processed, robots, null);
        }
#pragma warning disable CA1031 // a failure of any kind is the site's to record; it must never stall the site
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new Fetched(job, null, null, ex);
        }
    }

    private static async Task<CaptureRecord?> PreviousCapture(ICrawlStore store, FrontierEntry entry)
    {
        try
        {
            var previous = await store.GetLatestCaptureAsync(entry.Url).ConfigureAwait(false);
            // A 304 capture confirms the version before it (its digest and links are that version's) and carries the validators.
            return previous is { Status: 200 or 304 } && previous.Epoch < entry.Epoch && (previous.ETag is not null || previous.LastModified is not null)
                ? previous
                : null;
        }
        catch (StoreUnavailableException)
        {
            return null; // an unconditional fetch is always correct
        }
    }

    private static bool SameHost(string? url, string host) =>
        url is not null && Core.Urls.UrlCanonicalizer.TryGetHost(url, out var h) && h == host;

    /// <summary>A URL whose host has no address (NXDOMAIN, NODATA, a time-out): recorded, retried when <paramref name="retry"/> says so.</summary>
    public static FetchCommit DnsFailure(FrontierEntry entry, DateTimeOffset now, int attempt, RetryDecisionKind retry, DateTimeOffset? due, string error)
    {
        var capture = SyntheticCapture(entry, now, attempt, nameof(FetchErrorKind.DnsFailure), error);
        var state = retry switch
        {
            RetryDecisionKind.Retry => FrontierState.Pending,
            RetryDecisionKind.GiveUp => FrontierState.Failed,
            _ => FrontierState.Done,
        };
        return new()
        {
            Capture = capture,
            UrlState = state,
            RetryAt = due,
            Outcome = retry == RetryDecisionKind.Retry ? null : RecrawlOutcome.Failed,
            Declined = CrawlLogRows.NotArchived(entry, capture, state) is { } own ? [own] : [],
        };
    }

    public static CaptureRecord SyntheticCapture(FrontierEntry entry, DateTimeOffset now, int attempt, string error, string detail) => new()
    {
        Id = Guid.CreateVersion7(now).ToString("N"),
        Url = entry.Url,
        Host = entry.Host,
        Epoch = entry.Epoch,
        FetchedAt = now,
        Error = error,
        ErrorDetail = detail,
        Attempt = attempt,
    };
}

/// <summary>Messages a site sends itself: never on the wire, so not verified by serialize-messages.</summary>
internal static class SiteSelf
{
    internal sealed record Loaded(int Epoch, IReadOnlyList<FrontierEntry> Entries, (DateTimeOffset At, TimeSpan ResponseTime)? LastFetch) : INoSerializationVerificationNeeded
    {
        public IReadOnlyList<UrlSchedule> Schedules { get; init; } = [];
    }

    /// <summary>A URL that is not due, with the links of its latest capture; null links: fetch it after all (<paramref name="Problem"/> says why).</summary>
    internal sealed record Revisited(FrontierEntry Entry, IReadOnlyList<FrontierEntry>? Discovered, string? Problem) : INoSerializationVerificationNeeded
    {
        /// <summary>The links of the latest capture declined (out of scope, a trap...), for the crawl log.</summary>
        public IReadOnlyList<CrawlLogEntry> Declined { get; init; } = [];
    }

    /// <summary>The job's finish was marked in the store, or could not be (<paramref name="Error"/>).</summary>
    internal sealed record JobMarked(int Epoch, Exception? Error) : INoSerializationVerificationNeeded;

    internal sealed record LoadFailed(int Epoch, Exception Error) : INoSerializationVerificationNeeded;

    internal sealed record Reload(int Epoch) : INoSerializationVerificationNeeded;

    internal sealed record Resume(int Epoch) : INoSerializationVerificationNeeded;

    internal sealed record RobotsLoaded(string Origin, RobotsDecision? Decision) : INoSerializationVerificationNeeded;

    internal sealed record Fetched(FetchJob Job, ProcessedFetch? Processed, RobotsDecision? Robots, Exception? Error) : INoSerializationVerificationNeeded;

    /// <summary>A job's response is read whole (or its request failed): the request is over for the server; its processing goes on.</summary>
    internal sealed record ResponseRead(FetchJob Job, TimeSpan ResponseTime, int? Status, TimeSpan? RetryAfter, string? Error) : INoSerializationVerificationNeeded;

    internal sealed record PumpTick : INoSerializationVerificationNeeded
    {
        public static readonly PumpTick Instance = new();
    }

    internal sealed record ReportTick : INoSerializationVerificationNeeded
    {
        public static readonly ReportTick Instance = new();
    }

    /// <summary>While waiting for its turn: ask the gate again (it may have moved and lost the request); while fetching: renew.</summary>
    internal sealed record GateTick : INoSerializationVerificationNeeded
    {
        public static readonly GateTick Instance = new();
    }

    internal sealed record ReleaseTick : INoSerializationVerificationNeeded
    {
        public static readonly ReleaseTick Instance = new();
    }

    /// <summary>A request this site gave up on has had time to end at the server too (<see cref="Core.Policies.AddressUse.SettleAfterGivingUp"/>).</summary>
    internal sealed record SettleTick : INoSerializationVerificationNeeded
    {
        public static readonly SettleTick Instance = new();
    }
}
