using Akka.Actor;
using Akka.TestKit.Xunit2;
using Crawler.Actors.Coordination;
using Crawler.Actors.Discovery;
using Crawler.Actors.Hosting;
using Crawler.Actors.Uptime;
using Crawler.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Crawler.Actors.Tests;

/// <summary>Sites the crawl gains after start are probed too, and a site already watched keeps its target.</summary>
public sealed class ProbeTargetsTests : TestKit, IAsyncLifetime
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "probe-targets-" + Guid.NewGuid().ToString("N") + ".db");
    private SqliteCrawlStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = new SqliteCrawlStore(new SqliteStoreOptions { Path = _path });
        await _store.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        File.Delete(_path);
    }

    [Fact]
    public async Task Sites_added_by_an_earlier_run_and_by_discovery_are_watched_once_and_seeds_are_left_alone()
    {
        // An earlier run's discovery added two sites; one of them (kcna.kp) is also a seed.
        await _store.SetSettingAsync(CrawlCoordinator.AddedSeedsSetting, "http://old.kp/\nhttp://kcna.kp/");
        var options = new UptimeOptions
        {
            Interval = TimeSpan.FromSeconds(90),
            Sites = [new ProbeSiteOptions { Site = "new.kp", Url = "https://new.kp/status", Keyword = "ok" }],
        };
        var region = CreateTestProbe();
        var store = _store;
        var initial = UptimeHosting.Targets(["http://kcna.kp/"], options with { NameServers = ["ns1.kptc.kp"] });
        Sys.ActorOf(Props.Create(() => new ProbeTargets(region.Ref, store, initial, options, NullLogger.Instance)));

        // The seeds' and name servers' targets go out at once.
        Assert.Equal(["kcna.kp", "dns:ns1.kptc.kp"], new[] { region.ExpectMsg<ProbeProtocol.Watch>().Host, region.ExpectMsg<ProbeProtocol.Watch>().Host }.Order().Reverse());
        var old = region.ExpectMsg<ProbeProtocol.Watch>(TimeSpan.FromSeconds(10));
        Assert.Equal(("old.kp", "http://old.kp/", TimeSpan.FromSeconds(90)), (old.Host, old.Target.Url.ToString(), old.Interval));

        // Discovery hands the crawl three names: only the one not yet watched becomes a target, with its own settings.
        // (The actor subscribed before it read the store, so it hears this.)
        Sys.EventStream.Publish(new DiscoveryProtocol.Completed(3, 1, 1, 0, ["kcna.kp", "new.kp", "old.kp"]));
        var added = region.ExpectMsg<ProbeProtocol.Watch>();
        Assert.Equal(("new.kp", "https://new.kp/status", "ok"), (added.Host, added.Target.Url.ToString(), added.Target.Keyword));

        Sys.EventStream.Publish(new DiscoveryProtocol.Completed(3, 0, 1, 0, ["kcna.kp", "new.kp", "old.kp"]));
        region.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }
}

/// <summary>Every target is sent again each interval, so a probe whose node left starts again elsewhere.</summary>
public sealed class ProbeTargetsResendTests() : TestKit(ManualTime.SchedulerConfig)
{
    [Fact]
    public void Every_target_is_watched_again_each_interval()
    {
        var options = new UptimeOptions { Interval = TimeSpan.FromSeconds(60) };
        var region = CreateTestProbe();
        var initial = UptimeHosting.Targets(["http://kcna.kp/", "http://rodong.rep.kp/"], options);
        Sys.ActorOf(Props.Create(() => new ProbeTargets(region.Ref, null, initial, options, NullLogger.Instance)));
        var first = new[] { region.ExpectMsg<ProbeProtocol.Watch>().Host, region.ExpectMsg<ProbeProtocol.Watch>().Host };
        Assert.Equal(["kcna.kp", "rodong.rep.kp"], first.Order());

        var scheduler = (Akka.TestKit.TestScheduler)Sys.Scheduler;
        scheduler.Advance(TimeSpan.FromSeconds(59));
        region.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        scheduler.Advance(TimeSpan.FromSeconds(1));
        var again = new[] { region.ExpectMsg<ProbeProtocol.Watch>().Host, region.ExpectMsg<ProbeProtocol.Watch>().Host };
        Assert.Equal(["kcna.kp", "rodong.rep.kp"], again.Order());
    }
}
