using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Crawler.Node.Configuration;
using Crawler.Node.Hosting;
using k8s;
using k8s.Models;
using Xunit;

namespace Crawler.IntegrationTests;

/// <summary>
/// k8s/ as the README deploys it: every <c>kubectl kustomize</c> command of the README's "Deploy to Kubernetes" block
/// renders, every rendered object loads strictly into KubernetesClient's typed models, and the objects fit together and
/// fit the node (its configuration files, its health checks, its shutdown timeout, its settings).
/// </summary>
public sealed partial class KubernetesManifestTests
{
    /// <summary>The overlays the README's deploy block renders (the test data of every theory).</summary>
    public static TheoryData<string> ReadmeOverlays()
    {
        var data = new TheoryData<string>();
        foreach (var overlay in ReadmeRenderCommands())
        {
            data.Add(overlay);
        }

        return data;
    }

    [Fact]
    public void The_readme_renders_every_overlay_of_k8s()
    {
        var overlays = Directory.GetDirectories(Path.Combine(RepositoryPaths.Root, "k8s", "overlays"))
            .Select(d => "k8s/overlays/" + Path.GetFileName(d)).Order(StringComparer.Ordinal);
        Assert.Equal(overlays, ReadmeRenderCommands().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Strict_loading_rejects_a_field_the_models_do_not_know()
    {
        // The check the rendered objects pass is a real one: a misspelt field fails it.
        const string Misspelt = "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  clusterIp: None\n";
        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(Misspelt, null, strict: true));
        Assert.Single(KubernetesYaml.LoadAllFromString(Misspelt, null, strict: false));
    }

    [SkippableTheory]
    [MemberData(nameof(ReadmeOverlays))]
    public void Every_rendered_object_loads_into_the_typed_models_and_the_selectors_match_the_pods_labels(string overlay)
    {
        var objects = Render(overlay);
        Assert.All(objects, o => Assert.IsNotType<object>(o));
        Assert.All(objects.OfType<IMetadata<V1ObjectMeta>>().Where(o => o is not V1Namespace), o => Assert.Equal("crawler", o.Metadata.NamespaceProperty));

        var nodes = Nodes(objects);
        var pods = nodes.Spec.Template.Metadata.Labels;
        Assert.True(Matches(nodes.Spec.Selector.MatchLabels, pods), "the StatefulSet's selector does not select its own pods");

        // Every Service selects some pods of this render; the crawler's select the nodes.
        var workloads = objects.OfType<V1StatefulSet>().Select(s => s.Spec.Template.Metadata.Labels).ToList();
        Assert.All(objects.OfType<V1Service>(), s => Assert.True(workloads.Any(w => Matches(s.Spec.Selector, w)), $"Service {s.Metadata.Name} selects no pod"));
        Assert.True(Matches(Service(objects, nodes.Spec.ServiceName).Spec.Selector, pods));
        Assert.True(Matches(Service(objects, "crawler-http").Spec.Selector, pods));

        var budget = Assert.Single(objects.OfType<V1PodDisruptionBudget>());
        Assert.True(Matches(budget.Spec.Selector.MatchLabels, pods), "the PodDisruptionBudget does not cover the nodes");
        Assert.Equal("1", budget.Spec.MaxUnavailable.Value);
    }

    [SkippableTheory]
    [MemberData(nameof(ReadmeOverlays))]
    public void The_config_map_holds_the_cluster_config_files_the_node_loads_where_the_image_looks_for_them(string overlay)
    {
        var objects = Render(overlay);
        var nodes = Nodes(objects);
        var container = Container(nodes);
        var mount = Assert.Single(container.VolumeMounts, m => m.MountPath == "/app/cluster-config");
        var volume = Assert.Single(nodes.Spec.Template.Spec.Volumes, v => v.Name == mount.Name);
        var map = Assert.Single(objects.OfType<V1ConfigMap>(), m => m.Metadata.Name == volume.ConfigMap.Name);

        // The node loads the base files, then Crawler:Cluster:Config, from cluster-config/ beside crawler.dll.
        var loaded = ClusterConfig.BaseFiles.Append(Env(container, "Crawler__Cluster__Config")).ToList();
        Assert.Equal(loaded.Order(StringComparer.Ordinal), map.Data.Keys.Order(StringComparer.Ordinal));
        Assert.All(loaded, f => Assert.Equal(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "cluster-config", f)), map.Data[f]));

