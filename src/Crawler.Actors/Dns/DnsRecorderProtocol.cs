namespace Crawler.Actors.Dns;

/// <summary>The protocol of <see cref="DnsRecorder"/>, which keeps each site's DNS as evidence.</summary>
public static class DnsRecorderProtocol
{
    /// <summary>Record the name's DNS now, unless its last record is younger than its TTL.</summary>
    public sealed record Observe(string Name);
}
