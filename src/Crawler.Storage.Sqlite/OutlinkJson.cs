using System.Text.Json.Serialization;

namespace Crawler.Storage.Sqlite;

/// <summary>Outlinks are kept as a JSON array in one column (document-shaped, like the MongoDB store).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Outlink[]))]
internal sealed partial class OutlinkJson : JsonSerializerContext;
