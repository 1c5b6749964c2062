using System.Globalization;
using System.Text;
using Crawler.Node.Configuration;

namespace Crawler.Node.Hosting;

/// <summary>Reads the HOCON files of cluster-config/ (copied beside the executable) and writes the node's overrides.</summary>
public static class ClusterConfig
{
    /// <summary>Every node's files, in load order: later ones override earlier ones.</summary>
    public static readonly IReadOnlyList<string> BaseFiles = ["node.hocon", "cluster.hocon"];

    public static string Load(string fileName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "cluster-config", fileName);
        return File.Exists(path)
            ? File.ReadAllText(path)
            : throw new FileNotFoundException($"The HOCON file {path} is missing: it is copied from cluster-config/ at build time; rebuild the node, or name an existing file in Crawler:Cluster:Config.", path);
    }

    /// <summary>The base files, then <paramref name="extra"/> (a file of cluster-config/) when given.</summary>
    public static IEnumerable<string> Files(string? extra)
    {
        foreach (var file in BaseFiles)
        {
            yield return Load(file);
        }

        if (!string.IsNullOrWhiteSpace(extra))
        {
            yield return Load(extra.Trim());
        }
    }

    /// <summary>HOCON of the settings given in the node's configuration (environment variables, options), which win over the files.</summary>
    public static string Overrides(NodeClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var hocon = new StringBuilder();
        if (options.Hostname is { Length: > 0 } host)
        {
            hocon.AppendLine(CultureInfo.InvariantCulture, $"akka.remote.dot-netty.tcp.hostname = {Quote(host)}");
        }

        if (options.PublicHostname is { Length: > 0 } publicHost)
        {
            hocon.AppendLine(CultureInfo.InvariantCulture, $"akka.remote.dot-netty.tcp.public-hostname = {Quote(publicHost)}");
        }

        if (options.Port is { } port)
        {
            hocon.AppendLine(CultureInfo.InvariantCulture, $"akka.remote.dot-netty.tcp.port = {port}");
        }

        if (options.SeedNodes.Count > 0)
        {
            hocon.AppendLine(CultureInfo.InvariantCulture, $"akka.cluster.seed-nodes = [{string.Join(", ", options.SeedNodes.Select(Quote))}]");
        }

        if (options.AppVersion is { Length: > 0 } appVersion)
        {
            hocon.AppendLine(CultureInfo.InvariantCulture, $"akka.cluster.app-version = {Quote(appVersion)}");
        }

        if (options.MinimumMembers is { } minimum)
        {
            hocon.AppendLine(CultureInfo.InvariantCulture, $"akka.cluster.min-nr-of-members = {minimum}");
        }

        if (options.SerializeMessages)
        {
            hocon.AppendLine("akka.actor.serialize-messages = on");
            // Distributed data's ReadRepair never leaves its node and has no serializer: exempt from verification.
            hocon.AppendLine("akka.actor.serializers.node-local = \"Crawler.Actors.Serialization.NodeLocalPassThroughSerializer, Crawler.Actors\"");
            hocon.AppendLine("akka.actor.serialization-bindings.\"Akka.DistributedData.Internal.ReadRepair, Akka.DistributedData\" = node-local");
            hocon.AppendLine("akka.actor.serialization-identifiers.\"Crawler.Actors.Serialization.NodeLocalPassThroughSerializer, Crawler.Actors\" = 7302");
        }

        // Leaving takes what the node is given to stop (handing shards over, the singleton, flushing the archive).
        hocon.AppendLine(CultureInfo.InvariantCulture, $"akka.coordinated-shutdown.phases.cluster-sharding-shutdown-region.timeout = {(int)Math.Max(10, options.ShutdownTimeout.TotalSeconds / 2)}s");
        return hocon.ToString();
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
