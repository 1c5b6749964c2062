using System.Diagnostics;
using System.Globalization;
using System.Net;
using Crawler.Node.Configuration;
using Crawler.Node.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Crawler.IntegrationTests;

/// <summary>
/// The node as k8s/ runs it: the paths its probes ask answer on a running node (ready only once it is Up), and a node
/// given the StatefulSet's settings outside a pod stops at start with an error about discovery instead of waiting.
/// </summary>
public sealed class KubernetesNodeTests(OneSiteWeb fixture) : IClassFixture<OneSiteWeb>
{
    private const string Production = "k8s/overlays/production";

    [SkippableFact]
    public async Task The_probe_paths_of_the_manifests_answer_on_a_running_node_and_ready_waits_for_the_cluster()
    {
        var container = KubernetesManifestTests.Container(KubernetesManifestTests.Nodes(KubernetesManifestTests.Render(Production)));
        var live = container.LivenessProbe.HttpGet.Path;
        var ready = container.ReadinessProbe.HttpGet.Path;

        // A node waiting for a second member is Joining: alive, not ready.
        await using (var waiting = await StartAsync([new("Crawler:Cluster:MinimumMembers", "2")]))
        {
            Assert.Equal(HttpStatusCode.OK, (await waiting.GetAsync(live)).Status);
            var (status, body) = await waiting.GetAsync(ready);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Contains("Joining", body, StringComparison.Ordinal);
        }

        // A node alone is a cluster of one: Up, its store answers, ready (within a bounded wait), and it serves /metrics.
        await using var node = await StartAsync([]);
        Assert.Equal(HttpStatusCode.OK, (await node.GetAsync(live)).Status);
        await node.MemberUpAsync(TimeSpan.FromSeconds(30)); // the event readiness follows, not a polling loop
        var answer = await node.GetAsync(ready);
        Assert.True(answer.Status == HttpStatusCode.OK, $"{ready} answers {answer.Status} ({answer.Body}) once the node is Up");
        Assert.Equal("ready", answer.Body);
        Assert.Equal(HttpStatusCode.OK, (await node.GetAsync(KubernetesManifestTests.Nodes(KubernetesManifestTests.Render(Production)).Spec.Template.Metadata.Annotations["prometheus.io/path"])).Status);
    }

    [Fact]
    public void The_kubelets_variables_tell_a_pod_and_their_absence_names_the_setting()
    {
        Assert.Null(KubernetesEnvironment.Problem(name => name == "KUBERNETES_SERVICE_HOST" ? "10.96.0.1" : "443"));
        var problem = KubernetesEnvironment.Problem(name => name == "KUBERNETES_SERVICE_PORT" ? "443" : null);
        Assert.NotNull(problem);
        Assert.Contains("Crawler:Cluster:Discovery = 'Kubernetes'", problem, StringComparison.Ordinal);
        Assert.Contains("KUBERNETES_SERVICE_HOST not set", problem, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Crawler_run_with_the_statefulsets_settings_outside_a_pod_stops_at_once_with_an_error_about_discovery()
    {
        Skip.If(KubernetesEnvironment.Problem() is null, "these tests run inside a Kubernetes pod");
        var container = KubernetesManifestTests.Container(KubernetesManifestTests.Nodes(KubernetesManifestTests.Render(Production)));
        var data = Path.Combine(Path.GetTempPath(), "crawler-k8s-" + Guid.NewGuid().ToString("N"));
        var environment = SimulatedWebSettings.AsEnvironment(SimulatedWebSettings.For(fixture.Web, data));
        foreach (var variable in container.Env.Where(e => e.Value is not null))
        {
            environment[variable.Name] = variable.Value;
        }

        // Loopback only, should the check be missing: the pod's names and ports give way to this machine's (the
        // discovery setting and kubernetes.hocon stay), and the store is a file instead of the Secret's MongoDB.
        var ports = LoopbackPorts.Free(2);
        environment["Crawler__Cluster__Hostname"] = "127.0.0.1";
        environment["Crawler__Cluster__PublicHostname"] = "127.0.0.1";
        environment["Crawler__Cluster__Port"] = ports[0].ToString(CultureInfo.InvariantCulture);
        environment["Crawler__Cluster__SeedNodes__0"] = ClusterNodes.SeedAddress(ports[0]);
        environment["Crawler__Cluster__SeedNodes__1"] = ClusterNodes.SeedAddress(ports[1]);
        environment["Crawler__Http__Urls"] = string.Empty;
        environment["Crawler__DataDirectory"] = data;
        Assert.Equal("Kubernetes", environment["Crawler__Cluster__Discovery"]);

        var clock = Stopwatch.StartNew();
        using var crawler = CrawlerProcess.Start(environment, "run", "--no-live");
        Assert.Equal(2, await crawler.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the node took {clock.Elapsed} to stop");
        Assert.Contains("Configuration error", crawler.Output, StringComparison.Ordinal);
        Assert.Contains("Crawler:Cluster:Discovery = 'Kubernetes'", crawler.Output, StringComparison.Ordinal);
        Assert.Contains("KUBERNETES_SERVICE_HOST", crawler.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", crawler.Output, StringComparison.Ordinal);
    }

    private async Task<RunningNode> StartAsync(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var data = Path.Combine(Path.GetTempPath(), "crawler-k8s-" + Guid.NewGuid().ToString("N"));
        var all = SimulatedWebSettings.For(fixture.Web, data);
        all.Add(new("Crawler:Http:Urls", "http://127.0.0.1:0"));
        all.Add(new("Crawler:Cluster:Port", "0"));
        all.AddRange(settings);
        var host = NodeHost.BuildRunHost(NodeHost.BuildConfiguration(all), l => l.AddFilter(level => level >= LogLevel.Warning).AddSimpleConsole());
        var node = new RunningNode(host, data);
        try
        {
            await host.StartAsync();
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }

        return node;
    }

    private sealed class RunningNode(IHost host, string data) : IAsyncDisposable
    {
        private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

        /// <summary>Completes when the cluster reports this node Up (bounded by <paramref name="timeout"/>).</summary>
        public async Task MemberUpAsync(TimeSpan timeout)
        {
            var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Akka.Cluster.Cluster.Get(host.Services.GetRequiredService<Akka.Actor.ActorSystem>()).RegisterOnMemberUp(() => up.TrySetResult());
            await up.Task.WaitAsync(timeout);
        }

        public async Task<(HttpStatusCode Status, string Body)> GetAsync(string path)
        {
            using var response = await _http.GetAsync(new Uri(new Uri(NodeHost.HttpAddresses(host)[0]), path));
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            await host.StopAsync();
            host.Dispose();
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // still in use
            }
        }
    }
}
