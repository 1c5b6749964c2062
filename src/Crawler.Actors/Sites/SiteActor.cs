using System.Net;
using System.Text;
using Akka.Actor;
using Crawler.Actors.Archive;
using Crawler.Actors.Crawling;
using Crawler.Actors.Dns;
using Crawler.Actors.Politeness;
using Crawler.Core.Policies;
using Crawler.Core.Robots;
using Crawler.Net;
using Crawler.Storage;

namespace Crawler.Actors.Sites;

/// <summary>
/// One site (host): owns its frontier for the current epoch, obeys its robots.txt, fetches one
/// URL at a time with the politeness delay between fetches, holds the IP address's slot in the
/// <see cref="AddressGate"/> while fetching, archives every result through the writer and hands
/// discovered links of other hosts to the site region. Becomes a sharded entity in the cluster.
/// </summary>
internal sealed class SiteActor : ReceiveActor, IWithTimers
{
    private const string PumpTimer = "pump";
    private const string ReportTimer = "report";
    private const string ReleaseTimer = "release";
    private const int MaxRobotsRedirects = 5;

    private readonly SiteContext _ctx;
    private readonly string _host;
    private readonly PriorityQueue<FrontierEntry, (int Depth, long Seq)> _ready = new();
    private readonly PriorityQueue<(FrontierEntry Entry, int Attempt), DateTimeOffset> _later = new();
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RobotsState> _robots = new(StringComparer.Ordinal);
    private readonly List<SiteProtocol.Discovered> _buffered = [];

    private int _epoch = -1;
    private long _seq;
    private bool _loading;
    private bool _busy; // resolving, checking robots or fetching
    private Pending? _pending; // what the current gate slot is for
    private string? _holding; // the address whose slot this site holds (during a fetch and its pause)
    private ResolvedHost? _address;
    private IReadOnlyList<IPAddress> _admitted = []; // the resolved addresses the address guard admits
    private string? _refusal; // why no resolved address may be connected to (each refused by the guard)
    private DateTimeOffset _addressExpires;
    private int _addressAttempts;
    private DateTimeOffset _nextFetchAt;
    private int _unacked;
    private long _fetched, _errors, _skipped;
    private string? _lastError;
    private DateTimeOffset? _lastFetchAt;
    private SitePhase _reportedPhase = SitePhase.Loading;

