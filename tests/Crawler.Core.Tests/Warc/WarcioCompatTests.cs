using System.Diagnostics;
using System.Text.Json;
using Crawler.Core.Cdx;
using Crawler.Core.Warc;
using Xunit;
using Xunit.Abstractions;

namespace Crawler.Core.Tests.Warc;

/// <summary>
/// Checks our .warc.gz against webrecorder's warcio (npm, pinned in tools/warcio): it must list
/// every record at the offsets we reported, index the captures exactly as our CDXJ does, and hand
/// back payloads whose SHA-1 is the payload digest we declared.
/// </summary>
public sealed class WarcioCompatTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly string _dir = Directory.CreateTempSubdirectory("warcio-compat-").FullName;
    private readonly List<WarcRecord> _records = WarcSample.Records();
    private readonly List<WarcWrittenRecord> _written;
    private readonly string _file;

    public WarcioCompatTests(ITestOutputHelper output)
    {
        _output = output;
        _file = Path.Combine(_dir, WarcSample.Filename);
        using (var stream = File.Create(_file))
        {
            _written = WarcSample.Write(stream, _records, compress: true);
        }

        // Set CRAWLER_KEEP_WARC_SAMPLE=/some/dir to inspect the sample by hand.
        if (Environment.GetEnvironmentVariable("CRAWLER_KEEP_WARC_SAMPLE") is { Length: > 0 } keep)
        {
            Directory.CreateDirectory(keep);
            File.Copy(_file, Path.Combine(keep, WarcSample.Filename), overwrite: true);
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Warcio_index_lists_every_record_at_the_offsets_the_writer_reported()
    {
        var lines = await RunWarcioAsync("index", "-f", "offset", "length", "warc-type", "warc-target-uri", "warc-record-id", "warc-payload-digest");

        Assert.Equal(_records.Count, lines.Count);
        for (int i = 0; i < _records.Count; i++)
        {
            var json = lines[i].RootElement;
            Assert.Equal(_written[i].Offset, json.GetProperty("offset").GetInt64());
            Assert.Equal(_written[i].Length, json.GetProperty("length").GetInt64());
            Assert.Equal(_records[i].Type, json.GetProperty("warc-type").GetString());
            Assert.Equal(_records[i].RecordId, json.GetProperty("warc-record-id").GetString());
            Assert.Equal(_records[i].TargetUri, json.TryGetProperty("warc-target-uri", out var uri) ? uri.GetString() : null);
            Assert.Equal(_records[i].PayloadDigest, json.TryGetProperty("warc-payload-digest", out var d) ? d.GetString() : null);
        }
    }

    [Fact]
    public async Task Warcio_cdx_index_lines_equal_our_cdxj_lines()
    {
        var theirs = (await RunWarcioRawAsync("cdx-index")).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        var ours = _records
            .Zip(_written, (r, w) => CdxjEntry.FromRecord(r, w, WarcSample.Filename))
            .OfType<CdxjEntry>()
            .ToList();

        // warcio leaves out warcinfo, request and warc-fields metadata, as FromRecord does.
        Assert.Equal(5, ours.Count);
        Assert.Equal(CdxjWriter.SortedLines(ours), theirs.Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public async Task Payloads_warcio_reads_hash_to_the_digests_we_declared()
    {
        string script = Path.Combine(RepositoryRoot(), "tools", "warcio", "payload-digests.mjs");
        var lines = await RunNodeAsync(script, _file);

        Assert.Equal(_records.Count, lines.Count);
        for (int i = 0; i < _records.Count; i++)
        {
            var json = lines[i].RootElement;
            var record = _records[i];
            string computed = json.GetProperty("computedPayloadSha1").GetString()!;
            Assert.Equal(_written[i].Offset, json.GetProperty("offset").GetInt64());
            Assert.Equal(record.Type, json.GetProperty("type").GetString());
            switch (record.Type)
            {
                case WarcRecordType.Response:
                    Assert.Equal(200, json.GetProperty("status").GetInt32());
                    Assert.Equal(record.PayloadDigest, json.GetProperty("declaredPayloadDigest").GetString());
                    Assert.Equal(record.PayloadDigest, computed);
                    break;
                case WarcRecordType.Revisit:
                    // Header-only block: warcio sees the HTTP status but no payload.
                    Assert.Equal(0, json.GetProperty("payloadLength").GetInt32());
                    Assert.Equal(record.PayloadDigest, json.GetProperty("declaredPayloadDigest").GetString());
                    break;
                case WarcRecordType.Request:
                    Assert.Equal(WarcDigest.Sha1Base32("GET /index.php?lang=en&a=1 HTTP/1.1\r\nHost: www.kcna.kp\r\nUser-Agent: test\r\n\r\n"u8), json.GetProperty("declaredBlockDigest").GetString());
                    break;
                default:
                    // Non-HTTP records: the payload is the whole block, so it hashes to the block digest.
                    Assert.Equal(WarcDigest.Sha1Base32(record.Block.Span), computed);
                    Assert.Equal(computed, json.GetProperty("declaredBlockDigest").GetString());
                    break;
            }
        }

        // The gzip-encoded stylesheet: digest over the bytes as sent (still gzip), not the decoded CSS.
        Assert.Equal(WarcDigest.Sha1Base32(WarcSample.GzippedCss), lines[5].RootElement.GetProperty("computedPayloadSha1").GetString());
    }

    private async Task<List<JsonDocument>> RunWarcioAsync(params string[] args) =>
        ParseLines(await RunWarcioRawAsync(args));

    private Task<string> RunWarcioRawAsync(params string[] args)
    {
        string cli = Path.Combine(WarcioDirectory(), "node_modules", "warcio", "dist", "cli.js");
        // The file goes right after the command: warcio's array-valued -f would swallow it.
        return RunRawAsync("node", [cli, args[0], _file, .. args[1..]]);
    }

    private async Task<List<JsonDocument>> RunNodeAsync(params string[] args)
    {
        WarcioDirectory();
        return ParseLines(await RunRawAsync("node", args));
    }

    private static List<JsonDocument> ParseLines(string stdout) =>
        [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l))];

    private async Task<string> RunRawAsync(string program, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot(),
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        string output = await stdout;
        _output.WriteLine($"$ {program} {string.Join(' ', start.ArgumentList)}\n{output}{await stderr}");
        Assert.True(process.ExitCode == 0, $"{program} exited with {process.ExitCode}: {await stderr}");
        return output;
    }

    private static string WarcioDirectory()
    {
        string dir = Path.Combine(RepositoryRoot(), "tools", "warcio");
        Assert.True(
            File.Exists(Path.Combine(dir, "node_modules", "warcio", "dist", "cli.js")),
            "tools/warcio/node_modules is missing: run `npm ci --prefix tools/warcio` (CI installs it) to check WARC output against warcio.");
        return dir;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Crawler.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Crawler.sln not found above " + AppContext.BaseDirectory);
    }
}
