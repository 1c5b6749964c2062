using System.Net;

namespace Crawler.Simulation.Web;

internal sealed record KpDomain(string Name, bool InZone2016, IReadOnlyList<IPAddress> Addresses2016);

/// <summary>Reads the embedded datasets/kp/kp-domains.csv (no quoted fields with commas in the columns used).</summary>
internal static class KpDomainList
{
    private static readonly Lazy<IReadOnlyList<KpDomain>> All = new(Load);

    public static IReadOnlyList<KpDomain> Domains => All.Value;

    private static IReadOnlyList<KpDomain> Load()
    {
        var asm = typeof(KpDomainList).Assembly;
        var name = asm.GetManifestResourceNames().FirstOrDefault(n => n.EndsWith("kp-domains.csv", StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException("Embedded resource kp-domains.csv is missing from " + asm.GetName().Name);
        using var stream = asm.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        var list = new List<KpDomain>();
        reader.ReadLine(); // header
        while (reader.ReadLine() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var cols = line.Split(',');
            var addrs = cols.Length > 2 && cols[2].Length > 0
                ? cols[2].Split('|').Select(IPAddress.Parse).ToArray()
                : [];
            list.Add(new KpDomain(cols[0].Trim().ToLowerInvariant(), cols.Length > 1 && cols[1] == "yes", addrs));
        }

        return list;
    }

    /// <summary>175.a.b.c → 127.a.b.c (same rule as the DNS simulation's loopback map).</summary>
    public static IPAddress ToLoopback(IPAddress address)
    {
        var b = address.GetAddressBytes();
        b[0] = 127;
        return new IPAddress(b);
    }
}
