// Hand-written orchestration only: DnsClient does the query itself (one server, no cache, no retries), but no
// library checks a name server the way the country-wide rollup needs it: its own address found through the
// crawler's resolver, admitted by the address guard, then asked directly for the zone's SOA with the answer's
// authority judged, each step timed and every failure turned into a ProbeResult.
using System.Globalization;
using System.Net;
using Crawler.Core.Uptime;
using static Crawler.Net.Probing.ProbeSteps;
using DnsClient;
using DnsClient.Protocol;

namespace Crawler.Net.Probing;

/// <summary>One name server to probe for one zone.</summary>
/// <param name="Site">The label the result is recorded under, e.g. "ns:ns1.kptc.kp".</param>
/// <param name="NameServer">The server's host name (resolved through the crawler's resolver) or an IP literal
/// ("175.45.176.15", "::1", "[::1]").</param>
/// <param name="Zone">The zone whose SOA the server must answer authoritatively, e.g. "kp" (a trailing dot is ignored;
/// "" or "." is the root).</param>
public sealed record NameServerTarget(string Site, string NameServer, string Zone)
{
    /// <summary>The UDP (and, on truncation, TCP) port the server is asked on.</summary>
    public int Port { get; init; } = 53;
}

/// <summary>
/// Probes one name server the way an uptime monitor does: resolve its address (through <see cref="IHostResolver"/>,
/// never the system resolver; IP literals as they are), check the address with the <see cref="AddressGuard"/>, then
/// ask that one server, without recursion, cache or retries, for the zone's SOA. Up exactly when it answers NOERROR,
/// with the AA (authoritative) flag and an SOA record of the zone; the SOA serial is then in the result's Detail.
/// Every failure is a <see cref="ProbeResult"/>, never an exception. Thread-safe: probes share no state.
/// </summary>
/// <remarks>
/// Timings: <see cref="ProbeResult.Resolve"/> is the address lookup (zero for an IP literal),
/// <see cref="ProbeResult.Total"/> is from the probe's start to the answer (lookup + query round trip). The whole
/// probe must finish within the timeout, measured on the given <see cref="TimeProvider"/>; the query itself is also
/// given DnsClient's timeout of what is left of it. Failures: the server's own name is NXDOMAIN →
/// <see cref="ProbeFailure.DnsNxDomain"/>; no answer in time (to the lookup or to the query) →
/// <see cref="ProbeFailure.DnsTimeout"/>; REFUSED, SERVFAIL, not authoritative, no SOA, other DNS errors →
/// <see cref="ProbeFailure.DnsError"/>; address refused by the guard or probe cancelled → <see cref="ProbeFailure.Other"/>.
/// </remarks>
public sealed class NameServerProber
{
    private readonly TimeSpan _timeout;
    private readonly IHostResolver _resolver;
    private readonly AddressGuard _guard;
    private readonly TimeProvider _time;

    public NameServerProber(TimeSpan timeout, IHostResolver resolver, AddressGuard guard, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(timeout, TimeSpan.FromMilliseconds(int.MaxValue));
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(guard);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeout = timeout;
        _resolver = resolver;
        _guard = guard;
        _time = timeProvider;
    }

    /// <summary>Probes <paramref name="target"/>; the result's <c>At</c> is <paramref name="scheduledAt"/>.
    /// Cancellation by <paramref name="ct"/> also comes back as a result (<see cref="ProbeFailure.Other"/>).</summary>
    public async Task<ProbeResult> ProbeAsync(NameServerTarget target, DateTimeOffset scheduledAt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        using var run = new NameServerRun(target, scheduledAt, _timeout, _time, ct);
        return await RunAsync(run, () => ProbeCoreAsync(run), ProbeFailure.DnsTimeout).ConfigureAwait(false);
    }

    private async Task<ProbeResult> ProbeCoreAsync(NameServerRun run)
    {
        var target = run.Target;
        if (target.Port is < 1 or > IPEndPoint.MaxPort)
        {
            return run.Fail(ProbeFailure.Other, $"port {target.Port.ToString(CultureInfo.InvariantCulture)} out of range");
        }

        var host = target.NameServer.Trim().TrimEnd('.').ToLowerInvariant();
        var zone = ZoneName(target.Zone);

        // Resolve the name server's own address.
        var candidates = await AddressesAsync(run, host).ConfigureAwait(false);
        if (candidates is null)
        {
            return run.Result!;
        }

        // Guard: no packet leaves for an address the crawler may not talk to.
        var address = Admit(run, _guard, candidates, $"{host}: no address");
        if (address is null)
        {
            return run.Result!;
        }

        run.Server = new IPEndPoint(address, target.Port);
        return await QueryAsync(run, zone).ConfigureAwait(false);
    }

