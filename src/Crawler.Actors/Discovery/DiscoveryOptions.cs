namespace Crawler.Actors.Discovery;

/// <summary>
/// Discovery while crawling, bound from "Crawler:Discovery" (the zone-transfer settings of the same
/// section, UseZoneServers, NameServerPort, FallbackToConfiguredServers, Timeout and MaxZones, bind onto
/// <see cref="Net.Discovery.ZoneTransferOptions"/>).
/// </summary>
public sealed record DiscoveryOptions
{
    /// <summary>Off: no zone transfer, no reverse sweep; the crawl keeps to its seeds and links.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The zone transferred first; delegated zones follow from their own name servers.</summary>
    public string RootZone { get; init; } = "kp";

    /// <summary>How often discovery runs again (names come and go).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Names found in scope by zone transfer become sites of the crawl (<c>http://name/</c>) when they have an address
    /// (or their www. name has one, which is then the site); the rest are recorded as discovered names only.
    /// </summary>
    public bool AddAsSites { get; init; } = true;

    /// <summary>PTR names in scope become sites too. Off by default: reverse zones mostly name name servers and mail hosts.</summary>
    public bool AddPtrNamesAsSites { get; init; }

    /// <summary>Sweep reverse DNS (PTR) over <see cref="SweptRanges"/>.</summary>
    public bool PtrSweep { get; init; } = true;

    /// <summary>IPv4 ranges swept for PTR names; empty: <see cref="NorthKoreanRanges"/>.</summary>
    public List<string> PtrRanges { get; init; } = [];

    /// <summary>The ranges a sweep covers: <see cref="PtrRanges"/>, else North Korea's.</summary>
    public IReadOnlyList<string> SweptRanges => !PtrSweep ? [] : PtrRanges.Count > 0 ? PtrRanges : NorthKoreanRanges;

    /// <summary>
    /// North Korea's address ranges as datasets/kp/ip-ranges.txt lists them, Star JV's own block (AS131279) first.
    /// (Trend Micro notes that some other "KP" ranges are VPN providers abroad; they are swept last.)
    /// </summary>
    public static IReadOnlyList<string> NorthKoreanRanges { get; } =
    [
        "175.45.176.0/22", "210.52.109.0/24", "5.62.56.160/30", "5.62.61.64/30", "45.42.151.0/24", "46.36.203.81/32",
        "46.36.203.82/30", "57.73.224.0/19", "88.151.117.0/24", "172.97.82.128/25", "185.56.163.144/28",
    ];

    /// <summary>PTR queries per second at most.</summary>
    public double PtrQueriesPerSecond { get; init; } = 5;
}
