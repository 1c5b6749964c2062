namespace Crawler.Core.Search;

/// <summary>The language a page is searched under: its declared <c>&lt;html lang&gt;</c>, else a guess from its letters. Pure.</summary>
public static class PageLanguage
{
    /// <summary>What a page gets when it declares nothing and has no letters to guess from.</summary>
    public const string Unknown = "und";

    /// <summary>
    /// The primary subtag of the declared language, lower-case (<c>ko-KP</c> is <c>ko</c>); without one, <c>ko</c> when
    /// at least a fifth of the text's letters are Hangul, <c>en</c> when it has Latin letters, else <see cref="Unknown"/>.
    /// </summary>
    public static string Of(string? declared, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Primary(declared) is { } tag)
        {
            return tag;
        }

        long hangul = 0, latin = 0, letters = 0;
        foreach (var c in text)
        {
            if (SearchExpression.IsHangul(c))
            {
                hangul++;
                letters++;
            }
            else if (char.IsLetter(c))
            {
                letters++;
                if (c is >= 'A' and <= 'Z' or >= 'a' and <= 'z')
                {
                    latin++;
                }
            }
        }

        return hangul > 0 && hangul * 5 >= letters ? "ko" : latin > 0 ? "en" : Unknown;
    }

    /// <summary>The primary subtag of a language tag, lower-case; null for none or one that is not letters.</summary>
    public static string? Primary(string? tag)
    {
        var primary = (tag ?? string.Empty).Trim().Split('-', '_')[0];
        return primary.Length is >= 2 and <= 8 && primary.All(char.IsAsciiLetter) ? primary.ToLowerInvariant() : null;
    }
}
