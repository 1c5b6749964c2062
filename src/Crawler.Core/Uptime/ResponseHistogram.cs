// Written by hand: the hourly store needs a small, fixed bucket layout that is the same for every
// site and hour, so that any set of hours merges by adding counts and percentiles can be read from
// the sum (as Prometheus histograms do). HdrHistogram (not referenced by this project) sizes its
// buckets from configuration and serialises a much larger structure; a 70-count array is enough here.
namespace Crawler.Core.Uptime;

/// <summary>
/// Counts of response times in fixed log-spaced buckets, four per doubling from 1 ms:
/// <list type="bullet">
/// <item>bucket 0: [0, 1 ms);</item>
/// <item>bucket k, 1 ≤ k ≤ 68: [2^((k−1)/4) ms, 2^(k/4) ms), each about 18.9 % wider than the last,
/// up to 2^17 ms = 131.072 s (bounds are rounded to whole ticks of 100 ns);</item>
/// <item>bucket 69: [131.072 s, ∞).</item>
/// </list>
/// A percentile is estimated as the geometric middle of the bucket that holds the nearest-rank
/// percentile, clamped to the observed min/max when known. Error bound: for a true percentile in
/// [1 ms, 131.072 s) the estimate is within <see cref="RelativeErrorBound"/> (9.1 %; exactly
/// 2^(1/8) − 1 ≈ 9.05 % plus tick rounding) of it; below 1 ms within 0.5 ms; at or above 131.072 s
/// the estimate is 131.072 s, with no bound on the error (probe time limits are well below it).
/// Immutable; equality is by counts.
/// </summary>
public sealed class ResponseHistogram : IEquatable<ResponseHistogram>
{
    public const int BucketsPerDoubling = 4;
    public const int Doublings = 17;

    /// <summary>Number of buckets: underflow, 68 log-spaced, overflow.</summary>
    public const int BucketCount = (BucketsPerDoubling * Doublings) + 2;

    /// <summary>Largest relative error of a percentile estimate for values in [1 ms, 131.072 s).</summary>
    public const double RelativeErrorBound = 0.091;

    /// <summary>Largest absolute error of a percentile estimate for values below 1 ms.</summary>
    public static readonly TimeSpan AbsoluteErrorBelowOneMillisecond = TimeSpan.FromTicks(5_000);

    // Bounds[k] = 2^(k/4) ms in ticks, k = 0..68: the lower bound of bucket k + 1.
    private static readonly long[] Bounds = Enumerable.Range(0, (BucketsPerDoubling * Doublings) + 1)
        .Select(k => (long)Math.Round(TimeSpan.TicksPerMillisecond * Math.Pow(2, k / (double)BucketsPerDoubling)))
        .ToArray();

    private readonly long[] counts;

    private ResponseHistogram(long[] counts)
    {
        this.counts = counts;
        Count = counts.Sum();
    }

    public static ResponseHistogram Empty { get; } = new(new long[BucketCount]);

    /// <summary>Number of recorded values.</summary>
    public long Count { get; }

    /// <summary>The <see cref="BucketCount"/> counts, by bucket index.</summary>
    public IReadOnlyList<long> Counts => counts;

    /// <summary>Rebuilds a histogram from stored counts.</summary>
    public static ResponseHistogram FromCounts(IEnumerable<long> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var array = counts.ToArray();
        if (array.Length != BucketCount || array.Any(c => c < 0))
        {
            throw new ArgumentException($"Expected {BucketCount} non-negative counts.", nameof(counts));
        }

        return new ResponseHistogram(array);
    }

    public static ResponseHistogram Of(IEnumerable<TimeSpan> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var array = new long[BucketCount];
        foreach (var value in values)
        {
            array[BucketOf(value)]++;
        }

        return new ResponseHistogram(array);
    }

    /// <summary>The bucket that holds <paramref name="value"/> (which must not be negative).</summary>
    public static int BucketOf(TimeSpan value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value.Ticks, nameof(value));
        var found = Array.BinarySearch(Bounds, value.Ticks);
        return found >= 0 ? found + 1 : ~found;
    }

    /// <summary>Inclusive lower bound of a bucket.</summary>
    public static TimeSpan LowerBound(int bucket)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bucket);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(bucket, BucketCount);
        return bucket == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Bounds[bucket - 1]);
    }

    /// <summary>Exclusive upper bound of a bucket; null for the overflow bucket.</summary>
    public static TimeSpan? UpperBound(int bucket)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bucket);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(bucket, BucketCount);
        return bucket == BucketCount - 1 ? null : TimeSpan.FromTicks(Bounds[bucket]);
    }

    public ResponseHistogram Merge(ResponseHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var sum = new long[BucketCount];
        for (var i = 0; i < BucketCount; i++)
        {
            sum[i] = counts[i] + other.counts[i];
        }

        return new ResponseHistogram(sum);
    }

    /// <summary>
    /// Estimates the <paramref name="quantile"/> (0 &lt; q ≤ 1, e.g. 0.95) by nearest rank: the value of
    /// rank ⌈q·n⌉ in sorted order. Null when empty. <paramref name="min"/>/<paramref name="max"/>, when
    /// given, are the exact observed extremes and narrow the estimate.
    /// </summary>
    public TimeSpan? Percentile(double quantile, TimeSpan? min = null, TimeSpan? max = null)
    {
        if (!(quantile > 0 && quantile <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(quantile), "Quantile must be in (0, 1].");
        }

        if (Count == 0)
        {
            return null;
        }

        var rank = Math.Clamp((long)Math.Ceiling(quantile * Count), 1, Count);
        var bucket = 0;
        for (long seen = counts[0]; seen < rank; seen += counts[++bucket])
        {
        }

        var estimate = bucket switch
        {
            0 => Bounds[0] / 2,
            BucketCount - 1 => Bounds[^1],
            _ => (long)Math.Round(Math.Sqrt((double)Bounds[bucket - 1] * Bounds[bucket])),
        };
        if (max is { } hi && estimate > hi.Ticks)
        {
            estimate = hi.Ticks;
        }

        if (min is { } lo && estimate < lo.Ticks)
        {
            estimate = lo.Ticks;
        }

        return TimeSpan.FromTicks(estimate);
    }

    public bool Equals(ResponseHistogram? other) => other is not null && counts.AsSpan().SequenceEqual(other.counts);

    public override bool Equals(object? obj) => Equals(obj as ResponseHistogram);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var c in counts)
        {
            hash.Add(c);
        }

        return hash.ToHashCode();
    }
}