        // The image runs /app/crawler.dll: its cluster-config/ folder is /app/cluster-config.
        var dockerfile = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Dockerfile"));
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"/app/crawler.dll\"]", dockerfile, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [MemberData(nameof(ReadmeOverlays))]
    public void The_probes_and_the_scrape_annotations_point_at_the_nodes_http_port_and_endpoints(string overlay)
    {
        var nodes = Nodes(Render(overlay));
        var container = Container(nodes);
        var listen = new Uri(Env(container, "Crawler__Http__Urls"));
        var http = Assert.Single(container.Ports, p => p.ContainerPort == listen.Port);

        Assert.Equal(HealthEndpoint.LivePath, container.LivenessProbe.HttpGet.Path);
        Assert.Equal(HealthEndpoint.ReadyPath, container.ReadinessProbe.HttpGet.Path);
        Assert.Equal(HealthEndpoint.LivePath, container.StartupProbe.HttpGet.Path);
        Assert.All(new[] { container.LivenessProbe, container.ReadinessProbe, container.StartupProbe }, p => Assert.Equal(http.Name, p.HttpGet.Port.Value));

        var annotations = nodes.Spec.Template.Metadata.Annotations;
        Assert.Equal("true", annotations["prometheus.io/scrape"]);
        Assert.Equal("/metrics", annotations["prometheus.io/path"]);
        Assert.Equal(listen.Port.ToString(CultureInfo.InvariantCulture), annotations["prometheus.io/port"]);
        Assert.Equal(http.Name, Assert.Single(Service(Render(overlay), "crawler-http").Spec.Ports).TargetPort.Value);
    }

    [Fact]
    public void The_images_version_becomes_the_nodes_app_version_unless_the_setting_overrides_it()
    {
        // The build argument is the assembly's version, which Akka gives the cluster (app-version = assembly-version).
        var dockerfile = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Dockerfile"));
        Assert.Contains("ARG VERSION", dockerfile, StringComparison.Ordinal);
        Assert.Contains("-p:Version=$VERSION", dockerfile, StringComparison.Ordinal);
        var build = Regex.Match(Readme(), @"docker build --build-arg VERSION=(\S+) -t crawler:(\S+) \.");
        Assert.True(build.Success, "the README's deploy section builds the image with its version");
        Assert.Equal(build.Groups[1].Value, build.Groups[2].Value.TrimEnd('`'));
        var files = Akka.Configuration.ConfigurationFactory.ParseString(string.Join("\n", ClusterConfig.Files("kubernetes.hocon")));
        Assert.Equal("assembly-version", files.GetString("akka.cluster.app-version", "assembly-version"));
        Assert.Contains("akka.cluster.app-version = \"2.1.0\"", ClusterConfig.Overrides(new NodeClusterOptions { AppVersion = "2.1.0" }), StringComparison.Ordinal);
    }

