using System.Net;
using System.Net.Sockets;

namespace Crawler.Simulation.Dns;

/// <summary>
/// Maps real addresses of the .kp web onto loopback so the simulation never routes off the machine.
/// IPv4 a.b.c.d becomes 127.b.c.d (175.45.176.71 becomes 127.45.176.71): the last three octets are kept,
/// so sites that shared one real address still share one loopback address, and distinct addresses stay distinct
/// within one /8. Addresses already in 127.0.0.0/8 are returned unchanged (the map is idempotent).
/// IPv6 has a single loopback address, so every IPv6 address maps to ::1 (distinct IPv6 addresses collapse);
/// the 2016 data contains no AAAA records. An IPv4-mapped IPv6 address maps its embedded IPv4 address.
/// </summary>
public static class LoopbackAddressMap
{
    public static IPAddress Map(IPAddress real)
    {
        ArgumentNullException.ThrowIfNull(real);

        if (real.AddressFamily == AddressFamily.InterNetwork)
        {
            var bytes = real.GetAddressBytes();
            bytes[0] = 127;
            return new IPAddress(bytes);
        }

        if (real.IsIPv4MappedToIPv6)
        {
            return Map(real.MapToIPv4()).MapToIPv6();
        }

        return IPAddress.IPv6Loopback;
    }
}
