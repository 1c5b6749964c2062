using System.Diagnostics;

namespace Crawler.IntegrationTests;

/// <summary>
/// A clock that starts at a fixed instant, runs at the real rate (so that politeness pauses, retries and time-outs
/// behave as they do in production) and jumps forward when the test says: hours of crawl time between epochs that
/// take seconds. Only <see cref="GetUtcNow"/> is the test's; timers and timestamps stay the system's.
/// </summary>
internal sealed class ControlledClock(DateTimeOffset start) : TimeProvider
{
    private readonly long _origin = Stopwatch.GetTimestamp();
    private long _jumpedTicks;

    public override DateTimeOffset GetUtcNow() =>
        start + Stopwatch.GetElapsedTime(_origin) + TimeSpan.FromTicks(Interlocked.Read(ref _jumpedTicks));

    /// <summary>Moves the clock forward at once.</summary>
    public void Jump(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _jumpedTicks, by.Ticks);
    }
}
