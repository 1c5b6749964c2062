using System.Net;
using System.Net.Sockets;

namespace Crawler.Net;

/// <summary>Configuration of <see cref="AddressGuard"/>.</summary>
public sealed record AddressGuardOptions
{
    /// <summary>CIDRs (or single addresses) always admitted, e.g. "127.0.0.0/8" for a simulation.</summary>
    public List<string> Allow { get; init; } = [];

    /// <summary>When false, only addresses in <see cref="Allow"/> are admitted.</summary>
    public bool AllowPublic { get; init; } = true;
}

/// <summary>The verdict of <see cref="AddressGuard.Check"/>.</summary>
public readonly record struct AddressDecision(bool Allowed, string Reason)
{
    public static AddressDecision Admit(string reason) => new(true, reason);

    public static AddressDecision Refuse(string reason) => new(false, reason);
}

/// <summary>
/// Decides whether the crawler may open a connection to an address: refuses loopback, private,
/// link-local, multicast, reserved and similar non-public ranges (also when hidden in IPv4-mapped,
/// IPv4-compatible, NAT64 or 6to4 IPv6 forms) unless an allow-listed CIDR admits them.
/// Thread-safe and allocation-free on the hot path.
/// </summary>
public sealed class AddressGuard
{
    private static readonly (IPNetwork Network, string Reason)[] V4Special =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "unspecified / this network (0.0.0.0/8)"),
        (IPNetwork.Parse("10.0.0.0/8"), "private (10.0.0.0/8)"),
        (IPNetwork.Parse("100.64.0.0/10"), "carrier-grade NAT (100.64.0.0/10)"),
        (IPNetwork.Parse("127.0.0.0/8"), "loopback (127.0.0.0/8)"),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local (169.254.0.0/16)"),
        (IPNetwork.Parse("172.16.0.0/12"), "private (172.16.0.0/12)"),
        (IPNetwork.Parse("192.0.0.0/24"), "IETF protocol assignments (192.0.0.0/24)"),
        (IPNetwork.Parse("192.0.2.0/24"), "documentation (192.0.2.0/24)"),
        (IPNetwork.Parse("192.88.99.0/24"), "6to4 relay anycast (192.88.99.0/24)"),
        (IPNetwork.Parse("192.168.0.0/16"), "private (192.168.0.0/16)"),
        (IPNetwork.Parse("198.18.0.0/15"), "benchmarking (198.18.0.0/15)"),
        (IPNetwork.Parse("198.51.100.0/24"), "documentation (198.51.100.0/24)"),
        (IPNetwork.Parse("203.0.113.0/24"), "documentation (203.0.113.0/24)"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast (224.0.0.0/4)"),
        (IPNetwork.Parse("255.255.255.255/32"), "broadcast (255.255.255.255)"),
        (IPNetwork.Parse("240.0.0.0/4"), "reserved (240.0.0.0/4)"),
    ];

    private static readonly (IPNetwork Network, string Reason)[] V6Special =
    [
        (IPNetwork.Parse("::/128"), "unspecified (::)"),
        (IPNetwork.Parse("::1/128"), "loopback (::1)"),
        (IPNetwork.Parse("100::/64"), "discard-only (100::/64)"),
        (IPNetwork.Parse("2001:2::/48"), "benchmarking (2001:2::/48)"),
        (IPNetwork.Parse("2001:10::/28"), "ORCHID (2001:10::/28)"),
        (IPNetwork.Parse("2001:20::/28"), "ORCHIDv2 (2001:20::/28)"),
        (IPNetwork.Parse("2001:db8::/32"), "documentation (2001:db8::/32)"),
        (IPNetwork.Parse("3fff::/20"), "documentation (3fff::/20)"),
        (IPNetwork.Parse("fc00::/7"), "unique-local (fc00::/7)"),
        (IPNetwork.Parse("fe80::/10"), "link-local (fe80::/10)"),
        (IPNetwork.Parse("fec0::/10"), "site-local (fec0::/10)"),
        (IPNetwork.Parse("ff00::/8"), "multicast (ff00::/8)"),
    ];

    private static readonly IPNetwork Ipv4Compatible = IPNetwork.Parse("::/96");
    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    private readonly IPNetwork[] _allow;
    private readonly bool _allowPublic;

    public AddressGuard(AddressGuardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _allow = [.. options.Allow.Select(ParseNetwork)];
        _allowPublic = options.AllowPublic;
    }

    /// <summary>A guard that admits every public address and nothing else.</summary>
    public static AddressGuard PublicOnly { get; } = new(new AddressGuardOptions());

    /// <summary>Parses "a.b.c.d/n", "x::y/n" or a single address (as /32 or /128).</summary>
    /// <exception cref="FormatException">The text is not a CIDR or has bits set beyond its prefix.</exception>
    public static IPNetwork ParseNetwork(string cidr)
    {
        ArgumentNullException.ThrowIfNull(cidr);
        var text = cidr.Trim();
        if (!text.Contains('/', StringComparison.Ordinal) && IPAddress.TryParse(text, out var single))
        {
            return new IPNetwork(single, single.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
        }

        if (IPNetwork.TryParse(text, out var network)
            && IPAddress.TryParse(text.AsSpan(0, text.IndexOf('/', StringComparison.Ordinal)), out var written)
            && written.Equals(network.BaseAddress))
        {
            return network;
        }

        throw new FormatException(
            $"'{cidr}' is not a CIDR like \"127.0.0.0/8\" or \"fd00::/8\" (the address must have no bits set beyond the prefix length).");
    }

    public AddressDecision Check(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var embedded = EmbeddedIPv4(address);

        foreach (var network in _allow)
        {
            if (network.Contains(address) || (embedded is not null && network.Contains(embedded)))
            {
                return AddressDecision.Admit($"allow-listed ({network})");
            }
        }

        if (!_allowPublic)
        {
            return AddressDecision.Refuse("only allow-listed ranges admitted");
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // Only :: and ::1 of the IPv4-compatible block are IPv6 specials; the rest embed IPv4.
            foreach (var (network, reason) in V6Special)
            {
                if (network.Contains(address))
                {
                    return AddressDecision.Refuse(reason);
                }
            }
        }

        if (embedded is not null)
        {
            foreach (var (network, reason) in V4Special)
            {
                if (network.Contains(embedded))
                {
                    return AddressDecision.Refuse(
                        ReferenceEquals(embedded, address) ? reason : $"{reason} embedded in {address}");
                }
            }
        }
        else if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return AddressDecision.Refuse($"unsupported address family {address.AddressFamily}");
        }

        return AddressDecision.Admit("public");
    }

    /// <summary>The IPv4 address an address stands for: itself, or the one inside an IPv6 form that embeds IPv4.</summary>
    private static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return address;
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        if (Ipv4Compatible.Contains(address) || Nat64.Contains(address))
        {
            // ::a.b.c.d (deprecated IPv4-compatible) and 64:ff9b::a.b.c.d (NAT64) both end in the IPv4 address;
            // :: and ::1 have all-zero leading bytes too, but they are handled as IPv6 specials first.
            var v4 = new IPAddress(bytes[12..]);
            return address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6Loopback) ? null : v4;
        }

        if (SixToFour.Contains(address))
        {
            return new IPAddress(bytes[2..6]);
        }

        return null;
    }
}
