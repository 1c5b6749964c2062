using System.Net;
using Crawler.Actors;
using Crawler.Actors.Discovery;
using Crawler.Actors.Uptime;
using Crawler.Net;
using Crawler.Net.Notifications;
using Microsoft.Extensions.Options;

namespace Crawler.Node.Configuration;

/// <summary>
/// Start-up checks of every setting a person can get wrong. Each message names the setting,
/// the value and the fix, because a crawler that runs for years is configured rarely and
/// by people who do not read its source.
/// </summary>
internal sealed partial class NodeOptionsValidation :
    IValidateOptions<NodeOptions>,
    IValidateOptions<CrawlOptions>,
    IValidateOptions<FetcherOptions>,
    IValidateOptions<DnsResolverOptions>,
    IValidateOptions<AddressGuardOptions>,
    IValidateOptions<DiscoveryOptions>,
    IValidateOptions<UptimeOptions>,
    IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        var errors = new List<string>();
        const string p = "Crawler:Uptime:Webhook";
        if (options.Url is not { } url)
        {
            return ValidateOptionsResult.Success; // no webhook: nothing else is used
        }

        if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
        {
            // The URL itself is not repeated: it may carry a token.
            var what = url.IsAbsoluteUri ? $"has the scheme '{url.Scheme}'" : "is not absolute";
            errors.Add($"{p}:Url {what}: give an absolute http(s) URL, e.g. https://alerts.example.org/hooks/crawler.");
        }

        Positive(errors, $"{p}:MaxAttempts", options.MaxAttempts);
        foreach (var (setting, value, example) in new[]
        {
            ("BaseDelay", options.BaseDelay, "00:00:02"),
            ("Timeout", options.Timeout, "00:00:10"),
            ("PollInterval", options.PollInterval, "00:00:05"),
            ("Lookback", options.Lookback, "01:00:00"),
        })
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"{p}:{setting} = {value} must be positive, e.g. {example}.");
            }
        }

        if (options.MaxDelay < options.BaseDelay)
        {
            errors.Add($"{p}:MaxDelay = {options.MaxDelay} must be at least BaseDelay ({options.BaseDelay}), e.g. 00:05:00.");
        }

        return Result(errors);
    }

    public ValidateOptionsResult Validate(string? name, UptimeOptions options)
    {
        var errors = new List<string>();
        const string p = "Crawler:Uptime";
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        if (options.Interval < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{p}:Interval = {options.Interval} must be at least 00:00:01 (Uptime Kuma's default is 00:01:00).");
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > options.Interval)
        {
            errors.Add($"{p}:Timeout = {options.Timeout} must be positive and no longer than the interval ({options.Interval}), e.g. 00:00:10.");
        }

        if (options.MaxRedirects is < 0 or > 50)
        {
            errors.Add($"{p}:MaxRedirects = {options.MaxRedirects} must be between 0 (follow none) and 50, e.g. 10.");
        }

        Positive(errors, $"{p}:FailuresToDown", options.FailuresToDown);
        Positive(errors, $"{p}:SuccessesToUp", options.SuccessesToUp);
        Positive(errors, $"{p}:SlowToDegraded", options.SlowToDegraded);
        Positive(errors, $"{p}:CountryRoundsToConfirm", options.CountryRoundsToConfirm);
        if (options.DegradedAfter <= TimeSpan.Zero)
        {
            errors.Add($"{p}:DegradedAfter = {options.DegradedAfter} must be positive, e.g. 00:00:02.");
        }

        if (options.Retention < TimeSpan.FromDays(1))
        {
            errors.Add($"{p}:Retention = {options.Retention} must be at least 1.00:00:00 (raw results; hourly aggregates are kept anyway).");
        }

        if (!(options.CountryFailingFraction is > 0 and <= 1))
        {
            errors.Add($"{p}:CountryFailingFraction = {options.CountryFailingFraction} must be in (0, 1], e.g. 0.9.");
        }

        for (var i = 0; i < options.Sites.Count; i++)
        {
            var site = options.Sites[i];
            if (string.IsNullOrWhiteSpace(site.Site))
            {
                errors.Add($"{p}:Sites:{i}:Site is empty: name the host the settings are for, e.g. kcna.kp.");
            }

            if (site.Url is { } url && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            {
                errors.Add($"{p}:Sites:{i}:Url = '{url}' is not an absolute http(s) URL, e.g. http://kcna.kp/.");
            }

            if (site.Regex is { } regex)
            {
                try
                {
                    _ = new System.Text.RegularExpressions.Regex(regex, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
                }
                catch (ArgumentException ex)
                {
                    errors.Add($"{p}:Sites:{i}:Regex is not a valid regular expression: {ex.Message}");
                }
            }
        }

        return Result(errors);
    }

    public ValidateOptionsResult Validate(string? name, DiscoveryOptions options)
    {
        var errors = new List<string>();
        const string p = "Crawler:Discovery";
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        if (string.IsNullOrWhiteSpace(options.RootZone))
        {
            errors.Add($"{p}:RootZone is empty. Set it to the zone to transfer first, e.g. 'kp', or set {p}:Enabled=false.");
        }

        if (options.Interval <= TimeSpan.Zero)
        {
            errors.Add($"{p}:Interval = {options.Interval} must be positive, e.g. 1.00:00:00 (daily).");
        }

        if (!(options.PtrQueriesPerSecond > 0))
        {
            errors.Add($"{p}:PtrQueriesPerSecond = {options.PtrQueriesPerSecond} must be more than 0, e.g. 5.");
        }

        for (var i = 0; i < options.PtrRanges.Count; i++)
        {
            if (!IPNetwork.TryParse(options.PtrRanges[i], out var range) || range.BaseAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            {
                errors.Add($"{p}:PtrRanges:{i} = '{options.PtrRanges[i]}' is not an IPv4 CIDR such as 175.45.176.0/22.");
            }
        }

        return Result(errors);
    }

    public ValidateOptionsResult Validate(string? name, NodeOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            errors.Add("Crawler:DataDirectory is empty. Set it to a writable folder, e.g. Crawler__DataDirectory=./data.");
        }

        try
        {
            _ = StoreLocation.From(options);
        }
        catch (StoreLocationException e)
        {
            errors.Add(e.Message);
        }

        if (options.Seeds.File is { Length: > 0 } file && !File.Exists(file))
        {
            errors.Add($"Crawler:Seeds:File = '{file}' does not exist. Point it at a CSV whose first column is a domain, or leave it empty for the built-in .kp list.");
        }

        foreach (var url in options.Http.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
            {
                errors.Add($"Crawler:Http:Urls has '{url}', not an http URL to listen on. Write it like http://127.0.0.1:9464 (or leave the setting empty for no endpoint).");
            }
        }

        if (options.Http.WriteToken is { } token && token.Trim().Length < 16)
        {
            errors.Add("Crawler:Http:WriteToken is shorter than 16 characters: use a long random value (e.g. `openssl rand -hex 32`), or leave it unset to refuse every write request.");
        }

        if (!options.Http.OpenReads && string.IsNullOrWhiteSpace(options.Http.WriteToken))
        {
            errors.Add("Crawler:Http:OpenReads = false closes reads to requests without the token, but Crawler:Http:WriteToken is not set: set the token, or leave OpenReads true.");
        }

        var cluster = options.Cluster;
        if (cluster.Port is < 0 or > 65535)
        {
            errors.Add($"Crawler:Cluster:Port = {cluster.Port} is not a TCP port. Use 1-65535 (e.g. 4551), or 0 for any free port on a node alone.");
        }

        if (cluster.Config is { Length: > 0 } config && !File.Exists(ClusterConfigPath(config)))
        {
            errors.Add($"Crawler:Cluster:Config = '{config}' is not a file of cluster-config/ ({ClusterConfigPath(config)}). Use e.g. local-three-node.hocon or kubernetes.hocon.");
        }

        for (var i = 0; i < cluster.SeedNodes.Count; i++)
        {
            var seed = cluster.SeedNodes[i];
            if (!Akka.Actor.Address.TryParse(seed, out var address) || address.System != Hosting.NodeHost.ActorSystemName || address.Port is null or 0)
            {
                errors.Add($"Crawler:Cluster:SeedNodes:{i} = '{seed}' is not a seed node address. Write it like akka.tcp://{Hosting.NodeHost.ActorSystemName}@127.0.0.1:4551 (system name {Hosting.NodeHost.ActorSystemName}, a fixed port).");
            }
        }

        if (cluster.Discovery == ClusterDiscovery.Kubernetes)
        {
            // Before bootstrap asks the API server: outside a pod there is none to ask.
            if (KubernetesEnvironment.Problem() is { } notInPod)
            {
                errors.Add(notInPod);
            }
            else if (cluster.SeedNodes.Count > 0)
            {
                errors.Add("Crawler:Cluster:Discovery = 'Kubernetes' finds the other nodes through the Kubernetes API, so Crawler:Cluster:SeedNodes must be empty: remove them (or set Discovery=Seeds to use them).");
            }
            else if (string.IsNullOrWhiteSpace(cluster.PublicHostname) || !System.Net.IPAddress.TryParse(cluster.PublicHostname, out _))
            {
                errors.Add($"Crawler:Cluster:Discovery = 'Kubernetes' needs Crawler:Cluster:PublicHostname to be the pod's IP (it is '{cluster.PublicHostname}'): the API server lists pods by IP and bootstrap matches this node among them. k8s/base/statefulset.yaml sets it from status.podIP.");
            }
            else if (options.Http.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() is not { } first
                || !Uri.TryCreate(first, UriKind.Absolute, out var endpoint) || endpoint.Port == 0)
            {
                errors.Add($"Crawler:Cluster:Discovery = 'Kubernetes' needs Crawler:Http:Urls with a fixed port (it is '{options.Http.Urls}'): the other pods ask it during cluster bootstrap (the pod's port named \"http\"), e.g. http://0.0.0.0:9464.");
            }
        }

        if (cluster.MinimumMembers is < 1)
        {
            errors.Add($"Crawler:Cluster:MinimumMembers = {cluster.MinimumMembers} must be at least 1 (the nodes that must have joined before work starts).");
        }

        if (cluster.ShutdownTimeout <= TimeSpan.Zero || cluster.ShutdownTimeout > Commands.CrawlerCli.TerminationTimeout - TimeSpan.FromSeconds(30))
        {
            errors.Add($"Crawler:Cluster:ShutdownTimeout = {cluster.ShutdownTimeout} must be positive and at most {Commands.CrawlerCli.TerminationTimeout - TimeSpan.FromSeconds(30)}, e.g. 00:01:00.");
        }

        for (var i = 0; i < options.Seeds.Urls.Count; i++)
        {
            var url = options.Seeds.Urls[i];
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"Crawler:Seeds:Urls:{i} = '{url}' is not an absolute http(s) URL. Write it like http://kcna.kp/.");
            }
        }

        return Result(errors);
    }

    private static string ClusterConfigPath(string file) => Path.Combine(AppContext.BaseDirectory, "cluster-config", file);

    public ValidateOptionsResult Validate(string? name, CrawlOptions options)
    {
        var errors = new List<string>();
        const string p = "Crawler:Crawl";
        if (string.IsNullOrWhiteSpace(options.ProductToken) || options.ProductToken.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_'))
        {
            errors.Add($"{p}:ProductToken = '{options.ProductToken}' must be letters, digits, '-' or '_' (the robots.txt user-agent token), e.g. 'crawler'.");
        }

        if (options.ScopeDomains.Count == 0)
        {
            errors.Add($"{p}:ScopeDomains is empty: nothing would be crawled. Set it to at least 'kp'.");
        }

        try
        {
            _ = new Core.Policies.CrawlScope(options.ScopeDomains, options.ScopeAddressRanges);
        }
        catch (FormatException ex)
        {
            errors.Add($"{p}:ScopeAddressRanges: {ex.Message}");
        }

        Positive(errors, $"{p}:MaxPagesPerSite", options.MaxPagesPerSite);
        Positive(errors, $"{p}:MaxUnacknowledged", options.MaxUnacknowledged);
        Positive(errors, $"{p}:Retry:MaxAttempts", options.Retry.MaxAttempts);
        Positive(errors, $"{p}:Traps:MaxDepth", options.Traps.MaxDepth);
        Positive(errors, $"{p}:Traps:CalendarYearsBack", options.Traps.CalendarYearsBack);
        Positive(errors, $"{p}:Traps:CalendarDaysAhead", options.Traps.CalendarDaysAhead);
        Positive(errors, $"{p}:Traps:MaxLinksPerPage", options.Traps.MaxLinksPerPage);
        Positive(errors, $"{p}:Traps:MaxDomChars", options.Traps.MaxDomChars);
        Positive(errors, $"{p}:Traps:MaxNearDuplicates", options.Traps.MaxNearDuplicates);
        NotNegative(errors, $"{p}:Politeness:MinDelay", options.Politeness.MinDelay);
        if (options.Politeness.MaxConcurrentPerHost is < 1 or > 64)
        {
            errors.Add($"{p}:Politeness:MaxConcurrentPerHost = {options.Politeness.MaxConcurrentPerHost} must be from 1 (one request at a time, the polite default) to 64.");
        }

        NotNegative(errors, $"{p}:Politeness:MaxDelay", options.Politeness.MaxDelay);
        NotNegative(errors, $"{p}:Retry:BaseDelay", options.Retry.BaseDelay);
        if (options.Politeness.DelayFactor < 0 || double.IsNaN(options.Politeness.DelayFactor))
        {
            errors.Add($"{p}:Politeness:DelayFactor = {options.Politeness.DelayFactor} must be 0 or more (Heritrix uses 5).");
        }

        if (options.ReportInterval <= TimeSpan.Zero)
        {
            errors.Add($"{p}:ReportInterval = {options.ReportInterval} must be positive, e.g. 00:00:01.");
        }

        if (options.CheckInterval <= TimeSpan.Zero)
        {
            errors.Add($"{p}:CheckInterval = {options.CheckInterval} must be positive, e.g. 00:00:01.");
        }

        if (options.RecrawlInterval <= TimeSpan.Zero)
        {
            errors.Add($"{p}:RecrawlInterval = {options.RecrawlInterval} must be positive, e.g. 1.00:00:00 (the pause between epochs).");
        }

        if (options.Recrawl is null)
        {
            errors.Add($"{p}:Recrawl is missing: remove the empty section to use the defaults.");
        }
        else
        {
            // RecrawlOptions names its own settings (FrontPage.Min, IncreaseRate, ...): named here as configuration keys.
            errors.AddRange(options.Recrawl.Problems().Select(problem => RecrawlSetting().Replace(
                problem, m => $"{p}:Recrawl:{m.Groups[1].Value}" + (m.Groups[3].Success ? ":" + m.Groups[3].Value : string.Empty))));
        }

        return Result(errors);
    }

    public ValidateOptionsResult Validate(string? name, FetcherOptions options)
    {
        var errors = new List<string>();
        const string p = "Crawler:Fetcher";
        if (string.IsNullOrWhiteSpace(options.UserAgent))
        {
            errors.Add($"{p}:UserAgent is empty. Servers deserve to know who fetches: set e.g. 'crawler/0.1 (+mailto:you@example.org)'.");
        }

        if (options.ConnectTimeout <= TimeSpan.Zero || options.HeadersTimeout <= TimeSpan.Zero || options.BodyTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{p}: ConnectTimeout, HeadersTimeout and BodyTimeout must be positive time spans like 00:00:10.");
        }

        if (options.MaxBodyBytes <= 0 || options.MaxDecompressedBytes <= 0)
        {
            errors.Add($"{p}: MaxBodyBytes and MaxDecompressedBytes must be positive byte counts.");
        }

        for (var i = 0; i < options.ConnectTo.Count; i++)
        {
            try
            {
                ConnectToRule.Parse(options.ConnectTo[i]);
            }
            catch (FormatException ex)
            {
                errors.Add($"{p}:ConnectTo:{i} = '{options.ConnectTo[i]}': {ex.Message} Write HOST1:PORT1:HOST2:PORT2 as curl's --connect-to, e.g. ':80::8080'.");
            }
        }

        return Result(errors);
    }

    public ValidateOptionsResult Validate(string? name, DnsResolverOptions options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.Servers.Count; i++)
        {
            var server = options.Servers[i];
            if (!IPEndPoint.TryParse(server, out _) && !IPAddress.TryParse(server, out _))
            {
                errors.Add($"Crawler:Dns:Servers:{i} = '{server}' is not an IP address or address:port. Write e.g. 127.0.0.1:5353.");
            }
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            errors.Add($"Crawler:Dns:Timeout = {options.Timeout} must be positive, e.g. 00:00:02.");
        }

        return Result(errors);
    }

    public ValidateOptionsResult Validate(string? name, AddressGuardOptions options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.Allow.Count; i++)
        {
            try
            {
                AddressGuard.ParseNetwork(options.Allow[i]);
            }
            catch (FormatException)
            {
                errors.Add($"Crawler:AddressGuard:Allow:{i} = '{options.Allow[i]}' is not a CIDR range. Write e.g. 127.0.0.0/8.");
            }
        }

        if (!options.AllowPublic && options.Allow.Count == 0)
        {
            errors.Add("Crawler:AddressGuard:AllowPublic is false and Allow is empty: every address would be refused. Add a range to Allow (e.g. 127.0.0.0/8 for the simulated web) or set AllowPublic to true.");
        }

        return Result(errors);
    }

    private static void Positive(List<string> errors, string setting, int value)
    {
        if (value <= 0)
        {
            errors.Add($"{setting} = {value} must be a positive number.");
        }
    }

    private static void NotNegative(List<string> errors, string setting, TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            errors.Add($"{setting} = {value} must not be negative.");
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\b(FrontPage|Listing|Article|IncreaseRate|DecreaseRate|SyncDeltaRate|ListingMaxDepth)(\.(Min|Initial|Max))?\b")]
    private static partial System.Text.RegularExpressions.Regex RecrawlSetting();

    private static ValidateOptionsResult Result(List<string> errors) =>
        errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
}
