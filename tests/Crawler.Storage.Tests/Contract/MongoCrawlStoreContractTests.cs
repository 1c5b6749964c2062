namespace Crawler.Storage.Tests.Contract;

/// <summary>
/// The contract against MongoDB. Skipped unless CRAWLER_TEST_MONGODB holds a connection string;
/// with it set, every test fails until a MongoDB store exists (a configured run never passes vacuously).
/// </summary>
public sealed class MongoCrawlStoreContractTests : CrawlStoreContract
{
    private const string Variable = "CRAWLER_TEST_MONGODB";

    protected override Task<ICrawlStore> CreateStoreAsync() => throw NotImplemented();

    protected override Task<ICrawlStore> ReopenStoreAsync() => throw NotImplemented();

    protected override (Func<ICrawlStore> Create, string Location) UnusableStore() => throw NotImplemented();

    private static NotImplementedException NotImplemented()
    {
        Skip.If(
            string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable)),
            $"set {Variable} to a connection string to run the MongoDB contract");
        return new NotImplementedException("no MongoDB store implemented yet");
    }
}
