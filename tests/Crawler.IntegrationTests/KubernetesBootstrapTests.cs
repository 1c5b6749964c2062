using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Crawler.Node.Hosting;
using Crawler.Simulation.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Xunit;
using Xunit.Abstractions;

namespace Crawler.IntegrationTests;

/// <summary>
/// Two <c>crawler run</c> processes with the StatefulSet's discovery settings (<c>Crawler:Cluster:Discovery=Kubernetes</c>,
/// kubernetes.hocon) find each other through a Kubernetes API server: a stand-in on loopback that answers the pod list
/// over HTTPS as the real one does, with the pods' IPs (all 127.0.0.1 here) and their "http" ports. Akka.Management's
/// cluster bootstrap on each asks the others (GET /bootstrap/seed-nodes on their HTTP endpoints) and they form one cluster.
/// </summary>
public sealed class KubernetesBootstrapTests(ITestOutputHelper output)
    : SimulatedWebTest(new SimulationOptions { Seed = 61, SiteCount = 2, PagesPerSite = 3, PlainSites = true })
{
    private const string Namespace = "crawler";
    private const string Token = "service-account-token-of-the-test";

    [Fact]
    public async Task Pods_listed_by_the_kubernetes_api_form_one_cluster_through_cluster_bootstrap()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // Two pods: as many as kubernetes.hocon's required-contact-point-nr, the fewest that may form a cluster.
        var pods = LoopbackPorts.Free(4).Chunk(2).Select((p, i) => new Pod($"crawler-{i}", p[0], p[1])).ToList();
        await using var api = await FakeApiServer.StartAsync(pods);
        Directory.CreateDirectory(Data);
        var hocon = Path.Combine(Data, "kubernetes-test.hocon");

        // kubernetes.hocon as shipped, then where the service account's token and namespace are (in a pod: files the kubelet mounts).
        var tokenPath = Path.Combine(Data, "token");
        await File.WriteAllTextAsync(tokenPath, Token);
        await File.WriteAllTextAsync(hocon, await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "cluster-config", "kubernetes.hocon"))
            + $"\nakka.discovery.kubernetes-api {{\n  api-token-path = \"{tokenPath}\"\n  pod-namespace = \"{Namespace}\"\n}}\n");
        var kubeconfig = Path.Combine(Data, "kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, api.Kubeconfig(Namespace));

        var processes = pods.Select(p => CrawlerProcess.Start(Environment(p, hocon, kubeconfig, api.Port), "run", "--no-live")).ToList();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var views = new List<ClusterView>();
            foreach (var pod in pods)
            {
                views.Add(await WaitForMembers(http, pod, pods.Count, processes));
            }

            output.WriteLine($"{clock.Elapsed}: every pod sees every member up");

            // One cluster: every node sees the same members and the same leader.
            var addresses = pods.Select(p => $"akka.tcp://{NodeHost.ActorSystemName}@127.0.0.1:{p.RemotingPort.ToString(CultureInfo.InvariantCulture)}").Order(StringComparer.Ordinal).ToList();
            Assert.All(views, v => Assert.Equal(addresses, v.Members.Select(m => m.Address).Order(StringComparer.Ordinal)));
            Assert.Single(views.Select(v => v.Leader).Distinct());

            // They asked the API as the Role allows: a list of pods in their namespace, selected by the pod template's labels,
            // with the service account's token.
            Assert.NotEmpty(api.Requests);
            Assert.All(api.Requests, r =>
            {
                Assert.Equal("GET", r.Method);
                Assert.Equal($"/api/v1/namespaces/{Namespace}/pods", r.Path);
                Assert.Equal("app.kubernetes.io/name=crawler,app.kubernetes.io/component=node", r.LabelSelector);
                Assert.Equal("Bearer " + Token, r.Authorization);
            });
        }
        finally
        {
            foreach (var (process, i) in processes.Select((p, i) => (p, i)))
            {
                process.Kill();
                output.WriteLine($"--- pod {i}, last lines:\n{string.Join("\n", process.Output.Split('\n').TakeLast(8))}");
                process.Dispose();
            }
        }
    }

    private Dictionary<string, string> Environment(Pod pod, string hocon, string kubeconfig, int apiPort)
    {
        var settings = SimulatedWebSettings.For(Web, Data);
        settings.Add(new("Crawler:Cluster:Discovery", "Kubernetes"));
        settings.Add(new("Crawler:Cluster:Config", hocon));
        settings.Add(new("Crawler:Cluster:Hostname", "127.0.0.1"));
        settings.Add(new("Crawler:Cluster:PublicHostname", "127.0.0.1"));
        settings.Add(new("Crawler:Cluster:Port", pod.RemotingPort.ToString(CultureInfo.InvariantCulture)));
        settings.Add(new("Crawler:Http:Urls", $"http://127.0.0.1:{pod.HttpPort.ToString(CultureInfo.InvariantCulture)}"));
        var environment = SimulatedWebSettings.AsEnvironment(settings.Where(s => s.Key != "Crawler:Http:Urls" || s.Value!.Length > 0));

        // What the kubelet gives a container: the API server's address. The client reads the CA from the kubeconfig.
        environment["KUBERNETES_SERVICE_HOST"] = "127.0.0.1";
        environment["KUBERNETES_SERVICE_PORT"] = apiPort.ToString(CultureInfo.InvariantCulture);
        environment["KUBECONFIG"] = kubeconfig;
        return environment;
    }

    /// <summary>Polls the pod's own /cluster endpoint (real processes: no event reaches the test) until it sees <paramref name="count"/> members up.</summary>
    private static async Task<ClusterView> WaitForMembers(HttpClient http, Pod pod, int count, IReadOnlyList<CrawlerProcess> processes)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        ClusterView? view = null;
        while (DateTime.UtcNow < deadline)
        {
            Assert.All(processes, p => Assert.False(p.HasExited, $"a pod exited: {p.Output}"));
            try
            {
                view = await http.GetFromJsonAsync<ClusterView>(new Uri($"http://127.0.0.1:{pod.HttpPort.ToString(CultureInfo.InvariantCulture)}/cluster"), NodeHost.ClusterJson);
                if (view!.Members.Count(m => m.Status == "Up") >= count)
                {
                    return view;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(250);
        }

        Assert.Fail($"{pod.Name} did not see {count} members up within 60 s: {JsonSerializer.Serialize(view)}");
        return view!;
    }

    private sealed record Pod(string Name, int RemotingPort, int HttpPort);

    private sealed record ApiRequest(string Method, string Path, string? LabelSelector, string? Authorization);

    /// <summary>The Kubernetes API server's pod list, over HTTPS with its own CA, as Akka.Discovery.KubernetesApi reads it.</summary>
    private sealed class FakeApiServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly X509Certificate2 _certificate;
        private readonly ConcurrentQueue<ApiRequest> _requests;

        private FakeApiServer(WebApplication app, X509Certificate2 certificate, ConcurrentQueue<ApiRequest> requests)
        {
            _app = app;
            _certificate = certificate;
            _requests = requests;
        }

        public int Port => new Uri(_app.Urls.Single()).Port;

        public IReadOnlyList<ApiRequest> Requests => [.. _requests];

        public static async Task<FakeApiServer> StartAsync(IReadOnlyList<Pod> pods)
        {
            var certificate = SelfSigned();
            var requests = new ConcurrentQueue<ApiRequest>();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
            var app = builder.Build();
            app.MapGet("/api/v1/namespaces/{ns}/pods", (HttpContext context, string ns) =>
            {
                requests.Enqueue(new ApiRequest(context.Request.Method, context.Request.Path, context.Request.Query["labelSelector"], context.Request.Headers.Authorization));
                return Results.Json(PodList(ns, pods));
            });
            await app.StartAsync();
            return new FakeApiServer(app, certificate, requests);
        }

        public string Kubeconfig(string ns) =>
            $"""
            apiVersion: v1
            kind: Config
            clusters:
              - name: test
                cluster:
                  server: https://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}
                  certificate-authority-data: {Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(_certificate.ExportCertificatePem()))}
            users:
              - name: test
                user:
                  token: {Token}
            contexts:
              - name: test
                context:
                  cluster: test
                  user: test
                  namespace: {ns}
            current-context: test
            """;

        public async ValueTask DisposeAsync()
        {
            await _app.DisposeAsync();
            _certificate.Dispose();
        }

        private static object PodList(string ns, IReadOnlyList<Pod> pods) => new
        {
            apiVersion = "v1",
            kind = "PodList",
            metadata = new { resourceVersion = "1" },
            items = pods.Select(p => new
            {
                metadata = new
                {
                    name = p.Name,
                    @namespace = ns,
                    labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "crawler", ["app.kubernetes.io/component"] = "node" },
                },
                spec = new
                {
                    containers = new[]
                    {
                        new
                        {
                            name = "crawler",
                            ports = new[]
                            {
                                new { name = "remoting", containerPort = p.RemotingPort, protocol = "TCP" },
                                new { name = "http", containerPort = p.HttpPort, protocol = "TCP" },
                            },
                        },
                    },
                },
                status = new { phase = "Running", podIP = "127.0.0.1" },
            }),
        };

        private static X509Certificate2 SelfSigned()
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest("CN=kubernetes", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("kubernetes");
            request.CertificateExtensions.Add(names.Build());
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
        }
    }
}
