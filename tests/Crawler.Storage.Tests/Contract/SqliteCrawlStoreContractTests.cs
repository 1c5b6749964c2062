using Crawler.Storage.Sqlite;

namespace Crawler.Storage.Tests.Contract;

/// <summary>The contract against the embedded store: a fresh database file per test.</summary>
public sealed class SqliteCrawlStoreContractTests : CrawlStoreContract, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "crawler-storage-tests", Guid.NewGuid().ToString("N"));

    // A folder that does not exist yet: the store creates it.
    private string DatabasePath => Path.Combine(_folder, "data", "crawler.db");

    protected override async Task<ICrawlStore> CreateStoreAsync()
    {
        var store = new SqliteCrawlStore(new SqliteStoreOptions { Path = DatabasePath });
        await store.InitializeAsync();
        return store;
    }

    protected override Task<ICrawlStore> ReopenStoreAsync() => CreateStoreAsync();

    protected override (Func<ICrawlStore> Create, string Location) UnusableStore()
    {
        // A file where the database folder should be: refused even for root, unlike a chmod.
        Directory.CreateDirectory(_folder);
        var blocker = Path.Combine(_folder, "not-a-folder");
        File.WriteAllText(blocker, "in the way");
        var path = Path.Combine(blocker, "crawler.db");
        return (() => new SqliteCrawlStore(new SqliteStoreOptions { Path = path }), path);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
