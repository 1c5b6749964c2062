using System.Net;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Crawler.Actors.Dns;
using Crawler.Core.Dns;
using Crawler.Net;
using Crawler.Net.Dns;
using Crawler.Simulation.Dns;
using Crawler.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Crawler.Actors.Tests;

/// <summary>The node's resolver actor against the simulated .kp name server, with time under the test's control.</summary>
public sealed class DnsResolverTests : TestKit, IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private readonly string _path = Path.Combine(Path.GetTempPath(), "dns-resolver-" + Guid.NewGuid().ToString("N") + ".db");
    private readonly FakeTimeProvider _clock = new(T0);
    private readonly ZoneCatalog _catalog = ZoneCatalog.Load2016();
    private readonly SimulatedDnsOptions _dnsOptions = new();
    private SimulatedDnsServer _server = null!;
    private SqliteDnsStore _store = null!;
    private IActorRef _resolver = ActorRefs.Nobody;

    public async Task InitializeAsync()
    {
        _server = await SimulatedDnsServer.StartAsync(_catalog, _dnsOptions);
        _store = new SqliteDnsStore(new SqliteStoreOptions { Path = _path });
        await _store.InitializeAsync();
        // Generous: test assemblies run side by side on two cores, and a cold first query (JIT, socket set-up) once
        // took over 300 ms, so the first observation lacked its SOA. Only the silent-server test waits this out.
        var timeout = TimeSpan.FromSeconds(2);
        var hostResolver = new DnsClientResolver(
            new DnsResolverOptions { Servers = [_server.EndPoint.ToString()], Timeout = timeout, Retries = 0, MaxCacheTtl = TimeSpan.FromMinutes(10) },
            _clock);
        var observer = new DnsObserver(_server.EndPoint, timeout, _clock);
        var store = _store;
        var clock = _clock;
        _resolver = Sys.ActorOf(Props.Create(() => new DnsResolver(hostResolver, observer, store, clock, TimeSpan.FromMinutes(5), NullLogger.Instance)));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _store.DisposeAsync();
        File.Delete(_path);
    }

    [Fact]
    public async Task The_answer_a_site_connects_to_is_the_answer_recorded()
    {
        var answer = Resolve("kcna.kp");

        Assert.Equal(["127.45.176.71", "127.45.176.74"], answer.Addresses.Select(a => a.ToString()).Order(StringComparer.Ordinal));
        var recorded = Assert.Single(await History("kcna.kp", 1));
        Assert.Equal(answer.Addresses.Select(a => a.ToString()).Order(StringComparer.Ordinal), recorded.Addresses.Order(StringComparer.Ordinal));
        Assert.Equal(T0, recorded.At);
        Assert.Equal(answer.At, recorded.At);
        Assert.Equal(_server.EndPoint.ToString(), recorded.Server);
        Assert.Equal(DnsOutcome.NoError, recorded.Outcome);
        Assert.NotEmpty(recorded.NameServers);
        Assert.NotNull(recorded.SoaSerial);
        Assert.Contains(recorded.Records, r => r.Type == "A" && r.Ttl > 0);
    }

    [Fact]
    public async Task An_unchanged_answer_waits_for_its_ttl_but_a_changed_one_is_recorded_at_once()
    {
        Resolve("kcna.kp");
        var first = Assert.Single(await History("kcna.kp", 1));
        Assert.True(first.SoaSerial is not null, $"the first observation has no SOA serial (outcome {first.Outcome}); did the SOA query time out?");

        // The resolver's cache (10 min here) expired, the answer is the same, its TTL (3600 s) has not: not recorded.
        _clock.Advance(TimeSpan.FromMinutes(11));
        Resolve("kcna.kp");

        // The site moved and its zone's serial went up: recorded at once, with both changes.
        _clock.Advance(TimeSpan.FromMinutes(11));
        _catalog.SetAddresses("kcna.kp", IPAddress.Parse("127.45.176.99"));
        _catalog.SetSoaSerial("kcna.kp", first.SoaSerial!.Value + 1);
        var moved = Resolve("kcna.kp");
        Assert.Equal([IPAddress.Parse("127.45.176.99")], moved.Addresses);
        await History("kcna.kp", 2);

        // An hour after the first record the unchanged answer is due again.
        _clock.Advance(TimeSpan.FromMinutes(62));
        Resolve("kcna.kp");

        var history = await History("kcna.kp", 3);
        Assert.Equal([T0, T0.AddMinutes(22), T0.AddMinutes(84)], history.Select(o => o.At));
        var changes = DnsHistory.Compare(history[0], history[1]);
        Assert.Contains(changes, c => c.Kind == DnsChangeKind.AddressAdded && c.After == "127.45.176.99");
        Assert.Contains(changes, c => c.Kind == DnsChangeKind.SerialChanged);
        Assert.Empty(DnsHistory.Compare(history[1], history[2]));
    }

    [Fact]
    public async Task A_silent_name_server_is_answered_and_recorded_as_a_time_out_once()
    {
        Resolve("kcna.kp");
        await History("kcna.kp", 1);

        _clock.Advance(TimeSpan.FromMinutes(11));
        _dnsOptions.SilenceZone("kcna.kp");
        var silent = Resolve("kcna.kp");
        Assert.Equal("timeout", silent.Error);
        Assert.Empty(silent.Addresses);
        await History("kcna.kp", 2);
        Resolve("kcna.kp"); // time-outs are not cached: asked again, the same outcome is not recorded again

        _dnsOptions.UnsilenceZone("kcna.kp");
        _clock.Advance(TimeSpan.FromMinutes(1));
        Resolve("kcna.kp");

        var history = await History("kcna.kp", 3);
        Assert.Equal([DnsOutcome.NoError, DnsOutcome.Timeout, DnsOutcome.NoError], history.Select(o => o.Outcome));
        Assert.Equal(_server.EndPoint.ToString(), history[1].Server);
        Assert.Equal(T0.AddMinutes(11), history[1].At);
    }

    [Fact]
    public async Task Localhost_and_address_literals_are_answered_without_asking_the_server()
    {
        var localhost = Resolve("localhost");
        var literal = Resolve("10.0.0.5");

        Assert.Contains(IPAddress.Loopback, localhost.Addresses);
        Assert.Equal([IPAddress.Parse("10.0.0.5")], literal.Addresses);
        Assert.Equal(0, _server.QueryCount);
        Resolve("kcna.kp");
        Assert.Equal(["kcna.kp"], (await History("kcna.kp", 1)).Select(o => o.Name));
        Assert.Empty(await _store.GetObservationsAsync("localhost"));
    }

    private ResolvedHost Resolve(string host)
    {
        _resolver.Tell(new DnsResolverProtocol.Resolve(host), TestActor);
        return ExpectMsg<DnsResolverProtocol.Resolved>(TimeSpan.FromSeconds(10)).Answer;
    }

    /// <summary>The name's history once it holds <paramref name="count"/> observations (recording is asynchronous).</summary>
    private async Task<IReadOnlyList<DnsObservation>> History(string name, int count)
    {
        IReadOnlyList<DnsObservation> history = [];
        await AwaitAssertAsync(
            async () =>
            {
                history = await _store.GetObservationsAsync(name);
                Assert.True(history.Count >= count, $"{history.Count} observations of {name}, expected {count}");
            },
            TimeSpan.FromSeconds(10));
        return history;
    }
}
