using Crawler.Core.Dns;
using Crawler.Storage.Mongo;
using Crawler.Storage.Sqlite;
using Crawler.Storage.Tests.Mongo;
using Xunit;

namespace Crawler.Storage.Tests.Contract;

/// <summary>The DNS store contract, written once and run against every store.</summary>
public abstract class DnsStoreContract : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private readonly List<IDnsStore> _stores = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task Observations_of_a_name_come_back_oldest_first_with_every_record()
    {
        var store = await Store();
        var later = Observation("kcna.kp", T0.AddHours(1), "127.45.176.99");
        var earlier = Observation("kcna.kp", T0, "127.45.176.71", "127.45.176.74");
        await store.AddObservationsAsync([later, earlier, Observation("rodong.rep.kp", T0, "127.45.176.68")]);

        var history = await store.GetObservationsAsync("KCNA.kp.");

        Assert.Equal(2, history.Count);
        Assert.Equal(T0, history[0].At);
        Assert.Equal(earlier.Records, history[0].Records);
        Assert.Equal(later.Records, history[1].Records);
        Assert.Equal("127.0.0.1:5353", history[0].Server);
        Assert.Equal(DnsOutcome.NoError, history[0].Outcome);
    }

    [SkippableFact]
    public async Task An_observation_written_again_by_a_retry_is_kept_once_and_counted_once_for_its_address()
    {
        var store = await Store();
        var answer = Observation("kcna.kp", T0, "127.45.176.71");
        await store.AddObservationsAsync([answer]);
        await store.AddObservationsAsync([answer, Observation("kcna.kp", T0.AddMinutes(1), "127.45.176.71")]);

        var history = await store.GetObservationsAsync("kcna.kp");

        Assert.Equal([T0, T0.AddMinutes(1)], history.Select(o => o.At));
        Assert.Equal(["kcna.kp"], await store.GetNamesWithAddressAsync("127.45.176.71"));
    }

    [SkippableFact]
    public async Task Names_sharing_an_address_are_those_whose_latest_answer_holds_it()
    {
        var store = await Store();
        await store.AddObservationsAsync(
        [
            Observation("cooks.org.kp", T0, "127.45.176.81"),
            Observation("friend.com.kp", T0, "127.45.176.81"),
            Observation("kass.org.kp", T0, "127.45.176.81"),
            Observation("kass.org.kp", T0.AddHours(1), "127.45.176.82"),
        ]);

        Assert.Equal(["cooks.org.kp", "friend.com.kp"], await store.GetNamesWithAddressAsync("127.45.176.81"));
        Assert.Equal(["kass.org.kp"], await store.GetNamesWithAddressAsync("127.45.176.82"));
    }

    [SkippableFact]
    public async Task Discovered_names_are_kept_once_per_way_they_were_found()
    {
        var store = await Store();
        var axfr = new DiscoveredNameRecord("airkoryo.com.kp", "axfr", "com.kp", "127.0.0.1:53", T0);
        var ptr = new DiscoveredNameRecord("airkoryo.com.kp", "ptr", "127.45.176.69", "127.0.0.1:53", T0);

        Assert.Equal(2, await store.AddDiscoveredNamesAsync([axfr, ptr]));
        Assert.Equal(0, await store.AddDiscoveredNamesAsync([axfr with { At = T0.AddDays(1) }]));

        var names = await store.GetDiscoveredNamesAsync();
        Assert.Equal([axfr, ptr], names);
    }

    [SkippableFact]
    public async Task The_observation_export_lists_every_name_s_history_by_name_then_time()
    {
        var store = await Store();
        var rodong = Observation("rodong.rep.kp", T0, "127.45.176.68");
        var kcnaLater = Observation("kcna.kp", T0.AddHours(1), "127.45.176.99");
        var kcna = Observation("kcna.kp", T0, "127.45.176.71", "127.45.176.74");
        await store.AddObservationsAsync([rodong, kcnaLater, kcna]);

        var all = await store.ExportObservationsAsync().ToListAsync();

        Assert.Equal([("kcna.kp", T0), ("kcna.kp", T0.AddHours(1)), ("rodong.rep.kp", T0)], all.Select(o => (o.Name, o.At)));
        Assert.Equal(kcna.Records, all[0].Records);
        Assert.Equal((kcna.Server, kcna.Outcome), (all[0].Server, all[0].Outcome));
    }

    protected abstract Task<IDnsStore> CreateStoreAsync();

    private async Task<IDnsStore> Store()
    {
        var store = await CreateStoreAsync();
        _stores.Add(store);
        await store.InitializeAsync();
        return store;
    }

    private static DnsObservation Observation(string name, DateTimeOffset at, params string[] addresses) =>
        new(name, at, "127.0.0.1:5353", DnsOutcome.NoError,
            [.. addresses.Select(a => new DnsRecordData("A", a, 300)), new DnsRecordData("SOA", "ns1.kptc.kp. root.kptc.kp. 2016091901 28800 86400 1209600 86400", 86400)]);
}

public sealed class SqliteDnsStoreContractTests : DnsStoreContract
{
    protected override Task<IDnsStore> CreateStoreAsync() =>
        Task.FromResult<IDnsStore>(new SqliteDnsStore(new SqliteStoreOptions { Path = Path.Combine(Path.GetTempPath(), "dns-" + Guid.NewGuid().ToString("N"), "crawler.db") }));
}

/// <summary>The DNS contract against MongoDB (see <see cref="MongoTestServer"/>), on a fresh database per test, dropped afterwards.</summary>
[Collection(MongoServerCollection.Name)]
public sealed class MongoDnsStoreContractTests(MongoTestServer server) : DnsStoreContract, IDisposable
{
    private readonly string _database = MongoTestServer.NewDatabaseName();

    protected override Task<IDnsStore> CreateStoreAsync() => Task.FromResult<IDnsStore>(new MongoDnsStore(server.Options(_database)));

    public void Dispose() => server.Drop(_database);
}