    public SiteActor(string host, SiteContext context)
    {
        _host = host;
        _ctx = context;

        Receive<SiteProtocol.Crawl>(OnCrawl);
        Receive<SiteProtocol.Discovered>(OnDiscovered);
        Receive<SiteProtocol.GetReport>(_ => Sender.Tell(Report()));
        Receive<Loaded>(OnLoaded);
        Receive<LoadFailed>(f =>
        {
            Log.FrontierLoadFailed(_ctx.Logger, f.Error, _host);
            Timers.StartSingleTimer("reload", new SiteProtocol.Crawl(_host, f.Epoch), _ctx.Options.Retry.BaseDelay);
        });
        Receive<DnsResolverProtocol.Resolved>(OnResolved);
        Receive<RobotsLoaded>(OnRobotsLoaded);
        Receive<AddressGateProtocol.Granted>(OnGranted);
        Receive<Fetched>(OnFetched);
        Receive<ArchiveWriterProtocol.Persisted>(_ =>
        {
            _unacked--;
            Pump();
        });
        Receive<PumpTick>(_ => Pump());
        Receive<ReleaseTick>(_ =>
        {
            ReleaseAddress();
            Pump();
        });
        Receive<ReportTick>(_ => SendReport(force: true));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private DateTimeOffset Now => _ctx.Clock.GetUtcNow();

    protected override void PreStart() =>
        Timers.StartPeriodicTimer(ReportTimer, ReportTick.Instance, _ctx.Options.ReportInterval);

    private void OnCrawl(SiteProtocol.Crawl crawl)
    {
        if (crawl.Epoch == _epoch && !_loading)
        {
            Pump();
            return;
        }

        if (crawl.Epoch < _epoch)
        {
            return;
        }

        StartEpoch(crawl.Epoch);
    }

    private void StartEpoch(int epoch)
    {
        _epoch = epoch;
        _loading = true;
        _ready.Clear();
        _later.Clear();
        _known.Clear();
        _attempts.Clear();
        _robots.Clear();
        _fetched = _errors = _skipped = 0;
        var store = _ctx.Store;
        var host = _host;
        store.GetFrontierAsync(host, epoch).PipeTo(
            Self,
            success: entries => new Loaded(epoch, entries),
            failure: ex => new LoadFailed(epoch, ex));
        SendReport(force: true);
    }

    private void OnLoaded(Loaded loaded)
    {
        if (loaded.Epoch != _epoch)
        {
            return;
        }

        _loading = false;
        foreach (var entry in loaded.Entries)
        {
            _known.Add(entry.Url);
            if (entry.Attempts > 0)
            {
                _attempts[entry.Url] = entry.Attempts;
            }

            switch (entry.State)
            {
                case FrontierState.Pending:
                    Enqueue(entry);
                    break;
                case FrontierState.Done or FrontierState.Failed:
                    _fetched++;
                    break;
                default:
                    _skipped++;
                    break;
            }
        }

        foreach (var discovered in _buffered)
        {
            OnDiscovered(discovered);
        }

        _buffered.Clear();
        Pump();
    }

    private void OnDiscovered(SiteProtocol.Discovered discovered)
    {
        if (discovered.Epoch > _epoch)
        {
            StartEpoch(discovered.Epoch);
        }

        if (discovered.Epoch < _epoch)
        {
            return;
        }

        if (_loading)
        {
            _buffered.Add(discovered);
            return;
        }

        var added = false;
        foreach (var entry in discovered.Entries)
        {
            if (_known.Add(entry.Url))
            {
                Enqueue(entry);
                added = true;
            }
        }

        if (added)
        {
            Pump();
        }
    }

    private void Enqueue(FrontierEntry entry) => _ready.Enqueue(entry, (entry.Depth, _seq++));

    /// <summary>Decides the next step; called after every event that may unblock the site.</summary>
    private void Pump()
    {
        try
        {
            PumpCore();
        }
        finally
        {
            SendReport(force: false);
        }
    }

    private void PumpCore()
    {
        while (true)
        {
            if (_loading || _busy || _pending is not null || _holding is not null || _epoch < 0)
            {
                return;
            }

            if (_unacked >= _ctx.Options.MaxUnacknowledged)
            {
                return;
            }

            var now = Now;
            while (_later.TryPeek(out var waiting, out var due) && due <= now)
            {
                _later.Dequeue();
                _attempts[waiting.Entry.Url] = waiting.Attempt - 1;
                Enqueue(waiting.Entry);
            }

            if (_ready.Count == 0)
            {
                if (_later.TryPeek(out _, out var nextDue))
                {
                    Wake(nextDue - now);
                }

                return;
            }

            if (now < _nextFetchAt)
            {
                Wake(_nextFetchAt - now);
                return;
            }

            if (_address is null || now >= _addressExpires)
            {
                Resolve();
                return;
            }

            if (_refusal is not null)
            {
                // Every address of the host is one the crawler must not reach (loopback, private, link-local...):
                // nothing is connected to, not even for robots.txt; each URL is recorded with the reason.
                CommitRefused(_ready.Dequeue(), _refusal);
                continue;
            }

            if (_address.Addresses.Count == 0)
            {
                // No address (NXDOMAIN, NODATA, time-out): every URL, robots.txt's included, waits for a new answer.
                CommitDnsFailure(_ready.Dequeue());
                continue;
            }

            var entry = _ready.Peek();
            var origin = Origin(entry.Url);
            if (!_robots.TryGetValue(origin, out var robots) || (robots.Rules is not null && now >= robots.ExpiresAt))
            {
                LoadOrFetchRobots(origin, robots);
                return;
            }

            if (robots.Rules is null)
            {
                // robots.txt failed transiently: its URLs wait for the next attempt.
                if (robots.RetryAt <= now)
                {
                    var robotsEntry = robots.FollowUrl is { } follow ? RobotsEntry(origin) with { Url = follow } : RobotsEntry(origin);
                    AcquireFor(new Pending(robotsEntry, robots.FollowUrl is null ? robots.Attempts + 1 : 1, origin) { Hops = robots.Hops });
                }
                else
                {
                    Wake(robots.RetryAt - now);
                }

                return;
            }

            _ready.Dequeue();
            if (!robots.Rules.IsAllowed(PathAndQuery(entry.Url)))
            {
                Settle(entry, robots.Outcome == RobotsFetchOutcome.Success
                    ? "robots.txt disallows it"
                    : $"robots.txt unavailable ({robots.Outcome})");
                continue;
            }

            if (_fetched >= _ctx.Options.MaxPagesPerSite)
            {
                Settle(entry, $"site page limit {_ctx.Options.MaxPagesPerSite} reached");
                continue;
            }

            _attempts.TryGetValue(entry.Url, out var attempts);
            AcquireFor(new Pending(entry, attempts + 1, null));
            return;
        }
    }

    private void Wake(TimeSpan delay) =>
        Timers.StartSingleTimer(PumpTimer, PumpTick.Instance, delay < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : delay);

    private void Resolve()
    {
        _busy = true;
        _ctx.Resolver.Tell(new DnsResolverProtocol.Resolve(_host));
    }

    private void OnResolved(DnsResolverProtocol.Resolved resolved)
    {
        _busy = false;
        var r = resolved.Answer;
        Log.HostResolved(_ctx.Logger, _host, string.Join(",", r.Addresses), r.Error);
        _address = r;
        var refused = r.Addresses.Select(a => (Address: a, Decision: _ctx.Fetcher.Guard.Check(a))).Where(d => !d.Decision.Allowed).ToList();
        _admitted = [.. r.Addresses.Where(a => refused.TrueForAll(d => !d.Address.Equals(a)))];
        _refusal = refused.Count > 0 && _admitted.Count == 0
            ? "address guard: " + string.Join("; ", refused.Select(d => $"{d.Address} is {d.Decision.Reason}"))
            : null;
        if (r.Addresses.Count > 0)
        {
            _addressAttempts = 0;
            var ttl = r.Ttl > TimeSpan.Zero && r.Ttl < _ctx.Options.MaxAddressCache ? r.Ttl : _ctx.Options.MaxAddressCache;
            _addressExpires = Now + (ttl < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : ttl);
        }
        else
        {
            _addressAttempts++;
            _lastError = $"DNS: {r.Error ?? "no address"}";
            _addressExpires = Now + RetryPolicy.Backoff(_ctx.Options.Retry, _addressAttempts);
        }

        Pump();
    }

    private string? PinnedAddress()
    {
        if (_admitted.Count == 0)
        {
            return null;
        }

        var v4 = _admitted.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
        return (v4 ?? _admitted[0]).ToString();
    }

    private void LoadOrFetchRobots(string origin, RobotsState? previous)
    {
        if (previous is not null)
        {
            // Expired: fetch afresh.
            AcquireFor(new Pending(RobotsEntry(origin), 1, origin));
            return;
        }

        // First use in this actor's life: a capture of this epoch may already be in the store
        // (a restart), and is then used instead of fetching robots.txt again.
        _busy = true;
        var store = _ctx.Store;
        var epoch = _epoch;
        var url = origin + "/robots.txt";
        var token = _ctx.Options.ProductToken;
        var cache = _ctx.Options.Robots;
        LoadRobots(store, url, epoch, token, cache).PipeTo(
            Self,
            success: d => new RobotsLoaded(origin, d),
            failure: _ => new RobotsLoaded(origin, null));
    }

    private static async Task<RobotsDecision?> LoadRobots(ICrawlStore store, string url, int epoch, string token, RobotsCacheOptions cache)
    {
        var capture = await store.GetLatestCaptureAsync(url).ConfigureAwait(false);
        for (var hops = 0; capture is { Status: >= 300 and < 400, RedirectTo: { } next } && hops < MaxRobotsRedirects; hops++)
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

    private void OnRobotsLoaded(RobotsLoaded loaded)
    {
        _busy = false;
        if (loaded.Decision is { } d && d.ExpiresAt > Now)
        {
            _robots[loaded.Origin] = new RobotsState(d.Rules, d.Outcome, d.ExpiresAt, 0, DateTimeOffset.MinValue);
            _known.Add(loaded.Origin + "/robots.txt");
        }
        else
        {
            _robots[loaded.Origin] = new RobotsState(null, RobotsFetchOutcome.Unreachable, DateTimeOffset.MinValue, 0, DateTimeOffset.MinValue);
        }

        Pump();
    }

    private FrontierEntry RobotsEntry(string origin) => new()
    {
        Url = origin + "/robots.txt",
        Host = _host,
        Epoch = _epoch,
        Depth = 0,
        Kind = "robots",
    };

    private void AcquireFor(Pending pending)
    {
        var address = PinnedAddress();
        if (address is null)
        {
            if (pending.RobotsOrigin is null)
            {
                CommitDnsFailure(pending.Entry);
            }

            return;
        }

        _pending = pending with { Address = address };
        _ctx.AddressGate.Tell(new AddressGateProtocol.Acquire(address, _host));
    }

    private void OnGranted(AddressGateProtocol.Granted granted)
    {
        if (_pending is not { } pending || pending.Address != granted.Address)
        {
            Sender.Tell(new AddressGateProtocol.Release(granted.Address, _host));
            return;
        }

        _pending = null;
        _busy = true;
        var ctx = _ctx;
        _holding = pending.Address;
        _known.Add(pending.Entry.Url);
        FetchAndProcess(ctx, pending).PipeTo(Self);
    }

    private static async Task<Fetched> FetchAndProcess(SiteContext ctx, Pending pending)
    {
        // Recrawl: a URL archived in an earlier epoch is asked for conditionally, so an unchanged
        // page costs the server a 304 and the archive a revisit.
        var previous = pending.RobotsOrigin is null && pending.Entry.Epoch > 1
            ? await PreviousCapture(ctx.Store, pending.Entry).ConfigureAwait(false)
            : null;
        var result = await ctx.Fetcher.FetchAsync(
            new FetchRequest(new Uri(pending.Entry.Url), IPAddress.Parse(pending.Address!), previous?.ETag, previous?.LastModified),
            CancellationToken.None).ConfigureAwait(false);

        try
        {
            var processed = PageProcessor.Process(pending.Entry, pending.Attempt, result, ctx.Options, ctx.Scope, ctx.MaxDecompressedBytes, previous);
            RobotsDecision? robots = null;
            if (pending.RobotsOrigin is not null
                && !(result.StatusCode is >= 300 and < 400 && pending.Hops < MaxRobotsRedirects && SameHost(processed.Commit.Capture.RedirectTo, pending.Entry.Host)))
            {
                var body = result.StatusCode is >= 200 and < 300
                    ? Encoding.UTF8.GetString(HttpFetcher.Decode(result, ctx.MaxDecompressedBytes, out _))
                    : null;
                robots = RobotsPolicy.Decide(result.StatusCode, body, ctx.Options.ProductToken, ctx.Clock.GetUtcNow(), ctx.Options.Robots);
            }

            return new Fetched(pending, processed, robots, null);
        }
        catch (Exception ex)
        {
            return new Fetched(pending, null, null, ex);
        }
    }

    private static async Task<CaptureRecord?> PreviousCapture(ICrawlStore store, FrontierEntry entry)
    {
        try
        {
            var previous = await store.GetLatestCaptureAsync(entry.Url).ConfigureAwait(false);
            return previous is { Status: 200 } && previous.Epoch < entry.Epoch && (previous.ETag is not null || previous.LastModified is not null)
                ? previous
                : null;
        }
        catch (StoreUnavailableException)
        {
            return null; // an unconditional fetch is always correct
        }
    }

    private void OnFetched(Fetched fetched)
    {
        _busy = false;
        var now = Now;
        var entry = fetched.Pending.Entry;
        _lastFetchAt = now;
        if (fetched.Processed is not { } processed)
        {
            Log.FetchProcessingFailed(_ctx.Logger, fetched.Error!, _host, entry.Url);
            _errors++;
            _lastError = fetched.Error!.Message;
            _nextFetchAt = now + _ctx.Options.Politeness.MinDelay;
            HoldAddressFor(_ctx.Options.Politeness.MinDelay);
            if (fetched.Pending.RobotsOrigin is null)
            {
                Settle(entry, "processing failed: " + fetched.Error.Message, FrontierState.Failed);
            }

            Pump();
            return;
        }

        var commit = processed.Commit;
        var capture = commit.Capture;
        if (capture.Error is not null || capture.Status is >= 400)
        {
            _errors++;
            _lastError = capture.Error is not null ? $"{capture.Error}: {capture.ErrorDetail}" : $"HTTP {capture.Status} {entry.Url}";
        }

        TimeSpan? crawlDelay = null;
        if (fetched.Pending.RobotsOrigin is { } origin)
        {
            if (fetched.Robots is null)
            {
                // robots.txt redirects within the host (http → https, say): follow it (RFC 9309 §2.3.1.2).
                _robots[origin] = new RobotsState(null, RobotsFetchOutcome.Unavailable, DateTimeOffset.MinValue, 0, now, capture.RedirectTo, fetched.Pending.Hops + 1);
                commit = commit with { UrlState = FrontierState.Done, Discovered = [] };
            }
            else
            {
                commit = HandleRobots(origin, fetched.Pending.Attempt, fetched.Robots, commit, processed.Retry);
            }

            crawlDelay = HostCrawlDelay();
        }
        else
        {
            _fetched++;
            if (processed.Retry.Kind == RetryDecisionKind.Retry)
            {
                _later.Enqueue((entry, fetched.Pending.Attempt + 1), now + processed.Retry.Delay);
            }

            _attempts[entry.Url] = fetched.Pending.Attempt;
            crawlDelay = HostCrawlDelay();
        }

        _unacked++;
        _ctx.Writer.Tell(new ArchiveWriterProtocol.Persist(commit));
        Distribute(commit.Discovered);

        var retryAfter = capture.Status is 429 or 503 ? processed.RetryAfter : null;
        var delay = PolitenessPolicy.NextDelay(_ctx.Options.Politeness, processed.ResponseTime, crawlDelay, retryAfter);
        _nextFetchAt = now + delay;
        HoldAddressFor(delay);
        Pump();
    }

    /// <summary>
    /// The address stays this site's until its politeness pause is over: the server behind it
    /// (often shared by several sites) gets the pause too, and never sees a request from another
    /// site while it may still be finishing the last one.
    /// </summary>
    private void HoldAddressFor(TimeSpan delay)
    {
        if (_holding is null)
        {
            return;
        }

        if (delay <= TimeSpan.Zero)
        {
            ReleaseAddress();
        }
        else
        {
            Timers.StartSingleTimer(ReleaseTimer, ReleaseTick.Instance, delay);
        }
    }

    private void ReleaseAddress()
    {
        if (_holding is { } address)
        {
            _holding = null;
            _ctx.AddressGate.Tell(new AddressGateProtocol.Release(address, _host));
        }
    }

    private FetchCommit HandleRobots(string origin, int attempt, RobotsDecision decision, FetchCommit commit, RetryDecision retry)
    {
        var outcome = decision.Outcome;
        var transient = outcome is RobotsFetchOutcome.ServerError or RobotsFetchOutcome.Unreachable;
        if (transient && attempt < _ctx.Options.Retry.MaxAttempts)
        {
            var delay = retry.Kind == RetryDecisionKind.Retry ? retry.Delay : RetryPolicy.Backoff(_ctx.Options.Retry, attempt);
            _robots[origin] = new RobotsState(null, outcome, DateTimeOffset.MinValue, attempt, Now + delay);
            Log.RobotsDecided(_ctx.Logger, _host, origin, commit.Capture.Status, $"retry in {delay}");
            return commit with { UrlState = FrontierState.Pending, Discovered = [] };
        }

        _robots[origin] = new RobotsState(decision.Rules, outcome, decision.ExpiresAt, attempt, DateTimeOffset.MinValue);
        var finalOrigin = Origin(commit.Capture.Url);
        if (finalOrigin != origin && commit.Capture.Url == finalOrigin + "/robots.txt")
        {
            // Reached by a redirect: it is that origin's robots.txt as well.
            _robots[finalOrigin] = _robots[origin];
        }
        Log.RobotsDecided(_ctx.Logger, _host, origin, commit.Capture.Status, $"{outcome}, {decision.Rules.Count} rules, crawl-delay {decision.Rules.CrawlDelay}");
        var sitemaps = new List<FrontierEntry>();
        foreach (var sitemap in decision.Sitemaps)
        {
            var url = Core.Urls.UrlCanonicalizer.Canonicalize(sitemap, commit.Capture.Url);
            if (url is not null && Core.Urls.UrlCanonicalizer.TryGetHost(url, out var host) && _ctx.Scope.IsInScope(host))
            {
                sitemaps.Add(new FrontierEntry { Url = url, Host = host, Epoch = _epoch, Depth = 1, Via = commit.Capture.Url, Kind = "sitemap" });
            }
        }

        return commit with { UrlState = FrontierState.Done, Discovered = sitemaps };
    }

    /// <summary>Crawl-delay is per host: the largest any of its origins' robots.txt asks for.</summary>
    private TimeSpan? HostCrawlDelay() =>
        _robots.Values.Select(r => r.Rules?.CrawlDelay).Where(d => d is not null).DefaultIfEmpty(null).Max();

    private static bool SameHost(string? url, string host) =>
        url is not null && Core.Urls.UrlCanonicalizer.TryGetHost(url, out var h) && h == host;

    private void Distribute(IReadOnlyList<FrontierEntry> discovered)
    {
        if (discovered.Count == 0)
        {
            return;
        }

        foreach (var group in discovered.GroupBy(d => d.Host, StringComparer.Ordinal))
        {
            if (group.Key == _host)
            {
                foreach (var entry in group)
                {
                    if (_known.Add(entry.Url))
                    {
                        Enqueue(entry);
                    }
                }
            }
            else
            {
                _ctx.Region.Tell(new SiteProtocol.Discovered(group.Key, _epoch, group.ToList()));
            }
        }
    }

    private void Settle(FrontierEntry entry, string reason, FrontierState state = FrontierState.Skipped)
    {
        _skipped++;
        _unacked++;
        _ctx.Writer.Tell(new ArchiveWriterProtocol.Settle(new FrontierUpdate(entry.Url, entry.Host, entry.Epoch, state, reason)));
    }

    private void CommitDnsFailure(FrontierEntry entry)
    {
        _attempts.TryGetValue(entry.Url, out var attempts);
        var attempt = attempts + 1;
        var retry = RetryPolicy.Decide(_ctx.Options.Retry, attempt, null, transientError: true, null);
        var now = Now;
        var capture = new CaptureRecord
        {
            Id = Guid.CreateVersion7(now).ToString("N"),
            Url = entry.Url,
            Host = entry.Host,
            Epoch = entry.Epoch,
            FetchedAt = now,
            Error = nameof(FetchErrorKind.DnsFailure),
            ErrorDetail = _address?.Error ?? "no address",
            Attempt = attempt,
        };
        _errors++;
        _fetched++;
        _attempts[entry.Url] = attempt;
        if (retry.Kind == RetryDecisionKind.Retry)
        {
            _later.Enqueue((entry, attempt + 1), _addressExpires > now + retry.Delay ? _addressExpires : now + retry.Delay);
        }

        _unacked++;
        _ctx.Writer.Tell(new ArchiveWriterProtocol.Persist(new FetchCommit
        {
            Capture = capture,
            UrlState = retry.Kind switch
            {
                RetryDecisionKind.Retry => FrontierState.Pending,
                RetryDecisionKind.GiveUp => FrontierState.Failed,
                _ => FrontierState.Done,
            },
        }));
    }

    private void CommitRefused(FrontierEntry entry, string reason)
    {
        var now = Now;
        _attempts.TryGetValue(entry.Url, out var attempts);
        _errors++;
        _lastError = $"{nameof(FetchErrorKind.AddressRefused)}: {reason}";
        _unacked++;
        _ctx.Writer.Tell(new ArchiveWriterProtocol.Persist(new FetchCommit
        {
            Capture = new CaptureRecord
            {
                Id = Guid.CreateVersion7(now).ToString("N"),
                Url = entry.Url,
                Host = entry.Host,
                Epoch = entry.Epoch,
                FetchedAt = now,
                IpAddress = _address?.Addresses.Count > 0 ? _address.Addresses[0].ToString() : null,
                Error = nameof(FetchErrorKind.AddressRefused),
                ErrorDetail = reason,
                Attempt = attempts + 1,
            },
            UrlState = FrontierState.Failed,
        }));
    }

    private SitePhase Phase()
    {
        if (_loading || _epoch < 0)
        {
            return SitePhase.Loading;
        }

        if (_busy && _address is null)
        {
            return SitePhase.Resolving;
        }

        if (_busy || _pending is not null || _ready.Count > 0 || _unacked > 0)
        {
            return SitePhase.Crawling;
        }

        return _later.Count > 0 ? SitePhase.Waiting : SitePhase.Idle;
    }

    private SiteProtocol.SiteReport Report() => new(
        _host, _epoch, Phase(), _ready.Count, _later.Count, _busy || _pending is not null,
        _fetched, _errors, _skipped, PinnedAddress(), _lastError, _lastFetchAt);

    private void SendReport(bool force)
    {
        var phase = Phase();
        var changed = (phase == SitePhase.Idle) != (_reportedPhase == SitePhase.Idle);
        if (!force && !changed)
        {
            return;
        }

        _reportedPhase = phase;
        _ctx.Coordinator.Tell(Report());
    }

    private static string Origin(string url)
    {
        var uri = new Uri(url);
        return uri.GetLeftPart(UriPartial.Authority);
    }

    private static string PathAndQuery(string url) => new Uri(url).PathAndQuery;

    private sealed record Pending(FrontierEntry Entry, int Attempt, string? RobotsOrigin)
    {
        public string? Address { get; init; }

        /// <summary>Redirects followed so far to reach this robots.txt.</summary>
        public int Hops { get; init; }
    }

    /// <summary>An origin's robots.txt: its rules, or (Rules null) when to try again or which redirect to follow.</summary>
    private sealed record RobotsState(RobotsRules? Rules, RobotsFetchOutcome Outcome, DateTimeOffset ExpiresAt, int Attempts, DateTimeOffset RetryAt, string? FollowUrl = null, int Hops = 0);

    private sealed record Loaded(int Epoch, IReadOnlyList<FrontierEntry> Entries);

    private sealed record LoadFailed(int Epoch, Exception Error);


    private sealed record RobotsLoaded(string Origin, RobotsDecision? Decision);

    private sealed record Fetched(Pending Pending, ProcessedFetch? Processed, RobotsDecision? Robots, Exception? Error);

    private sealed record PumpTick
    {
        public static readonly PumpTick Instance = new();
    }

    private sealed record ReportTick
    {
        public static readonly ReportTick Instance = new();
    }

    private sealed record ReleaseTick
    {
        public static readonly ReleaseTick Instance = new();
    }
}
