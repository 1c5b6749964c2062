using System.Text;

namespace Crawler.Core.Search;

/// <summary>
/// A short passage of a page around the first words a search matched, as HTML (the text escaped, the matches in <c>&lt;b&gt;</c>), for a store that has no
/// snippet function of its own (MongoDB); SQLite's FTS5 writes its own with <c>snippet()</c> and the same marks. Pure.
/// </summary>
public static class Snippet
{
    public const string Open = "<b>";
    public const string Close = "</b>";
    public const string Ellipsis = "…";

    /// <summary>Marks a store's own snippet function puts around a match (control characters no page text keeps).</summary>
    public const char MarkOpen = '\u0001';

    public const char MarkClose = '\u0002';

    /// <summary>A snippet whose matches are marked with <see cref="MarkOpen"/> / <see cref="MarkClose"/>, as HTML: the text escaped, the matches in <see cref="Open"/> / <see cref="Close"/>.</summary>
    public static string FromMarked(string marked)
    {
        ArgumentNullException.ThrowIfNull(marked);
        return System.Net.WebUtility.HtmlEncode(marked).Replace(MarkOpen.ToString(), Open, StringComparison.Ordinal).Replace(MarkClose.ToString(), Close, StringComparison.Ordinal);
    }

    /// <summary>
    /// About <paramref name="words"/> words of <paramref name="text"/> starting a little before the first matched word,
    /// each word that equals or (for a prefix term) starts with a searched word wrapped in <see cref="Open"/> /
    /// <see cref="Close"/> (compared case-insensitively); the text's first words when nothing matches.
    /// </summary>
    public static string Of(string text, SearchExpression expression, int words = 16)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(expression);
        var tokens = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var searched = expression.Included.SelectMany(t => t.Words.Select((w, i) => (Word: w, Prefix: t.Prefix && i == t.Words.Count - 1))).ToList();
        bool Matches(string token) => SearchExpression.Words(token).Any(w => searched.Any(s =>
            s.Prefix ? w.StartsWith(s.Word, StringComparison.OrdinalIgnoreCase) : w.Equals(s.Word, StringComparison.OrdinalIgnoreCase)));

        var first = Array.FindIndex(tokens, Matches);
        var start = first < 0 ? 0 : Math.Max(0, first - 3);
        var end = Math.Min(tokens.Length, start + words);
        var sb = new StringBuilder();
        if (start > 0)
        {
            sb.Append(Ellipsis);
        }

        for (var i = start; i < end; i++)
        {
            if (i > start)
            {
                sb.Append(' ');
            }

            sb.Append(Matches(tokens[i]) ? MarkOpen + tokens[i] + MarkClose : tokens[i]);
        }

        if (end < tokens.Length)
        {
            sb.Append(Ellipsis);
        }

        return FromMarked(sb.ToString());
    }
}
