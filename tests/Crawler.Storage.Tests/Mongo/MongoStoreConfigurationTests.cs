using System.Net;
using Crawler.Core.Uptime;
using Crawler.Storage.Mongo;
using Crawler.Storage.Tests.Contract;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Clusters;
using MongoDB.Driver.Core.Connections;
using MongoDB.Driver.Core.Servers;

namespace Crawler.Storage.Tests.Mongo;

/// <summary>
/// How the MongoDB stores fail: what runs without a server (a loopback port nothing listens on stands for a server
/// that is down; no packet leaves the machine). Every failure of the store's own making names the setting to fix,
/// in one line, and never repeats the password.
/// </summary>
public sealed class MongoStoreConfigurationTests
{
    private const string Password = "s3cret-pa55";

    [Fact]
    public async Task A_server_that_does_not_answer_makes_every_store_unavailable_in_one_line_naming_the_server_and_the_setting()
    {
        var port = MongoCrawlStoreContractTests.ClosedLoopbackPort();
        var options = new MongoStoreOptions
        {
            ConnectionString = $"mongodb://crawler:{Password}@127.0.0.1:{port}/?authSource=admin",
            DatabaseName = "archive",
            ServerSelectionTimeout = TimeSpan.FromMilliseconds(500),
        };
        Func<Task>[] starts =
        [
            async () => { await using var store = new MongoCrawlStore(options); await store.InitializeAsync(); },
            async () => { await using var store = new MongoDnsStore(options); await store.InitializeAsync(); },
            async () => { await using var store = new MongoUptimeStore(options, UptimeThresholds.Default); await store.InitializeAsync(); },
        ];

        foreach (var start in starts)
        {
            var error = await Assert.ThrowsAsync<StoreUnavailableException>(start);

            Assert.StartsWith($"MongoDB store mongodb://127.0.0.1:{port}/archive could not create ", error.Message, StringComparison.Ordinal);
            Assert.Matches(@": no server could be used within \d+ ms \(last error: Connection refused\) \(check that the server", error.Message);
            Assert.Contains(MongoStoreOptions.Setting, error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(Password, error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', error.Message);
        }
    }

    [Fact]
    public async Task A_store_that_was_reachable_once_reports_each_failed_call_as_unavailable_so_the_crawl_retries()
    {
        var port = MongoCrawlStoreContractTests.ClosedLoopbackPort();
        await using var store = new MongoCrawlStore(new MongoStoreOptions { ConnectionString = $"mongodb://127.0.0.1:{port}", ServerSelectionTimeout = TimeSpan.FromMilliseconds(300) });
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.InitializeAsync());

        // Not initialized: the store refuses work rather than sending it anywhere.
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.CommitAsync([TestData.Commit(TestData.Capture("http://a.kp/"))]));
    }

