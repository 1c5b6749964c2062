namespace Crawler.Node.Configuration;

/// <summary>The node's own settings, bound from the "Crawler" configuration section.</summary>
public sealed record NodeOptions
{
    public const string Section = "Crawler";

    /// <summary>Folder of the embedded store and exports (relative to the working directory).</summary>
    public string DataDirectory { get; init; } = "data";

    public SeedOptions Seeds { get; init; } = new();

    /// <summary>Show the live terminal view (when the terminal is interactive).</summary>
    public bool LiveView { get; init; } = true;

    public HttpOptions Http { get; init; } = new();
}

/// <summary>The node's HTTP endpoint (Prometheus metrics on /metrics).</summary>
public sealed record HttpOptions
{
    /// <summary>Where it listens, ';'-separated ("http://127.0.0.1:9464"; port 0 picks a free one); empty: no endpoint.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:9464";
}

public sealed record SeedOptions
{
    /// <summary>A CSV file like kp-domains.csv (first column: domain); empty = the built-in list of known sites.</summary>
    public string? File { get; init; }

    /// <summary>Extra seed URLs; when set without <see cref="File"/>, they replace the built-in list.</summary>
    public List<string> Urls { get; init; } = [];

    /// <summary>Put the non-.kp sites of the seed list into the crawl scope.</summary>
    public bool ScopeIncludesSeedDomains { get; init; } = true;
}
