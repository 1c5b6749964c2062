using Xunit;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Crawler.Actors.Archive;
using Crawler.Storage;
using Crawler.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Crawler.Actors.Tests;

public sealed class ArchiveWriterTests : TestKit, IAsyncLifetime
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "writer-" + Guid.NewGuid().ToString("N") + ".db");
    private OutageStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = new OutageStore(new SqliteCrawlStore(new SqliteStoreOptions { Path = _path }));
        await _store.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        File.Delete(_path);
    }

    [Fact]
    public async Task Writes_are_acknowledged_only_once_durable()
    {
        var writer = Writer();
        writer.Tell(new ArchiveWriterProtocol.Persist(Commit("http://kcna.kp/a")), TestActor);
        writer.Tell(new ArchiveWriterProtocol.Persist(Commit("http://kcna.kp/b")), TestActor);
        ExpectMsg<ArchiveWriterProtocol.Persisted>(p => p.Url == "http://kcna.kp/a");
        ExpectMsg<ArchiveWriterProtocol.Persisted>(p => p.Url == "http://kcna.kp/b");
        Assert.Equal(2, (await _store.GetStatsAsync()).Captures);
    }

    [Fact]
    public async Task A_store_outage_loses_nothing_and_the_writes_land_when_it_ends()
    {
        var writer = Writer();
        _store.Down = true;
        writer.Tell(new ArchiveWriterProtocol.Persist(Commit("http://kcna.kp/a")), TestActor);
        writer.Tell(new ArchiveWriterProtocol.Settle(new FrontierUpdate("http://kcna.kp/private/x", "kcna.kp", 1, FrontierState.Skipped, "robots")), TestActor);
        AwaitCondition(() => _store.FailedCalls >= 2, TimeSpan.FromSeconds(5));
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));

        _store.Down = false;
        var acks = ReceiveN(2, TimeSpan.FromSeconds(5)).Cast<ArchiveWriterProtocol.Persisted>().Select(p => p.Url).ToList();
        Assert.Contains("http://kcna.kp/a", acks);
        Assert.Contains("http://kcna.kp/private/x", acks);
        Assert.Equal(1, (await _store.GetStatsAsync()).Captures);
    }

    [Fact]
    public async Task A_commit_the_store_refuses_for_good_does_not_stall_the_others()
    {
        var writer = Writer();
        var first = Commit("http://kcna.kp/a");
        var duplicate = Commit("http://kcna.kp/b") with { Capture = Commit("http://kcna.kp/b").Capture with { Id = first.Capture.Id } };
        writer.Tell(new ArchiveWriterProtocol.Persist(first), TestActor);
        writer.Tell(new ArchiveWriterProtocol.Persist(duplicate), TestActor);
        writer.Tell(new ArchiveWriterProtocol.Persist(Commit("http://kcna.kp/c")), TestActor);
        var acks = ReceiveN(3, TimeSpan.FromSeconds(5)).Cast<ArchiveWriterProtocol.Persisted>().Select(p => p.Url).ToList();
        Assert.Equal(["http://kcna.kp/a", "http://kcna.kp/b", "http://kcna.kp/c"], acks.Order(StringComparer.Ordinal));
        var stored = new List<string>();
        await foreach (var capture in _store.GetCapturesAsync(new CaptureQuery()))
        {
            stored.Add(capture.Url);
        }

        Assert.Equal(["http://kcna.kp/a", "http://kcna.kp/c"], stored.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Flush_answers_after_pending_writes_are_durable()
    {
        var writer = Writer();
        writer.Tell(new ArchiveWriterProtocol.Persist(Commit("http://kcna.kp/a")), TestActor);
        writer.Tell(new ArchiveWriterProtocol.Flush(), TestActor);
        ExpectMsg<ArchiveWriterProtocol.Persisted>();
        ExpectMsg<ArchiveWriterProtocol.Flushed>();
    }

    private IActorRef Writer() => Sys.ActorOf(Props.Create(() => new ArchiveWriter(
        _store,
        new ArchiveWriterOptions { FlushInterval = TimeSpan.FromMilliseconds(5), RetryDelay = TimeSpan.FromMilliseconds(20) },
        NullLogger.Instance)));

    /// <summary>A capture of <paramref name="url"/> with a response, as a site commits it (ArchiveWriterGroupCommitTests too).</summary>
    internal static FetchCommit Commit(string url) => new()
    {
        Capture = new CaptureRecord
        {
            Id = Guid.CreateVersion7().ToString("N"),
            Url = url,
            Host = "kcna.kp",
            Epoch = 1,
            FetchedAt = DateTimeOffset.UtcNow,
            Status = 200,
        },
    };

    /// <summary>The real SQLite store behind a switch that makes writes fail, as an unreachable database would.</summary>
    private sealed class OutageStore(ICrawlStore inner) : DelegatingCrawlStore(inner)
    {
        private int _failed;

        public volatile bool Down;

        public int FailedCalls => Volatile.Read(ref _failed);

        public override Task CommitAsync(IReadOnlyList<FetchCommit> batch, CancellationToken ct = default) => Fail() ?? base.CommitAsync(batch, ct);

        public override Task UpdateFrontierAsync(IReadOnlyList<FrontierUpdate> updates, CancellationToken ct = default) => Fail() ?? base.UpdateFrontierAsync(updates, ct);

        private Task? Fail()
        {
            if (!Down)
            {
                return null;
            }

            Interlocked.Increment(ref _failed);
            return Task.FromException(new StoreUnavailableException("store down (test outage)"));
        }
    }
}
