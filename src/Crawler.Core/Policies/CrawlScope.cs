using System.Net;

namespace Crawler.Core.Policies;

/// <summary>
/// Which hosts the crawl fetches: hosts under the .kp top-level domain plus configured extra
/// domains (North Korean sites outside .kp, such as uriminzokkiri.com) and their subdomains, and
/// address literals (<c>http://175.45.176.71/</c>, as .kp pages often link) inside configured
/// address ranges. Everything else is off scope: recorded as an outlink, never fetched.
/// </summary>
public sealed class CrawlScope
{
    private readonly string[] _suffixes;
    private readonly IPNetwork[] _ranges;

    public CrawlScope(IEnumerable<string> domains)
        : this(domains, [])
    {
    }

    /// <param name="domains">Domains in scope with their subdomains ("kp").</param>
    /// <param name="addressRanges">CIDRs whose address-literal hosts are in scope ("175.45.176.0/22").</param>
    /// <exception cref="FormatException">A range is not a CIDR.</exception>
    public CrawlScope(IEnumerable<string> domains, IEnumerable<string> addressRanges)
    {
        ArgumentNullException.ThrowIfNull(domains);
        ArgumentNullException.ThrowIfNull(addressRanges);
        _suffixes = domains
            .Select(d => d.Trim().Trim('.').ToLowerInvariant())
            .Where(d => d.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        _ranges = addressRanges.Select(ParseRange).ToArray();
    }

    public IReadOnlyList<IPNetwork> AddressRanges => _ranges;

    private static IPNetwork ParseRange(string text)
    {
        var t = text.Trim();
        var address = t.Split('/')[0];

        // Dotted quads or IPv6 only: inet_aton would read "175.45.176/22" as 175.45.0.176/22.
        var wellFormed = address.Contains(':', StringComparison.Ordinal) || address.Count(c => c == '.') == 3;
        if (wellFormed && IPNetwork.TryParse(t, out var network))
        {
            return network;
        }

        if (wellFormed && IPAddress.TryParse(t, out var single))
        {
            return new IPNetwork(single, single.GetAddressBytes().Length * 8);
        }

        throw new FormatException($"scope address range '{text}' is not a CIDR such as 175.45.176.0/22 or 2001:db8::/32.");
    }

    /// <summary>The address of a literal host ("10.0.0.1", "[::1]"), null for a name.</summary>
    private static IPAddress? Literal(string host)
    {
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            return IPAddress.TryParse(host.AsSpan(1, host.Length - 2), out var v6) ? v6 : null;
        }

        // Only the dotted-quad form canonical URLs carry ("1" or "0x7f.1" are names to this check).
        return host.Count(c => c == '.') == 3 && host.All(c => char.IsAsciiDigit(c) || c == '.') && IPAddress.TryParse(host, out var v4) ? v4 : null;
    }

    /// <summary>The default scope: the .kp top-level domain.</summary>
    public static CrawlScope KpOnly { get; } = new(["kp"]);

    public IReadOnlyList<string> Domains => _suffixes;

    public bool IsInScope(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (Literal(host) is { } address)
        {
            var unmapped = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
            return _ranges.Any(r => r.Contains(address) || r.Contains(unmapped));
        }

        var h = host.TrimEnd('.');
        foreach (var suffix in _suffixes)
        {
            if (h.Length == suffix.Length && h.Equals(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (h.Length > suffix.Length
                && h[h.Length - suffix.Length - 1] == '.'
                && h.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
