namespace Crawler.Storage.Mongo.Documents;

/// <summary>
/// Times as BSON dates: UTC milliseconds since the epoch. The mapping truncates to the millisecond itself
/// (as the SQLite store does with ToUnixTimeMilliseconds), so a document in memory equals the one read back
/// and the rendered queries carry exactly the instants the server compares.
/// </summary>
internal static class BsonTime
{
    public static DateTime ToBson(DateTimeOffset at) => DateTime.UnixEpoch.AddMilliseconds(at.ToUnixTimeMilliseconds());

    public static DateTime? ToBson(DateTimeOffset? at) => at is { } value ? ToBson(value) : null;

    public static DateTimeOffset FromBson(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc), TimeSpan.Zero);

    public static DateTimeOffset? FromBson(DateTime? at) => at is { } value ? FromBson(value) : null;
}
