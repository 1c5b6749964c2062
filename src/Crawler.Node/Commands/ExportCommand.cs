using System.CommandLine;
using Crawler.Archive;
using Crawler.Node.Configuration;
using Crawler.Node.Hosting;
using Microsoft.Extensions.Configuration;

namespace Crawler.Node.Commands;

/// <summary><c>crawler export warc|cdxj|wacz</c>: the archive as WARC/1.1 files, a CDXJ index, or a WACZ package.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var epoch = new Option<int?>("--epoch") { Description = "Export only this crawl epoch (default: all)." };

        var warcOutput = new Option<DirectoryInfo>("--output") { Description = "Folder for the .warc.gz files (and index.cdxj).", Required = true };
        var warc = new Command("warc", "Write the archive as WARC/1.1 .warc.gz files (one gzip member per record) plus index.cdxj.")
        {
            warcOutput, epoch, CrawlerCli.DataOption,
        };
        warc.SetAction(async (parse, ct) =>
        {
            var result = await Export(parse, parse.GetValue(warcOutput)!.FullName, parse.GetValue(epoch), ct).ConfigureAwait(false);
            if (result is null)
            {
                return 1;
            }

            Console.WriteLine($"Wrote {result.Files.Count} WARC file(s) to {Path.GetDirectoryName(result.CdxjPath)}: {result.Responses} responses, {result.Revisits} revisits, {result.Requests} requests, {result.Metadata} metadata records, {result.DnsRecords} dns: records ({result.SkippedWithoutResponse} failed fetches without a response are in the store only). Index: {result.CdxjPath}");
            return 0;
        });

        var cdxjOutput = new Option<FileInfo>("--output") { Description = "The CDXJ file to write.", Required = true };
        var warcDir = new Option<DirectoryInfo?>("--warc-dir") { Description = "Folder for the WARC files the index points into (default: beside the CDXJ file, in 'warc')." };
        var cdxj = new Command("cdxj", "Write a CDXJ index (sorted, pywb style) of the archive, with the WARC files it points into.")
        {
            cdxjOutput, warcDir, epoch, CrawlerCli.DataOption,
        };
        cdxj.SetAction(async (parse, ct) =>
        {
            var output = parse.GetValue(cdxjOutput)!;
            var dir = parse.GetValue(warcDir)?.FullName ?? Path.Combine(output.DirectoryName ?? ".", "warc");
            var result = await Export(parse, dir, parse.GetValue(epoch), ct).ConfigureAwait(false);
            if (result is null)
            {
                return 1;
            }

            File.Copy(result.CdxjPath, output.FullName, overwrite: true);
            Console.WriteLine($"Wrote {output.FullName} ({result.Responses + result.Revisits} captures) indexing {result.Files.Count} WARC file(s) in {dir}.");
            return 0;
        });

        var waczOutput = new Option<FileInfo>("--output") { Description = "The .wacz file to write.", Required = true };
        var wacz = new Command("wacz", "Write the archive as a WACZ 1.1.1 package (WARCs, CDXJ index, page list, datapackage.json) that ReplayWeb.page opens.")
        {
            waczOutput, epoch, CrawlerCli.DataOption,
        };
        wacz.SetAction(async (parse, ct) =>
        {
            var options = NodeHost.BuildConfiguration(CrawlerCli.Overrides(parse)).GetSection(NodeOptions.Section).Get<NodeOptions>() ?? new NodeOptions();
            if (CrawlerCli.Archive(options) is null)
            {
                return 1;
            }

            await using var store = NodeHost.OpenStore(options);
            await store.InitializeAsync(ct).ConfigureAwait(false);
            await using var dns = NodeHost.OpenDnsStore(options);
            await dns.InitializeAsync(ct).ConfigureAwait(false);
            var chosen = parse.GetValue(epoch);
            var result = await WaczExporter.ExportAsync(
                store, dns, new WaczExportOptions { OutputPath = parse.GetValue(waczOutput)!.FullName, Epoch = chosen, Title = chosen is { } e ? $"Crawler archive, epoch {e}" : "Crawler archive" }, ct).ConfigureAwait(false);
            Console.WriteLine($"Wrote {result.Path} ({result.Bytes / 1024.0 / 1024:F1} MiB): {result.Pages} pages, {result.Warc.Responses} responses, {result.Warc.Revisits} revisits in {result.Warc.Files.Count} WARC file(s).");
            return 0;
        });

        return new Command("export", "Export the archive.") { warc, cdxj, wacz };
    }

    private static async Task<WarcExportResult?> Export(ParseResult parse, string outputDirectory, int? epoch, CancellationToken ct)
    {
        var options = NodeHost.BuildConfiguration(CrawlerCli.Overrides(parse)).GetSection(NodeOptions.Section).Get<NodeOptions>() ?? new NodeOptions();
        if (CrawlerCli.Archive(options) is null)
        {
            return null;
        }

        await using var store = NodeHost.OpenStore(options);
        await store.InitializeAsync(ct).ConfigureAwait(false);
        await using var dns = NodeHost.OpenDnsStore(options);
        await dns.InitializeAsync(ct).ConfigureAwait(false);
        return await WarcExporter.ExportAsync(store, dns, new WarcExportOptions { OutputDirectory = outputDirectory, Epoch = epoch }, ct).ConfigureAwait(false);
    }
}
