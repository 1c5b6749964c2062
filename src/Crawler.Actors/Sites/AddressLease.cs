using Crawler.Storage;

namespace Crawler.Actors.Sites;

/// <summary>One request a site makes: a frontier URL, or an origin's robots.txt (<see cref="RobotsOrigin"/> set).</summary>
internal sealed record FetchJob(FrontierEntry Entry, int Attempt, string? RobotsOrigin)
{
    /// <summary>The address (of the DNS answer, admitted by the guard) the request connects to.</summary>
    public string Address { get; init; } = string.Empty;

    /// <summary>Redirects followed so far to reach this robots.txt.</summary>
    public int Hops { get; init; }
}

/// <summary>
/// The site's side of the address gate: the job it asked a slot for (awaiting the grant), the address whose
/// slot it holds (during a fetch and the politeness pause after it) and when the pause ends. At most one of
/// each at a time: a site asks for a slot only when it holds none and awaits none.
/// </summary>
internal sealed class AddressLease
{
    /// <summary>The job waiting for its address's slot, or null.</summary>
    public FetchJob? Awaiting { get; private set; }

    /// <summary>The address whose slot this site holds, or null.</summary>
    public string? Held { get; private set; }

    /// <summary>When the held slot is to be released (its politeness pause ends); null while a fetch runs.</summary>
    public DateTimeOffset? ReleaseAt { get; private set; }

    /// <summary>When the held slot was granted (a site keeps it across consecutive requests for a bounded time only).</summary>
    public DateTimeOffset? HeldSince { get; private set; }

    /// <summary>Neither holding nor waiting: the site may ask for a slot.</summary>
    public bool IsFree => Awaiting is null && Held is null;

    /// <summary>The slot is held for requests (not for a politeness pause): the site may start another request on it.</summary>
    public bool InRequest => Held is not null && ReleaseAt is null;

    /// <summary>Asks a slot for <paramref name="job"/> (its <see cref="FetchJob.Address"/>).</summary>
    public void Ask(FetchJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (!IsFree)
        {
            throw new InvalidOperationException($"A slot is already {(Held is not null ? "held" : "asked for")}.");
        }

        Awaiting = job;
    }

    /// <summary>
    /// The gate granted <paramref name="address"/>: returns the job it was asked for, now holding the slot,
    /// or null when nothing awaits that address (a stale grant, to be released at once).
    /// </summary>
    public FetchJob? Grant(string address)
    {
        if (Awaiting is not { } job || job.Address != address)
        {
            return null;
        }

        Awaiting = null;
        Held = address;
        ReleaseAt = null;
        HeldSince = null;
        return job;
    }

    /// <summary>Records when the slot was granted (<see cref="Grant"/> has no clock).</summary>
    public void GrantedAt(DateTimeOffset now) => HeldSince ??= now;

    /// <summary>Gives up waiting for a grant (the site stops); a late grant is then stale.</summary>
    public void Forget() => Awaiting = null;

    /// <summary>The fetch is over: the slot is kept until <paramref name="until"/> (the pause). False when nothing is held.</summary>
    public bool HoldUntil(DateTimeOffset until)
    {
        if (Held is null)
        {
            return false;
        }

        ReleaseAt = until;
        return true;
    }

    /// <summary>Gives the slot back: returns the address to release at the gate, or null when none was held.</summary>
    public string? Release()
    {
        var held = Held;
        Held = null;
        ReleaseAt = null;
        HeldSince = null;
        return held;
    }
}
