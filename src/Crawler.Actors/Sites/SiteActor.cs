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
using static Crawler.Actors.Sites.SiteSelf;

namespace Crawler.Actors.Sites;

/// <summary>
/// One site (host): owns its frontier for the current epoch, obeys its robots.txt, fetches one URL at a time (or up to
/// MaxConcurrentPerHost)
/// with the politeness delay between fetches, holds the IP address's slot in the <see cref="AddressGate"/>
/// while fetching and through the pause, archives every result through the writer and hands discovered links
/// of other hosts to the site region. A sharded entity in the cluster: everything it needs to resume (the
/// frontier with retry due times, robots.txt, the host's last fetch for the politeness pause) is in the store.
/// </summary>
/// <remarks>
/// States: <see cref="Idle"/> (no epoch yet) → <see cref="Loading"/> → <see cref="Ready"/>, which decides the
/// next step (<see cref="Pump"/>) and leaves for one of <see cref="Resolving"/>, <see cref="LoadingRobots"/>,
/// <see cref="AwaitingGrant"/>, each returning to Ready, where up to <c>MaxConcurrentPerHost</c> requests run while
/// as many pages more are processed (a page is parsed while the next one is fetched; <see cref="ResponseRead"/> ends a
/// request, <see cref="Fetched"/> its processing); <see cref="Draining"/> lets the jobs under way finish before a stop or
/// a newer epoch; <see cref="Stopping"/> on
/// <see cref="SiteProtocol.Stop"/>. The queues live in <see cref="SiteFrontier"/>, robots.txt in
/// <see cref="RobotsTracker"/>, the gate slot in <see cref="AddressLease"/>, the recrawl schedules in
/// <see cref="SiteSchedules"/>. A URL whose schedule is not due is settled without a request (whatever the gate and the
/// politeness pause): its links come from its latest capture (<see cref="SitePipeline.Revisit"/>).
/// </remarks>
internal sealed class SiteActor : ReceiveActor, IWithTimers, IWithUnboundedStash
{
    private const string PumpTimer = "pump";
    private const string HoldTimer = "hold";
    private const string ReportTimer = "report";
    private const string ReloadTimer = "reload";

    private readonly SiteContext _ctx;
    private readonly string _host;
    private readonly SiteFrontier _frontier;
    private readonly SiteSchedules _schedules;
    private readonly RobotsTracker _robots;
    private readonly NearDuplicates _nearDuplicates;
    private SiteGateClient _gate = null!; // made in PreStart, with the timers

    private int _epoch = -1;
    private SitePhase _state = SitePhase.Loading; // Loading, Resolving, or Crawling while any other step runs
    private bool _busy; // a step is under way (resolving, loading robots.txt, awaiting the gate, fetching)
    private SiteAddress? _address;
    private int _addressAttempts;
    private DateTimeOffset _nextFetchAt;
    private (DateTimeOffset At, TimeSpan ResponseTime)? _restoredFetch; // the host's last fetch, from the store
    private int _unacked;
    private readonly HashSet<FetchJob> _jobs = new(ReferenceEqualityComparer.Instance); // started, not yet processed
    private readonly HashSet<FetchJob> _requests = new(ReferenceEqualityComparer.Instance); // of those, the requests under way
    private int _pageJobs; // of _jobs, the pages (not robots.txt): they count against the page budget already
    private bool _robotsPending; // a robots.txt job is under way: its answer decides what may be fetched next
    private bool _draining; // a stop or a newer epoch waits for the jobs under way
    private long _fetched, _errors, _skipped, _notDue;
    private bool _finishMarked; // the job's finish was marked since the site last had work
    private string? _lastError;
    private DateTimeOffset? _lastFetchAt;
    private SitePhase _reportedPhase = SitePhase.Loading;

