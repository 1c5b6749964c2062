namespace Crawler.Storage.Sqlite;

/// <summary>
/// How schema 5 stores capture ids and payload digests (issue 9's archive size): the forms the crawler writes as the
/// bytes they spell, a capture id of 32 lower-case hex digits (a GUID's "N" form) as a 16-byte BLOB and a
/// "sha256:" + 64 lower-case hex digest as a 32-byte BLOB; any other string as the TEXT it is, so that every id and
/// digest reads back exactly as it was written. Rows of schema 4 and older hold the TEXT forms: a lookup matches
/// either (<see cref="Text"/> is the text a row of an older version holds). Pure.
/// </summary>
internal static class BinaryKeys
{
    private const string Sha256 = "sha256:";

    /// <summary>What a capture id is stored as: byte[16] or the string itself.</summary>
    public static object Id(string id) => IsLowerHex(id, 0, 32) ? Convert.FromHexString(id) : id;

    /// <summary>What a payload digest is stored as: byte[32] or the string itself.</summary>
    public static object Digest(string digest) =>
        digest.Length == Sha256.Length + 64 && digest.StartsWith(Sha256, StringComparison.Ordinal) && IsLowerHex(digest, Sha256.Length, 64)
            ? Convert.FromHexString(digest.AsSpan(Sha256.Length))
            : digest;

    /// <summary>A stored capture id (BLOB or TEXT) as its string.</summary>
    public static string IdText(object stored) => stored switch
    {
        byte[] { Length: 16 } bytes => Convert.ToHexStringLower(bytes),
        string text => text,
        _ => throw new InvalidDataException($"A stored capture id is a {stored.GetType().Name} of a form this version does not write."),
    };

    /// <summary>A stored payload digest (BLOB or TEXT) as its string.</summary>
    public static string DigestText(object stored) => stored switch
    {
        byte[] { Length: 32 } bytes => Sha256 + Convert.ToHexStringLower(bytes),
        string text => text,
        _ => throw new InvalidDataException($"A stored payload digest is a {stored.GetType().Name} of a form this version does not write."),
    };

    private static bool IsLowerHex(string s, int start, int count)
    {
        if (s.Length != start + count)
        {
            return false;
        }

        foreach (var c in s.AsSpan(start))
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }
}
