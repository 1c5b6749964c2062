using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Crawler.Actors.Uptime;
using Crawler.Core.Uptime;
using Crawler.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Crawler.Actors.Tests;

/// <summary>The country-wide rollup's writes, with a store whose first write is slow. Time is the test's.</summary>
public sealed class CountryMonitorTests : TestKit
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private readonly FakeTimeProvider _clock = new(T0);

    public CountryMonitorTests()
        : base(ManualTime.SchedulerConfig)
    {
    }

    /// <summary>Ten sites' probe results for <paramref name="rounds"/> rounds: every site fails in the first <paramref name="failing"/>, answers after.</summary>
    private static void FailThenAnswer(IActorRef monitor, int rounds, int failing)
    {
        for (var round = 0; round < rounds; round++)
        {
            for (var site = 0; site < 10; site++)
            {
                var at = T0 + (Minute * round) + TimeSpan.FromSeconds(site);
                var result = round < failing
                    ? ProbeResult.Failed($"site{site}.kp", at, ProbeFailure.ConnectionRefused, "refused")
                    : ProbeResult.Up($"site{site}.kp", at, TimeSpan.FromMilliseconds(100));
                monitor.Tell(new ProbeProtocol.ProbeCompleted(result, SiteState.Unknown, TimeSpan.Zero));
            }
        }
    }

    /// <summary>Moves the clock and the scheduler together, 15 s at a time.</summary>
    private void AdvanceQuarters(int steps)
    {
        for (var step = 0; step < steps; step++)
        {
            _clock.Advance(TimeSpan.FromSeconds(15));
            ((TestScheduler)Sys.Scheduler).Advance(TimeSpan.FromSeconds(15));
        }
    }

    [Fact]
    public async Task An_outage_that_starts_and_ends_while_its_start_is_still_being_written_is_stored_ended_in_order()
    {
        var store = new SlowFirstWriteStore();
        var options = new UptimeOptions { Interval = Minute, CountryMinimumTargets = 10 };
        var clock = _clock;
        var monitor = Sys.ActorOf(Props.Create(() => new CountryMonitor(store, new UptimeMetrics(), options, clock, NullLogger.Instance)));
        monitor.Tell(new Identify(null), TestActor); // answered once PreStart has subscribed and started its timer
        ExpectMsg<ActorIdentity>();
        Sys.EventStream.Subscribe(TestActor, typeof(ProbeProtocol.CountryOutageChanged));

        // Rounds 0-1: all 10 sites fail (the outage starts at round 0); rounds 2-3 all answer (it ends at round 2).
        // Round 1 is judged at minute 3 (the start), round 3 at minute 5 (the end). The start's write is still running.
        FailThenAnswer(monitor, rounds: 4, failing: 2);
        AdvanceQuarters(24);

        await AwaitConditionAsync(() => Task.FromResult(store.Writes.Count >= 1), TimeSpan.FromSeconds(10));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // nothing published before it is stored
        store.ReleaseFirstWrite();

        var started = ExpectMsg<ProbeProtocol.CountryOutageChanged>(TimeSpan.FromSeconds(10)).Event;
        var ended = ExpectMsg<ProbeProtocol.CountryOutageChanged>(TimeSpan.FromSeconds(10)).Event;
        Assert.Equal((CountryOutageEventKind.Started, CountryOutageEventKind.Ended), (started.Kind, ended.Kind));
        var stored = Assert.Single(store.Outages.Values);
        Assert.Equal((T0, (DateTimeOffset?)(T0 + (Minute * 2))), (stored.Start, stored.End));
        Assert.Equal([null, T0 + (Minute * 2)], store.Writes.Select(w => w.End)); // one write at a time, in order
    }

    [Fact]
    public void A_monitor_started_on_a_store_with_an_open_country_outage_ends_that_outage_instead_of_starting_another()
    {
        // The outage began ten minutes before this monitor (a restart, a singleton that moved) and is still open.
        var open = new CountryOutage(T0 - (Minute * 10), null, T0 - (Minute * 9), 10, 10);
        var store = new MemoryStore(open);
        var options = new UptimeOptions { Interval = Minute, CountryMinimumTargets = 10 };
        var clock = _clock;
        var monitor = Sys.ActorOf(Props.Create(() => new CountryMonitor(store, new UptimeMetrics(), options, clock, NullLogger.Instance)));

        // The store answers at once, so the loaded outage is queued during PreStart: behind the first Identify at worst.
        monitor.Tell(new Identify(null), TestActor);
        ExpectMsg<ActorIdentity>();
        monitor.Tell(new Identify(null), TestActor);
        ExpectMsg<ActorIdentity>();
        Sys.EventStream.Subscribe(TestActor, typeof(ProbeProtocol.CountryOutageChanged));

        // Rounds 0-1: all 10 sites still fail (the same outage goes on); rounds 2-4 all answer (it ends at round 2).
        FailThenAnswer(monitor, rounds: 5, failing: 2);
        AdvanceQuarters(28);

        var ended = ExpectMsg<ProbeProtocol.CountryOutageChanged>(TimeSpan.FromSeconds(10)).Event;
        Assert.Equal(CountryOutageEventKind.Ended, ended.Kind);
        Assert.Equal(open with { End = T0 + (Minute * 2) }, ended.Outage);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal([open with { End = T0 + (Minute * 2) }], store.Writes);
    }

    /// <summary>Country outages in memory, answered at once; starts with the outages given.</summary>
    private sealed class MemoryStore(params CountryOutage[] initial) : IUptimeStore
    {
        public List<CountryOutage> Writes { get; } = [];

        public Task UpsertCountryOutageAsync(CountryOutage outage, CancellationToken ct = default)
        {
            lock (Writes)
            {
                Writes.Add(outage);
            }

            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<CountryOutage>> GetCountryOutagesAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default) =>
            Task.FromResult<IReadOnlyList<CountryOutage>>([.. initial.Where(o => o.Start >= from && o.Start <= to)]);

        public Task InitializeAsync(CancellationToken ct = default) => Task.CompletedTask;

        public Task AddResultsAsync(IReadOnlyList<ProbeResult> results, CancellationToken ct = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<ProbeResult>> GetResultsAsync(string site, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<HourlyAggregate>> GetHourlyAsync(string? site, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default) => throw new NotSupportedException();

        public Task AddStateChangesAsync(IReadOnlyList<StateChange> changes, CancellationToken ct = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<StateChange>> GetStateChangesAsync(string? site, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default) => throw new NotSupportedException();

        public Task UpsertOutageAsync(Outage outage, CancellationToken ct = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<Outage>> GetOutagesAsync(string? site, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default) => throw new NotSupportedException();

        public Task<int> PurgeResultsAsync(DateTimeOffset olderThan, CancellationToken ct = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<SiteUptimeStatus>> GetLatestAsync(CancellationToken ct = default) => throw new NotSupportedException();

        public IAsyncEnumerable<ProbeResult> ExportResultsAsync(CancellationToken ct = default) => throw new NotSupportedException();

        public IAsyncEnumerable<HourlyAggregate> ExportHourlyAsync(CancellationToken ct = default) => throw new NotSupportedException();

        public IAsyncEnumerable<StateChange> ExportStateChangesAsync(CancellationToken ct = default) => throw new NotSupportedException();

        public IAsyncEnumerable<Outage> ExportOutagesAsync(CancellationToken ct = default) => throw new NotSupportedException();

        public IAsyncEnumerable<CountryOutage> ExportCountryOutagesAsync(CancellationToken ct = default) => throw new NotSupportedException();

        public Task ImportHourlyAsync(IReadOnlyList<HourlyAggregate> aggregates, CancellationToken ct = default) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>Keeps country outages in memory; the first upsert lands only when the test releases it.</summary>
    private sealed class SlowFirstWriteStore : IUptimeStore
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        public Dictionary<DateTimeOffset, CountryOutage> Outages { get; } = [];

        /// <summary>Every upsert as it was asked for, in the order asked.</summary>
        public List<CountryOutage> Writes { get; } = [];

        public void ReleaseFirstWrite() => _release.TrySetResult();

        public async Task UpsertCountryOutageAsync(CountryOutage outage, CancellationToken ct = default)
        {
            lock (Writes)
            {
                Writes.Add(outage);
            }

            if (Interlocked.Increment(ref _calls) == 1)
            {
                await _release.Task.ConfigureAwait(false);
            }

            lock (Outages)
            {
                Outages[outage.Start] = outage;
            }
        }

        public Task InitializeAsync(CancellationToken ct = default) => Task.CompletedTask;

        public Task AddResultsAsync(IReadOnlyList<ProbeResult> results, CancellationToken ct = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<ProbeResult>> GetResultsAsync(string site, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<HourlyAggregate>> GetHourlyAsync(string? site, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default) => throw new NotSupportedException();

        public Task AddStateChangesAsync(IReadOnlyList<StateChange> changes, CancellationToken ct = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<StateChange>> GetStateChangesAsync(string? site, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default) => throw new NotSupportedException();

        public Task UpsertOutageAsync(Outage outage, CancellationToken ct = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<Outage>> GetOutagesAsync(string? site, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<CountryOutage>> GetCountryOutagesAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default) => throw new NotSupportedException();

        public Task<int> PurgeResultsAsync(DateTimeOffset olderThan, CancellationToken ct = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<SiteUptimeStatus>> GetLatestAsync(CancellationToken ct = default) => throw new NotSupportedException();

        public IAsyncEnumerable<ProbeResult> ExportResultsAsync(CancellationToken ct = default) => throw new NotSupportedException();

        public IAsyncEnumerable<HourlyAggregate> ExportHourlyAsync(CancellationToken ct = default) => throw new NotSupportedException();

        public IAsyncEnumerable<StateChange> ExportStateChangesAsync(CancellationToken ct = default) => throw new NotSupportedException();

        public IAsyncEnumerable<Outage> ExportOutagesAsync(CancellationToken ct = default) => throw new NotSupportedException();

        public IAsyncEnumerable<CountryOutage> ExportCountryOutagesAsync(CancellationToken ct = default) => throw new NotSupportedException();

        public Task ImportHourlyAsync(IReadOnlyList<HourlyAggregate> aggregates, CancellationToken ct = default) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
