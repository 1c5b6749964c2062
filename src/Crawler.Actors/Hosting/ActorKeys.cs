namespace Crawler.Actors.Hosting;

/// <summary>ActorRegistry keys: look actors up with <c>IRequiredActor&lt;T&gt;</c> or <c>ActorRegistry.Get&lt;T&gt;()</c>.</summary>
public sealed class SiteRegionKey;

public sealed class CoordinatorKey;

public sealed class ArchiveWriterKey;

public sealed class AddressGateKey;

public sealed class DnsResolverKey;

public sealed class DiscoveryKey;

public sealed class ProbeRegionKey;

public sealed class CountryMonitorKey;
