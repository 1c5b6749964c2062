using System.Numerics;
using System.Text;

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
        var shape = ShapeOf(url);
        var others = links.Where(l => ShapeOf(l) != shape).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return new PageFingerprint(shape, SimHash(blocks.SelectMany(Words)), Fnv(string.Join('\n', others)));
    }

    /// <summary>Charikar's SimHash of the words: near texts have hashes a few bits apart.</summary>
    public static ulong SimHash(IEnumerable<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        Span<int> weights = stackalloc int[64];
        foreach (var word in words)
        {
            var h = Fnv(word);
            for (var bit = 0; bit < 64; bit++)
            {
                weights[bit] += ((h >> bit) & 1) == 1 ? 1 : -1;
            }
        }

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

    public static int Distance(ulong a, ulong b) => BitOperations.PopCount(a ^ b);

    private static IEnumerable<string> Words(string block) =>
        block.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(w => ShapeOf(w.ToLowerInvariant()));

    private static ulong Fnv(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
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
