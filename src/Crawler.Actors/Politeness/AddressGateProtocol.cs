namespace Crawler.Actors.Politeness;

/// <summary>
/// The protocol of <see cref="AddressGate"/>: at most one request at a time per IP address, so
/// several small sites sharing one fragile server are not hit in parallel.
/// </summary>
public static class AddressGateProtocol
{
    public sealed record Acquire(string Address, string Host);

    public sealed record Granted(string Address);

    public sealed record Release(string Address, string Host);
}
