using System.Text.RegularExpressions;
using Crawler.Core.Uptime;
using Crawler.Storage;
using Crawler.Storage.Mongo;
using Crawler.Storage.Sqlite;

namespace Crawler.Node.Configuration;

/// <summary>
/// Where the archive lives, from <c>Crawler:Store</c>: <c>sqlite:PATH</c> (the embedded store, one node or
/// several on one machine sharing the file) or a <c>mongodb://</c> / <c>mongodb+srv://</c> connection string
/// (a cluster's). Unset: <c>sqlite:</c> the data directory's <c>crawler.db</c>. The connection string, with its
/// credentials, may instead sit in a file (<c>Crawler:StoreFile</c>, a mounted Kubernetes Secret); it is never
/// logged or shown with its password.
/// </summary>
public sealed partial record StoreLocation
{
    public const string Setting = "Crawler:Store";
    public const string FileSetting = "Crawler:StoreFile";

    private StoreLocation(string? sqlitePath, string? mongoConnection)
    {
        SqlitePath = sqlitePath;
        MongoConnectionString = mongoConnection;
    }

    /// <summary>The SQLite file; null for MongoDB.</summary>
    public string? SqlitePath { get; }

    /// <summary>The MongoDB connection string (credentials included: never print it, print <see cref="Display"/>); null for SQLite.</summary>
    public string? MongoConnectionString { get; }

    public bool IsSqlite => SqlitePath is not null;

    /// <summary>How the store is named to people: the SQLite file's full path, or the connection string without its password.</summary>
    public string Display => SqlitePath is { } path
        ? Path.GetFullPath(path)
        : Password().Replace(MongoConnectionString!, "$1:****@", 1);

    /// <summary>The store the options name; throws <see cref="StoreLocationException"/> naming the setting when they name none.</summary>
    public static StoreLocation From(NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Store;
        if (options.StoreFile is { Length: > 0 } file)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                throw new StoreLocationException($"Both {Setting} and {FileSetting} are set; set one (the file holds the connection string, for credentials kept out of the environment).");
            }

            value = File.Exists(file)
                ? File.ReadAllText(file).Trim()
                : throw new StoreLocationException($"{FileSetting} = '{file}' does not exist. Point it at a file holding the store's connection string (a mounted Secret), or set {Setting} instead.");
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            return new StoreLocation(Path.Combine(options.DataDirectory, "crawler.db"), null);
        }

        value = value.Trim();
        if (value.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            var path = value["sqlite:".Length..];
            return path.Length > 0
                ? new StoreLocation(path, null)
                : throw new StoreLocationException($"{Setting} = 'sqlite:' names no file. Write sqlite:PATH, e.g. sqlite:/srv/crawl/crawler.db.");
        }

        if (value.StartsWith("mongodb://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("mongodb+srv://", StringComparison.OrdinalIgnoreCase))
        {
            return new StoreLocation(null, value);
        }

        // Say what it starts with, never the whole value: it may hold a password.
        var start = value.Length > 12 ? value[..12] + "…" : value;
        throw new StoreLocationException($"{Setting} = '{start}' is neither sqlite:PATH nor a mongodb:// connection string. Leave it unset for {Path.Combine(options.DataDirectory, "crawler.db")}.");
    }

    private MongoStoreOptions Mongo => new() { ConnectionString = MongoConnectionString!, ServerSelectionTimeout = TimeSpan.FromSeconds(10) };

    private SqliteStoreOptions Sqlite => new() { Path = SqlitePath! };

    public ICrawlStore OpenCrawlStore() => IsSqlite ? new SqliteCrawlStore(Sqlite) : new MongoCrawlStore(Mongo);

    public IDnsStore OpenDnsStore() => IsSqlite ? new SqliteDnsStore(Sqlite) : new MongoDnsStore(Mongo);

    /// <summary>The full-text search index beside the crawl: FTS5 tables in the SQLite file, a collection in MongoDB.</summary>
    public ISearchIndex OpenSearchIndex() => IsSqlite ? new SqliteSearchIndex(Sqlite) : new MongoSearchIndex(Mongo);

    public IUptimeStore OpenUptimeStore(UptimeThresholds? thresholds = null) =>
        IsSqlite ? new SqliteUptimeStore(Sqlite, thresholds) : new MongoUptimeStore(Mongo, thresholds);

    /// <summary>Whether there is an archive to read: the SQLite file exists (a MongoDB store is asked when opened).</summary>
    public bool MayHoldArchive => !IsSqlite || File.Exists(SqlitePath);

    [GeneratedRegex(@"^(mongodb(?:\+srv)?://[^:/@]+):[^@]*@", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Password();
}

/// <summary><c>Crawler:Store</c> (or <c>Crawler:StoreFile</c>) names no store; the message says which setting and how to write it.</summary>
public sealed class StoreLocationException : Exception
{
    public StoreLocationException()
    {
    }

    public StoreLocationException(string message)
        : base(message)
    {
    }

    public StoreLocationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
