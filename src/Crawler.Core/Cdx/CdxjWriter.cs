using System.Text;

namespace Crawler.Core.Cdx;

/// <summary>Writes CDXJ indexes sorted byte-wise (as <c>LC_ALL=C sort</c> does).</summary>
public static class CdxjWriter
{
    /// <summary>Writes one line per entry, ordered by the lines' UTF-8 bytes, each ending in LF.</summary>
    public static void WriteSorted(IEnumerable<CdxjEntry> entries, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(output);
        foreach (string line in SortedLines(entries))
        {
            output.Write(line);
            output.Write('\n');
        }
    }

    /// <summary>The entries' lines, ordered by their UTF-8 bytes.</summary>
    public static IReadOnlyList<string> SortedLines(IEnumerable<CdxjEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var lines = entries.Select(e => e.ToLine()).Select(l => (Line: l, Bytes: Encoding.UTF8.GetBytes(l))).ToList();
        lines.Sort(static (a, b) => a.Bytes.AsSpan().SequenceCompareTo(b.Bytes));
        return [.. lines.Select(l => l.Line)];
    }
}
