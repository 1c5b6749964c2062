namespace Crawler.Node.Hosting;

/// <summary>Reads HOCON files of cluster-config/ (copied beside the executable).</summary>
public static class ClusterConfig
{
    public static string Load(string fileName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "cluster-config", fileName);
        return File.Exists(path)
            ? File.ReadAllText(path)
            : throw new FileNotFoundException($"The HOCON file {path} is missing: it is copied from cluster-config/ at build time; rebuild the node.", path);
    }
}
