namespace Crawler.Simulation.Dns;

internal enum ResolutionCode
{
    NoError,
    NxDomain,
    Refused,
}

internal sealed class Resolution
{
    public ResolutionCode Code { get; set; }

    public bool Authoritative { get; set; }

    public List<ZoneRecord> Answer { get; } = [];

    public List<ZoneRecord> Authority { get; } = [];

    public List<ZoneRecord> Additional { get; } = [];
}

/// <summary>
/// Authoritative answering over a <see cref="CatalogState"/>, free of any wire format: the closest enclosing zone answers;
/// names outside every zone are refused; delegations without a local child zone give a referral; CNAMEs are followed
/// through all local zones; missing names give NXDOMAIN and existing names without the type NODATA, both with the SOA.
/// </summary>
internal static class ZoneResolver
{
    public const ushort AnyType = 255;
    private const int MaxCnameChain = 8;

    public static Resolution Resolve(CatalogState state, string name, ushort type)
    {
        ArgumentNullException.ThrowIfNull(state);
        var result = new Resolution();
        var qname = DnsNames.Normalize(name);
        var seen = new HashSet<string>(StringComparer.Ordinal);

        for (var hop = 0; hop <= MaxCnameChain; hop++)
        {
            var zone = state.FindZone(qname);
            if (zone is null)
            {
                // Outside our data: refuse the original question; a CNAME pointing outside ends the chain as is.
                if (hop == 0)
                {
                    result.Code = ResolutionCode.Refused;
                }

                return result;
            }

            result.Authoritative = true;
            if (!seen.Add(qname))
            {
                return result; // CNAME loop
            }

            var cut = FindDelegation(zone, qname);
            if (cut is not null)
            {
                if (hop == 0)
                {
                    result.Authoritative = false;
                }

                var nameServers = zone.At(cut).Where(r => r.Type == RrType.NS).ToList();
                result.Authority.AddRange(nameServers);
                AddAddressesOf(zone, nameServers.Cast<NameRr>().Select(ns => ns.Target), result.Additional);
                return result;
            }

            var atName = zone.At(qname);
            if (atName.Count == 0)
            {
                result.Code = zone.NameExists(qname) ? ResolutionCode.NoError : ResolutionCode.NxDomain;
                result.Authority.Add(NegativeSoa(zone.Soa));
                return result;
            }

            var matches = type == AnyType ? atName.ToList() : atName.Where(r => (ushort)r.Type == type).ToList();
            if (matches.Count > 0)
            {
                result.Code = ResolutionCode.NoError;
                result.Answer.AddRange(matches);
                AddAdditionals(state, matches, result.Additional);
                return result;
            }

            var cname = atName.OfType<NameRr>().FirstOrDefault(r => r.Type == RrType.CNAME);
            if (cname is null)
            {
                result.Code = ResolutionCode.NoError; // NODATA
                result.Authority.Add(NegativeSoa(zone.Soa));
                return result;
            }

            result.Answer.Add(cname);
            result.Code = ResolutionCode.NoError;
            qname = cname.Target;
        }

        return result;
    }

    /// <summary>The records of a zone transfer (SOA, records, SOA), or null if the name is not a zone apex here.</summary>
    public static IReadOnlyList<ZoneRecord>? Transfer(CatalogState state, string zoneName)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.GetZone(DnsNames.Normalize(zoneName))?.Transfer();
    }

    /// <summary>RFC 2308: the SOA in a negative answer carries TTL min(SOA TTL, SOA minimum).</summary>
    private static SoaRr NegativeSoa(SoaRr soa) => soa with { Ttl = Math.Min(soa.Ttl, soa.Minimum) };

    /// <summary>The closest name between the apex (exclusive) and qname (inclusive) that has NS records in this zone.</summary>
    private static string? FindDelegation(ZoneData zone, string qname)
    {
        string? cut = null;
        for (var name = qname; name is not null && !string.Equals(name, zone.Origin, StringComparison.Ordinal); name = DnsNames.Parent(name))
        {
            if (zone.At(name).Any(r => r.Type == RrType.NS))
            {
                cut = name; // keep walking up: the highest cut below the apex is the one that applies
            }
        }

        return cut;
    }

    private static void AddAdditionals(CatalogState state, List<ZoneRecord> answers, List<ZoneRecord> additional)
    {
        var targets = answers.Select(r => r switch
        {
            MxRr mx => mx.Exchange,
            NameRr { Type: RrType.NS } ns => ns.Target,
            SrvRr srv => srv.Target,
            _ => null,
        }).OfType<string>().Distinct(StringComparer.Ordinal);

        foreach (var target in targets)
        {
            var zone = state.FindZone(target);
            if (zone is not null)
            {
                AddAddressesOf(zone, [target], additional);
            }
        }
    }

    private static void AddAddressesOf(ZoneData zone, IEnumerable<string> names, List<ZoneRecord> additional)
    {
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            additional.AddRange(zone.At(name).OfType<AddressRr>().Where(r => !additional.Contains(r)));
        }
    }
}
