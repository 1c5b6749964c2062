// Hand-written: the steps both probers take the same way (every failure a result; the host looked up through the
// crawler's own resolver, never the system's, then the first address the guard admits) and the wording of their
// details. Library code does the lookups themselves; what is shared here is how a probe judges and words them.
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Crawler.Core.Uptime;

namespace Crawler.Net.Probing;

/// <summary>Steps and detail wording shared by <see cref="SiteProber"/> and <see cref="NameServerProber"/>.</summary>
internal static class ProbeSteps
{
    /// <summary>
    /// Runs a probe's <paramref name="steps"/>; whatever they throw comes back as a result: cancelled by the caller
    /// → <see cref="ProbeFailure.Other"/> "probe cancelled"; past the limit → <paramref name="tooLate"/>; else
    /// <see cref="ProbeFailure.Other"/> with the exception's messages.
    /// </summary>
    public static async Task<ProbeResult> RunAsync(ProbeRun run, Func<Task<ProbeResult>> steps, ProbeFailure tooLate)
    {
        try
        {
            return await steps().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Contract: every failure is a result, never an exception.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return run.CallerCancelled
                ? run.Fail(ProbeFailure.Other, "probe cancelled")
                : run.TimedOut
                    ? run.Fail(tooLate, $"probe not finished within {Ms(run.Limit)}")
                    : run.Fail(ProbeFailure.Other, Describe(ex));
        }
    }

    /// <summary>
    /// Looks <paramref name="host"/> up through <paramref name="resolver"/> and adds the time taken to <see cref="ProbeRun.Resolve"/>
    /// (a probe that follows redirects resolves once per hop).
    /// Returns the addresses, or null with <see cref="ProbeRun.Result"/> set: NXDOMAIN →
    /// <see cref="ProbeFailure.DnsNxDomain"/>; the resolver's timeout, or none of its answer within the probe's limit
    /// ("<paramref name="noAnswer"/> within N ms") → <see cref="ProbeFailure.DnsTimeout"/>; anything else →
    /// <see cref="ProbeFailure.DnsError"/>. Cancellation by the caller is thrown.
    /// </summary>
    public static async Task<IReadOnlyList<IPAddress>?> ResolveAsync(ProbeRun run, IHostResolver resolver, string host, string noAnswer)
    {
        var started = run.Time.GetTimestamp();
        ResolvedHost resolved;
        try
        {
            resolved = await resolver.ResolveAsync(host, run.Token).AsTask().WaitAsync(run.Token).ConfigureAwait(false);
        }
        catch (Exception) when (run.TimedOut)
        {
            run.Resolve = (run.Resolve ?? TimeSpan.Zero) + run.Time.GetElapsedTime(started);
            run.Result = run.Fail(ProbeFailure.DnsTimeout, $"{noAnswer} within {Ms(run.Limit)}");
            return null;
        }
        catch (Exception ex) when (!run.CallerCancelled)
        {
            run.Resolve = (run.Resolve ?? TimeSpan.Zero) + run.Time.GetElapsedTime(started);
            run.Result = run.Fail(ProbeFailure.DnsError, $"resolving {host} failed: {Describe(ex)}");
            return null;
        }

        run.Resolve = (run.Resolve ?? TimeSpan.Zero) + run.Time.GetElapsedTime(started);
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

    /// <summary>
    /// The first of <paramref name="candidates"/> that <paramref name="guard"/> admits, or null with
    /// <see cref="ProbeRun.Result"/> set to <see cref="ProbeFailure.Other"/>: the guard's reason for the first
    /// refused address, or <paramref name="noAddress"/> when there was none.
    /// </summary>
    public static IPAddress? Admit(ProbeRun run, AddressGuard guard, IReadOnlyList<IPAddress> candidates, string noAddress)
    {
        string? refusal = null;
        foreach (var candidate in candidates)
        {
            var decision = guard.Check(candidate);
            if (decision.Allowed)
            {
                return candidate;
            }

            refusal ??= $"address {candidate} refused by the address guard: {decision.Reason}";
        }

        run.Result = run.Fail(ProbeFailure.Other, refusal ?? noAddress);
        return null;
    }

    /// <summary>"1234 ms".</summary>
    public static string Ms(TimeSpan span) => span.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";

    /// <summary>"127.0.0.1:53", "[::1]:53".</summary>
    public static string Format(IPEndPoint endPoint) =>
        endPoint.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{endPoint.Address}]:{endPoint.Port.ToString(CultureInfo.InvariantCulture)}"
            : $"{endPoint.Address}:{endPoint.Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The exception's message and those of its inner exceptions, joined by " --> ".</summary>
    public static string Describe(Exception ex)
    {
        var sb = new StringBuilder(ex.Message);
        for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            sb.Append(" --> ").Append(inner.Message);
        }

        return sb.ToString();
    }
}
