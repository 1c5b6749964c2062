// Hand-written orchestration only: DnsClient does the query itself (one server, no cache, no retries), but no
// library checks a name server the way the country-wide rollup needs it: its own address found through the
// crawler's resolver, admitted by the address guard, then asked directly for the zone's SOA with the answer's
// authority judged, each step timed and every failure turned into a ProbeResult.
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Crawler.Core.Uptime;
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
        using var deadline = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        var run = new ProbeRun(target, scheduledAt, _time, deadline.Token, ct, linked.Token);
        try
        {
            return await ProbeCoreAsync(run).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Contract: every failure is a result, never an exception.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ct.IsCancellationRequested
                ? run.Fail(ProbeFailure.Other, "probe cancelled")
                : run.TimedOut
                    ? run.Fail(ProbeFailure.DnsTimeout, $"probe not finished within {Ms(_timeout)}")
                    : run.Fail(ProbeFailure.Other, Describe(ex));
        }
    }

    private async Task<ProbeResult> ProbeCoreAsync(ProbeRun run)
    {
        var target = run.Target;
        if (target.Port is < 1 or > IPEndPoint.MaxPort)
        {
            return run.Fail(ProbeFailure.Other, $"port {target.Port.ToString(CultureInfo.InvariantCulture)} out of range");
        }

        var host = target.NameServer.Trim().TrimEnd('.').ToLowerInvariant();
        var zone = ZoneName(target.Zone);

        // Resolve the name server's own address.
        var candidates = await ResolveAsync(run, host).ConfigureAwait(false);
        if (candidates is null)
        {
            return run.Result!;
        }

        // Guard: no packet leaves for an address the crawler may not talk to.
        IPAddress? address = null;
        string? refusal = null;
        foreach (var candidate in candidates)
        {
            var decision = _guard.Check(candidate);
            if (decision.Allowed)
            {
                address = candidate;
                break;
            }

            refusal ??= $"address {candidate} refused by the address guard: {decision.Reason}";
        }

        if (address is null)
        {
            return run.Fail(ProbeFailure.Other, refusal ?? $"{host}: no address");
        }

        run.Server = new IPEndPoint(address, target.Port);
        return await QueryAsync(run, zone).ConfigureAwait(false);
    }

    /// <summary>The name server's addresses, or null with <see cref="ProbeRun.Result"/> set.</summary>
    private async Task<IReadOnlyList<IPAddress>?> ResolveAsync(ProbeRun run, string host)
    {
        var literal = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (IPAddress.TryParse(literal, out var given))
        {
            run.Resolve = TimeSpan.Zero;
            return [given];
        }

        var started = _time.GetTimestamp();
        ResolvedHost resolved;
        try
        {
            resolved = await _resolver.ResolveAsync(host, run.Token).AsTask().WaitAsync(run.Token).ConfigureAwait(false);
        }
        catch (Exception) when (run.TimedOut)
        {
            run.Resolve = _time.GetElapsedTime(started);
            run.Result = run.Fail(ProbeFailure.DnsTimeout, $"no address for {host} within {Ms(_timeout)}");
            return null;
        }
        catch (Exception ex) when (!run.CallerCancelled)
        {
            run.Resolve = _time.GetElapsedTime(started);
            run.Result = run.Fail(ProbeFailure.DnsError, $"resolving {host} failed: {Describe(ex)}");
            return null;
        }

        run.Resolve = _time.GetElapsedTime(started);
        if (resolved.Succeeded)
        {
            return resolved.Addresses;
        }

        var from = resolved.Server is { } server ? $" (from {server})" : "";
        run.Result = resolved.Error switch
        {
            "NXDOMAIN" => run.Fail(ProbeFailure.DnsNxDomain, $"{host}: NXDOMAIN{from}"),
            "timeout" => run.Fail(ProbeFailure.DnsTimeout, $"{host}: DNS timeout{from}"),
            null => run.Fail(ProbeFailure.DnsError, $"{host}: no address{from}"),
            var error => run.Fail(ProbeFailure.DnsError, $"{host}: {error}{from}"),
        };
        return null;
    }

    private async Task<ProbeResult> QueryAsync(ProbeRun run, string zone)
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

    private ProbeResult Timeout(ProbeRun run, IPEndPoint server, string zone)
    {
        run.Total = _time.GetElapsedTime(run.Started);
        return run.Fail(ProbeFailure.DnsTimeout, $"no answer to the SOA query for {zone} from {Format(server)} within {Ms(_timeout)}");
    }

    private static ProbeResult Judge(ProbeRun run, IDnsQueryResponse response, string zone)
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

    private static string Ms(TimeSpan span) => span.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";

    private static string Format(IPEndPoint endPoint) =>
        endPoint.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{endPoint.Address}]:{endPoint.Port.ToString(CultureInfo.InvariantCulture)}"
            : $"{endPoint.Address}:{endPoint.Port.ToString(CultureInfo.InvariantCulture)}";

    private static string Describe(Exception ex)
    {
        var sb = new StringBuilder(ex.Message);
        for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            sb.Append(" --> ").Append(inner.Message);
        }

        return sb.ToString();
    }

    /// <summary>What one probe has measured so far.</summary>
    private sealed class ProbeRun(
        NameServerTarget target,
        DateTimeOffset at,
        TimeProvider time,
        CancellationToken deadline,
        CancellationToken caller,
        CancellationToken token)
    {
        public NameServerTarget Target { get; } = target;

        public long Started { get; } = time.GetTimestamp();

        /// <summary>Cancelled by the time limit or by the caller.</summary>
        public CancellationToken Token { get; } = token;

        public bool CallerCancelled => caller.IsCancellationRequested;

        public bool TimedOut => deadline.IsCancellationRequested && !caller.IsCancellationRequested;

        public TimeSpan? Resolve { get; set; }

        public TimeSpan? Total { get; set; }

        public IPEndPoint? Server { get; set; }

        /// <summary>A step's verdict when it ends the probe.</summary>
        public ProbeResult? Result { get; set; }

        public ProbeResult Succeed(string detail) => Build(ProbeFailure.None, detail);

        public ProbeResult Fail(ProbeFailure failure, string detail) => Build(failure, detail);

        private ProbeResult Build(ProbeFailure failure, string detail) => new(Target.Site, at, failure)
        {
            Resolve = Resolve,
            Total = Total ?? time.GetElapsedTime(Started),
            Detail = detail,
        };
    }
}