    /// <summary>The name server's addresses (an IP literal as it is), or null with <see cref="ProbeRun.Result"/> set.</summary>
    private async Task<IReadOnlyList<IPAddress>?> AddressesAsync(NameServerRun run, string host)
    {
        var literal = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (IPAddress.TryParse(literal, out var given))
        {
            run.Resolve = TimeSpan.Zero;
            return [given];
        }

        return await ResolveAsync(run, _resolver, host, $"no address for {host}").ConfigureAwait(false);
    }

    private async Task<ProbeResult> QueryAsync(NameServerRun run, string zone)
    {
        var server = run.Server!;
        var left = _timeout - _time.GetElapsedTime(run.Started);
        if (left <= TimeSpan.Zero)
        {
            return run.Fail(ProbeFailure.DnsTimeout, $"no time left to ask {Format(server)} within {Ms(_timeout)}");
        }

        var options = new LookupClientOptions(new NameServer(server))
        {
            Timeout = left,
            Retries = 0,
            UseCache = false,
            Recursion = false,
            ThrowDnsErrors = false,
            ContinueOnDnsError = false,
            ContinueOnEmptyResponse = false,
            UseTcpFallback = true,
            UseRandomNameServer = false,
            EnableAuditTrail = false,
            AutoResolveNameServers = false,
        };
        var client = new LookupClient(options);

        IDnsQueryResponse response;
        try
        {
            response = await client.QueryAsync(zone, QueryType.SOA, QueryClass.IN, run.Token)
                .WaitAsync(run.Token).ConfigureAwait(false);
        }
        catch (Exception) when (run.TimedOut)
        {
            return Timeout(run, server, zone);
        }
        catch (DnsResponseException ex) when (ex.Code == DnsResponseCode.ConnectionTimeout && !run.CallerCancelled)
        {
            return Timeout(run, server, zone);
        }
        catch (Exception ex) when (!run.CallerCancelled)
        {
            run.Total = _time.GetElapsedTime(run.Started);
            return run.Fail(ProbeFailure.DnsError, $"SOA query for {zone} to {Format(server)} failed: {Describe(ex)}");
        }

        run.Total = _time.GetElapsedTime(run.Started);
        return Judge(run, response, zone);
    }

    private ProbeResult Timeout(NameServerRun run, IPEndPoint server, string zone)
    {
        run.Total = _time.GetElapsedTime(run.Started);
        return run.Fail(ProbeFailure.DnsTimeout, $"no answer to the SOA query for {zone} from {Format(server)} within {Ms(_timeout)}");
    }

    private static ProbeResult Judge(NameServerRun run, IDnsQueryResponse response, string zone)
    {
        var from = Format(run.Server!);
        var code = response.Header.ResponseCode;
        if (code != DnsHeaderResponseCode.NoError)
        {
            return run.Fail(ProbeFailure.DnsError, $"{from} answered {RCode(code)} for the SOA of {zone}");
        }

        if (!response.Header.HasAuthorityAnswer)
        {
            return run.Fail(ProbeFailure.DnsError, $"{from} is not authoritative for {zone} (AA flag not set)");
        }

        var soa = response.Answers.SoaRecords().FirstOrDefault(r => SameName(r.DomainName.Value, zone));
        if (soa is null)
        {
            return run.Fail(ProbeFailure.DnsError, $"{from} answered without an SOA record for {zone}");
        }

        return run.Succeed(
            $"serial {soa.Serial.ToString(CultureInfo.InvariantCulture)}; mname {soa.MName.Value}; zone {zone}; server {from}");
    }

    private static string ZoneName(string zone)
    {
        var name = zone.Trim().TrimEnd('.').ToLowerInvariant();
        return name.Length == 0 ? "." : name + ".";
    }

    private static bool SameName(string a, string b) =>
        string.Equals(a.TrimEnd('.'), b.TrimEnd('.'), StringComparison.OrdinalIgnoreCase);

    private static string RCode(DnsHeaderResponseCode code) => code switch
    {
        DnsHeaderResponseCode.NotExistentDomain => "NXDOMAIN",
        DnsHeaderResponseCode.ServerFailure => "SERVFAIL",
        DnsHeaderResponseCode.Refused => "REFUSED",
        DnsHeaderResponseCode.FormatError => "FORMERR",
        DnsHeaderResponseCode.NotImplemented => "NOTIMP",
        var other => other.ToString().ToUpperInvariant(),
    };

    /// <summary>What one name server probe has measured so far, beyond what every probe measures.</summary>
    private sealed class NameServerRun(NameServerTarget target, DateTimeOffset at, TimeSpan limit, TimeProvider time, CancellationToken caller)
        : ProbeRun(target.Site, at, limit, time, caller)
    {
        public NameServerTarget Target { get; } = target;

        public IPEndPoint? Server { get; set; }
    }
}
