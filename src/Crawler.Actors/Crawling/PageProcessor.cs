using System.Security.Cryptography;
using Crawler.Core.Html;
using Crawler.Core.Policies;
using Crawler.Core.Sitemaps;
using Crawler.Core.Text;
using Crawler.Core.Urls;
using Crawler.Net;
using Crawler.Storage;

namespace Crawler.Actors.Crawling;

/// <summary>What one fetch produced: the capture to commit, the links to queue and what to do next.</summary>
public sealed record ProcessedFetch(
    FetchCommit Commit,
    IReadOnlyList<FrontierEntry> Discovered,
    RetryDecision Retry,
    TimeSpan ResponseTime,
    TimeSpan? RetryAfter,
    string? Body)
{
    /// <summary>An HTML page's fingerprint for the near-duplicate trap rule (<see cref="NearDuplicates"/>); null for anything else.</summary>
    public PageFingerprint? Fingerprint { get; init; }
}

/// <summary>
/// Turns a fetch result into a capture and the in-scope links it leads to. Plain logic, run
/// off the actor's thread (it parses HTML), so the site actor only does bookkeeping.
/// </summary>
public static class PageProcessor
{
    private static readonly HashSet<LinkKind> NotFollowed = [LinkKind.Form];

    /// <summary>URLs one sitemap may list (the sitemaps protocol's limit): a sitemap is never cut below it by <see cref="TrapGuardOptions.MaxLinksPerPage"/>.</summary>
    public const int SitemapMaxUrls = 50_000;

    public static ProcessedFetch Process(
        FrontierEntry entry,
        int attempt,
        FetchResult result,
        CrawlOptions options,
        CrawlScope scope,
        long maxDecompressedBytes,
        CaptureRecord? previous = null,
        bool keepBodyText = false)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(scope);

        var digest = result.Error is null || result.Body.Length > 0 ? PayloadDigest(result.Body) : null;
        IEnumerable<(string Url, string Source, LinkKind Kind)> links = [];
        var cap = options.Traps.MaxLinksPerPage;
        IEnumerable<string>? blocks = null;
        string? title = null, language = null, charset = null, redirectTo = null, text = null;
        PageFingerprint? fingerprint = null;
        var notModified = result.StatusCode == 304 && previous is not null;

