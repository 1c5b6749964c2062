using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Crawler.Net.Tests.Notifications;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also reports every timer armed with a finite due time other than
/// <paramref name="ignore"/> (the per-attempt time-out), so a test can see each backoff the moment it is
/// scheduled and advance fake time by exactly that much.
/// </summary>
internal sealed class RecordingClock(TimeSpan ignore) : TimeProvider
{
    private readonly Channel<TimeSpan> _delays = Channel.CreateUnbounded<TimeSpan>();

    public FakeTimeProvider Fake { get; } = new(new DateTimeOffset(2016, 9, 19, 0, 0, 0, TimeSpan.Zero));

    public ChannelReader<TimeSpan> Delays => _delays.Reader;

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Fake.CreateTimer(callback, state, dueTime, period);
        Note(dueTime);
        return new RecordingTimer(timer, this);
    }

    private void Note(TimeSpan dueTime)
    {
        if (dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan && dueTime != ignore)
        {
            _delays.Writer.TryWrite(dueTime);
        }
    }

    private sealed class RecordingTimer(ITimer inner, RecordingClock clock) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var changed = inner.Change(dueTime, period);
            clock.Note(dueTime);
            return changed;
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
