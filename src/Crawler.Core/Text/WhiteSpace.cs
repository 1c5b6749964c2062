using System.Runtime.CompilerServices;

namespace Crawler.Core.Text;

/// <summary>
/// <see cref="char.IsWhiteSpace(char)"/> without the Unicode category look-up for characters outside Latin-1: every
/// character of every page's text passes through it twice (its blocks are collapsed, then hashed for near-duplicates),
/// and in Korean text nearly all of them are outside Latin-1.
/// </summary>
public static class WhiteSpace
{
    /// <summary>The same answer as <see cref="char.IsWhiteSpace(char)"/> for every UTF-16 unit: U+0009–U+000D, U+0020,
    /// U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F and U+3000.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Is(char c) => c <= '\u00A0'
        ? c == ' ' || (c >= '\t' && c <= '\r') || c == '\u0085' || c == '\u00A0'
        : c >= '\u1680' && (c == '\u1680' || (c >= '\u2000' && (c <= '\u200A' || c == '\u2028' || c == '\u2029' || c == '\u202F' || c == '\u205F' || c == '\u3000')));
}
