namespace Crawler.Node.Configuration;

/// <summary>
/// Whether this process runs in a Kubernetes pod, told by what the kubelet gives every container: the API server's
/// address (<c>KUBERNETES_SERVICE_HOST</c>, <c>KUBERNETES_SERVICE_PORT</c>) and the pod's name as its host name. Checked
/// before a node with <see cref="ClusterDiscovery.Kubernetes"/> starts: outside a pod there is no API server to list
/// the other pods and cluster bootstrap would retry forever, so it stops at once with a message instead (and no name
/// is looked up through the system's resolver).
/// </summary>
public static class KubernetesEnvironment
{
    /// <summary>The variables the kubelet sets in every container.</summary>
    public static readonly IReadOnlyList<string> Variables = ["KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT"];

    /// <summary>Why the process given by <paramref name="environment"/> is not in a pod; null when it is.</summary>
    public static string? Problem(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var missing = Variables.Where(v => string.IsNullOrWhiteSpace(environment(v))).ToList();
        return missing.Count == 0
            ? null
            : $"Crawler:Cluster:Discovery = 'Kubernetes' finds the other nodes through the Kubernetes API, which only a pod can reach, "
              + $"but this process is not in one ({string.Join(" and ", missing)} not set). Deploy it with k8s/ (README: Deploy to Kubernetes), "
              + "or outside Kubernetes set Crawler:Cluster:Discovery=Seeds and give Crawler:Cluster:SeedNodes.";
    }

    /// <summary>Why this process is not in a pod; null when it is.</summary>
    public static string? Problem() => Problem(Environment.GetEnvironmentVariable);
}
