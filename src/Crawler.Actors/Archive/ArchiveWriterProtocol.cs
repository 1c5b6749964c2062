using Akka.Actor;
using Crawler.Storage;

namespace Crawler.Actors.Archive;

/// <summary>
/// The protocol of <see cref="ArchiveWriter"/>, the one path by which fetch results reach the store. Node-local
/// (each node's sites write through that node's writer), so the storage records it carries are never serialized.
/// </summary>
public static class ArchiveWriterProtocol
{
    /// <summary>Persist a fetch result; answered with <see cref="Persisted"/> once durable.</summary>
    public sealed record Persist(FetchCommit Commit) : INoSerializationVerificationNeeded;

    /// <summary>Settle a URL without a fetch; answered with <see cref="Persisted"/> once durable.</summary>
    public sealed record Settle(FrontierUpdate Update) : INoSerializationVerificationNeeded;

    /// <summary>The sender's write for this URL is durable.</summary>
    public sealed record Persisted(string Url) : INoSerializationVerificationNeeded;

    /// <summary>Flush now and answer <see cref="Flushed"/> (used at shutdown).</summary>
    public sealed record Flush : INoSerializationVerificationNeeded;

    public sealed record Flushed : INoSerializationVerificationNeeded;
}
