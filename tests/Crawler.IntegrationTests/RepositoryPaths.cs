namespace Crawler.IntegrationTests;

internal static class RepositoryPaths
{
    /// <summary>The checkout's root (where Crawler.sln is), found from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>ReplayWeb.page's published files (index.html, ui.js, sw.js), unpacked by test.sh.</summary>
    public static string ReplayWebPage => Path.Combine(Root, "tools", "replaywebpage", "package");

    public static string WarcioBin => Path.Combine(Root, "tools", "warcio", "node_modules", "warcio", "dist", "cli.js");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Crawler.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Crawler.sln not found above " + AppContext.BaseDirectory);
    }
}
