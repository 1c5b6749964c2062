using System.Net;
using Crawler.Core.Policies;
using Crawler.Net;

namespace Crawler.Actors.Sites;

/// <summary>
/// The host's DNS answer as a site uses it: what the address guard admits of it, why nothing is admitted (when so),
/// the address requests go to (<see cref="Pinned"/>) and until when the answer is used.
/// </summary>
internal sealed record SiteAddress(ResolvedHost Answer, IReadOnlyList<IPAddress> Admitted, string? Refusal, DateTimeOffset Expires)
{
    /// <summary>The address requests go to: the first admitted IPv4 address, else the first admitted one; null when none is.</summary>
    public string? Pinned => Admitted.Count == 0
        ? null
        : (Admitted.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) ?? Admitted[0]).ToString();

    /// <summary>
    /// An answer checked by the guard (<paramref name="check"/>). One with addresses is used for its TTL, at least a
    /// second and at most <paramref name="maxCache"/>; one without is asked again after the retry backoff of
    /// <paramref name="failedAttempts"/> failed answers in a row (this one included).
    /// </summary>
    public static SiteAddress From(ResolvedHost answer, Func<IPAddress, AddressDecision> check, DateTimeOffset now, TimeSpan maxCache, RetryOptions retry, int failedAttempts)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(check);
        var refused = answer.Addresses.Select(a => (Address: a, Decision: check(a))).Where(d => !d.Decision.Allowed).ToList();
        IReadOnlyList<IPAddress> admitted = [.. answer.Addresses.Where(a => refused.TrueForAll(d => !d.Address.Equals(a)))];
        var refusal = refused.Count > 0 && admitted.Count == 0
            ? "address guard: " + string.Join("; ", refused.Select(d => $"{d.Address} is {d.Decision.Reason}"))
            : null;
        DateTimeOffset expires;
        if (answer.Addresses.Count > 0)
        {
            var ttl = answer.Ttl > TimeSpan.Zero && answer.Ttl < maxCache ? answer.Ttl : maxCache;
            expires = now + (ttl < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : ttl);
        }
        else
        {
            expires = now + RetryPolicy.Backoff(retry, failedAttempts);
        }

        return new SiteAddress(answer, admitted, refusal, expires);
    }
}
