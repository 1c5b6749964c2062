using System.Globalization;
using System.Text;
using Crawler.Core.Cdx;
using Crawler.Core.Warc;
using Crawler.Storage;

namespace Crawler.Archive;

public sealed record WarcExportOptions
{
    /// <summary>Folder the .warc.gz files (and index.cdxj) are written to.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>File name prefix, e.g. "crawler".</summary>
    public string Prefix { get; init; } = "crawler";

    /// <summary>A new file starts once the current one passes this size.</summary>
    public long MaxFileBytes { get; init; } = 1L << 30;

    /// <summary>Only this epoch (all when null).</summary>
    public int? Epoch { get; init; }

    /// <summary>Only this site's captures (all when null), e.g. "kcna.kp".</summary>
    public string? Host { get; init; }

    /// <summary>Only the captures this selects (all when null): a search's matches (<c>GET /api/search.warc</c>).</summary>
    public Func<CaptureRecord, bool>? Filter { get; init; }

    /// <summary>Software and operator fields for the warcinfo record.</summary>
    public string Software { get; init; } = "Crawler";

    public string? Operator { get; init; }
}

public sealed record WarcExportResult(
    IReadOnlyList<string> Files,
    string CdxjPath,
    long Captures,
    long Responses,
    long Revisits,
    long Requests,
    long Metadata,
    long SkippedWithoutResponse)
{
    /// <summary><c>dns:</c> resource records (one per DNS observation of a crawled host).</summary>
    public long DnsRecords { get; init; }
}

/// <summary>
/// Writes the archive held by a store as WARC/1.1 files: per capture with a response, a
/// request record, a response record (or an identical-payload-digest revisit when the payload
/// was already written, or a server-not-modified revisit for a 304) and a metadata record with
/// its outlinks; plus a CDXJ index of the response and revisit records.
/// </summary>
public static class WarcExporter
{
    private static readonly byte[] ChunkedHeader = "Transfer-Encoding"u8.ToArray();

    public static async Task<WarcExportResult> ExportAsync(ICrawlStore store, WarcExportOptions options, CancellationToken ct = default) =>
        await ExportAsync(store, null, options, ct).ConfigureAwait(false);

    /// <summary>As above, plus the DNS observations of every crawled host as <c>dns:</c> resource records (Heritrix style).</summary>
    public static async Task<WarcExportResult> ExportAsync(ICrawlStore store, IDnsStore? dns, WarcExportOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(options.OutputDirectory);

        var files = new List<string>();
        var index = new List<CdxjEntry>();
        var firstByDigest = new Dictionary<string, (string Uri, DateTimeOffset Date, string RecordId)>(StringComparer.Ordinal);
        long captures = 0, responses = 0, revisits = 0, requests = 0, metadata = 0, skipped = 0, dnsRecords = 0;
        var hosts = new SortedSet<string>(StringComparer.Ordinal);
        var stamp = DateTimeOffset.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);