    [SkippableTheory]
    [MemberData(nameof(ReadmeOverlays))]
    public void Cluster_bootstrap_finds_the_pods_through_the_api_with_a_role_that_only_reads_pods(string overlay)
    {
        var objects = Render(overlay);
        var nodes = Nodes(objects);
        var container = Container(nodes);
        Assert.Equal(nameof(ClusterDiscovery.Kubernetes), Env(container, "Crawler__Cluster__Discovery"));
        Assert.DoesNotContain(container.Env, e => e.Name.StartsWith("Crawler__Cluster__SeedNodes", StringComparison.Ordinal));

        // The node's address is the pod's IP: the API server lists pods by it and bootstrap finds itself among them.
        Assert.Equal("$(POD_IP)", Env(container, "Crawler__Cluster__PublicHostname"));
        Assert.Equal("status.podIP", Assert.Single(container.Env, e => e.Name == "POD_IP").ValueFrom.FieldRef.FieldPath);

        // The bootstrap settings the pods load (the ConfigMap's file): their label selector selects the pod template, the
        // contact point port is a port of the container, and more than one pod must be seen before one forms a cluster.
        var map = Assert.Single(objects.OfType<V1ConfigMap>());
        var hocon = Akka.Configuration.ConfigurationFactory.ParseString(map.Data[Env(container, "Crawler__Cluster__Config")]);
        Assert.Equal("kubernetes-api", hocon.GetString("akka.discovery.method"));
        var selector = hocon.GetString("akka.discovery.kubernetes-api.pod-label-selector").Split(',').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
        Assert.True(Matches(selector, nodes.Spec.Template.Metadata.Labels), $"the pod label selector {string.Join(",", selector)} does not select the pods");
        var portName = hocon.GetString("akka.management.cluster.bootstrap.contact-point-discovery.port-name");
        var contact = Assert.Single(container.Ports, p => p.Name == portName);
        Assert.Equal(new Uri(Env(container, "Crawler__Http__Urls")).Port, contact.ContainerPort);
        var required = hocon.GetInt("akka.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr");
        Assert.InRange(required, 2, nodes.Spec.Replicas ?? 1);

        // The Role grants what discovery needs (reading pods in the namespace) and nothing more; it is bound to the pods' account,
        // whose token is mounted.
        var role = Assert.Single(objects.OfType<V1Role>());
        var rule = Assert.Single(role.Rules);
        Assert.Equal([""], rule.ApiGroups);
        Assert.Equal(["pods"], rule.Resources);
        Assert.Equal(["get", "list", "watch"], rule.Verbs.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(objects, o => o is V1ClusterRole or V1ClusterRoleBinding);
        var binding = Assert.Single(objects.OfType<V1RoleBinding>());
        Assert.Equal(("Role", role.Metadata.Name), (binding.RoleRef.Kind, binding.RoleRef.Name));
        var subject = Assert.Single(binding.Subjects);
        Assert.Equal(("ServiceAccount", nodes.Spec.Template.Spec.ServiceAccountName), (subject.Kind, subject.Name));
        Assert.Equal(nodes.Metadata.NamespaceProperty, role.Metadata.NamespaceProperty);
        Assert.Equal(nodes.Metadata.NamespaceProperty, binding.Metadata.NamespaceProperty);
        var account = Assert.Single(objects.OfType<V1ServiceAccount>(), a => a.Metadata.Name == subject.Name);
        Assert.NotEqual(false, account.AutomountServiceAccountToken);
        Assert.NotEqual(false, nodes.Spec.Template.Spec.AutomountServiceAccountToken);

        // The governing headless Service still names every pod.
        var headless = Service(objects, nodes.Spec.ServiceName);
        Assert.Equal("None", headless.Spec.ClusterIP);
        Assert.True(Matches(headless.Spec.Selector, nodes.Spec.Template.Metadata.Labels));
    }

    [SkippableTheory]
    [MemberData(nameof(ReadmeOverlays))]
    public void The_grace_period_exceeds_the_nodes_shutdown_timeout_and_the_pods_are_restricted(string overlay)
    {
        var nodes = Nodes(Render(overlay));
        var container = Container(nodes);
        var shutdown = container.Env.SingleOrDefault(e => e.Name == "Crawler__Cluster__ShutdownTimeout")?.Value is { } set
            ? TimeSpan.Parse(set, CultureInfo.InvariantCulture)
            : new NodeClusterOptions().ShutdownTimeout;
        Assert.True(TimeSpan.FromSeconds(nodes.Spec.Template.Spec.TerminationGracePeriodSeconds!.Value) > shutdown + TimeSpan.FromSeconds(10),
            $"terminationGracePeriodSeconds {nodes.Spec.Template.Spec.TerminationGracePeriodSeconds} leaves no margin over the shutdown timeout {shutdown}");

        Assert.NotNull(container.Resources.Requests["cpu"]);
        Assert.NotNull(container.Resources.Requests["memory"]);
        Assert.NotNull(container.Resources.Limits["cpu"]);
        Assert.NotNull(container.Resources.Limits["memory"]);
        Assert.True(nodes.Spec.Template.Spec.SecurityContext.RunAsNonRoot);
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
        Assert.Equal(["ALL"], container.SecurityContext.Capabilities.Drop);
    }

    [SkippableTheory]
    [MemberData(nameof(ReadmeOverlays))]
    public void The_store_comes_from_a_secret_and_no_manifest_holds_a_connection_string_in_plain_text(string overlay)
    {
        var objects = Render(overlay);
        var container = Container(Nodes(objects));
        var store = Assert.Single(container.Env, e => e.Name == "Crawler__Store");
        Assert.Null(store.Value);
        var reference = store.ValueFrom.SecretKeyRef;
        Assert.All(objects.OfType<V1StatefulSet>().SelectMany(s => s.Spec.Template.Spec.Containers).SelectMany(c => c.Env ?? []),
            e => Assert.DoesNotContain("mongodb://", e.Value ?? string.Empty, StringComparison.Ordinal));

        var secret = objects.OfType<V1Secret>().SingleOrDefault(s => s.Metadata.Name == reference.Name);
        if (secret is not null)
        {
            // dev: generated beside the in-cluster MongoDB it names.
            // KubernetesClient 17's YAML reader leaves a Secret's data as the base64 text of the manifest.
            var data = System.Text.Encoding.ASCII.GetString(secret.Data[reference.Key]);
            Assert.StartsWith("mongodb://", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(data)), StringComparison.Ordinal);
            var mongo = Assert.Single(objects.OfType<V1StatefulSet>(), s => s.Metadata.Name == "mongo");
            Assert.True(Matches(Service(objects, mongo.Spec.ServiceName).Spec.Selector, mongo.Spec.Template.Metadata.Labels));
        }
        else
        {
            // production: the operator creates it as the README says, with this name and key.
            Assert.Contains($"create secret generic {reference.Name} --from-literal={reference.Key}=", Readme(), StringComparison.Ordinal);
        }
    }

