using Crawler.Actors.Serialization;
using Akka.Actor;
using Crawler.Actors.Coordination;
using Crawler.Core.Policies;
using Crawler.Net.Discovery;
using Crawler.Storage;
using Microsoft.Extensions.Logging;

namespace Crawler.Actors.Discovery;

/// <summary>
/// Finds names the seeds do not list, at start and then every <see cref="DiscoveryOptions.Interval"/>:
/// zone transfers (AXFR) from the root zone down through each delegated zone's own name servers, and
/// a polite reverse (PTR) sweep of the configured ranges. Every name is recorded with how it was found;
/// names in scope that have an address (or a www. name with one) are handed to the coordinator as new sites
/// (<see cref="DiscoveredSites"/>), the rest stay discovered names only.
/// </summary>
internal sealed class DiscoveryRunner : ReceiveActor, IWithTimers
{
    private const string RunTimer = "discover";
    private readonly DiscoveryOptions _options;
    private readonly ZoneTransferOptions _transfers;
    private readonly IDnsStore _store;
    private readonly CrawlScope _scope;
    private readonly IActorRef _coordinator;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private bool _running;
    private bool _first = true;

    public DiscoveryRunner(DiscoveryOptions options, ZoneTransferOptions transfers, IDnsStore store, CrawlScope scope, IActorRef coordinator, TimeProvider clock, ILogger logger)
    {
        _options = options;
        _transfers = transfers;
        _store = store;
        _scope = scope;
        _coordinator = coordinator;
        _clock = clock;
        _logger = logger;

        Receive<DiscoveryProtocol.RunNow>(_ => Run());
        Receive<Ran>(OnRan);
        Receive<Status.Failure>(f =>
        {
            _running = false;
            Log.DiscoveryFailed(_logger, f.Cause);
            FirstRunOver();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        // A crawl that exits when done waits for the first run's names.
        _coordinator.Tell(new CoordinatorProtocol.AwaitSeeds(true));
        Self.Tell(DiscoveryProtocol.RunNow.Instance);
        Timers.StartPeriodicTimer(RunTimer, DiscoveryProtocol.RunNow.Instance, _options.Interval);
    }

    private void Run()
    {
        if (_running)
        {
            return;
        }

        _running = true;
        DiscoverAsync(_options, _transfers, _store, _scope, _clock).PipeTo(Self);
    }

    private static async Task<Ran> DiscoverAsync(DiscoveryOptions options, ZoneTransferOptions transfers, IDnsStore store, CrawlScope scope, TimeProvider clock)
    {
        var discovery = new ZoneTransferDiscovery(transfers, clock);
        var axfr = await discovery.DiscoverAsync(options.RootZone).ConfigureAwait(false);
        var records = axfr.Names.Select(n => new DiscoveredNameRecord(n.Name, n.How, n.Zone, n.Server, n.At)).ToList();
        if (options.SweptRanges.Count > 0)
        {
            var sweep = new ReverseSweep(
                new ReverseSweepOptions { Servers = transfers.Servers, Ranges = [.. options.SweptRanges], QueriesPerSecond = options.PtrQueriesPerSecond },
                clock);
            var found = await sweep.SweepAsync().ConfigureAwait(false);
            records.AddRange(found.Select(f => new DiscoveredNameRecord(f.Name, "ptr", f.Address.ToString(), f.Server, f.At)));
        }

        var added = await store.AddDiscoveredNamesAsync(records).ConfigureAwait(false);
        IReadOnlyList<string> sites = [], withoutAddress = [];
        if (options.AddAsSites)
        {
            var candidates = DiscoveredSites.Candidates(records, options.AddPtrNamesAsSites, scope.IsInScope);
            (sites, withoutAddress) = await DiscoveredSites.SplitAsync(candidates, discovery.HasAddressAsync, scope.IsInScope).ConfigureAwait(false);
        }

        return new Ran(records, added, axfr.TransferredZones.Count, axfr.Failures.Count, sites, withoutAddress.Count);
    }

    private void OnRan(Ran ran)
    {
        _running = false;
        var sites = ran.Sites;
        Log.DiscoveryCompleted(_logger, ran.Names.Count, ran.New, ran.Zones, ran.Failures, sites.Count, ran.WithoutAddress);
        if (_options.AddAsSites && sites.Count > 0)
        {
            _coordinator.Tell(new CoordinatorProtocol.AddSeeds([.. sites.Select(s => "http://" + s + "/")], "discovered"));
        }

        CrawlerEvents.Publish(Context, new DiscoveryProtocol.Completed(ran.Names.Count, ran.New, ran.Zones, ran.Failures, _options.AddAsSites ? sites : []));
        FirstRunOver();
    }

    private void FirstRunOver()
    {
        if (_first)
        {
            _first = false;
            _coordinator.Tell(new CoordinatorProtocol.AwaitSeeds(false));
        }
    }

    private sealed record Ran(IReadOnlyList<DiscoveredNameRecord> Names, int New, int Zones, int Failures, IReadOnlyList<string> Sites, int WithoutAddress)
        : INoSerializationVerificationNeeded;
}
