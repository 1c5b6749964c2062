// Shared by the bench programs (linked into each project): their `--name value` command lines.
namespace Crawler.Bench;

internal static class BenchArguments
{
    /// <summary>Reads <c>--name value</c> pairs; false when an argument is not one (the caller prints its usage).</summary>
    public static bool TryParse(ReadOnlySpan<string> args, out Dictionary<string, string> options)
    {
        options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                return false;
            }

            options[args[i][2..]] = args[i + 1];
        }

        return true;
    }
}
