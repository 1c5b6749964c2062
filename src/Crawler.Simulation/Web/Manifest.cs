using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Crawler.Simulation.Web;

public enum EntryOutcome
{
    /// <summary>2xx answered at once.</summary>
    Normal,

    /// <summary>3xx; the Location is its own entry (when in scope and allowed).</summary>
    Redirect,

    /// <summary>4xx or 5xx, final.</summary>
    Error,

    /// <summary>Headers and part of the body, then never finishes: the crawler gives up after its body timeout.</summary>
    Hangs,

    /// <summary>503 or 429 with Retry-After for the first requests, then 200.</summary>
    RetryThenOk,
}

/// <summary>One URL a correct crawl fetches. Url is canonical absolute (lowercase host, no default port, no fragment).</summary>
public sealed record ManifestEntry(string Url, int ExpectedStatus, string? Sha256Hex, EntryOutcome Outcome, string Host)
{
    /// <summary>Whether the body changes with the epoch.</summary>
    public bool EpochDependent { get; init; }

    /// <summary>Location of a redirect entry.</summary>
    public string? RedirectTo { get; init; }

    public string? ContentType { get; init; }

    /// <summary>Status of the first answers of a <see cref="EntryOutcome.RetryThenOk"/> entry (503 or 429).</summary>
    public int? RetryStatus { get; init; }
}

/// <summary>The endless calendar: a correct crawl fetches some of it, bounded by the crawler's own trap limits.</summary>
public sealed record TrapInfo(string Host, string PathPrefix, string EntryUrl, int? Depth)
{
    /// <summary>Trap URLs linked from outside the trap (normally just the entry).</summary>
    public IReadOnlySet<string> LinkedUrls { get; init; } = new HashSet<string>();

    public bool Contains(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u)
        && string.Equals(u.Host, Host, StringComparison.OrdinalIgnoreCase)
        && u.AbsolutePath.StartsWith(PathPrefix, StringComparison.Ordinal);
}

/// <summary>
/// What a correct crawl of the simulated web archives in one epoch: a BFS from the seeds (plus each
/// origin's /robots.txt and the sitemaps it names) over the links recorded when pages are rendered —
/// no HTML is parsed here — skipping links the crawler must not follow, off-scope and robots-disallowed
/// targets, everything under hosts whose robots.txt answers 5xx, and the trap.
/// </summary>
public sealed class Manifest
{
    private readonly SimulationModel _model;
    private readonly Dictionary<string, ManifestEntry> _byUrl;

    private Manifest(SimulationModel model, int epoch, IReadOnlyList<ManifestEntry> entries, IReadOnlySet<string> disallowed, IReadOnlySet<string> offScope, TrapInfo trap)
    {
        _model = model;
        Epoch = epoch;
        Entries = entries;
        DisallowedUrls = disallowed;
        OffScopeUrls = offScope;
        Trap = trap;
        _byUrl = entries.ToDictionary(e => e.Url, StringComparer.Ordinal);
    }

    public int Epoch { get; }

    /// <summary>Sorted by URL (ordinal).</summary>
    public IReadOnlyList<ManifestEntry> Entries { get; }

    /// <summary>Linked in scope but disallowed by robots.txt (or under a host whose robots.txt answers 5xx): must never be fetched.</summary>
    public IReadOnlySet<string> DisallowedUrls { get; }

    /// <summary>Linked but outside the scope (not .kp, not an extra domain): recorded, never fetched.</summary>
    public IReadOnlySet<string> OffScopeUrls { get; }

    public TrapInfo Trap { get; }

    public IReadOnlyList<string> SeedUrls => _model.SeedUrls;

    public IReadOnlyList<string> ExtraScopeDomains => _model.ExtraScopeDomains;

    public ManifestEntry? this[string url] => _byUrl.GetValueOrDefault(url);

    public bool Contains(string url) => _byUrl.ContainsKey(url);

    /// <summary>The manifest of the same model in another epoch.</summary>
    public Manifest ForEpoch(int epoch) => epoch == Epoch ? this : Build(_model, epoch);

