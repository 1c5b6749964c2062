using System.Net;
using System.Net.Sockets;

namespace Crawler.IntegrationTests;

/// <summary>Ports for nodes the tests start: free on loopback right now (bound together, then released for the node to bind).</summary>
internal static class LoopbackPorts
{
    public static List<int> Free(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToList();
        listeners.ForEach(l => l.Stop());
        return ports;
    }

    public static int Free() => Free(1)[0];
}
