using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using Crawler.Core.Text;

namespace Crawler.Core.Policies;

/// <summary>
/// What a page looks like to the near-duplicate rule: its URL's shape (digits taken out: <c>/calendar/#/#</c>), a SimHash
/// of its text (digits taken out) and a hash of the links it has to pages of other shapes.
/// </summary>
public sealed record PageFingerprint(string Shape, ulong Text, ulong OtherLinks)
{
    /// <summary>The URL with every run of digits made one <c>#</c>: the pages of a calendar, a listing or an article series share it.</summary>
    public static string ShapeOf(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var shape = new StringBuilder(url.Length);
        for (var i = 0; i < url.Length; i++)
        {
            if (!char.IsAsciiDigit(url[i]))
            {
                shape.Append(url[i]);
            }
            else if (i == 0 || !char.IsAsciiDigit(url[i - 1]))
            {
                shape.Append('#');
            }
        }

        return shape.ToString();
    }

    /// <summary>The fingerprint of the page at <paramref name="url"/> with text <paramref name="blocks"/> and <paramref name="links"/>.</summary>
    public static PageFingerprint Of(string url, IEnumerable<string> blocks, IEnumerable<string> links)
    {
        ArgumentNullException.ThrowIfNull(links);
        var shape = ShapeOf(url);
        // The FNV hash of the distinct links of other shapes, sorted ordinally and joined by '\n', computed without a shape
        // string per link nor the joined string (every page pays for it).
        var others = new List<string>();
        foreach (var link in links)
        {
            if (!HasShape(link, shape))
            {
                others.Add(link);
            }
        }

        others.Sort(StringComparer.Ordinal);
        var hash = FnvOffset;
        string? previous = null;
        foreach (var link in others)
        {
            if (previous is not null)
            {
                if (string.Equals(link, previous, StringComparison.Ordinal))
                {
                    continue;
                }

                hash = (hash ^ '\n') * FnvPrime;
            }

            foreach (var c in link)
            {
                hash = (hash ^ c) * FnvPrime;
            }

            previous = link;
        }

        return new PageFingerprint(shape, SimHashOfText(blocks), hash);
    }

    /// <summary>Whether <see cref="ShapeOf"/>(<paramref name="url"/>) is <paramref name="shape"/>, without making the string.</summary>
    private static bool HasShape(string url, string shape)
    {
        var k = 0;
        for (var i = 0; i < url.Length; i++)
        {
            char c;
            if (!char.IsAsciiDigit(url[i]))
            {
                c = url[i];
            }
            else if (i == 0 || !char.IsAsciiDigit(url[i - 1]))
            {
                c = '#';
            }
            else
            {
                continue;
            }

            if (k == shape.Length || shape[k] != c)
            {
                return false;
            }

            k++;
        }

        return k == shape.Length;
    }

    /// <summary>
    /// <see cref="SimHash"/> of the blocks' words (split at white space, lower-cased, digit runs made one <c>#</c>), hashed
    /// as they are read: the same value as hashing each such word, without a string per word (every page pays for it).
    /// </summary>
    public static ulong SimHashOfText(IEnumerable<string> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        Span<int> ones = stackalloc int[64]; // per bit, the words whose hash has it set
        var words = 0;
        foreach (var block in blocks)
        {
            var hash = FnvOffset;
            var inWord = false;
            var lastDigit = false;
            foreach (var raw in block)
            {
                if (WhiteSpace.Is(raw))
                {
                    lastDigit = false;
                    if (inWord)
                    {
                        CountOnes(ones, hash);
                        words++;
                        hash = FnvOffset;
                        inWord = false;
                    }

                    continue;
                }

                inWord = true;
                var c = LowerInvariant[raw];
                var digit = char.IsAsciiDigit(c);
                if (!digit)
                {
                    hash = (hash ^ c) * FnvPrime;
                }
                else if (!lastDigit)
                {
                    hash = (hash ^ '#') * FnvPrime;
                }

                lastDigit = digit;
            }

            if (inWord)
            {
                CountOnes(ones, hash);
                words++;
            }
        }

        // A bit's SimHash weight is (words with it) − (words without it) = 2 × ones − words.
        for (var bit = 0; bit < 64; bit++)
        {
            ones[bit] = (2 * ones[bit]) - words;
        }

        return Fold(ones);
    }

