// Hand-written: the bookkeeping every prober of this folder shares (start, limit, deadline versus the caller's
// cancellation, resolve and total times, the ProbeResult built from them); no library keeps this for us.
using Crawler.Core.Uptime;

namespace Crawler.Net.Probing;

/// <summary>
/// What one probe has measured so far: its start, its limit and the deadline that enforces it on the given
/// <see cref="TimeProvider"/>, the caller's cancellation, the resolve and total times, and a step's verdict when a
/// step ends the probe. A prober derives its own run to add what it measures. Dispose it when the probe is over
/// (it owns the deadline).
/// </summary>
internal abstract class ProbeRun : IDisposable
{
    private readonly CancellationTokenSource _deadline;
    private readonly CancellationTokenSource _linked;
    private readonly CancellationToken _caller;

    protected ProbeRun(string site, DateTimeOffset at, TimeSpan limit, TimeProvider time, CancellationToken caller)
    {
        _deadline = new CancellationTokenSource(limit, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(caller, _deadline.Token);
        _caller = caller;
        Site = site;
        At = at;
        Limit = limit;
        Time = time;
        Started = time.GetTimestamp();
    }

    /// <summary>The label the result is recorded under.</summary>
    public string Site { get; }

    /// <summary>The result's <c>At</c>: when the probe was scheduled.</summary>
    public DateTimeOffset At { get; }

    /// <summary>The whole probe must finish within this.</summary>
    public TimeSpan Limit { get; }

    public TimeProvider Time { get; }

    /// <summary>The probe's start, a timestamp of <see cref="Time"/>.</summary>
    public long Started { get; }

    /// <summary>Cancelled by the time limit or by the caller.</summary>
    public CancellationToken Token => _linked.Token;

    public bool CallerCancelled => _caller.IsCancellationRequested;

    public bool TimedOut => _deadline.IsCancellationRequested && !_caller.IsCancellationRequested;

    public TimeSpan? Resolve { get; set; }

    public TimeSpan? Total { get; set; }

    /// <summary>A step's verdict when it ends the probe.</summary>
    public ProbeResult? Result { get; set; }

    public ProbeResult Succeed(string? detail) => Build(ProbeFailure.None, detail);

    public ProbeResult Fail(ProbeFailure failure, string detail) => Build(failure, detail);

    /// <summary>The result as measured so far; <see cref="Total"/>, when no step set it, is the time until now.</summary>
    protected virtual ProbeResult Build(ProbeFailure failure, string? detail) => new(Site, At, failure)
    {
        Resolve = Resolve,
        Total = Total ?? Time.GetElapsedTime(Started),
        Detail = detail,
    };

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _linked.Dispose();
            _deadline.Dispose();
        }
    }
}
