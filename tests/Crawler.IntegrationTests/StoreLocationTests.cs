using Crawler.Node.Configuration;
using Crawler.Storage.Mongo;
using Crawler.Storage.Sqlite;
using Xunit;

namespace Crawler.IntegrationTests;

/// <summary><c>Crawler:Store</c> chooses the store: SQLite by default or by path, MongoDB by connection string, from the environment or a mounted file.</summary>
public sealed class StoreLocationTests
{
    [Fact]
    public async Task Unset_the_store_is_the_data_directorys_sqlite_file_and_a_sqlite_path_names_another()
    {
        var data = Path.Combine(Path.GetTempPath(), "crawler-store-" + Guid.NewGuid().ToString("N"));
        var byDefault = StoreLocation.From(new NodeOptions { DataDirectory = data });
        Assert.Equal(Path.GetFullPath(Path.Combine(data, "crawler.db")), byDefault.Display);

        var elsewhere = Path.Combine(data, "elsewhere", "archive.db");
        var named = StoreLocation.From(new NodeOptions { DataDirectory = data, Store = "sqlite:" + elsewhere });
        Assert.False(named.MayHoldArchive);
        try
        {
            await using (var store = named.OpenCrawlStore())
            {
                Assert.IsType<SqliteCrawlStore>(store);
                await store.InitializeAsync();
            }

            Assert.True(File.Exists(elsewhere));
            Assert.True(named.MayHoldArchive);
            Assert.False(File.Exists(Path.Combine(data, "crawler.db")));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task A_mongodb_connection_string_opens_the_mongodb_stores_and_is_shown_without_its_password()
    {
        var location = StoreLocation.From(new NodeOptions { Store = "mongodb://archivist:s3cret@mongo-0.mongo:27017/crawler?authSource=admin" });
        Assert.Equal("mongodb://archivist:****@mongo-0.mongo:27017/crawler?authSource=admin", location.Display);
        Assert.True(location.MayHoldArchive);
        await using var crawl = location.OpenCrawlStore();
        await using var dns = location.OpenDnsStore();
        await using var uptime = location.OpenUptimeStore();
        Assert.IsType<MongoCrawlStore>(crawl); // constructing connects nowhere: the driver connects on first use
        Assert.IsType<MongoDnsStore>(dns);
        Assert.IsType<MongoUptimeStore>(uptime);
    }

    [Fact]
    public void The_connection_string_may_come_from_a_mounted_file_but_not_from_both_places()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "mongodb://u:p@db:27017/crawler\n");
            Assert.Equal("mongodb://u:****@db:27017/crawler", StoreLocation.From(new NodeOptions { StoreFile = file }).Display);

            var both = Assert.Throws<StoreLocationException>(() => StoreLocation.From(new NodeOptions { StoreFile = file, Store = "sqlite:x.db" }));
            Assert.Contains("Crawler:StoreFile", both.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("sqlite:", "names no file")]
    [InlineData("mysql://root:pw@db/crawl", "neither sqlite:PATH nor a mongodb://")]
    public void A_store_setting_that_names_no_store_is_refused_naming_the_setting(string value, string expected)
    {
        var e = Assert.Throws<StoreLocationException>(() => StoreLocation.From(new NodeOptions { Store = value }));
        Assert.Contains("Crawler:Store", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(":pw@", e.Message, StringComparison.Ordinal);
    }
}
