using Akka.Cluster.Sharding;

namespace Crawler.Actors.Politeness;

/// <summary>Routes gate messages by IP address: each address is one gate entity somewhere in the cluster.</summary>
public sealed class AddressGateMessageExtractor : HashCodeMessageExtractor
{
    public AddressGateMessageExtractor(int maxNumberOfShards = 100)
        : base(maxNumberOfShards)
    {
    }

    public override string? EntityId(object message) => message is IAddressMessage m ? m.Address : null;
}