        if (notModified)
        {
            // Unchanged since the previous capture: its payload and links stand for this one.
            digest = previous!.PayloadDigest;
            title = previous.Title;
            language = previous.Language;
            charset = previous.Charset;
            links = StoredLinks(previous);
            cap = StoredCap(previous, options);
        }
        else if (result.StatusCode is >= 300 and < 400 && result.Location is { } location)
        {
            redirectTo = UrlCanonicalizer.Canonicalize(location, entry.Url);
            if (redirectTo is not null)
            {
                links = [(redirectTo, "redirect", LinkKind.Redirect)];
            }
        }
        else if (result.StatusCode is >= 200 and < 300 && result.Body.Length > 0)
        {
            // A body sent without a content coding is read as it is (decoding it would copy it whole); nothing here writes to it.
            var content = string.IsNullOrEmpty(result.ContentEncoding) ? result.Body : HttpFetcher.Decode(result, maxDecompressedBytes, out _);
            var mime = MediaType(result.ContentType);
            if (IsHtml(mime, content))
            {
                var html = EncodingSniffer.Decode(content, result.ContentType, out var sniff);
                charset = sniff.Label;
                // A large page is read by streaming passes, its links taken one at a time (Follow keeps the first cap of them
                // and counts the rest), so memory is bounded by the settings rather than by what the page holds. Otherwise one
                // DOM gives the links and the text.
                var large = html.Length > options.Traps.MaxDomChars;
                var page = large ? HtmlLinkExtractor.StreamFacts(html) : HtmlLinkExtractor.Extract(html, withBlocks: true);
                title = page.Title;
                language = page.Language;
                var baseUrl = page.BaseHref is { } b ? UrlCanonicalizer.Canonicalize(b, entry.Url) ?? entry.Url : entry.Url;
                var parsedBase = WhatwgUrl.Parse(baseUrl, null);
                links = Resolved(large ? HtmlLinkExtractor.StreamLinks(html) : page.Links, parsedBase);
                if (keepBodyText)
                {
                    text = html;
                }

                blocks = large ? HtmlText.StreamBlocks(html) : page.Blocks!;
            }
            else if (mime == "text/css")
            {
                var css = EncodingSniffer.Decode(content, result.ContentType, "windows-1252", guess: false, out var sniff);
                charset = sniff.Label;
                var found = new List<(string Url, string Source, LinkKind Kind)>();
                links = found;
                foreach (var raw in CssLinkExtractor.Extract(css))
                {
                    var url = UrlCanonicalizer.Canonicalize(raw, entry.Url);
                    if (url is not null)
                    {
                        found.Add((url, "css@url", LinkKind.Embed));
                    }
                }
            }
            else if (entry.Kind == "sitemap" || IsSitemapUrl(entry.Url) || (mime.EndsWith("xml", StringComparison.Ordinal) && entry.Kind == "robots@sitemap"))
            {
                var sitemap = SitemapParser.Parse(content);
                var found = new List<(string Url, string Source, LinkKind Kind)>();
                links = found;
                cap = Math.Max(cap, SitemapMaxUrls);
                foreach (var loc in sitemap.Entries.Select(e => e.Location))
                {
                    var url = UrlCanonicalizer.Canonicalize(loc, entry.Url);
                    if (url is not null)
                    {
                        found.Add((url, "sitemap", LinkKind.Other));
                    }
                }
            }
            else if (keepBodyText && mime.StartsWith("text/", StringComparison.Ordinal))
            {
                text = EncodingSniffer.Decode(content, result.ContentType, out var sniff);
                charset = sniff.Label;
            }
        }

        var (outlinks, discovered, declined) = Follow(entry, links, cap, options, scope, result.StartedAt);
        if (blocks is not null)
        {
            // The distinct links as recorded: all of them but on a page over the cap (the fingerprint takes them distinct).
            fingerprint = PageFingerprint.Of(entry.Url, blocks, outlinks.Select(o => o.Url));
        }

        var retry = RetryPolicy.Decide(options.Retry, attempt, result.StatusCode, IsTransient(result.Error), result.RetryAfter);
        var state = retry.Kind switch
        {
            RetryDecisionKind.Retry => FrontierState.Pending,
            RetryDecisionKind.GiveUp => FrontierState.Failed,
            _ => FrontierState.Done,
        };

        var capture = new CaptureRecord
        {
            Id = Guid.CreateVersion7(result.StartedAt).ToString("N"),
            Url = entry.Url,
            Host = entry.Host,
            Epoch = entry.Epoch,
            FetchedAt = result.StartedAt,
            DurationMs = (long)result.Elapsed.TotalMilliseconds,
            IpAddress = result.IpAddress,
            Status = result.StatusCode,
            RequestHeaders = result.RequestHeaderBlock,
            ResponseHeaders = result.ResponseHeaderBlock,
            PayloadDigest = digest,
            PayloadLength = notModified ? 0 : result.Body.Length,
            ContentType = result.ContentType,
            Error = result.Error?.ToString(),
            ErrorDetail = result.ErrorDetail ?? result.TlsCertificateProblem,
            Truncated = result.Truncated ? result.TruncatedReason ?? "length" : null,
            RedirectTo = redirectTo,
            ETag = result.ETag,
            LastModified = result.LastModified,
            Title = title,
            Language = language,
            Charset = charset,
            Outlinks = outlinks,
            Attempt = attempt,
        };

        if (CrawlLogRows.NotArchived(entry, capture, state) is { } own)
        {
            declined.Add(own);
        }

