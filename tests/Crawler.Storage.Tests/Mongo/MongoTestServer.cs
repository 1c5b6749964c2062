using Crawler.Storage.Mongo;
using DotNet.Testcontainers.Builders;
using MongoDB.Driver;
using Testcontainers.MongoDb;

namespace Crawler.Storage.Tests.Mongo;

/// <summary>
/// The MongoDB server the Mongo contract classes run against, found once per test run: the one
/// <c>CRAWLER_TEST_MONGODB</c> names; else a <c>mongo:8</c> container started through Testcontainers where a
/// Docker engine answers; else none, and every test of those classes is skipped with <see cref="SkipReason"/>.
/// A configured run never passes without a server: a server that cannot be reached fails the tests.
/// </summary>
public sealed class MongoTestServer : IAsyncLifetime
{
    public const string Variable = "CRAWLER_TEST_MONGODB";

    private MongoDbContainer? _container;

    /// <summary>Null when there is no server (see <see cref="SkipReason"/>).</summary>
    public string? ConnectionString { get; private set; }

    /// <summary>Why the MongoDB tests are skipped; null when a server is there.</summary>
    public string? SkipReason { get; private set; }

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            ConnectionString = configured;
            return;
        }

        try
        {
            _container = new MongoDbBuilder("mongo:8").Build();
            await _container.StartAsync();
            ConnectionString = _container.GetConnectionString();
        }
        catch (DockerUnavailableException e)
        {
            _container = null;
            SkipReason = $"no MongoDB server: {Variable} is not set and no Docker engine answers for Testcontainers ({FirstLine(e.Message)}). "
                + $"Run one (docker run -d -p 27017:27017 mongo:8) and set {Variable}=mongodb://localhost:27017";
        }
    }

    public async Task DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }

    /// <summary>A database name of its own for one test (dropped by <see cref="Drop"/>).</summary>
    public static string NewDatabaseName() => "crawler_test_" + Guid.NewGuid().ToString("N");

    /// <summary>Options for the test's database; skips the test when there is no server.</summary>
    public MongoStoreOptions Options(string database, int inlinePayloadLimit = MongoStoreOptions.DefaultInlinePayloadLimit)
    {
        Skip.If(SkipReason is not null, SkipReason);
        return new MongoStoreOptions
        {
            ConnectionString = ConnectionString!,
            DatabaseName = database,
            InlinePayloadLimit = inlinePayloadLimit,
            ServerSelectionTimeout = TimeSpan.FromSeconds(10),
        };
    }

    /// <summary>A direct handle on the test's database, to look at what the store wrote.</summary>
    public IMongoDatabase Database(string database, out MongoClient client)
    {
        Skip.If(SkipReason is not null, SkipReason);
        client = new MongoClient(ConnectionString);
        return client.GetDatabase(database);
    }

    /// <summary>Drops the test's database (nothing to do without a server).</summary>
    public void Drop(string database)
    {
        if (ConnectionString is null)
        {
            return;
        }

        using var client = new MongoClient(ConnectionString);
        client.DropDatabase(database);
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}

/// <summary>One server for every Mongo contract class of the run (they run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class MongoServerCollection : ICollectionFixture<MongoTestServer>
{
    public const string Name = "MongoDB server";
}
