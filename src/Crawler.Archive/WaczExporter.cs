using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Crawler.Storage;

namespace Crawler.Archive;

public sealed record WaczExportOptions
{
    /// <summary>The .wacz file to write (replaced when it exists).</summary>
    public required string OutputPath { get; init; }

    /// <summary>Only this epoch (all when null).</summary>
    public int? Epoch { get; init; }

    /// <summary>Only this site's captures (all when null), e.g. "kcna.kp".</summary>
    public string? Host { get; init; }

    /// <summary>The package's title (datapackage.json), e.g. "kcna.kp, epoch 3".</summary>
    public string Title { get; init; } = "Crawler archive of the .kp web";

    public string Software { get; init; } = "Crawler";
}

public sealed record WaczExportResult(string Path, WarcExportResult Warc, int Pages, long Bytes);

/// <summary>
/// Writes the archive as a WACZ 1.1.1 package (a ZIP that ReplayWeb.page and pywb open as it is): the WARC files under
/// <c>archive/</c> (stored, not compressed again: a replayer reads records by offset with range requests), their CDXJ
/// index under <c>indexes/</c>, the list of pages under <c>pages/pages.jsonl</c>, and <c>datapackage.json</c> with the
/// SHA-256 and size of each, plus <c>datapackage-digest.json</c>. Written by hand on System.IO.Compression: no .NET
/// library writes WACZ, and the format is four small files around the WARCs this project already writes.
/// </summary>
public static class WaczExporter
{
    public const string Version = "1.1.1";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static async Task<WaczExportResult> ExportAsync(ICrawlStore store, IDnsStore? dns, WaczExportOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        var work = Path.Combine(Path.GetTempPath(), "crawler-wacz-" + Guid.NewGuid().ToString("N"));
        try
        {
            var warc = await WarcExporter.ExportAsync(store, dns, new WarcExportOptions { OutputDirectory = work, Epoch = options.Epoch, Host = options.Host, Software = options.Software }, ct).ConfigureAwait(false);
            var pages = await PagesAsync(store, new CaptureQuery { Epoch = options.Epoch, Host = options.Host }, ct).ConfigureAwait(false);
            var pagesPath = Path.Combine(work, "pages.jsonl");
            await File.WriteAllTextAsync(pagesPath, pages.Text, new UTF8Encoding(false), ct).ConfigureAwait(false);

            var entries = warc.Files.Select(f => ("archive/" + Path.GetFileName(f), f))
                .Append(("indexes/index.cdxj", warc.CdxjPath))
                .Append(("pages/pages.jsonl", pagesPath))
                .ToList();
            var directory = Path.GetDirectoryName(Path.GetFullPath(options.OutputPath));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            var resources = new List<object>();
            await using (var file = new FileStream(options.OutputPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None))
            await using (var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: false))
            {
                foreach (var (name, path) in entries)
                {
                    var (hash, bytes) = await AddFileAsync(zip, name, path, ct).ConfigureAwait(false);
                    resources.Add(new { name = Path.GetFileName(name), path = name, hash, bytes });
                }

                var package = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
                {
                    ["profile"] = "data-package",
                    ["wacz_version"] = Version,
                    ["title"] = options.Title,
                    ["created"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                    ["software"] = options.Software,
                    ["mainPageURL"] = pages.First?.Url,
                    ["mainPageDate"] = pages.First?.Ts,
                    ["resources"] = resources,
                }, Json);
                await AddBytesAsync(zip, "datapackage.json", package, ct).ConfigureAwait(false);
                var digest = JsonSerializer.SerializeToUtf8Bytes(new { path = "datapackage.json", hash = Sha256(package) }, Json);
                await AddBytesAsync(zip, "datapackage-digest.json", digest, ct).ConfigureAwait(false);
            }

            return new WaczExportResult(options.OutputPath, warc, pages.Count, new FileInfo(options.OutputPath).Length);
        }
        finally
        {
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    /// <summary>
    /// pages.jsonl: a header line, then one line per HTML page archived with a 2xx answer (its first capture: the page
    /// list of a replayer, not a capture list), with its title.
    /// </summary>
    private static async Task<(string Text, int Count, PageLine? First)> PagesAsync(ICrawlStore store, CaptureQuery query, CancellationToken ct)
    {
        var text = new StringBuilder();
        text.Append(JsonSerializer.Serialize(new { format = "json-pages-1.0", id = "pages", title = "All Pages" })).Append('\n');
        var seen = new HashSet<string>(StringComparer.Ordinal);
        PageLine? first = null;
        await foreach (var capture in store.GetCapturesAsync(query, ct).ConfigureAwait(false))
        {
            if (capture.Status is not (>= 200 and < 300) || capture.ContentType is not { } type
                || !type.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) || !seen.Add(capture.Url))
            {
                continue;
            }

            var line = new PageLine(
                Guid.NewGuid().ToString("N"),
                capture.Url,
                capture.FetchedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                capture.Title);
            first ??= line;
            text.Append(JsonSerializer.Serialize(line, PageJson)).Append('\n');
        }

        return (text.ToString(), seen.Count, first);
    }

    private static readonly JsonSerializerOptions PageJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private sealed record PageLine(string Id, string Url, string Ts, string? Title);

    private static async Task<(string Hash, long Bytes)> AddFileAsync(ZipArchive zip, string name, string path, CancellationToken ct)
    {
        // Stored: the WARCs are gzip members already, and a replayer seeks into them by offset.
        var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long bytes = 0;
        await using var source = File.OpenRead(path);
        var target = await entry.OpenAsync(ct).ConfigureAwait(false);
        await using (target.ConfigureAwait(false))
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await source.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                await target.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                bytes += read;
            }
        }

        return ("sha256:" + Convert.ToHexStringLower(sha.GetHashAndReset()), bytes);
    }

    private static async Task AddBytesAsync(ZipArchive zip, string name, byte[] content, CancellationToken ct)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
        var target = await entry.OpenAsync(ct).ConfigureAwait(false);
        await using (target.ConfigureAwait(false))
        {
            await target.WriteAsync(content, ct).ConfigureAwait(false);
        }
    }

    private static string Sha256(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
}
