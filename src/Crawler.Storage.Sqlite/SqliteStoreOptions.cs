namespace Crawler.Storage.Sqlite;

/// <summary>Where the embedded store keeps its single database file.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>Database file; relative paths resolve against the current directory. The folder is created.</summary>
    public string Path { get; set; } = "data/crawler.db";
}
