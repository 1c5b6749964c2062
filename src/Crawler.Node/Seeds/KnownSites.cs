using System.Reflection;

namespace Crawler.Node.Seeds;

/// <summary>A site of the seed list: its domain and whether it lies under .kp.</summary>
public sealed record KnownSite(string Domain, bool IsKp);

/// <summary>
/// The known North Korean sites (datasets/kp/kp-domains.csv, built into the executable): the
/// default seeds of <c>crawler run</c>.
/// </summary>
public static class KnownSites
{
    public static IReadOnlyList<KnownSite> BuiltIn()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Crawler.Node.kp-domains.csv")
            ?? throw new InvalidOperationException("The built-in kp-domains.csv resource is missing from the build.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    public static IReadOnlyList<KnownSite> FromFile(string path) => Parse(File.ReadAllText(path));

    /// <summary>First column: domain; a header row starting with "domain" is skipped; '#' starts a comment.</summary>
    public static IReadOnlyList<KnownSite> Parse(string csv)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var sites = new List<KnownSite>();
        foreach (var raw in csv.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var domain = line.Split(',')[0].Trim().Trim('"').TrimEnd('.').ToLowerInvariant();
            if (domain.Length == 0 || domain == "domain" || domain.Contains(' ', StringComparison.Ordinal))
            {
                continue;
            }

            sites.Add(new KnownSite(domain, domain == "kp" || domain.EndsWith(".kp", StringComparison.Ordinal)));
        }

        return sites.DistinctBy(s => s.Domain).ToList();
    }
}
