using System.Collections.Frozen;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Crawler.Actors.Coordination;
using Crawler.Actors.Discovery;
using Crawler.Actors.Politeness;
using Crawler.Actors.Sites;
using Crawler.Actors.Uptime;

namespace Crawler.Actors.Serialization;

/// <summary>
/// The wire format of every message that crosses nodes (<see cref="ICrawlerMessage"/>): UTF-8 JSON of
/// the record's public properties under a short manifest that names the message, not its CLR type.
/// </summary>
/// <remarks>
/// Why not Akka's default serializer: it writes CLR type names into the payload, so renaming or
/// moving a class breaks a rolling upgrade. Here the manifest (<c>site.crawl</c>) is the contract:
/// a class can move freely as long as it keeps its manifest; a new optional property is ignored by
/// an older node and defaults on a newer one (JSON by name), so nodes of two versions can talk during
/// a rolling restart. A change that is not additive gets a new manifest (<c>site.crawl.v2</c>) and
/// both are read for one release. Enums travel by name, so reordering members is safe.
/// </remarks>
public sealed class CrawlerMessageSerializer : SerializerWithStringManifest
{
    /// <summary>The serializer id (user range, above Akka's reserved 0-100).</summary>
    public const int SerializerId = 7301;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General)
    {
        IgnoreReadOnlyProperties = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Every message type that may cross nodes and its manifest. Manifests never change once released.</summary>
    public static IReadOnlyDictionary<Type, string> Manifests { get; } = new Dictionary<Type, string>
    {
        [typeof(SiteProtocol.Crawl)] = "site.crawl",
        [typeof(SiteProtocol.Discovered)] = "site.discovered",
        [typeof(SiteProtocol.DiscoveredUrl)] = "site.discovered-url",
        [typeof(SiteProtocol.Stop)] = "site.stop",
        [typeof(SiteProtocol.GetReport)] = "site.get-report",
        [typeof(SiteProtocol.SiteReport)] = "site.report",
        [typeof(CoordinatorProtocol.GetStatus)] = "coordinator.get-status",
        [typeof(CoordinatorProtocol.CrawlStatus)] = "coordinator.status",
        [typeof(CoordinatorProtocol.EpochCompleted)] = "coordinator.epoch-completed",
        [typeof(CoordinatorProtocol.AddSeeds)] = "coordinator.add-seeds",
        [typeof(CoordinatorProtocol.AwaitSeeds)] = "coordinator.await-seeds",
        [typeof(CoordinatorProtocol.SeedsAdded)] = "coordinator.seeds-added",
        [typeof(CoordinatorProtocol.WatchCompletion)] = "coordinator.watch-completion",
        [typeof(AddressGateProtocol.Acquire)] = "gate.acquire",
        [typeof(AddressGateProtocol.Granted)] = "gate.granted",
        [typeof(AddressGateProtocol.RequestDone)] = "gate.request-done",
        [typeof(AddressGateProtocol.Renew)] = "gate.renew",
        [typeof(AddressGateProtocol.Release)] = "gate.release",
        [typeof(AddressGateProtocol.GetState)] = "gate.get-state",
        [typeof(AddressGateProtocol.State)] = "gate.state",
        [typeof(ProbeProtocol.Watch)] = "probe.watch",
        [typeof(ProbeProtocol.GetStatus)] = "probe.get-status",
        [typeof(ProbeProtocol.SiteStatus)] = "probe.status",
        [typeof(ProbeProtocol.ProbeCompleted)] = "probe.completed",
        [typeof(ProbeProtocol.StateChanged)] = "probe.state-changed",
        [typeof(ProbeProtocol.CountryOutageChanged)] = "probe.country-outage-changed",
        [typeof(DiscoveryProtocol.RunNow)] = "discovery.run-now",
        [typeof(DiscoveryProtocol.Completed)] = "discovery.completed",
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<string, Type> Types = Manifests.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    public CrawlerMessageSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    public override int Identifier => SerializerId;

    public override string Manifest(object o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return Manifests.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new ArgumentException(
                $"{o.GetType().FullName} is an ICrawlerMessage without a manifest: add it to CrawlerMessageSerializer.Manifests (a new, never reused name).",
                nameof(o));
    }

    public override byte[] ToBinary(object obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        _ = Manifest(obj);
        return JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Json);
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!Types.TryGetValue(manifest, out var type))
        {
            // A message from a newer node this one does not know: Akka drops it and logs this.
            throw new SerializationException($"Unknown crawler message manifest '{manifest}': a node of a newer version sent it; upgrade this node.");
        }

        return JsonSerializer.Deserialize(bytes, type, Json)
            ?? throw new SerializationException($"The crawler message '{manifest}' was empty.");
    }
}
