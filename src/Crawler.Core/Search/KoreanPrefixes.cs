namespace Crawler.Core.Search;

/// <summary>
/// The leading parts of the Hangul words of a text, for a store whose full-text index matches whole words only
/// (MongoDB's text index): indexed beside the text, they let 조선 find 조선의 and 조선은. Pure.
/// </summary>
public static class KoreanPrefixes
{
    /// <summary>Most prefixes one word gives (Korean words with their particles are short; a long run is not a word).</summary>
    public const int MaxWordLength = 12;

    /// <summary>Every distinct proper prefix of one syllable or more of every Hangul word, in first-seen order.</summary>
    public static IReadOnlyList<string> Of(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>();
        foreach (var word in SearchExpression.Words(text))
        {
            if (!SearchExpression.HasHangul(word))
            {
                continue;
            }

            var length = Math.Min(word.Length, MaxWordLength + 1);
            for (var n = 1; n < length; n++)
            {
                var prefix = word[..n];
                if (seen.Add(prefix))
                {
                    result.Add(prefix);
                }
            }
        }

        return result;
    }
}