    /// <summary>SHA-256 over the entries, the disallowed and the off-scope sets: equal digests mean equal manifests.</summary>
    public string Digest()
    {
        var sb = new StringBuilder();
        foreach (var e in Entries)
        {
            sb.Append(e.Url).Append('\t').Append(e.ExpectedStatus.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(e.Sha256Hex).Append('\t').Append(e.Outcome).Append('\n');
        }

        foreach (var d in DisallowedUrls.Order(StringComparer.Ordinal))
        {
            sb.Append("D\t").Append(d).Append('\n');
        }

        foreach (var o in OffScopeUrls.Order(StringComparer.Ordinal))
        {
            sb.Append("O\t").Append(o).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    public static Manifest Build(SimulationModel model, int epoch)
    {
        ArgumentNullException.ThrowIfNull(model);
        // A web of plain sites has no trap: an empty host, which no URL has.
        var trapSite = model.Sites.FirstOrDefault(s => s.Has(SiteFeatures.Trap));
        var trap = trapSite is null
            ? new TrapInfo(string.Empty, SimulationModel.TrapPathPrefix, string.Empty, model.Options.TrapDepth)
            : new TrapInfo(trapSite.Host, SimulationModel.TrapPathPrefix, trapSite.Url(SimulationModel.TrapEntryPath), model.Options.TrapDepth);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var origins = new HashSet<string>(StringComparer.Ordinal);
        var disallowed = new HashSet<string>(StringComparer.Ordinal);
        var offScope = new HashSet<string>(StringComparer.Ordinal);
        var trapLinked = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>();
        var entries = new List<ManifestEntry>();

        void Discover(string url)
        {
            if (!seen.Add(url))
            {
                return;
            }

            var u = new Uri(url);
            if (!model.IsInScope(u.Host))
            {
                offScope.Add(url);
                return;
            }

            var site = model.Site(u.Host)
                ?? throw new InvalidOperationException($"Generated a link to an in-scope host that is not simulated: {url}");
            if (trap.Contains(url))
            {
                trapLinked.Add(url);
                return;
            }

            var origin = u.Scheme + "://" + u.Host;
            if (origins.Add(origin))
            {
                Discover(origin + "/robots.txt");
            }

            if (u.AbsolutePath != "/robots.txt" && !site.Robots.IsAllowed(u.PathAndQuery))
            {
                disallowed.Add(url);
                return;
            }

            queue.Enqueue(url);
        }

        foreach (var seed in model.SeedUrls)
        {
            Discover(seed);
        }

        while (queue.TryDequeue(out var url))
        {
            var u = new Uri(url);
            var r = model.Respond(url, epoch) ?? throw new InvalidOperationException("No response for " + url);
            var outcome = r.Behavior switch
            {
                ResponseBehavior.Hang => EntryOutcome.Hangs,
                ResponseBehavior.RetryThenOk => EntryOutcome.RetryThenOk,
                _ when r.Status is >= 300 and < 400 => EntryOutcome.Redirect,
                _ when r.Status >= 400 => EntryOutcome.Error,
                _ => EntryOutcome.Normal,
            };
            var sha = r.Behavior is ResponseBehavior.Hang or ResponseBehavior.NonDeterministic
                ? null
                : Convert.ToHexStringLower(SHA256.HashData(r.Body));
            entries.Add(new ManifestEntry(url, r.Status, sha, outcome, u.Host)
            {
                EpochDependent = r.EpochDependent,
                RedirectTo = r.Location,
                ContentType = r.ContentType,
                RetryStatus = r.Behavior == ResponseBehavior.RetryThenOk ? r.RetryStatus : null,
            });

            if (outcome is EntryOutcome.Hangs or EntryOutcome.Error)
            {
                continue;
            }

            foreach (var link in r.Links)
            {
                if (link.IsFollowed)
                {
                    Discover(link.Target);
                }
            }
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Url, b.Url));
        return new Manifest(model, epoch, entries, disallowed, offScope, trap with { LinkedUrls = trapLinked });
    }
}
