namespace Crawler.Actors.Serialization;

/// <summary>
/// A message that may cross nodes: bound to <see cref="CrawlerMessageSerializer"/> in
/// <c>cluster-config/cluster.hocon</c>. Every such type has a stable manifest in
/// <see cref="CrawlerMessageSerializer.Manifests"/>; messages that never leave an actor are
/// <c>INoSerializationVerificationNeeded</c> instead.
/// </summary>
public interface ICrawlerMessage;
