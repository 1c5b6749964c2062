namespace Crawler.Simulation.Dns;

/// <summary>Domain name normalisation: lower case, no trailing dot; the root is the empty string.</summary>
internal static class DnsNames
{
    public static string Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var trimmed = name.Trim();
        if (trimmed.EndsWith('.'))
        {
            trimmed = trimmed[..^1];
        }

        return trimmed.ToLowerInvariant();
    }

    /// <summary>True when <paramref name="name"/> equals <paramref name="ancestor"/> or lies below it (both normalised).</summary>
    public static bool IsEqualOrBelow(string name, string ancestor)
    {
        if (ancestor.Length == 0)
        {
            return true;
        }

        if (name.Length == ancestor.Length)
        {
            return string.Equals(name, ancestor, StringComparison.Ordinal);
        }

        return name.Length > ancestor.Length
            && name.EndsWith(ancestor, StringComparison.Ordinal)
            && name[name.Length - ancestor.Length - 1] == '.';
    }

    /// <summary>The parent name ("www.kcna.kp" gives "kcna.kp", "kp" gives the root ""), or null for the root.</summary>
    public static string? Parent(string name)
    {
        if (name.Length == 0)
        {
            return null;
        }

        var dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? string.Empty : name[(dot + 1)..];
    }

    public static int LabelCount(string name) => name.Length == 0 ? 0 : name.Count(c => c == '.') + 1;

    /// <summary>Absolute form with trailing dot, as in zone files.</summary>
    public static string Absolute(string name) => name + ".";
}
