using MongoDB.Driver;

namespace Crawler.Storage.Mongo;

/// <summary>
/// One store's client and database, built from <see cref="MongoStoreOptions"/> and checked at once: a
/// connection string the driver cannot parse or a database name MongoDB cannot hold fails in the store's
/// constructor with a message naming <see cref="MongoStoreOptions.Setting"/>, before anything connects. Every
/// call the stores make goes through <see cref="RunAsync{T}"/>, which applies <see cref="MongoFailures"/>.
/// </summary>
internal sealed class MongoConnection : IDisposable
{
    /// <summary>Characters MongoDB refuses in a database name on any platform (the driver checks only some).</summary>
    private static readonly char[] ForbiddenInDatabaseNames = ['/', '\\', '.', ' ', '"', '$', '*', '<', '>', ':', '|', '?', '\0'];

    private readonly MongoClient _client;

    public MongoConnection(MongoStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw Misconfigured("is empty", null);
        }

        MongoUrl url;
        try
        {
            url = MongoUrl.Create(options.ConnectionString);
        }
        catch (Exception e) when (e is MongoConfigurationException or ArgumentException or FormatException)
        {
            var reason = e.Message.Replace(options.ConnectionString, "(the connection string)", StringComparison.Ordinal);
            throw Misconfigured($"is not a usable MongoDB connection string: {MongoFailures.Redact(reason)}", e);
        }

        DatabaseName = options.DatabaseName ?? url.DatabaseName ?? MongoStoreOptions.DefaultDatabaseName;
        Location = Describe(url, DatabaseName);
        if (!DatabaseNamespace.IsValid(DatabaseName) || DatabaseName.Length > 63 || DatabaseName.IndexOfAny(ForbiddenInDatabaseNames) >= 0)
        {
            throw Misconfigured(
                $"names the database '{DatabaseName}', which MongoDB cannot hold (at most 63 characters, none of /\\. \"$*<>:|?)", null);
        }

        if (options.InlinePayloadLimit is < 1024 or > MongoStoreOptions.DefaultInlinePayloadLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.InlinePayloadLimit,
                $"{nameof(MongoStoreOptions)}.{nameof(MongoStoreOptions.InlinePayloadLimit)} must be between 1 KiB and 15 MiB (a BSON document holds 16 MiB).");
        }

        var settings = MongoClientSettings.FromUrl(url);
        settings.WriteConcern = ParseWriteConcern(options.WriteConcern);
        settings.ApplicationName ??= "crawler";
        if (options.ServerSelectionTimeout is { } timeout)
        {
            settings.ServerSelectionTimeout = timeout;
        }

        _client = new MongoClient(settings);
        Database = _client.GetDatabase(DatabaseName);
        InlinePayloadLimit = options.InlinePayloadLimit;
    }

    public IMongoDatabase Database { get; }

    public string DatabaseName { get; }

    /// <summary>Servers and database, without credentials: what messages name.</summary>
    public string Location { get; }

    public int InlinePayloadLimit { get; }

    /// <summary>Runs one store operation; an outage or refused credentials become <see cref="StoreUnavailableException"/>.</summary>
    public async Task<T> RunAsync<T>(string what, Func<Task<T>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (Exception e) when (MongoFailures.Classify(e, Location, what) is { } unavailable)
        {
            throw unavailable;
        }
    }

    public Task RunAsync(string what, Func<Task> body) => RunAsync(what, async () =>
    {
        await body().ConfigureAwait(false);
        return true;
    });

    /// <summary>Wraps a failure met outside <see cref="RunAsync{T}"/> (a cursor's next batch).</summary>
    public Exception Map(Exception e, string what) => MongoFailures.Classify(e, Location, what) ?? e;

    public void Dispose() => _client.Dispose();

    /// <summary>"majority" or a member count; anything else is a configuration error.</summary>
    internal static WriteConcern ParseWriteConcern(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || string.Equals(value, "majority", StringComparison.OrdinalIgnoreCase))
        {
            return WriteConcern.WMajority.With(journal: true);
        }

        if (int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var members) && members >= 1)
        {
            return new WriteConcern(members, journal: true);
        }

        throw new ArgumentOutOfRangeException(nameof(value), value,
            $"{nameof(MongoStoreOptions)}.{nameof(MongoStoreOptions.WriteConcern)} must be \"majority\" or a number of members of at least 1.");
    }

    /// <summary>"mongodb://host1:27017,host2:27017/crawler": what the user configured, minus credentials and options.</summary>
    internal static string Describe(MongoUrl url, string database)
    {
        var scheme = url.Scheme == MongoDB.Driver.Core.Configuration.ConnectionStringScheme.MongoDBPlusSrv ? "mongodb+srv" : "mongodb";
        var servers = string.Join(",", url.Servers.Select(s => url.Scheme == MongoDB.Driver.Core.Configuration.ConnectionStringScheme.MongoDBPlusSrv ? s.Host : $"{s.Host}:{s.Port}"));
        return $"{scheme}://{servers}/{database}";
    }

    private static StoreUnavailableException Misconfigured(string problem, Exception? inner) =>
        new($"{MongoStoreOptions.Setting} {problem}. Expected e.g. mongodb://HOST:27017/crawler "
            + "(credentials as mongodb://USER:PASSWORD@HOST:27017/crawler?authSource=admin).", inner);
}
