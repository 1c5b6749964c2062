using Xunit;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Crawler.Actors.Archive;
using Crawler.Storage;
using Crawler.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Crawler.Actors.Tests;

/// <summary>The archive writer's group commit, on the test's clock: a transaction starts at most once per window.</summary>
public sealed class ArchiveWriterGroupCommitTests : TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(50);
    private readonly string _path = Path.Combine(Path.GetTempPath(), "group-commit-" + Guid.NewGuid().ToString("N") + ".db");
    private GatedStore _store = null!;

    public ArchiveWriterGroupCommitTests()
        : base(ManualTime.SchedulerConfig)
    {
    }

    public async Task InitializeAsync()
    {
        _store = new GatedStore(new SqliteCrawlStore(new SqliteStoreOptions { Path = _path }));
        await _store.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        File.Delete(_path);
    }

    [Fact]
    public void Writes_that_arrive_during_a_transaction_wait_for_the_next_window_and_share_one_transaction()
    {
        var writer = Sys.ActorOf(Props.Create(() => new ArchiveWriter(_store, new ArchiveWriterOptions { FlushInterval = Window }, NullLogger.Instance)));
        writer.Tell(new ArchiveWriterProtocol.Persist(ArchiveWriterTests.Commit("http://kcna.kp/a")), TestActor);
        Handled(writer);
        ((TestScheduler)Sys.Scheduler).Advance(Window);
        AwaitCondition(() => _store.Batches.Count == 1, TimeSpan.FromSeconds(5)); // the first transaction runs, held by the gate

        writer.Tell(new ArchiveWriterProtocol.Persist(ArchiveWriterTests.Commit("http://kcna.kp/b")), TestActor);
        writer.Tell(new ArchiveWriterProtocol.Persist(ArchiveWriterTests.Commit("http://kcna.kp/c")), TestActor);
        _store.Release();
        ExpectMsg<ArchiveWriterProtocol.Persisted>(p => p.Url == "http://kcna.kp/a");
        // The clock has not moved since the first transaction started: b and c wait, and d joins them.
        writer.Tell(new ArchiveWriterProtocol.Persist(ArchiveWriterTests.Commit("http://kcna.kp/d")), TestActor);
        Handled(writer);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Single(_store.Batches);

        ((TestScheduler)Sys.Scheduler).Advance(Window);
        var acks = ReceiveN(3, TimeSpan.FromSeconds(5)).Cast<ArchiveWriterProtocol.Persisted>().Select(p => p.Url).Order(StringComparer.Ordinal);
        Assert.Equal(["http://kcna.kp/b", "http://kcna.kp/c", "http://kcna.kp/d"], acks);
        Assert.Equal([1, 3], _store.Batches);
    }

    [Fact]
    public void A_flush_starts_the_next_transaction_without_waiting_for_the_window()
    {
        var writer = Sys.ActorOf(Props.Create(() => new ArchiveWriter(_store, new ArchiveWriterOptions { FlushInterval = Window }, NullLogger.Instance)));
        writer.Tell(new ArchiveWriterProtocol.Persist(ArchiveWriterTests.Commit("http://kcna.kp/a")), TestActor);
        Handled(writer);
        ((TestScheduler)Sys.Scheduler).Advance(Window);
        AwaitCondition(() => _store.Batches.Count == 1, TimeSpan.FromSeconds(5));
        writer.Tell(new ArchiveWriterProtocol.Persist(ArchiveWriterTests.Commit("http://kcna.kp/b")), TestActor);
        writer.Tell(new ArchiveWriterProtocol.Flush(), TestActor);
        _store.Release();

        ExpectMsg<ArchiveWriterProtocol.Persisted>(p => p.Url == "http://kcna.kp/a");
        ExpectMsg<ArchiveWriterProtocol.Persisted>(p => p.Url == "http://kcna.kp/b");
        ExpectMsg<ArchiveWriterProtocol.Flushed>();
        Assert.Equal([1, 1], _store.Batches);
    }

    /// <summary>Returns once the writer has handled everything told before (Identify is answered in mailbox order).</summary>
    private static void Handled(IActorRef writer) => writer.Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();

    /// <summary>The real SQLite store; its first commit waits until the test releases it, and every commit's size is kept.</summary>
    private sealed class GatedStore(ICrawlStore inner) : DelegatingCrawlStore(inner)
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<int> _batches = [];

        public IReadOnlyList<int> Batches
        {
            get
            {
                lock (_batches)
                {
                    return [.. _batches];
                }
            }
        }

        public void Release() => _gate.TrySetResult();

        public override async Task CommitAsync(IReadOnlyList<FetchCommit> batch, CancellationToken ct = default)
        {
            bool first;
            lock (_batches)
            {
                _batches.Add(batch.Count);
                first = _batches.Count == 1;
            }

            if (first)
            {
                await _gate.Task.ConfigureAwait(false);
            }

            await base.CommitAsync(batch, ct).ConfigureAwait(false);
        }
    }
}
