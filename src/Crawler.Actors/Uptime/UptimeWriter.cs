using Akka.Actor;
using Crawler.Core.Uptime;
using Crawler.Storage;
using Microsoft.Extensions.Logging;

namespace Crawler.Actors.Uptime;

/// <summary>The protocol of <see cref="UptimeWriter"/>.</summary>
public static class UptimeWriterProtocol
{
    /// <summary>Store these results; answered with <see cref="Written"/> once they are durable (or with Failed).</summary>
    public sealed record Write(IReadOnlyList<ProbeResult> Results) : INoSerializationVerificationNeeded;

    public sealed record Written(int Count) : INoSerializationVerificationNeeded;

    public sealed record Failed(int Count, Exception Error) : INoSerializationVerificationNeeded;
}

/// <summary>
/// Gathers the probe results of every site for up to <c>flushEvery</c> and stores them in one transaction:
/// a thousand sites probed once a minute make one fsync a second instead of seventeen, and no probe
/// actor holds a thread waiting for the file lock. Each sender hears back once its results are durable.
/// </summary>
internal sealed class UptimeWriter : ReceiveActor, IWithTimers
{
    private const string FlushTimer = "flush";
    private readonly IUptimeStore _store;
    private readonly TimeSpan _flushEvery;
    private readonly ILogger _logger;
    private List<(IActorRef Sender, IReadOnlyList<ProbeResult> Results)> _pending = [];
    private bool _writing;

    public UptimeWriter(IUptimeStore store, TimeSpan flushEvery, ILogger logger)
    {
        _store = store;
        _flushEvery = flushEvery;
        _logger = logger;

        Receive<UptimeWriterProtocol.Write>(w =>
        {
            _pending.Add((Sender, w.Results));
            if (!Timers.IsTimerActive(FlushTimer) && !_writing)
            {
                Timers.StartSingleTimer(FlushTimer, Flush.Instance, _flushEvery);
            }
        });
        Receive<Flush>(_ => Start());
        Receive<Done>(OnDone);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private void Start()
    {
        if (_writing || _pending.Count == 0)
        {
            return;
        }

        _writing = true;
        var batch = _pending;
        _pending = [];
        _store.AddResultsAsync([.. batch.SelectMany(b => b.Results)]).PipeTo(
            Self,
            success: () => new Done(batch, null),
            failure: ex => new Done(batch, ex));
    }

    private void OnDone(Done done)
    {
        _writing = false;
        foreach (var (sender, results) in done.Batch)
        {
            sender.Tell(done.Error is null
                ? new UptimeWriterProtocol.Written(results.Count)
                : new UptimeWriterProtocol.Failed(results.Count, done.Error));
        }

        if (done.Error is not null)
        {
            Log.UptimeReportFailed(_logger, done.Error);
        }

        if (_pending.Count > 0)
        {
            Timers.StartSingleTimer(FlushTimer, Flush.Instance, _flushEvery);
        }
    }

    private sealed record Flush : INoSerializationVerificationNeeded
    {
        public static Flush Instance { get; } = new();
    }

    private sealed record Done(List<(IActorRef Sender, IReadOnlyList<ProbeResult> Results)> Batch, Exception? Error) : INoSerializationVerificationNeeded;
}
