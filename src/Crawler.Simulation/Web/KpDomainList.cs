using System.Net;
using Crawler.Simulation.Dns;

namespace Crawler.Simulation.Web;

internal sealed record KpDomain(string Name, bool InZone2016, IReadOnlyList<IPAddress> Addresses2016);

/// <summary>The known sites of the embedded kp-domains.csv, as the site generator needs them (parsed by the DNS side's reader).</summary>
internal static class KpDomainList
{
    private static readonly Lazy<IReadOnlyList<KpDomain>> All = new(() =>
        KpDomainsCsv.Parse(ZoneCatalog.ReadEmbeddedKpDomains())
            .Select(r => new KpDomain(r.Domain.ToLowerInvariant(), r.InAxfr2016, r.ARecords2016))
            .ToList());

    public static IReadOnlyList<KpDomain> Domains => All.Value;

    /// <summary>175.a.b.c → 127.a.b.c.</summary>
    public static IPAddress ToLoopback(IPAddress address) => LoopbackAddressMap.Map(address);
}
