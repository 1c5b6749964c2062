using System.Text;
using System.Text.Json;
using Crawler.Core.Cdx;
using Crawler.Core.Tests.Warc;
using Crawler.Core.Warc;
using Xunit;

namespace Crawler.Core.Tests.Cdx;

public sealed class CdxjTests
{
    private static readonly DateTimeOffset Ts = new(2026, 11, 28, 15, 30, 0, TimeSpan.Zero);

    private static CdxjEntry Entry(string url, string? type = WarcRecordType.Response) =>
        new(url, Ts, "text/html", 200, "sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5", "a.warc.gz", 1234, 567, type);

    [Fact]
    public void Line_is_surt_timestamp_and_json_in_pywb_key_order_with_string_numbers()
    {
        Assert.Equal(
            "kp,kcna)/index.php?a=1 20261128153000 "
            + "{\"url\":\"http://www.kcna.kp/index.php?a=1\",\"mime\":\"text/html\",\"status\":\"200\","
            + "\"digest\":\"VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5\",\"length\":\"567\",\"offset\":\"1234\",\"filename\":\"a.warc.gz\"}",
            Entry("http://www.kcna.kp/index.php?a=1").ToLine());
    }

    [Fact]
    public void Revisits_are_indexed_with_the_warc_revisit_mime()
    {
        var json = JsonDocument.Parse(Entry("http://kcna.kp/", WarcRecordType.Revisit).ToLine().Split(' ', 3)[2]);
        Assert.Equal("warc/revisit", json.RootElement.GetProperty("mime").GetString());
    }

    [Fact]
    public void Missing_mime_status_and_digest_are_left_out()
    {
        var entry = new CdxjEntry("dns:kcna.kp", Ts, null, null, null, "a.warc.gz", 0, 10, WarcRecordType.Resource);
        Assert.Equal(
            "dns:kcna.kp 20261128153000 {\"url\":\"dns:kcna.kp\",\"length\":\"10\",\"offset\":\"0\",\"filename\":\"a.warc.gz\"}",
            entry.ToLine());
    }

    [Fact]
    public void Sha256_digests_keep_their_label()
    {
        Assert.Equal("sha256:abcd", CdxjEntry.IndexDigest("sha256:abcd"));
        Assert.Equal("ABCD", CdxjEntry.IndexDigest("sha1:ABCD"));
        Assert.Null(CdxjEntry.IndexDigest(null));
    }

    [Fact]
    public void Urls_with_quotes_and_non_ascii_stay_valid_json()
    {
        string line = Entry("http://kcna.kp/a?q=\"조선\"").ToLine();
        var json = JsonDocument.Parse(line.Split(' ', 3)[2]);
        Assert.Equal("http://kcna.kp/a?q=\"조선\"", json.RootElement.GetProperty("url").GetString());
    }

    [Fact]
    public void Writer_sorts_lines_bytewise_like_lc_all_c_sort()
    {
        var entries = new[]
        {
            Entry("http://m.kcna.kp/"),
            Entry("http://kcna.kp/b"),
            Entry("http://kcna.kp/B-upper-is-lowered"),
            Entry("http://kcna.kp/"),
            Entry("http://kcna-a.kp/"),
        };
        using var output = new StringWriter();
        CdxjWriter.WriteSorted(entries, output);
        var keys = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]).ToList();

        // ')' (0x29) sorts before ',' (0x2C) and '-' (0x2D); a culture-aware sort may not.
        Assert.Equal(["kp,kcna)/", "kp,kcna)/b", "kp,kcna)/b-upper-is-lowered", "kp,kcna,m)/", "kp,kcna-a)/"], keys);
        Assert.EndsWith("\n", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("\r", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Writer_sorts_by_utf8_bytes_not_utf16_code_units()
    {
        // U+FF5E is EF BD 9E in UTF-8 and U+1F600 is F0 9F 98 80, so U+FF5E sorts first byte-wise,
        // while UTF-16 ordinal order puts the surrogate pair (D83D) first.
        var entries = new[] { Entry("urn:x:\U0001F600"), Entry("urn:x:\uFF5E") };
        var lines = CdxjWriter.SortedLines(entries);

        Assert.StartsWith("urn:x:\uFF5E ", lines[0], StringComparison.Ordinal);
        Assert.True(string.CompareOrdinal("urn:x:\U0001F600", "urn:x:\uFF5E") < 0);
    }

    [Fact]
    public void FromRecord_takes_status_and_mime_from_the_http_head_and_offsets_from_the_writer()
    {
        var records = WarcSample.Records();
        using var buffer = new MemoryStream();
        var written = WarcSample.Write(buffer, records, compress: true);

        var entries = records.Zip(written, (r, w) => CdxjEntry.FromRecord(r, w, WarcSample.Filename)).ToList();

        // warcinfo, request and the outlinks metadata are not captures.
        Assert.Equal(
            [null, "resource", "response", null, null, "response", "revisit", "revisit"],
            entries.Select(e => e?.RecordType));
        var page = entries[2]!;
        Assert.Equal(200, page.Status);
        Assert.Equal("text/html", page.Mime);
        Assert.Equal(written[2].Offset, page.Offset);
        Assert.Equal(written[2].Length, page.Length);
        Assert.Equal("text/dns", entries[1]!.Mime);
        Assert.Null(entries[1]!.Status);
        Assert.Equal("text/css", entries[5]!.Mime);
        Assert.Equal(304, entries[7]!.Status);
        Assert.Equal(records[2].PayloadDigest, entries[6]!.Digest);
    }

    [Fact]
    public void FromRecord_of_a_non_http_response_uses_the_record_content_type()
    {
        var record = new WarcRecord(WarcRecordType.Response, "http://kcna.kp/x", Ts, "text/plain", Encoding.ASCII.GetBytes("x"));
        var entry = CdxjEntry.FromRecord(record, new WarcWrittenRecord(record.RecordId, 0, 1), "a.warc");
        Assert.Equal("text/plain", entry!.Mime);
        Assert.Null(entry.Status);
    }
}