        FileStream? file = null;
        WarcWriter? writer = null;
        string? fileName = null;
        try
        {
            await foreach (var capture in store.GetCapturesAsync(new CaptureQuery { Epoch = options.Epoch, Host = options.Host }, ct).ConfigureAwait(false))
            {
                if (options.Filter is { } selects && !selects(capture))
                {
                    continue;
                }

                captures++;
                hosts.Add(capture.Host);
                if (capture.ResponseHeaders is not { Length: > 0 } responseHead)
                {
                    skipped++;
                    continue;
                }

                if (writer is null || writer.Position >= options.MaxFileBytes)
                {
                    if (writer is not null)
                    {
                        await writer.DisposeAsync().ConfigureAwait(false);
                    }

                    fileName = string.Create(CultureInfo.InvariantCulture, $"{options.Prefix}-{stamp}-{files.Count:D5}.warc.gz");
                    var path = Path.Combine(options.OutputDirectory, fileName);
                    file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
                    writer = new WarcWriter(file, compress: true, leaveOpen: false, WarcDigestAlgorithm.Sha256Hex);
                    files.Add(path);
                    await writer.WriteAsync(Warcinfo(options, fileName), ct).ConfigureAwait(false);
                }

                var head = WithoutChunking(responseHead);
                WarcRecord main;
                if (capture.Status == 304)
                {
                    var previous = capture.PayloadDigest is { } pd && firstByDigest.TryGetValue(pd, out var p) ? p : default;
                    main = WarcRecords.RevisitNotModified(capture.Url, capture.FetchedAt, capture.IpAddress, head, previous.Uri ?? capture.Url, previous.Uri is null ? null : previous.Date, previous.RecordId);
                    revisits++;
                }
                // Identical-payload revisits only between 2xx responses, as Browsertrix writes them: replayers answer a revisit
                // with the original's status and headers, so a redirect written as a revisit of another redirect with the same
                // body would lead to the other one's target.
                else if (capture.PayloadDigest is { } digest && capture.PayloadLength > 0 && capture.Status is >= 200 and < 300
                    && firstByDigest.TryGetValue(digest, out var first))
                {
                    main = WarcRecords.Revisit(capture.Url, capture.FetchedAt, capture.IpAddress, head, digest, first.Uri, first.Date, first.RecordId);
                    revisits++;
                }
                else
                {
                    var payload = capture.PayloadDigest is { } d
                        ? await store.GetPayloadAsync(d, ct).ConfigureAwait(false) ?? throw new InvalidDataException($"Payload {d} of capture {capture.Id} ({capture.Url}) is missing from the store.")
                        : [];
                    main = WarcRecords.Response(capture.Url, capture.FetchedAt, capture.IpAddress, head, payload, WarcDigestAlgorithm.Sha256Hex);
                    if (main.PayloadDigest != capture.PayloadDigest && capture.PayloadDigest is not null)
                    {
                        throw new InvalidDataException($"Payload of capture {capture.Id} ({capture.Url}) does not match its digest {capture.PayloadDigest}: the store is damaged.");
                    }

                    if (capture.PayloadDigest is { } dd && payload.Length > 0 && capture.Status is >= 200 and < 300)
                    {
                        firstByDigest.TryAdd(dd, (capture.Url, capture.FetchedAt, main.RecordId));
                    }

                    responses++;
                }

                if (capture.Truncated is { } truncated)
                {
                    main = main with { ExtraHeaders = [.. main.ExtraHeaders, new("WARC-Truncated", truncated)] };
                }

                if (capture.RequestHeaders.Length > 0)
                {
                    await writer.WriteAsync(WarcRecords.Request(capture.Url, capture.FetchedAt, capture.IpAddress, capture.RequestHeaders, main.RecordId), ct).ConfigureAwait(false);
                    requests++;
                }

                var written = await writer.WriteAsync(main, ct).ConfigureAwait(false);
                if (CdxjEntry.FromRecord(main, written, fileName!) is { } entry)
                {
                    index.Add(entry);
                }

                if (capture.Outlinks.Count > 0)
                {
                    var fields = capture.Outlinks.Select(o => WarcRecords.Outlink(o.Url, o.Kind)).ToList();
                    await writer.WriteAsync(WarcRecords.Metadata(capture.Url, capture.FetchedAt, main.RecordId, fields), ct).ConfigureAwait(false);
                    metadata++;
                }
            }

            if (dns is not null && writer is not null)
            {
                foreach (var host in hosts)
                {
                    foreach (var observation in await dns.GetObservationsAsync(host, ct).ConfigureAwait(false))
                    {
                        var server = observation.Server.Split(':')[0];
                        var record = WarcRecords.Dns(host, observation.At, observation.ToZoneText(), server);
                        var written = await writer.WriteAsync(record, ct).ConfigureAwait(false);
                        if (CdxjEntry.FromRecord(record, written, fileName!) is { } entry)
                        {
                            index.Add(entry);
                        }

                        dnsRecords++;
                    }
                }
            }
        }
        finally
        {
            if (writer is not null)
            {
                await writer.DisposeAsync().ConfigureAwait(false);
            }
            else if (file is not null)
            {
                await file.DisposeAsync().ConfigureAwait(false);
            }
        }

        var cdxjPath = Path.Combine(options.OutputDirectory, "index.cdxj");
        await using (var text = new StreamWriter(cdxjPath, false, new UTF8Encoding(false)))
        {
            CdxjWriter.WriteSorted(index, text);
        }

        return new WarcExportResult(files, cdxjPath, captures, responses, revisits, requests, metadata, skipped) { DnsRecords = dnsRecords };
    }

    private static WarcRecord Warcinfo(WarcExportOptions options, string fileName)
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            new("software", options.Software),
            new("format", "WARC File Format 1.1"),
            new("conformsTo", "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"),
            new("description", "Archive of North Korean (.kp) web sites"),
        };
        if (options.Operator is { } op)
        {
            fields.Add(new("operator", op));
        }

        return WarcRecords.Warcinfo(fields, DateTimeOffset.UtcNow, fileName);
    }

    /// <summary>
    /// The stored payload is de-chunked, so a "Transfer-Encoding: chunked" header would make
    /// readers de-chunk it again: the header is kept under a renamed field (as pywb does).
    /// </summary>
    private static byte[] WithoutChunking(byte[] head)
    {
        if (head.AsSpan().IndexOf(ChunkedHeader) < 0 && !Encoding.Latin1.GetString(head).Contains("transfer-encoding", StringComparison.OrdinalIgnoreCase))
        {
            return head;
        }

        var text = Encoding.Latin1.GetString(head);
        var lines = text.Split("\r\n");
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase))
            {
                lines[i] = "X-Archive-Orig-" + lines[i];
            }
        }

        return Encoding.Latin1.GetBytes(string.Join("\r\n", lines));
    }
}
