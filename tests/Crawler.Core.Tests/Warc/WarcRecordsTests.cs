using System.Text;
using Crawler.Core.Warc;
using Xunit;

namespace Crawler.Core.Tests.Warc;

public sealed class WarcRecordsTests
{
    private static readonly DateTimeOffset Date = new(2026, 11, 28, 15, 30, 0, TimeSpan.Zero);
    private static readonly byte[] Head = WarcSample.HttpHead("HTTP/1.1 200 OK", "Content-Type: text/html");

    [Fact]
    public void Response_block_is_the_http_head_then_the_payload_and_the_payload_digest_covers_only_the_payload()
    {
        byte[] payload = Encoding.UTF8.GetBytes("<html>kcna</html>");
        var record = WarcRecords.Response("http://kcna.kp/", Date, "175.45.176.71", Head, payload);

        Assert.Equal(WarcRecordType.Response, record.Type);
        Assert.Equal("application/http;msgtype=response", record.ContentType);
        Assert.Equal([.. Head, .. payload], record.Block.ToArray());
        Assert.Equal(WarcDigest.Sha1Base32(payload), record.PayloadDigest);
        Assert.Equal("175.45.176.71", record.ExtraHeader("WARC-IP-Address"));
    }

    [Fact]
    public void Response_payload_digest_can_be_sha256()
    {
        var record = WarcRecords.Response("http://kcna.kp/", Date, null, Head, "x"u8, WarcDigestAlgorithm.Sha256Hex);
        Assert.Equal(WarcDigest.Sha256Hex("x"u8), record.PayloadDigest);
        Assert.Null(record.ExtraHeader("WARC-IP-Address"));
    }

    [Fact]
    public void Response_rejects_a_header_block_without_its_empty_line()
    {
        Assert.Throws<ArgumentException>(() =>
            WarcRecords.Response("http://kcna.kp/", Date, null, "HTTP/1.1 200 OK\r\n"u8, "x"u8));
    }

    [Fact]
    public void Request_is_concurrent_to_its_response()
    {
        var record = WarcRecords.Request("http://kcna.kp/", Date, "175.45.176.71", "GET / HTTP/1.1\r\n\r\n"u8.ToArray(), "<urn:uuid:r>");
        Assert.Equal("application/http;msgtype=request", record.ContentType);
        Assert.Equal("<urn:uuid:r>", record.ExtraHeader("WARC-Concurrent-To"));
        Assert.Null(record.PayloadDigest);
    }

    [Fact]
    public void Identical_payload_revisit_carries_profile_truncation_and_the_original_capture()
    {
        var original = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var record = WarcRecords.Revisit("http://kcna.kp/", Date, null, Head, "sha1:ABC", "http://kcna.kp/", original, "<urn:uuid:o>");

        Assert.Equal(WarcRecordType.Revisit, record.Type);
        Assert.Equal(Head, record.Block.ToArray());
        Assert.Equal("sha1:ABC", record.PayloadDigest);
        Assert.Equal("http://netpreserve.org/warc/1.1/revisit/identical-payload-digest", record.ExtraHeader("WARC-Profile"));
        Assert.Equal("length", record.ExtraHeader("WARC-Truncated"));
        Assert.Equal("http://kcna.kp/", record.ExtraHeader("WARC-Refers-To-Target-URI"));
        Assert.Equal("2026-11-01T00:00:00.000000Z", record.ExtraHeader("WARC-Refers-To-Date"));
        Assert.Equal("<urn:uuid:o>", record.ExtraHeader("WARC-Refers-To"));
    }

    [Fact]
    public void Not_modified_revisit_uses_the_server_not_modified_profile_without_truncation()
    {
        var record = WarcRecords.RevisitNotModified("http://kcna.kp/", Date, null, WarcSample.HttpHead("HTTP/1.1 304 Not Modified"), null, null, null);

        Assert.Equal("http://netpreserve.org/warc/1.1/revisit/server-not-modified", record.ExtraHeader("WARC-Profile"));
        Assert.Null(record.ExtraHeader("WARC-Truncated"));
        Assert.Null(record.ExtraHeader("WARC-Refers-To-Date"));
        Assert.Null(record.PayloadDigest);
    }

    [Fact]
    public void Metadata_lists_outlinks_as_warc_fields()
    {
        var record = WarcRecords.Metadata(
            "http://kcna.kp/",
            Date,
            "<urn:uuid:r>",
            [WarcRecords.Outlink("http://kcna.kp/a", "L a/@href"), new("via", "http://kcna.kp/start")]);

        Assert.Equal("application/warc-fields", record.ContentType);
        Assert.Equal("outlink: http://kcna.kp/a L a/@href\r\nvia: http://kcna.kp/start\r\n", Encoding.UTF8.GetString(record.Block.Span));
        Assert.Equal("<urn:uuid:r>", record.ExtraHeader("WARC-Concurrent-To"));
    }

    [Fact]
    public void Warc_fields_reject_line_breaks_in_values()
    {
        Assert.Throws<ArgumentException>(() => WarcRecords.WarcFields([new("outlink", "a\r\nb")]));
    }

    [Fact]
    public void Dns_record_is_a_text_dns_resource_for_the_dns_uri()
    {
        var record = WarcRecords.Dns("kcna.kp", Date, "20261128153000\nkcna.kp.\t3600\tIN\tA\t175.45.176.71\n", "127.0.0.53");

        Assert.Equal(WarcRecordType.Resource, record.Type);
        Assert.Equal("dns:kcna.kp", record.TargetUri);
        Assert.Equal("text/dns", record.ContentType);
        Assert.Equal("127.0.0.53", record.ExtraHeader("WARC-IP-Address"));
        Assert.StartsWith("20261128153000\n", Encoding.UTF8.GetString(record.Block.Span), StringComparison.Ordinal);
    }

    [Fact]
    public void Warcinfo_has_no_target_and_names_its_file()
    {
        var record = WarcRecords.Warcinfo([new("software", "Crawler")], Date, "a.warc.gz");
        Assert.Null(record.TargetUri);
        Assert.Equal("a.warc.gz", record.ExtraHeader("WARC-Filename"));
        Assert.Equal("software: Crawler\r\n", Encoding.UTF8.GetString(record.Block.Span));
    }

    [Fact]
    public void Record_ids_are_fresh_urn_uuids()
    {
        string a = WarcRecord.NewId();
        Assert.Matches("^<urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}>$", a);
        Assert.NotEqual(a, WarcRecord.NewId());
    }
}
