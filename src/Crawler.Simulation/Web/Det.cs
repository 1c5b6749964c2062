namespace Crawler.Simulation.Web;

// Stable, seedable hashing (SplitMix64 + FNV-1a). Written by hand because string.GetHashCode and
// HashCode are randomized per process, and generation must be identical across runs and machines.
internal static class Det
{
    public static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    public static ulong Hash(int seed, string salt, long a = 0, long b = 0)
    {
        ulong h = 14695981039346656037UL;
        foreach (var c in salt)
        {
            h ^= c;
            h *= 1099511628211UL;
        }

        return Mix(Mix(Mix(h ^ (ulong)seed) ^ (ulong)a) ^ (ulong)b);
    }

    /// <summary>A value in [0, n).</summary>
    public static int Pick(int n, int seed, string salt, long a = 0, long b = 0) =>
        n <= 0 ? 0 : (int)(Hash(seed, salt, a, b) % (ulong)n);

    /// <summary>A deterministic permutation of 0..n-1.</summary>
    public static int[] Permutation(int n, int seed, string salt)
    {
        var p = Enumerable.Range(0, n).ToArray();
        for (var i = n - 1; i > 0; i--)
        {
            var j = Pick(i + 1, seed, salt, i);
            (p[i], p[j]) = (p[j], p[i]);
        }

        return p;
    }

    public static byte[] Bytes(int length, int seed, string salt, long a = 0)
    {
        var bytes = new byte[length];
        ulong state = Hash(seed, salt, a, length);
        for (var i = 0; i < length; i += 8)
        {
            state = Mix(state);
            for (var k = 0; k < 8 && i + k < length; k++)
            {
                bytes[i + k] = (byte)(state >> (8 * k));
            }
        }

        return bytes;
    }
}