    [Theory]
    [InlineData("mongodb://crawler:" + Password + "@localhost:notaport/crawler", "is not a usable MongoDB connection string")]
    [InlineData("http://crawler:" + Password + "@localhost:27017/", "is not a usable MongoDB connection string")]
    [InlineData("mongodb://localhost/?w=sometimes&nosuchoption=1&journal=perhaps", "is not a usable MongoDB connection string")]
    [InlineData("  ", "is empty")]
    [InlineData("mongodb://crawler:" + Password + "@localhost:27017/crawl.er", "names the database 'crawl.er'")]
    [InlineData("mongodb://localhost:27017/crawl$er", "names the database 'crawl$er'")]
    public void A_connection_string_that_cannot_be_used_is_refused_at_once_naming_the_setting(string connectionString, string problem)
    {
        var error = Assert.Throws<StoreUnavailableException>(() => new MongoCrawlStore(new MongoStoreOptions { ConnectionString = connectionString }));

        Assert.StartsWith($"{MongoStoreOptions.Setting} {problem}", error.Message, StringComparison.Ordinal);
        Assert.Contains("mongodb://HOST:27017/crawler", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_database_name_in_the_options_wins_over_the_connection_strings_and_crawler_is_the_default()
    {
        var port = MongoCrawlStoreContractTests.ClosedLoopbackPort();

        using var fromOptions = new MongoConnection(new MongoStoreOptions { ConnectionString = $"mongodb://127.0.0.1:{port}/fromurl", DatabaseName = "fromoptions" });
        using var fromUrl = new MongoConnection(new MongoStoreOptions { ConnectionString = $"mongodb://127.0.0.1:{port}/fromurl" });
        using var byDefault = new MongoConnection(new MongoStoreOptions { ConnectionString = $"mongodb://127.0.0.1:{port},127.0.0.2:{port}" });

        Assert.Equal($"mongodb://127.0.0.1:{port}/fromoptions", fromOptions.Location);
        Assert.Equal("fromurl", fromUrl.DatabaseName);
        Assert.Equal($"mongodb://127.0.0.1:{port},127.0.0.2:{port}/crawler", byDefault.Location);
    }

    [Fact]
    public void Writes_wait_for_a_journaled_majority_unless_configured_otherwise()
    {
        var port = MongoCrawlStoreContractTests.ClosedLoopbackPort();
        using var connection = new MongoConnection(new MongoStoreOptions { ConnectionString = $"mongodb://127.0.0.1:{port}" });

        Assert.Equal(new BsonDocument { { "w", "majority" }, { "j", true } }, connection.Database.Settings.WriteConcern.ToBsonDocument());
        Assert.Equal(new BsonDocument { { "w", 2 }, { "j", true } }, MongoConnection.ParseWriteConcern("2").ToBsonDocument());
        Assert.Throws<ArgumentOutOfRangeException>(() => MongoConnection.ParseWriteConcern("sometimes"));
        Assert.Throws<ArgumentOutOfRangeException>(() => MongoConnection.ParseWriteConcern("0"));
    }

    [Fact]
    public void An_inline_payload_limit_a_document_cannot_hold_is_refused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new MongoCrawlStore(new MongoStoreOptions { ConnectionString = "mongodb://127.0.0.1:1", InlinePayloadLimit = 16 * 1024 * 1024 }));

        Assert.Contains(nameof(MongoStoreOptions.InlinePayloadLimit), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refused_credentials_say_what_to_fix_in_the_setting()
    {
        var refused = new MongoAuthenticationException(Connection(), "Unable to authenticate using sasl protocol mechanism SCRAM-SHA-256.",
            Command(18, "Authentication failed."));

        var error = MongoFailures.Classify(refused, "mongodb://db:27017/crawler", "could not create its indexes");

        Assert.NotNull(error);
        Assert.StartsWith("MongoDB store mongodb://db:27017/crawler could not create its indexes: the server refused the credentials", error.Message, StringComparison.Ordinal);
        Assert.Contains("SCRAM-SHA-256", error.Message, StringComparison.Ordinal);
        Assert.Contains($"in {MongoStoreOptions.Setting}", error.Message, StringComparison.Ordinal);
        Assert.Contains("credentials", MongoFailures.Classify(Command(13, "not authorized on crawler to execute command"), "x", "y")!.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(91)]    // ShutdownInProgress
    [InlineData(189)]   // PrimarySteppedDown
    [InlineData(10107)] // NotWritablePrimary
    [InlineData(11600)] // InterruptedAtShutdown
    [InlineData(64)]    // WriteConcernFailed
    public void A_server_shutting_down_or_changing_primary_is_unavailable(int code)
    {
        var error = MongoFailures.Classify(Command(code, "going away"), "mongodb://db:27017/crawler", "could not commit a batch");

        Assert.NotNull(error);
        Assert.Contains("could not commit a batch: Command insert failed: going away.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lost_connection_or_time_out_is_unavailable_and_anything_else_propagates_as_it_is()
    {
        Assert.NotNull(MongoFailures.Classify(new MongoConnectionException(Connection(), "An exception occurred while receiving a message from the server."), "l", "w"));
        Assert.NotNull(MongoFailures.Classify(new TimeoutException("timed out"), "l", "w"));
        Assert.NotNull(MongoFailures.Classify(new InvalidOperationException("wrapped", new IOException("reset")), "l", "w"));

        Assert.Null(MongoFailures.Classify(Command(11000, "E11000 duplicate key error"), "l", "w"));
        Assert.Null(MongoFailures.Classify(Command(10334, "BSONObj size is invalid"), "l", "w"));
        Assert.Null(MongoFailures.Classify(new ArgumentException("Batch rejected"), "l", "w"));
        Assert.Null(MongoFailures.Classify(new OperationCanceledException(), "l", "w"));
    }

    [Fact]
    public void A_server_selection_time_out_is_told_by_how_long_it_waited_and_its_last_connection_error()
    {
        const string driverMessage = """
            A timeout occurred after 10001ms selecting a server using CompositeServerSelector{ Selectors = WritableServerSelector }. Client view of cluster state is { ClusterId : "1", Type : "Unknown", State : "Disconnected", Servers : [{ ServerId: "{ ClusterId : 1, EndPoint : "127.0.0.1:9" }", EndPoint: "127.0.0.1:9", ReasonChanged: "Heartbeat", State: "Disconnected", ServerVersion: , TopologyVersion: , Type: "Unknown", HeartbeatException: "MongoDB.Driver.MongoConnectionException: An exception occurred while opening a connection to the server.
             ---> System.Net.Sockets.SocketException (111): Connection refused
               at MongoDB.Driver.Core.Misc.TaskExtensions.WaitTask(Task task, TimeSpan timeout, CancellationToken cancellationToken)
            """;

        Assert.Equal("no server could be used within 10001 ms (last error: Connection refused)", MongoFailures.Reason(new TimeoutException(driverMessage)));
        Assert.Equal("first line", MongoFailures.Reason(new MongoClientException("first line\nsecond line")));
    }

    [Fact]
    public void Credentials_are_cut_out_of_any_text_a_message_repeats()
    {
        Assert.Equal("mongodb://db:27017/x and mongodb+srv://cluster.example/", MongoFailures.Redact($"mongodb://user:{Password}@db:27017/x and mongodb+srv://u%40x:{Password}@cluster.example/"));
    }

    private static ConnectionId Connection() => new(new ServerId(new ClusterId(), new DnsEndPoint("db", 27017)));

    private static MongoCommandException Command(int code, string message) =>
        new(Connection(), $"Command insert failed: {message}.", new BsonDocument("insert", "captures"),
            new BsonDocument { { "ok", 0 }, { "code", code }, { "errmsg", message } });
}
