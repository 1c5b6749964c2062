using System.Net;

namespace Crawler.Net.Tests;

internal static class Fixtures
{
    public static readonly AddressGuard LoopbackAllowed = new(new AddressGuardOptions { Allow = ["127.0.0.0/8"] });

    public static FetcherOptions Options() => new()
    {
        UserAgent = "TestAgent/1.0",
        ConnectTimeout = TimeSpan.FromSeconds(5),
        HeadersTimeout = TimeSpan.FromSeconds(10),
        BodyTimeout = TimeSpan.FromSeconds(10),
    };

    public static FetchRequest Get(string url, IPAddress? address = null) => new(new Uri(url), address ?? IPAddress.Loopback);
}