    public SiteActor(string host, SiteContext context)
    {
        _host = host;
        _ctx = context;
        _robots = new RobotsTracker(context.Options.Retry);
        _schedules = new SiteSchedules(context.Options.Recrawl);
        _nearDuplicates = new NearDuplicates(context.Options.Traps.MaxNearDuplicates);
        _frontier = new SiteFrontier(entry => _schedules.IsDue(entry.Url, Now));
        Become(Idle);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public IStash Stash { get; set; } = null!;

    private DateTimeOffset Now => _ctx.Clock.GetUtcNow();

    protected override void PreStart()
    {
        _gate = new SiteGateClient(_host, _ctx, Timers);
        Timers.StartPeriodicTimer(ReportTimer, ReportTick.Instance, _ctx.Options.ReportInterval);
    }

    /// <summary>A handler threw: the slot is given back (a restart sends the gate no Terminated) and the epoch resumes.</summary>
    protected override void PreRestart(Exception reason, object message)
    {
        _gate.Release();
        if (_epoch >= 0)
        {
            Log.SiteRestarting(_ctx.Logger, reason, _host, _epoch, _ctx.Options.Politeness.MinDelay);
            Self.Tell(new Resume(_epoch)); // the first message of the new instance, which reloads everything from the store
        }

        base.PreRestart(reason, message);
    }

    protected override void PostStop() => _gate?.Release();

    // ---- states ----

    private void Idle()
    {
        Receive<SiteProtocol.Crawl>(c => StartEpoch(c.Epoch));
        Receive<SiteProtocol.Discovered>(d =>
        {
            StartEpoch(d.Epoch);
            Stash.Stash();
        });
        Receive<SiteProtocol.Stop>(_ => Context.Stop(Self));
        Receive<Resume>(r =>
            Timers.StartSingleTimer(ReloadTimer, new SiteProtocol.Crawl(_host, r.Epoch), Positive(_ctx.Options.Politeness.MinDelay))); // a failure that repeats must not spin
        Common();
    }

    private void Loading()
    {
        Receive<Loaded>(l => l.Epoch == _epoch, OnLoaded);
        Receive<LoadFailed>(f => f.Epoch == _epoch, f =>
        {
            Log.FrontierLoadFailed(_ctx.Logger, f.Error, _host);
            Timers.StartSingleTimer(ReloadTimer, new Reload(f.Epoch), _ctx.Options.Retry.BaseDelay);
        });
        Receive<Reload>(r => r.Epoch == _epoch, r => StartEpoch(r.Epoch));
        Receive<SiteProtocol.Crawl>(c => c.Epoch > _epoch, c => StartEpoch(c.Epoch));
        Receive<SiteProtocol.Discovered>(d =>
        {
            if (d.Epoch > _epoch)
            {
                StartEpoch(d.Epoch);
            }

            if (d.Epoch >= _epoch)
            {
                Stash.Stash();
            }
        });
        Receive<SiteProtocol.Stop>(_ => BecomeStopping());
        Common();
    }

    private void Ready()
    {
        Receive<SiteProtocol.Crawl>(c => c.Epoch > _epoch && _jobs.Count > 0, _ => DrainFirst());
        Receive<SiteProtocol.Crawl>(c =>
        {
            if (c.Epoch > _epoch)
            {
                StartEpoch(c.Epoch);
            }
            else if (c.Epoch == _epoch && Phase() == SitePhase.Idle)
            {
                // Woken while idle: the coordinator found work of this epoch in the store that the site does not hold (a seed
                // added, a link whose message was lost). Read the store again, as a new incarnation would; pumping the empty
                // frontier would leave the site idle and the coordinator waking it for ever.
                StartEpoch(c.Epoch);
            }
            else if (c.Epoch == _epoch)
            {
                Pump();
            }
        });
        Receive<SiteProtocol.Discovered>(d => d.Epoch > _epoch && _jobs.Count > 0, _ => DrainFirst());
        Receive<SiteProtocol.Discovered>(d =>
        {
            if (d.Epoch > _epoch)
            {
                StartEpoch(d.Epoch);
                Stash.Stash();
            }
            else if (AddDiscovered(d))
            {
                Pump();
            }
        });
        Receive<ResponseRead>(r =>
        {
            OnResponseRead(r);
            Pump();
        });
        Receive<Fetched>(f =>
        {
            OnFetched(f);
            Pump();
        });
        Receive<GateTick>(_ => _gate.Tick());
        Receive<PumpTick>(_ => Pump());
        Receive<ReleaseTick>(_ =>
        {
            _gate.Release();
            Pump();
        });
        Receive<ArchiveWriterProtocol.Persisted>(_ =>
        {
            Acknowledged();
            Pump();
        });
        Receive<Revisited>(r =>
        {
            OnRevisited(r);
            Pump();
        });
        Receive<SiteProtocol.Stop>(_ => _jobs.Count > 0, _ => DrainFirst());
        Receive<SiteProtocol.Stop>(_ => BecomeStopping());
        Common();
    }

    /// <summary>A stop or a newer epoch waits (stashed) until every job under way is processed; nothing new starts meanwhile.</summary>
    private void DrainFirst()
    {
        Stash.Stash();
        _draining = true;
        BecomeBusy(Draining);
    }

    private void Draining()
    {
        Receive<ResponseRead>(r =>
        {
            OnResponseRead(r);
            ReadyWhenDrained();
        });
        Receive<Fetched>(f =>
        {
            OnFetched(f);
            ReadyWhenDrained();
        });
        Receive<GateTick>(_ => _gate.Tick());
        Busy();
    }

    private void ReadyWhenDrained()
    {
        if (_jobs.Count == 0)
        {
            // Without a pump: the stashed stop or epoch comes next, before anything new starts.
            _busy = false;
            _draining = false;
            Become(Ready);
            Stash.UnstashAll();
        }
    }

    private void Resolving()
    {
        Receive<DnsResolverProtocol.Resolved>(OnResolved);
        Busy();
    }

    private void LoadingRobots()
    {
        Receive<RobotsLoaded>(l =>
        {
            if (_robots.Loaded(l.Origin, l.Decision, Now))
            {
                _frontier.MarkKnown(RobotsTracker.RobotsUrl(l.Origin));
            }

            BecomeReady();
        });
        Busy();
    }

    private void AwaitingGrant()
    {
        Receive<AddressGateProtocol.Granted>(g => _gate.Awaits(g), g =>
        {
            Begin(_gate.Granted(g.Address));
            BecomeReady();
        });
        Receive<GateTick>(_ => _gate.Tick());
        Receive<SiteProtocol.Stop>(_ =>
        {
            _gate.StopWaiting();
            if (_jobs.Count > 0)
            {
                DrainFirst(); // pages fetched before are processed and written first
            }
            else
            {
                BecomeStopping();
            }
        });
        Busy();
    }

    /// <summary>Handed off: nothing new is asked for; once every write is acknowledged the slot is released and the actor stops.</summary>
    private void Stopping()
    {
        Receive<ArchiveWriterProtocol.Persisted>(_ =>
        {
            Acknowledged();
            StopWhenSettled();
        });
        Receive<Revisited>(_ =>
        {
            // Not settled: the URL is still pending in the store, and the next incarnation settles it.
            Acknowledged();
            StopWhenSettled();
        });
        Receive<AddressGateProtocol.Granted>(g => _gate.StaleGrant(g, Sender));
        Receive<SiteProtocol.GetReport>(_ => Sender.Tell(Report()));
        Receive<ReportTick>(_ => SendReport(force: true));
        ReceiveAny(_ => { }); // the store holds whatever arrives now; the next incarnation finds it there
    }

    /// <summary>While a step runs: a newer epoch and a stop wait for it; links of this epoch join the frontier.</summary>
    private void Busy()
    {
        Receive<SiteProtocol.Crawl>(c => c.Epoch > _epoch, _ => Stash.Stash());
        Receive<SiteProtocol.Discovered>(d =>
        {
            if (d.Epoch > _epoch)
            {
                Stash.Stash();
            }
            else
            {
                AddDiscovered(d);
            }
        });
        Receive<SiteProtocol.Stop>(_ => Stash.Stash());
        Receive<ResponseRead>(OnResponseRead); // a request of a job started before this step
        Receive<Fetched>(OnFetched);
        Common();
    }

    private void Common()
    {
        Receive<SiteProtocol.GetReport>(_ => Sender.Tell(Report()));
        Receive<ReportTick>(_ => SendReport(force: true));
        Receive<ArchiveWriterProtocol.Persisted>(_ => Acknowledged());
        Receive<Revisited>(OnRevisited);
        Receive<JobMarked>(m => m.Error is not null, m => Log.JobMarkFailed(_ctx.Logger, m.Error!, _host, m.Epoch));
        Receive<JobMarked>(_ => { });
        Receive<ReleaseTick>(_ => _gate.Release());
        Receive<SettleTick>(_ => _gate.Settled());
        Receive<AddressGateProtocol.Granted>(g => _gate.StaleGrant(g, Sender)); // stale
        Receive<PumpTick>(_ => { });
        Receive<GateTick>(_ => { });
        Receive<SiteProtocol.Crawl>(_ => { }); // this epoch's (the step under way pumps when done) or an older one
    }

    private void BecomeBusy(Action state, SitePhase phase = SitePhase.Crawling)
    {
        _busy = true;
        _state = phase;
        Become(state);
    }

    private void BecomeReady()
    {
        _busy = false;
        _draining = false;
        _state = SitePhase.Crawling;
        Become(Ready);
        Stash.UnstashAll();
        Pump();
    }

    private void BecomeStopping()
    {
        _busy = false;
        Timers.Cancel(PumpTimer);
        Become(Stopping);
        StopWhenSettled();
    }

    private void StopWhenSettled()
    {
        if (_unacked > 0)
        {
            return;
        }

        Log.SiteHandedOff(_ctx.Logger, _host, _unacked);
        _gate.Release();
        Context.Stop(Self);
    }

    // ---- epoch and frontier ----

    private void StartEpoch(int epoch)
    {
        _epoch = epoch;
        _state = SitePhase.Loading;
        _frontier.Clear();
        _schedules.Clear();
        _robots.Clear();
        _nearDuplicates.Clear();
        _fetched = _errors = _skipped = _notDue = 0;
        _finishMarked = false;
        Become(Loading);
        SitePipeline.Load(_ctx.Store, _host, epoch, Now).PipeTo(Self, failure: ex => new LoadFailed(epoch, ex));
        SendReport(force: true);
    }

    private void OnLoaded(Loaded loaded)
    {
        var now = Now;
        _schedules.Load(loaded.Schedules); // first: the frontier asks it which URLs are due
        var (fetched, skipped) = _frontier.Load(loaded.Entries, now);
        _fetched += fetched;
        _skipped += skipped;
        _restoredFetch = loaded.LastFetch is { } last && last.At > (_lastFetchAt ?? DateTimeOffset.MinValue) ? last : null;
        BecomeReady();
    }

    private bool AddDiscovered(SiteProtocol.Discovered discovered)
    {
        var added = false;
        foreach (var url in discovered.Urls)
        {
            added |= _frontier.Add(new FrontierEntry { Url = url.Url, Host = _host, Epoch = _epoch, Depth = url.Depth, Via = url.Via, Kind = url.Kind });
        }

        return added;
    }

    /// <summary>Decides the next step; called after every event that may unblock the site.</summary>
    private void Pump()
    {
        try
        {
            PumpCore();
            if (_requests.Count == 0 && _gate.InRequest)
            {
                if (!_draining && _jobs.Count > 0 && _gate.MayKeep)
                {
                    // A page still in processing brings the next request (its links, or room in the pipeline) when it is done:
                    // the address stays kept for it, as between two requests, and is let go at MaxHold if nothing came. When
                    // parsing is the slower step (politeness off, one connection) every page found the site here, and
                    // letting go put a gate round trip and two changes of behaviour on every page.
                    Timers.StartSingleTimer(HoldTimer, PumpTick.Instance, _gate.HoldLeft);
                }
                else
                {
                    // The address was kept for a next request that does not come now (nothing ready, a wait, a step first): let go.
                    _gate.RequestEnded(TimeSpan.Zero, serverDone: true);
                }
            }
        }
        finally
        {
            SendReport(force: false);
        }
    }

    private void PumpCore()
    {
        // URLs not due cost the server nothing: they are settled whatever the gate and the politeness pause.
        while (_unacked < _ctx.Options.MaxUnacknowledged && _frontier.TryTakeNotDue(out var notDue))
        {
            _unacked++; // the look-up and the write it leads to
            SitePipeline.Revisit(_ctx, notDue).PipeTo(Self);
        }

        var concurrency = _ctx.Options.Politeness.MaxConcurrentPerHost;
        while (_unacked < _ctx.Options.MaxUnacknowledged && !_robotsPending && !_draining
            && _requests.Count < concurrency && _jobs.Count < 2 * concurrency // one more page in processing per request: the pipeline's depth
            && (_gate.IsFree || _gate.InRequest))
        {
            var now = Now;
            _frontier.PromoteDue(now);
            if (!_frontier.TryPeekReady(out var entry))
            {
                if (_frontier.NextDue is { } due)
                {
                    Wake(due - now);
                }

                return;
            }

            var notBefore = NotBefore();
            if (now < notBefore)
            {
                Wake(notBefore - now);
                return;
            }

            if ((_address is null || now >= _address.Expires) && _jobs.Count > 0)
            {
                return; // asked again once the jobs under way are done (the site resolves, like every step, alone)
            }

            if (_address is null || now >= _address.Expires)
            {
                _ctx.Resolver.Tell(new DnsResolverProtocol.Resolve(_host));
                BecomeBusy(Resolving, _address is null ? SitePhase.Resolving : SitePhase.Crawling);
                return;
            }

            if (!SiteUrls.TryOrigin(entry.Url, out var origin))
            {
                Settle(_frontier.TakeReady(), DeclineReason.Unsupported, "not an http(s) URL", FrontierState.Failed);
                continue;
            }

            if (_address.Refusal is { } refusal)
            {
                // Every address of the host is one the crawler must not reach (loopback, private, link-local...):
                // nothing is connected to, not even for robots.txt; each URL is recorded with the reason.
                CommitRefused(_frontier.TakeReady(), refusal);
                continue;
            }

            if (_address.Answer.Addresses.Count == 0)
            {
                // No address (NXDOMAIN, NODATA, time-out): every URL, robots.txt's included, waits for a new answer.
                CommitDnsFailure(_frontier.TakeReady());
                continue;
            }

            var robots = _robots.Check(origin, now);
            switch (robots.Step)
            {
                case RobotsStep.Load when _jobs.Count > 0:
                    return;
                case RobotsStep.Load:
                    LoadRobots(origin);
                    return;
                case RobotsStep.Wait:
                    Wake(robots.Until - now);
                    return;
                case RobotsStep.Fetch:
                    if (!Start(new FetchJob(RobotsEntry(robots.Url), robots.Attempt, origin) { Hops = robots.Hops }))
                    {
                        return;
                    }

                    continue;
            }

            _frontier.TakeReady();
            if (!robots.Rules!.IsAllowed(SiteUrls.PathAndQuery(entry.Url)))
            {
                Settle(entry, DeclineReason.Robots, robots.Outcome == RobotsFetchOutcome.Success ? "robots.txt disallows it" : $"robots.txt unavailable ({robots.Outcome})");
                continue;
            }

            if (_fetched + _pageJobs >= _ctx.Options.MaxPagesPerSite)
            {
                Settle(entry, DeclineReason.PageBudget, $"site page limit {_ctx.Options.MaxPagesPerSite} reached");
                continue;
            }

            if (!Start(new FetchJob(entry, _frontier.Attempts(entry.Url) + 1, null)))
            {
                return;
            }
        }
    }

    /// <summary>The politeness pause: after this site's last fetch, or (after a start) after the host's last stored fetch.</summary>
    private DateTimeOffset NotBefore()
    {
        if (_restoredFetch is not { } last)
        {
            return _nextFetchAt;
        }

        var restored = last.At + PolitenessPolicy.NextDelay(_ctx.Options.Politeness, last.ResponseTime, _robots.CrawlDelay);
        return restored > _nextFetchAt ? restored : _nextFetchAt;
    }

    private void Wake(TimeSpan delay) => Timers.StartSingleTimer(PumpTimer, PumpTick.Instance, Positive(delay));

    private static TimeSpan Positive(TimeSpan delay) => delay < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : delay;

    // ---- DNS, robots.txt, the gate ----

    private void OnResolved(DnsResolverProtocol.Resolved resolved)
    {
        var r = resolved.Answer;
        Log.HostResolved(_ctx.Logger, _host, string.Join(",", r.Addresses), r.Error);
        _addressAttempts = r.Addresses.Count > 0 ? 0 : _addressAttempts + 1;
        if (r.Addresses.Count == 0)
        {
            _lastError = $"DNS: {r.Error ?? "no address"}";
        }

        _address = SiteAddress.From(r, _ctx.Fetcher.Guard.Check, Now, _ctx.Options.MaxAddressCache, _ctx.Options.Retry, _addressAttempts);
        BecomeReady();
    }

    private void LoadRobots(string origin)
    {
        // First use in this actor's life: a capture of this epoch may already be in the store
        // (a restart, a move to another node), and is then used instead of fetching robots.txt again.
        var options = _ctx.Options;
        SitePipeline.LoadRobots(_ctx.Store, RobotsTracker.RobotsUrl(origin), _epoch, options.ProductToken, options.Robots).PipeTo(
            Self,
            success: d => new RobotsLoaded(origin, d),
            failure: _ => new RobotsLoaded(origin, null));
        BecomeBusy(LoadingRobots);
    }

    private FrontierEntry RobotsEntry(string url) => new() { Url = url, Host = _host, Epoch = _epoch, Depth = 0, Kind = "robots" };

    /// <summary>
    /// Starts <paramref name="job"/> at once on the address the site holds for requests (true), or asks the gate for the
    /// address's slot, the job starting once granted (false: the site waits for the grant).
    /// </summary>
    private bool Start(FetchJob job)
    {
        if (_gate.InRequest && _gate.Held == _address!.Pinned)
        {
            Begin(job with { Address = _gate.Held! });
            return true;
        }

        if (_gate.InRequest)
        {
            _gate.RequestEnded(TimeSpan.Zero, serverDone: true); // kept for an address the site no longer uses
        }

        _gate.Ask(job, _address!.Pinned!); // the answer has addresses and the guard admits one (checked before)
        BecomeBusy(AwaitingGrant);
        return false;
    }

    /// <summary>The request goes out; its response and then its processing come back as <see cref="ResponseRead"/> and <see cref="Fetched"/>.</summary>
    private void Begin(FetchJob job)
    {
        _frontier.MarkKnown(job.Entry.Url);
        _jobs.Add(job);
        _requests.Add(job);
        if (job.RobotsOrigin is null)
        {
            _pageJobs++;
        }
        else
        {
            _robotsPending = true;
        }

        SitePipeline.FetchAndProcess(_ctx, job, Self).PipeTo(Self, failure: ex => new Fetched(job, null, null, ex));
    }

    /// <summary>
    /// A request is over for the server (its processing goes on): the politeness clock starts, and when no other request
    /// of the site is under way the address is kept for the next one (no pause, held less than <see cref="SiteGateClient.MaxHold"/>)
    /// or handed back after the pause.
    /// </summary>
    private void OnResponseRead(ResponseRead read)
    {
        // robots.txt's request ends with its processing: the pause after it follows its Crawl-delay.
        if (read.Job.RobotsOrigin is null && _requests.Remove(read.Job))
        {
            var delay = PolitenessPolicy.NextDelay(_ctx.Options.Politeness, read.ResponseTime, _robots.CrawlDelay, read.Status is 429 or 503 ? read.RetryAfter : null);
            EndRequest(delay, serverDone: !SiteGateClient.GaveUp(read.Error));
        }
    }

    private void EndRequest(TimeSpan delay, bool serverDone)
    {
        var now = Now;
        _lastFetchAt = now;
        _restoredFetch = null; // this site's own clock from now on
        _nextFetchAt = now + delay;
        if (_requests.Count > 0 || (delay <= TimeSpan.Zero && serverDone && !_draining && _gate.MayKeep))
        {
            return; // other requests are under way on the slot, or it is kept for the next one
        }

        _gate.RequestEnded(delay, serverDone);
    }

    // ---- fetching ----

    private void OnFetched(Fetched fetched)
    {
        var job = fetched.Job;
        if (!_jobs.Remove(job))
        {
            return; // a job of an earlier incarnation
        }

        if (job.RobotsOrigin is null)
        {
            _pageJobs--;
        }
        else
        {
            _robotsPending = false;
        }

        var now = Now;
        var entry = job.Entry;
        var requestOpen = _requests.Remove(job); // robots.txt's, or one that failed before its response was read
        if (fetched.Processed is not { } processed)
        {
            if (requestOpen)
            {
                EndRequest(_ctx.Options.Politeness.MinDelay, serverDone: false); // the server may still be at it
            }

            var error = fetched.Error ?? new InvalidOperationException("no result");
            Log.FetchProcessingFailed(_ctx.Logger, error, _host, entry.Url);
            _errors++;
            _lastError = error.Message;
            if (job.RobotsOrigin is { } failedOrigin)
            {
                // As if robots.txt were unreachable: retried with backoff, then complete disallow (RFC 9309 §2.3.1.4).
                var unreachable = RobotsPolicy.Decide(null, null, _ctx.Options.ProductToken, now, _ctx.Options.Robots);
                _robots.Fetched(failedOrigin, job.Attempt, unreachable, entry.Url, default, now);
            }
            else
            {
                _frontier.Attempted(entry.Url, job.Attempt);
                Settle(entry, DeclineReason.Error, "processing failed: " + error.Message, FrontierState.Failed, RecrawlOutcome.Failed);
            }

            return;
        }

        var commit = processed.Commit;
        var capture = commit.Capture;
        if (capture.Error is not null || capture.Status is >= 400)
        {
            _errors++;
            _lastError = capture.Error is not null ? $"{capture.Error}: {capture.ErrorDetail}" : $"HTTP {capture.Status} {entry.Url}";
        }

        if (job.RobotsOrigin is { } origin)
        {
            commit = fetched.Robots is { } decision
                ? RobotsFetched(origin, job.Attempt, decision, commit, processed.Retry, now)
                : RobotsRedirected(origin, job, commit, now);
        }
        else
        {
            _fetched++;
            _frontier.Attempted(entry.Url, job.Attempt);
            if (processed.Fingerprint is { } fingerprint && _nearDuplicates.IsCopy(fingerprint))
            {
                commit = PageProcessor.DeclineOwnShape(commit, entry, fingerprint, _ctx.Options.Traps.MaxNearDuplicates);
            }

            if (processed.Retry.Kind == RetryDecisionKind.Retry)
            {
                var due = now + processed.Retry.Delay;
                _frontier.RetryAt(entry, due);
                commit = commit with { RetryAt = due };
            }
            else
            {
                // The URL's last fetch in this epoch: its schedule moves on, stored with the capture.
                var (schedule, outcome) = _schedules.Fetched(entry, capture, commit.UrlState, now);
                commit = commit with { Schedule = schedule, Outcome = outcome };
            }
        }

        Persist(commit);
        Distribute(commit.Discovered);
        if (requestOpen)
        {
            var retryAfter = capture.Status is 429 or 503 ? processed.RetryAfter : null;
            EndRequest(PolitenessPolicy.NextDelay(_ctx.Options.Politeness, processed.ResponseTime, _robots.CrawlDelay, retryAfter), serverDone: !SiteGateClient.GaveUp(capture.Error));
        }
    }

    /// <summary>robots.txt redirects within the host (http → https, say): follow it (RFC 9309 §2.3.1.2).</summary>
    private FetchCommit RobotsRedirected(string origin, FetchJob job, FetchCommit commit, DateTimeOffset now)
    {
        _robots.Redirected(origin, commit.Capture.RedirectTo!, job.Hops + 1, now);
        return commit with { UrlState = FrontierState.Done, Discovered = [] };
    }

    private FetchCommit RobotsFetched(string origin, int attempt, RobotsDecision decision, FetchCommit commit, RetryDecision retry, DateTimeOffset now)
    {
        if (_robots.Fetched(origin, attempt, decision, commit.Capture.Url, retry, now) is { } delay)
        {
            Log.RobotsDecided(_ctx.Logger, _host, origin, commit.Capture.Status, $"retry in {delay}");
            return commit with { UrlState = FrontierState.Pending, RetryAt = now + delay, Discovered = [] };
        }

        Log.RobotsDecided(_ctx.Logger, _host, origin, commit.Capture.Status, $"{decision.Outcome}, {decision.Rules.Count} rules, crawl-delay {decision.Rules.CrawlDelay}");
        return commit with { UrlState = FrontierState.Done, Discovered = RobotsTracker.Sitemaps(decision, commit.Capture.Url, _epoch, _ctx.Scope) };
    }

    /// <summary>This site's links to its frontier, every other host's to that host's site in one message (hosts in the order
    /// their first link came). Without LINQ grouping: every page's links pass here, most of them the site's own.</summary>
    private void Distribute(IReadOnlyList<FrontierEntry> discovered)
    {
        Dictionary<string, List<SiteProtocol.DiscoveredUrl>>? others = null;
        List<string>? hosts = null;
        foreach (var entry in discovered)
        {
            if (entry.Host == _host)
            {
                _frontier.Add(entry);
                continue;
            }

            others ??= new(StringComparer.Ordinal);
            hosts ??= [];
            if (!others.TryGetValue(entry.Host, out var urls))
            {
                others[entry.Host] = urls = [];
                hosts.Add(entry.Host);
            }

            urls.Add(new SiteProtocol.DiscoveredUrl(entry.Url, entry.Depth, entry.Via, entry.Kind));
        }

        foreach (var host in hosts ?? [])
        {
            _ctx.Region.Tell(new SiteProtocol.Discovered(host, _epoch, others![host]));
        }
    }

    // ---- writes ----

    private void Persist(FetchCommit commit)
    {
        _unacked++;
        _ctx.Writer.Tell(new ArchiveWriterProtocol.Persist(commit));
    }

    private void Acknowledged() => _unacked = Math.Max(0, _unacked - 1); // after a restart, acks of the old instance's writes

    /// <summary>Settles a URL without a fetch; <paramref name="code"/> (a <see cref="DeclineReason"/>) and <paramref name="reason"/> go to the crawl log.</summary>
    private void Settle(FrontierEntry entry, string code, string reason, FrontierState state = FrontierState.Skipped, RecrawlOutcome? outcome = null)
    {
        _skipped++;
        _unacked++;
        _ctx.Writer.Tell(new ArchiveWriterProtocol.Settle(new FrontierUpdate(entry.Url, entry.Host, entry.Epoch, state, reason)
        {
            Outcome = outcome,
            Declined = [CrawlLogRows.Own(entry, code, reason, Now)],
        }));
    }

    /// <summary>
    /// A URL not due, back from the store with the links of its latest capture: settled as not due with them (one write,
    /// already counted as unacknowledged), and its links followed. With nothing to follow it is fetched after all.
    /// </summary>
    private void OnRevisited(Revisited revisited)
    {
        var entry = revisited.Entry;
        if (entry.Epoch != _epoch || _state == SitePhase.Loading)
        {
            Acknowledged(); // an earlier epoch's (or an earlier incarnation's): the store still has the URL pending
            return;
        }

        if (revisited.Discovered is not { } discovered)
        {
            Acknowledged();
            Log.NotDueFetchedAnyway(_ctx.Logger, _host, entry.Url, revisited.Problem);
            _frontier.FetchAfterAll(entry);
            return;
        }

        _notDue++;
        _ctx.Writer.Tell(new ArchiveWriterProtocol.Settle(_schedules.NotDue(entry, discovered) with { Declined = revisited.Declined }));
        Distribute(discovered);
    }

    private void CommitDnsFailure(FrontierEntry entry)
    {
        var attempt = _frontier.Attempts(entry.Url) + 1;
        var retry = RetryPolicy.Decide(_ctx.Options.Retry, attempt, null, transientError: true, null);
        var now = Now;
        _errors++;
        _fetched++;
        _frontier.Attempted(entry.Url, attempt);
        DateTimeOffset? due = null;
        if (retry.Kind == RetryDecisionKind.Retry)
        {
            due = _address!.Expires > now + retry.Delay ? _address.Expires : now + retry.Delay;
            _frontier.RetryAt(entry, due.Value);
        }

        Persist(SitePipeline.DnsFailure(entry, now, attempt, retry.Kind, due, _address?.Answer.Error ?? "no address"));
    }

    private void CommitRefused(FrontierEntry entry, string reason)
    {
        _errors++;
        _lastError = $"{nameof(FetchErrorKind.AddressRefused)}: {reason}";
        var capture = SitePipeline.SyntheticCapture(entry, Now, _frontier.Attempts(entry.Url) + 1, nameof(FetchErrorKind.AddressRefused), reason) with
        {
            IpAddress = _address?.Answer.Addresses.Count > 0 ? _address.Answer.Addresses[0].ToString() : null,
        };
        Persist(new FetchCommit
        {
            Capture = capture,
            UrlState = FrontierState.Failed,
            Outcome = RecrawlOutcome.Failed,
            Declined = [CrawlLogRows.Own(entry, DeclineReason.RefusedAddress, reason, capture.FetchedAt)],
        });
    }

    // ---- reporting ----

    private SitePhase Phase()
    {
        if (_state is SitePhase.Loading or SitePhase.Resolving)
        {
            return _state;
        }

        if (_busy || _jobs.Count > 0 || _frontier.ReadyCount > 0 || _frontier.NotDueCount > 0 || _unacked > 0)
        {
            return SitePhase.Crawling;
        }

        return _frontier.WaitingCount > 0 ? SitePhase.Waiting : SitePhase.Idle;
    }

    private SiteProtocol.SiteReport Report() => new(
        _host, _epoch, Phase(), _frontier.ReadyCount + _frontier.NotDueCount, _frontier.WaitingCount, _busy || _jobs.Count > 0,
        _fetched, _errors, _skipped, _gate.Held ?? _address?.Pinned, _lastError, _lastFetchAt)
    { NotDue = _notDue };

    private void SendReport(bool force)
    {
        var phase = Phase();
        MarkFinished(phase);
        var changed = (phase == SitePhase.Idle) != (_reportedPhase == SitePhase.Idle);
        if (!force && !changed)
        {
            return;
        }

        _reportedPhase = phase;
        _ctx.Coordinator.Tell(Report());
    }

    /// <summary>Each time the site runs out of work in an epoch (everything acknowledged), its job's finish is marked in the store.</summary>
    private void MarkFinished(SitePhase phase)
    {
        var finished = phase == SitePhase.Idle && _epoch >= 0;
        if (finished && !_finishMarked)
        {
            var epoch = _epoch;
            _ctx.Store.MarkJobAsync(_host, epoch, null, Now).PipeTo(Self, success: () => new JobMarked(epoch, null), failure: ex => new JobMarked(epoch, ex));
        }

        _finishMarked = finished;
    }
}
