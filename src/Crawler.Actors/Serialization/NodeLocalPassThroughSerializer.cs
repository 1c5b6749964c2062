using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Serialization;

namespace Crawler.Actors.Serialization;

/// <summary>
/// Exempts Akka's own node-local messages from <c>akka.actor.serialize-messages = on</c> (the tests' setting),
/// as <see cref="INoSerializationVerificationNeeded"/> would if Akka marked them. The one bound to it is
/// distributed data's internal <c>ReadRepair</c>: a replicator's read aggregator sends it to its own replicator,
/// never over the wire, so Akka binds no serializer to it; the JSON fallback fails on its version vector, and
/// sharding's coordinator, which reads its state through it, then stalls for good (seen in the three-node test).
/// </summary>
/// <remarks>
/// Verification serializes a message and reads it back at once; this hands the same object back through a
/// token, so nothing about these messages is checked (there is no wire format of theirs to check). Bound only
/// when serialize-messages is on (<c>ClusterConfig.Overrides</c>); a message that did reach the wire would fail
/// on the receiving node, whose table does not hold its token.
/// </remarks>
public sealed class NodeLocalPassThroughSerializer(ExtendedActorSystem system) : Serializer(system)
{
    /// <summary>The serializer id (user range, next to <see cref="CrawlerMessageSerializer.SerializerId"/>).</summary>
    public const int SerializerId = 7302;

    private readonly ConcurrentDictionary<Guid, object> _inFlight = new();

    public override int Identifier => SerializerId;

    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var token = Guid.NewGuid();
        _inFlight[token] = obj;
        return token.ToByteArray();
    }

    public override object FromBinary(byte[] bytes, Type type) =>
        bytes is { Length: 16 } && _inFlight.TryRemove(new Guid(bytes), out var obj)
            ? obj
            : throw new System.Runtime.Serialization.SerializationException(
                $"A node-local message ({type?.Name ?? "unknown type"}) came from another node or was read twice: it is only ever verified in place.");
}
