using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Crawler.Simulation.Dns;
using Crawler.Simulation.Web;

namespace Crawler.Simulation;

/// <summary>
/// The simulated .kp web on loopback: an authoritative DNS server for every site name, and Kestrel on every
/// site address (127.x.y.z) with one shared HTTP port and one shared HTTPS port (self-signed certificate).
/// Point the crawler at <see cref="DnsEndPoint"/> and use <see cref="ConnectToRules"/> so URLs keep their default ports.
/// </summary>
public sealed class SimulatedWeb : IAsyncDisposable
{
    private readonly ConcurrentDictionary<int, Lazy<Manifest>> _manifests = new();
    private readonly SimulatedDnsServer _dns;
    private readonly WebServer _server;
    private int _epoch;

    private SimulatedWeb(SimulationModel model, SimulatedDnsServer dns, WebServer server, ServerLog log, X509Certificate2 certificate)
    {
        Model = model;
        _dns = dns;
        _server = server;
        Log = log;
        Certificate = certificate;
        _epoch = model.Options.Epoch;
    }

    public SimulationModel Model { get; }

    public SimulationOptions Options => Model.Options;

    public int HttpPort => _server.HttpPort;

    public int HttpsPort => _server.HttpsPort;

    /// <summary>The simulated authoritative DNS server (127.0.0.1, UDP and TCP).</summary>
    public IPEndPoint DnsEndPoint => _dns.EndPoint;

    public SimulatedDnsServer Dns => _dns;

    public IReadOnlyList<SiteModel> Sites => Model.Sites;

    /// <summary><c>http://host/</c> for every site.</summary>
    public IReadOnlyList<string> SeedUrls => Model.SeedUrls;

    /// <summary>Domains outside .kp that are in scope (e.g. uriminzokkiri.com).</summary>
    public IReadOnlyList<string> ExtraScopeDomains => Model.ExtraScopeDomains;

    /// <summary>curl-style connect-to rules: port 80 → <see cref="HttpPort"/>, 443 → <see cref="HttpsPort"/>, any host.</summary>
    public IReadOnlyList<string> ConnectToRules => [$":80::{HttpPort}", $":443::{HttpsPort}"];

    /// <summary>The self-signed certificate every HTTPS site presents.</summary>
    public X509Certificate2 Certificate { get; }

    public ServerLog Log { get; }

    public int Epoch => Volatile.Read(ref _epoch);

    /// <summary>The manifest of the current epoch.</summary>
    public Manifest Manifest => ManifestFor(Epoch);

    public Manifest ManifestFor(int epoch) =>
        _manifests.GetOrAdd(epoch, e => new Lazy<Manifest>(() => Manifest.Build(Model, e))).Value;

    /// <summary>Switches the content served from now on (pages flagged epoch-dependent change).</summary>
    public void SetEpoch(int epoch) => Volatile.Write(ref _epoch, epoch);

    /// <summary>
    /// Switches how <paramref name="host"/> answers from now on, on every path (robots.txt included), over HTTP and HTTPS:
    /// <see cref="SiteAvailability.Down"/> aborts each connection without a response, <see cref="SiteAvailability.Error"/>
    /// answers 503, <see cref="SiteAvailability.Slow"/> sends headers only after <paramref name="slowDelay"/> (default 3 s),
    /// <see cref="SiteAvailability.Up"/> restores normal answers. Other hosts are unaffected; the server log still records
    /// every request (aborted ones with status 0).
    /// </summary>
    public void SetAvailability(string host, SiteAvailability availability, TimeSpan? slowDelay = null) =>
        _server.Availability.Set(host, availability, slowDelay);

    /// <summary>The availability <see cref="SetAvailability"/> last set for <paramref name="host"/> (<see cref="SiteAvailability.Up"/> by default).</summary>
    public SiteAvailability GetAvailability(string host) => _server.Availability.Get(host).Mode;

    public static async Task<SimulatedWeb> StartAsync(SimulationOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var model = SimulationModel.Build(options);
        var catalog = ZoneCatalog.Load2016();
        foreach (var site in model.Sites)
        {
            foreach (var address in site.Addresses)
            {
                catalog.AddHost(site.Host, address);
            }
        }

        // Also on the name servers' own (mapped) addresses, so zone transfers and name-server probes can ask them directly.
        var dns = await SimulatedDnsServer.StartAsync(catalog, new SimulatedDnsOptions { Port = 0, ListenOnNameServerAddresses = true }, ct).ConfigureAwait(false);
        var certificate = SelfSignedCertificate.Create(model.Sites.Select(s => s.Host));
        var log = new ServerLog();
        SimulatedWeb? web = null;
        try
        {
            var server = await WebServer.StartAsync(model, log, () => web?.Epoch ?? options.Epoch, certificate, ct).ConfigureAwait(false);
            web = new SimulatedWeb(model, dns, server, log, certificate);
            return web;
        }
        catch
        {
            await dns.DisposeAsync().ConfigureAwait(false);
            certificate.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync().ConfigureAwait(false);
        await _dns.DisposeAsync().ConfigureAwait(false);
        Certificate.Dispose();
    }
}