    /// <summary>Adds the set bits of <paramref name="h"/> to their counters, eight at a time where the CPU has 256-bit vectors (a page has thousands of words).</summary>
    private static void CountOnes(Span<int> ones, ulong h)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            var masks = Vector256.Create(1, 2, 4, 8, 16, 32, 64, 128);
            ref var start = ref MemoryMarshal.GetReference(ones);
            for (var group = 0; group < 8; group++)
            {
                var bits = Vector256.Create((int)((h >> (8 * group)) & 0xFF));
                var set = Vector256.Equals(bits & masks, masks); // -1 in the lanes whose bit is set
                var offset = (nuint)(8 * group);
                (Vector256.LoadUnsafe(ref start, offset) - set).StoreUnsafe(ref start, offset);
            }

            return;
        }

        for (var bit = 0; bit < 64; bit++)
        {
            ones[bit] += (int)((h >> bit) & 1);
        }
    }

    private static void Add(Span<int> weights, ulong h)
    {
        for (var bit = 0; bit < 64; bit++)
        {
            weights[bit] += ((h >> bit) & 1) == 1 ? 1 : -1;
        }
    }

    private static ulong Fold(Span<int> weights)
    {
        ulong hash = 0;
        for (var bit = 0; bit < 64; bit++)
        {
            if (weights[bit] > 0)
            {
                hash |= 1UL << bit;
            }
        }

        return hash;
    }

    /// <summary>Charikar's SimHash of the words: near texts have hashes a few bits apart.</summary>
    public static ulong SimHash(IEnumerable<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        Span<int> weights = stackalloc int[64];
        foreach (var word in words)
        {
            Add(weights, Fnv(word));
        }

        return Fold(weights);
    }

    public static int Distance(ulong a, ulong b) => BitOperations.PopCount(a ^ b);

    /// <summary>char.ToLowerInvariant of every UTF-16 unit, looked up: outside ASCII the call goes to the globalization library, per character of every page.</summary>
    private static readonly char[] LowerInvariant = BuildLowerInvariant();

    private static char[] BuildLowerInvariant()
    {
        var table = new char[char.MaxValue + 1];
        for (var c = 0; c <= char.MaxValue; c++)
        {
            table[c] = char.ToLowerInvariant((char)c);
        }

        return table;
    }

    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    private static ulong Fnv(string text)
    {
        var hash = FnvOffset;
        foreach (var c in text)
        {
            hash = (hash ^ c) * FnvPrime;
        }

        return hash;
    }
}

/// <summary>
/// The near-duplicate trap rule of one site and epoch: a page whose text is within <see cref="MaxDistance"/> bits of
/// <c>maxCopies</c> earlier pages of its shape with the same links to other shapes adds nothing but more of its shape
/// (an empty calendar month, an endless run of empty listing pages): its links to its own shape are not followed.
/// Pages that differ in their text (articles) or in what they link to (listing pages, each with its articles) never are.
/// </summary>
public sealed class NearDuplicates(int maxCopies)
{
    /// <summary>SimHash bits two near-duplicate texts may differ in.</summary>
    public const int MaxDistance = 3;

    private readonly Dictionary<(string Shape, ulong Links), List<ulong>> _seen = [];

    /// <summary>Records the page; true when it is at least the (maxCopies + 1)th near-copy of its kind.</summary>
    public bool IsCopy(PageFingerprint page)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (!_seen.TryGetValue((page.Shape, page.OtherLinks), out var texts))
        {
            _seen[(page.Shape, page.OtherLinks)] = texts = [];
        }

        var copies = texts.Count(t => PageFingerprint.Distance(t, page.Text) <= MaxDistance);
        if (copies >= maxCopies)
        {
            return true;
        }

        if (texts.Count < 4 * maxCopies)
        {
            texts.Add(page.Text);
        }

        return false;
    }

    public void Clear() => _seen.Clear();
}