        var commit = new FetchCommit
        {
            Capture = capture,
            Payload = digest is null || notModified ? null : result.Body,
            UrlState = state,
            Discovered = discovered,
            Declined = declined,
        };
        return new ProcessedFetch(commit, discovered, retry, result.Elapsed, result.RetryAfter, text) { Fingerprint = fingerprint };
    }

    /// <summary>
    /// The commit of a page found a near-copy (<see cref="NearDuplicates"/>): its links to pages of its own shape on its own
    /// site are declined as a trap instead of followed (the page itself is archived, and its other links followed).
    /// </summary>
    public static FetchCommit DeclineOwnShape(FetchCommit commit, FrontierEntry page, PageFingerprint fingerprint, int maxCopies)
    {
        ArgumentNullException.ThrowIfNull(commit);
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(fingerprint);
        bool Own(FrontierEntry d) => d.Host == page.Host && PageFingerprint.ShapeOf(d.Url) == fingerprint.Shape;
        var verdict = new TrapVerdict(DeclineReason.Trap, $"near-duplicate: {page.Url} is like {maxCopies} pages of {fingerprint.Shape} before it, with the same links");
        return commit with
        {
            Discovered = [.. commit.Discovered.Where(d => !Own(d))],
            Declined = [.. commit.Declined, .. commit.Discovered.Where(Own).Select(d => CrawlLogRows.Declined(page, d.Url, d.Host, commit.Capture.FetchedAt, verdict))],
        };
    }

    /// <summary>
    /// The URLs a stored capture leads to, as its fetch in <paramref name="entry"/>'s epoch would have found them (the
    /// same scope, trap guard and links not followed), and the links declined: how a URL that is not due still leads the
    /// crawl beneath it.
    /// </summary>
    public static (IReadOnlyList<FrontierEntry> Discovered, IReadOnlyList<CrawlLogEntry> Declined) FollowStored(
        FrontierEntry entry, CaptureRecord capture, CrawlOptions options, CrawlScope scope, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(capture);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(scope);
        var (_, discovered, declined) = Follow(entry, StoredLinks(capture), StoredCap(capture, options), options, scope, now);
        return (discovered, declined);
    }

    /// <summary>A capture's outlinks as links again (the 304 path and <see cref="FollowStored"/>).</summary>
    private static IEnumerable<(string Url, string Source, LinkKind Kind)> StoredLinks(CaptureRecord capture) =>
        capture.Outlinks.Select(o => (o.Url, o.Kind, o.Kind.EndsWith("action", StringComparison.Ordinal) ? LinkKind.Form : LinkKind.Other));

    /// <summary>The cap of a stored capture's links: a sitemap's own (<see cref="SitemapMaxUrls"/>), else the page cap.</summary>
    private static int StoredCap(CaptureRecord capture, CrawlOptions options) =>
        capture.Outlinks.Count > 0 && capture.Outlinks[0].Kind == "sitemap" ? Math.Max(options.Traps.MaxLinksPerPage, SitemapMaxUrls) : options.Traps.MaxLinksPerPage;

    /// <summary>The links resolved against the page's base and canonicalized, one at a time as they come (those that do not parse dropped).</summary>
    private static IEnumerable<(string Url, string Source, LinkKind Kind)> Resolved(IEnumerable<ExtractedLink> links, WhatwgUrl? parsedBase)
    {
        foreach (var link in links)
        {
            if (UrlCanonicalizer.CanonicalizeRelativeTo(link.Url, parsedBase) is { } url)
            {
                yield return (url, link.Source, link.Kind);
            }
        }
    }

    /// <summary>
    /// Every distinct link as an outlink (in scope or not), the in-scope ones to follow as frontier entries one deeper, and
    /// the ones declined with their reason (out of scope, depth, a trap). At most <paramref name="cap"/> links
    /// (<see cref="TrapGuardOptions.MaxLinksPerPage"/>; a sitemap's: <see cref="SitemapMaxUrls"/>) are followed or declined;
    /// the first beyond is declined for the cap, its detail counting the rest. Links beyond the cap are not outlinks either
    /// (nor are form actions past <paramref name="cap"/> of them), and are counted without being remembered (a repeat of one
    /// beyond the cap counts again): what this holds is bounded by the cap, whatever the page holds (issue 11).
    /// </summary>
    private static (List<Outlink> Outlinks, List<FrontierEntry> Discovered, List<CrawlLogEntry> Declined) Follow(
        FrontierEntry entry, IEnumerable<(string Url, string Source, LinkKind Kind)> links, int cap, CrawlOptions options, CrawlScope scope, DateTimeOffset now)
    {
        var outlinks = new List<Outlink>();
        var discovered = new List<FrontierEntry>();
        var declined = new List<CrawlLogEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var page = new Uri(entry.Url);
        var depth = entry.Depth + 1;
        var decided = 0;
        var notFollowed = 0;
        CrawlLogEntry? cut = null;
        var beyond = 0;
        foreach (var (url, source, kind) in links)
        {
            if (seen.Contains(url))
            {
                continue;
            }

            var follows = !NotFollowed.Contains(kind);
            if (follows ? decided >= cap : notFollowed >= cap)
            {
                if (follows)
                {
                    if (cut is null)
                    {
                        UrlCanonicalizer.TryGetHost(url, out var cutHost);
                        cut = CrawlLogRows.Declined(entry, url, cutHost, now, new TrapVerdict(DeclineReason.LinkCap, string.Empty));
                    }

                    beyond++;
                }

                continue;
            }

            seen.Add(url);
            UrlCanonicalizer.TryGetHost(url, out var host);
            var inScope = scope.IsInScope(host);
            outlinks.Add(new Outlink(url, source, inScope));
            if (!follows)
            {
                notFollowed++;
                continue;
            }

            decided++;

            if (!inScope)
            {
                declined.Add(CrawlLogRows.Declined(entry, url, host, now, new TrapVerdict(DeclineReason.OutOfScope, $"host {host} is outside the crawl's scope")));
                continue;
            }

            if (TrapGuard.Check(options.Traps, new Uri(url), depth, page, now) is { } verdict)
            {
                declined.Add(CrawlLogRows.Declined(entry, url, host, now, verdict));
                continue;
            }

            discovered.Add(new FrontierEntry
            {
                Url = url,
                Host = host,
                Epoch = entry.Epoch,
                Depth = depth,
                Via = entry.Url,
                Kind = source,
            });
        }

        if (cut is not null)
        {
            declined.Add(cut with { Detail = $"{beyond} links of the page beyond the cap of {cap} links per page, this the first: none followed nor recorded" });
        }

        return (outlinks, discovered, declined);
    }

    /// <summary>"sha256:" and the lowercase hex SHA-256 of the payload: the store's payload key.</summary>
    public static string PayloadDigest(ReadOnlySpan<byte> payload) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(payload));

    private static bool IsTransient(FetchErrorKind? error) => error is FetchErrorKind.ConnectTimeout
        or FetchErrorKind.ConnectRefused
        or FetchErrorKind.HeadersTimeout
        or FetchErrorKind.DnsFailure
        or FetchErrorKind.ProtocolError
        or FetchErrorKind.Other;

    private static string MediaType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return string.Empty;
        }

        var semi = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semi < 0 ? contentType : contentType[..semi]).Trim().ToLowerInvariant();
    }

    private static bool IsHtml(string mime, ReadOnlySpan<byte> content)
    {
        if (mime is "text/html" or "application/xhtml+xml")
        {
            return true;
        }

        if (mime.Length > 0)
        {
            return false;
        }

        var start = content[..Math.Min(content.Length, 256)].TrimStart(" \t\r\n"u8);
        return start.Length > 0 && start[0] == (byte)'<';
    }

    private static bool IsSitemapUrl(string url) => url.EndsWith("/sitemap.xml", StringComparison.OrdinalIgnoreCase);
}
