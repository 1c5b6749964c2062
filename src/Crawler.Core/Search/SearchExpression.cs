using System.Text;

namespace Crawler.Core.Search;

/// <summary>One word or phrase of a search: its words as the user typed them, whether it is a prefix and whether it is excluded.</summary>
public sealed record SearchTerm(IReadOnlyList<string> Words, bool Prefix, bool Excluded)
{
    public bool IsPhrase => Words.Count > 1;

    /// <summary>The words joined by single spaces.</summary>
    public string Text => string.Join(' ', Words);
}

/// <summary>
/// A researcher's search box input, parsed into terms and written out as a store's query syntax: SQLite FTS5's
/// <c>MATCH</c> expression (<see cref="ToFts5"/>) and MongoDB's <c>$text</c> search string (<see cref="ToMongoText"/>).
/// </summary>
/// <remarks>
/// The syntax is a search engine's, small: words must all be present (AND); <c>"a b"</c> is a phrase; a leading <c>-</c>
/// excludes a word or phrase; a trailing <c>*</c> makes a word a prefix. Everything else is text: a word is cut at
/// anything that is not a letter or a digit (as FTS5's unicode61 tokenizer cuts the indexed text), and every word is
/// written quoted, so FTS5 operators typed by a user (<c>NEAR</c>, <c>OR</c>, <c>AND</c>, <c>NOT</c>, <c>^</c>, a column
/// filter <c>title:</c>, parentheses) are searched as words and can neither break the query nor change its meaning.
/// A word containing Hangul is always a prefix: Korean attaches particles to words (조선의, 조선은, 조선에서), so 조선
/// must find them. Pure.
/// </remarks>
public sealed class SearchExpression
{
    /// <summary>The most terms a query may have (a pasted page is not a query).</summary>
    public const int MaxTerms = 32;

    private SearchExpression(IReadOnlyList<SearchTerm> terms) => Terms = terms;

    public IReadOnlyList<SearchTerm> Terms { get; }

    /// <summary>The terms a match must have.</summary>
    public IEnumerable<SearchTerm> Included => Terms.Where(t => !t.Excluded);

    /// <summary>
    /// Parses <paramref name="input"/>; false with <paramref name="error"/> (what was wrong and what to write) when it has
    /// no word to look for, only excluded words, or more than <see cref="MaxTerms"/> terms.
    /// </summary>
    public static bool TryParse(string? input, out SearchExpression expression, out string error)
    {
        expression = new SearchExpression([]);
        var terms = new List<SearchTerm>();
        var text = input ?? string.Empty;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var excluded = false;
            if (c == '-' && i + 1 < text.Length && !char.IsWhiteSpace(text[i + 1]))
            {
                excluded = true;
                i++;
            }

            string chunk;
            var prefix = false;
            if (i < text.Length && text[i] == '"')
            {
                var end = text.IndexOf('"', i + 1);
                chunk = end < 0 ? text[(i + 1)..] : text[(i + 1)..end];
                i = end < 0 ? text.Length : end + 1;
            }
            else
            {
                var start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] != '"')
                {
                    i++;
                }

                chunk = text[start..i];
                prefix = chunk.EndsWith('*');
            }

            var words = Words(chunk);
            if (words.Count == 0)
            {
                continue;
            }

            // A word with Hangul is a prefix (particles); a phrase keeps its words exact but its last may take a particle.
            prefix = prefix || (words.Count == 1 && HasHangul(words[0]));
            terms.Add(new SearchTerm(words, prefix || (words.Count > 1 && HasHangul(words[^1])), excluded));
        }

        if (terms.Count == 0)
        {
            error = $"q has no word to search for ('{Shorten(text)}'): write one or more words, e.g. q=조선 or q=\"Kim Il Sung\".";
            return false;
        }

        if (terms.All(t => t.Excluded))
        {
            error = $"q only excludes words ('{Shorten(text)}'): add a word to look for before the -excluded ones.";
            return false;
        }

        if (terms.Count > MaxTerms)
        {
            error = $"q has {terms.Count} terms; at most {MaxTerms} are searched at once. Use fewer words or a \"phrase\".";
            return false;
        }

        expression = new SearchExpression(terms);
        error = string.Empty;
        return true;
    }

    /// <summary>
    /// The FTS5 MATCH expression: included terms (implicit AND), then <c>NOT</c> each excluded one. Every word is an FTS5
    /// string (double quotes doubled), so nothing a user typed is read as FTS5 syntax.
    /// </summary>
    public string ToFts5()
    {
        var sb = new StringBuilder();
        foreach (var term in Included)
        {
            if (sb.Length > 0)
            {
                sb.Append(' ');
            }

            AppendFts5(sb, term);
        }

        foreach (var term in Terms.Where(t => t.Excluded))
        {
            sb.Append(" NOT ");
            AppendFts5(sb, term);
        }

        return sb.ToString();
    }

    /// <summary>
    /// MongoDB's <c>$text</c> <c>$search</c> string: every included term quoted (MongoDB ANDs quoted phrases, where bare
    /// words would be ORed), excluded ones as <c>-word</c> / <c>-"phrase"</c>. MongoDB has no prefix search: a Hangul
    /// word is found by the prefixes the store indexes beside the text (<see cref="KoreanPrefixes"/>), another prefix
    /// term is searched as the whole word.
    /// </summary>
    public string ToMongoText()
    {
        var parts = new List<string>();
        foreach (var term in Terms)
        {
            var text = term.Text;
            parts.Add(term.Excluded
                ? (term.IsPhrase ? "-\"" + text + "\"" : "-" + text)
                : "\"" + text + "\"");
        }

        return string.Join(' ', parts);
    }

    /// <summary>The words of a chunk as FTS5's unicode61 tokenizer cuts text: runs of letters, digits and marks.</summary>
    public static IReadOnlyList<string> Words(string chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var words = new List<string>();
        var start = -1;
        for (var i = 0; i <= chunk.Length; i++)
        {
            var inWord = i < chunk.Length && IsWordChar(chunk[i]);
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                words.Add(chunk[start..i]);
                start = -1;
            }
        }

        return words;
    }

    /// <summary>Whether the text holds a Hangul syllable or jamo.</summary>
    public static bool HasHangul(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var c in text)
        {
            if (IsHangul(c))
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsHangul(char c) => c is >= '\uAC00' and <= '\uD7A3' or >= '\u1100' and <= '\u11FF' or >= '\u3130' and <= '\u318F';

    private static bool IsWordChar(char c) =>
        char.IsLetterOrDigit(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.NonSpacingMark
            or System.Globalization.UnicodeCategory.SpacingCombiningMark || char.IsSurrogate(c);

    private static void AppendFts5(StringBuilder sb, SearchTerm term)
    {
        sb.Append('"').Append(term.Text.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        if (term.Prefix)
        {
            sb.Append('*');
        }
    }

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
