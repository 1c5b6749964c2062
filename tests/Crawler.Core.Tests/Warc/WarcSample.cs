using System.IO.Compression;
using System.Text;
using Crawler.Core.Warc;

namespace Crawler.Core.Tests.Warc;

/// <summary>A small crawl of kcna.kp as the crawler would record it: warcinfo, request/response
/// pairs, a gzip-encoded payload, revisits of both profiles, outlinks metadata and a DNS record.</summary>
internal static class WarcSample
{
    public const string Filename = "sample-00000.warc.gz";
    public const string PageUri = "http://www.kcna.kp/index.php?lang=en&a=1";
    public const string CssUri = "http://www.kcna.kp/css/site.css";

    public static readonly DateTimeOffset T0 = new(2026, 11, 28, 15, 30, 0, 123, 456, TimeSpan.Zero);

    public static byte[] Html { get; } = Encoding.UTF8.GetBytes(
        "<!doctype html><html><head><title>조선중앙통신</title><link rel=\"stylesheet\" href=\"/css/site.css\"></head>"
        + "<body><a href=\"/news.php\">News</a></body></html>");

    public static byte[] Css { get; } = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("body { color: #333; }\n", 40)));

    public static byte[] GzippedCss { get; } = Gzip(Css);

    public static byte[] HttpHead(string statusLine, params string[] headers) =>
        Encoding.ASCII.GetBytes(statusLine + "\r\n" + string.Concat(headers.Select(h => h + "\r\n")) + "\r\n");

    public static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal))
        {
            gzip.Write(data);
        }

        return buffer.ToArray();
    }

    public static List<WarcRecord> Records()
    {
        var records = new List<WarcRecord>
        {
            WarcRecords.Warcinfo(
                [
                    new("software", "Crawler.Core tests"),
                    new("format", "WARC File Format 1.1"),
                    new("conformsTo", "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"),
                    new("isPartOf", "kp-sample"),
                ],
                T0,
                Filename),
            WarcRecords.Dns("www.kcna.kp", T0, "20261128153000\nwww.kcna.kp.\t3600\tIN\tA\t175.45.176.71\n", "127.0.0.53"),
        };

        var page = WarcRecords.Response(
            PageUri,
            T0.AddSeconds(1),
            "175.45.176.71",
            HttpHead("HTTP/1.1 200 OK", "Content-Type: text/html; charset=utf-8", $"Content-Length: {Html.Length}"),
            Html);
        records.Add(page);
        records.Add(WarcRecords.Request(
            PageUri,
            T0.AddSeconds(1),
            "175.45.176.71",
            Encoding.ASCII.GetBytes("GET /index.php?lang=en&a=1 HTTP/1.1\r\nHost: www.kcna.kp\r\nUser-Agent: test\r\n\r\n"),
            page.RecordId));
        records.Add(WarcRecords.Metadata(
            PageUri,
            T0.AddSeconds(1),
            page.RecordId,
            [WarcRecords.Outlink(CssUri, "E link/@href"), WarcRecords.Outlink("http://www.kcna.kp/news.php", "L a/@href")]));

        var css = WarcRecords.Response(
            CssUri,
            T0.AddSeconds(2),
            "175.45.176.71",
            HttpHead("HTTP/1.1 200 OK", "Content-Type: text/css", "Content-Encoding: gzip", $"Content-Length: {GzippedCss.Length}"),
            GzippedCss);
        records.Add(css);

        records.Add(WarcRecords.Revisit(
            PageUri,
            T0.AddDays(1),
            "175.45.176.71",
            HttpHead("HTTP/1.1 200 OK", "Content-Type: text/html; charset=utf-8", $"Content-Length: {Html.Length}"),
            page.PayloadDigest!,
            PageUri,
            page.Date,
            page.RecordId));
        records.Add(WarcRecords.RevisitNotModified(
            CssUri,
            T0.AddDays(1),
            "175.45.176.71",
            HttpHead("HTTP/1.1 304 Not Modified", "ETag: \"abc\""),
            CssUri,
            css.Date,
            css.RecordId));
        return records;
    }

    /// <summary>Writes the records and returns where each landed.</summary>
    public static List<WarcWrittenRecord> Write(Stream output, IReadOnlyList<WarcRecord> records, bool compress)
    {
        using var writer = new WarcWriter(output, compress, leaveOpen: true);
        return [.. records.Select(writer.Write)];
    }
}