    internal static V1StatefulSet Nodes(IReadOnlyList<object> objects) => Assert.Single(objects.OfType<V1StatefulSet>(), s => s.Metadata.Name == "crawler");

    internal static V1Container Container(V1StatefulSet nodes) => Assert.Single(nodes.Spec.Template.Spec.Containers);

    private static V1Service Service(IReadOnlyList<object> objects, string name) => Assert.Single(objects.OfType<V1Service>(), s => s.Metadata.Name == name);

    private static string Env(V1Container container, string name) => Assert.Single(container.Env, e => e.Name == name).Value;

    private static bool Matches(IDictionary<string, string>? selector, IDictionary<string, string> labels) =>
        selector is { Count: > 0 } && selector.All(s => labels.TryGetValue(s.Key, out var value) && value == s.Value);

    private static string Readme() => File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));

    /// <summary>The overlays named by the <c>kubectl kustomize</c> commands of the README's "Deploy to Kubernetes" section.</summary>
    private static List<string> ReadmeRenderCommands()
    {
        var readme = Readme();
        var start = readme.IndexOf("\n## Deploy to Kubernetes\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no section \"Deploy to Kubernetes\"");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = readme[start..(end < 0 ? readme.Length : end)];
        return [.. RenderCommand().Matches(section).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal)];
    }

    [GeneratedRegex(@"^kubectl kustomize (\S+)", RegexOptions.Multiline)]
    private static partial Regex RenderCommand();

    private static readonly Dictionary<string, IReadOnlyList<object>> Rendered = new(StringComparer.Ordinal);

    /// <summary>Runs <c>kubectl kustomize OVERLAY</c> in the checkout (as the README does) and loads its output strictly.</summary>
    internal static IReadOnlyList<object> Render(string overlay)
    {
        lock (Rendered)
        {
            if (Rendered.TryGetValue(overlay, out var done))
            {
                return done;
            }

            var kubectl = Environment.GetEnvironmentVariable("PATH")!.Split(Path.PathSeparator).Select(d => Path.Combine(d, "kubectl")).FirstOrDefault(File.Exists);
            Skip.If(kubectl is null, "kubectl is not installed: the manifests are rendered with kubectl kustomize");
            var start = new ProcessStartInfo(kubectl!, ["kustomize", overlay])
            {
                WorkingDirectory = RepositoryPaths.Root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), "kubectl kustomize did not finish within a minute");
            Assert.True(process.ExitCode == 0, $"kubectl kustomize {overlay} failed ({process.ExitCode}): {error.Result}");
            var objects = KubernetesYaml.LoadAllFromString(output.Result, null, strict: true);
            Assert.NotEmpty(objects);
            Rendered[overlay] = objects.ToList();
            return Rendered[overlay];
        }
    }
}
