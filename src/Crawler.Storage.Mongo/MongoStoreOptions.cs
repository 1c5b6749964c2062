namespace Crawler.Storage.Mongo;

/// <summary>
/// Where the cluster's shared store lives: one MongoDB database holding the crawl (captures, payloads,
/// frontier, settings), DNS history and uptime history, each in collections of its own.
/// </summary>
/// <remarks>
/// The connection string carries what MongoDB's own tools understand (hosts, replica set, TLS,
/// credentials, <c>serverSelectionTimeoutMS</c>, ...). Credentials in it are never repeated in a message:
/// errors name the servers and the database only, and the setting (<see cref="Setting"/>) to fix.
/// </remarks>
public sealed record MongoStoreOptions
{
    /// <summary>The configuration key users set; every error message names it.</summary>
    public const string Setting = "Crawler:Store";

    /// <summary>Database used when neither <see cref="DatabaseName"/> nor the connection string's path names one.</summary>
    public const string DefaultDatabaseName = "crawler";

    /// <summary>
    /// Largest compressed payload kept inline in its payload document. BSON documents hold at most 16 MiB
    /// and the fetcher keeps bodies up to 50 MiB, so larger payloads go to GridFS (chunks of 255 KiB).
    /// </summary>
    public const int DefaultInlinePayloadLimit = 15 * 1024 * 1024;

    /// <summary>A <c>mongodb://</c> or <c>mongodb+srv://</c> connection string.</summary>
    public required string ConnectionString { get; init; }

    /// <summary>The database; null: the connection string's (<c>mongodb://host/NAME</c>), else <see cref="DefaultDatabaseName"/>.</summary>
    public string? DatabaseName { get; init; }

    /// <summary>
    /// "majority" (default) or a number of members (e.g. "1"). Majority, journaled, means an acknowledged
    /// write survives the loss of the primary: what the crawl's "a call that returned is durable" needs
    /// once the store is a replica set.
    /// </summary>
    public string WriteConcern { get; init; } = "majority";

    /// <summary>See <see cref="DefaultInlinePayloadLimit"/>; smaller values (tests) send more payloads to GridFS.</summary>
    public int InlinePayloadLimit { get; init; } = DefaultInlinePayloadLimit;

    /// <summary>
    /// How long an operation waits for a usable server before the store reports itself unavailable; null keeps the
    /// connection string's <c>serverSelectionTimeoutMS</c> (the driver's default is 30 s).
    /// </summary>
    public TimeSpan? ServerSelectionTimeout { get; init; }
}
