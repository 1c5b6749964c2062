namespace Crawler.Node.Configuration;

/// <summary>The node's own settings, bound from the "Crawler" configuration section.</summary>
public sealed record NodeOptions
{
    public const string Section = "Crawler";

    /// <summary>Folder of the embedded store and exports (relative to the working directory).</summary>
    public string DataDirectory { get; init; } = "data";

    /// <summary>The archive's store: <c>sqlite:PATH</c> or a <c>mongodb://</c> connection string; unset: <c>DataDirectory/crawler.db</c>. See <see cref="StoreLocation"/>.</summary>
    public string? Store { get; init; }

    /// <summary>A file holding <see cref="Store"/>'s value (a mounted Secret), so credentials stay out of the environment.</summary>
    public string? StoreFile { get; init; }

    public SeedOptions Seeds { get; init; } = new();

    /// <summary>Show the live terminal view (when the terminal is interactive).</summary>
    public bool LiveView { get; init; } = true;

    public HttpOptions Http { get; init; } = new();

    public NodeClusterOptions Cluster { get; init; } = new();
}

/// <summary>
/// Where this node listens and whom it joins. The cluster's own settings are HOCON files in
/// cluster-config/ (node.hocon, cluster.hocon, then <see cref="Config"/>); these override them.
/// </summary>
public sealed record NodeClusterOptions
{
    /// <summary>An extra HOCON file of cluster-config/ loaded last ("local-three-node.hocon", "kubernetes.hocon"); empty: none.</summary>
    public string? Config { get; init; }

    /// <summary>The address remoting binds to; null keeps the HOCON files' (127.0.0.1 by default).</summary>
    public string? Hostname { get; init; }

    /// <summary>The address other nodes reach this one at, when it differs from <see cref="Hostname"/> (a pod's IP).</summary>
    public string? PublicHostname { get; init; }

    /// <summary>The remoting port; null keeps the HOCON files' (0: any free port, fine for a node alone).</summary>
    public int? Port { get; init; }

    /// <summary>Nodes to join, e.g. akka.tcp://crawler@127.0.0.1:4551. Empty (here and in the HOCON files): the node forms a cluster of one.</summary>
    public List<string> SeedNodes { get; init; } = [];

    /// <summary>
    /// Members that must have joined before the cluster starts work (akka.cluster.min-nr-of-members); null keeps the
    /// files' (1). It holds only the first start: a cluster that later loses nodes goes on with fewer.
    /// </summary>
    public int? MinimumMembers { get; init; }

    /// <summary>Serialize every message, even between actors of one node (tests: a message that could not cross nodes fails at once).</summary>
    public bool SerializeMessages { get; init; }

    /// <summary>How long a stopping node (SIGTERM, Ctrl+C) takes at most to hand its work over and leave the cluster.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How the node finds the others: <see cref="ClusterDiscovery.Seeds"/> (the seed nodes as given) or
    /// <see cref="ClusterDiscovery.Kubernetes"/> (cluster bootstrap: the pods found through the Kubernetes API; outside a
    /// pod the node stops at start instead of waiting for them).
    /// </summary>
    public ClusterDiscovery Discovery { get; init; } = ClusterDiscovery.Seeds;

    /// <summary>
    /// This node's version in the cluster (akka.cluster.app-version): during a rolling update shards go to the members
    /// of the newest version. Null: the crawler's own version (the image's, built with -p:Version).
    /// </summary>
    public string? AppVersion { get; init; }
}

/// <summary>How a node finds the other members (<c>Crawler:Cluster:Discovery</c>).</summary>
public enum ClusterDiscovery
{
    /// <summary>The seed nodes of the configuration (none: a cluster of one).</summary>
    Seeds,

    /// <summary>
    /// A pod of the crawler's StatefulSet: Akka.Management's cluster bootstrap finds the other pods through the
    /// Kubernetes API (Akka.Discovery.KubernetesApi, by their labels) and they form or join one cluster by asking each
    /// other; the node must run in a pod (see <see cref="KubernetesEnvironment"/>).
    /// </summary>
    Kubernetes,
}

/// <summary>The node's HTTP endpoint (Prometheus metrics on /metrics).</summary>
public sealed record HttpOptions
{
    /// <summary>Where it listens, ';'-separated ("http://127.0.0.1:9464"; port 0 picks a free one); empty: no endpoint.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:9464";

    /// <summary>
    /// The bearer token every request that changes state needs (<c>POST /api/seeds</c>): <c>Authorization: Bearer TOKEN</c>.
    /// Unset: those endpoints answer 403. At least 16 characters; give it by the environment or a mounted Secret, never
    /// in a file under version control.
    /// </summary>
    public string? WriteToken { get; init; }

    /// <summary>Whether reads (the archive's API, replay, /cluster) are open to anyone who reaches the endpoint; false: they need the token too.</summary>
    public bool OpenReads { get; init; } = true;
}

public sealed record SeedOptions
{
    /// <summary>A CSV file like kp-domains.csv (first column: domain); empty = the built-in list of known sites.</summary>
    public string? File { get; init; }

    /// <summary>Extra seed URLs; when set without <see cref="File"/>, they replace the built-in list.</summary>
    public List<string> Urls { get; init; } = [];

    /// <summary>Put the non-.kp sites of the seed list into the crawl scope.</summary>
    public bool ScopeIncludesSeedDomains { get; init; } = true;
}
