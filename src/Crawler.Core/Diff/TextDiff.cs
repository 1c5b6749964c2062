using DiffPlex;

namespace Crawler.Core.Diff;

/// <summary>Whether a block is in both versions, only the older one or only the newer one.</summary>
public enum DiffKind
{
    Unchanged,
    Removed,
    Added,
}

/// <summary>One block of a diff and what happened to it.</summary>
public sealed record DiffBlock(DiffKind Kind, string Text);

/// <summary>
/// What changed between two versions of a page's text blocks (<see cref="Html.HtmlText"/>): the blocks of both, in order,
/// each unchanged, removed or added; an edited paragraph is its old text removed and its new text added. The longest
/// common subsequence is DiffPlex's (Myers), not hand-written. Pure.
/// </summary>
public static class TextDiff
{
    public static IReadOnlyList<DiffBlock> Compare(IReadOnlyList<string> older, IReadOnlyList<string> newer)
    {
        ArgumentNullException.ThrowIfNull(older);
        ArgumentNullException.ThrowIfNull(newer);
        if (older.Count == 0 || newer.Count == 0)
        {
            return [.. older.Select(t => new DiffBlock(DiffKind.Removed, t)), .. newer.Select(t => new DiffBlock(DiffKind.Added, t))];
        }

        // Blocks are the diff's units: each becomes one "line" (a block never holds a line break once collapsed).
        var result = new Differ().CreateLineDiffs(string.Join('\n', older), string.Join('\n', newer), ignoreWhitespace: false);
        var blocks = new List<DiffBlock>();
        var a = 0;
        var b = 0;
        foreach (var change in result.DiffBlocks)
        {
            for (; a < change.DeleteStartA; a++, b++)
            {
                blocks.Add(new DiffBlock(DiffKind.Unchanged, older[a]));
            }

            for (var i = 0; i < change.DeleteCountA; i++, a++)
            {
                blocks.Add(new DiffBlock(DiffKind.Removed, older[a]));
            }

            for (var i = 0; i < change.InsertCountB; i++, b++)
            {
                blocks.Add(new DiffBlock(DiffKind.Added, newer[b]));
            }
        }

        for (; a < older.Count; a++)
        {
            blocks.Add(new DiffBlock(DiffKind.Unchanged, older[a]));
        }

        return blocks;
    }
}
