using System.Text;
using Crawler.Core.Warc;
using Xunit;

namespace Crawler.Core.Tests.Warc;

public sealed class WarcReaderTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_back_every_record_with_its_headers_and_block(bool compress)
    {
        var records = WarcSample.Records();
        using var buffer = new MemoryStream();
        WarcSample.Write(buffer, records, compress);
        buffer.Position = 0;

        using var reader = new WarcReader(buffer);
        var read = reader.ReadAll().ToList();

        Assert.Equal(compress, reader.IsCompressed);
        Assert.Equal(records.Count, read.Count);
        for (int i = 0; i < records.Count; i++)
        {
            Assert.Equal("WARC/1.1", read[i].Version);
            Assert.Equal(records[i].Type, read[i].Type);
            Assert.Equal(records[i].RecordId, read[i].RecordId);
            Assert.Equal(records[i].TargetUri, read[i].TargetUri);
            Assert.Equal(records[i].ContentType, read[i].ContentType);
            Assert.Equal(records[i].PayloadDigest, read[i].PayloadDigest);
            Assert.Equal(records[i].Date, read[i].Date);
            Assert.Equal(records[i].Block.ToArray(), read[i].Block.ToArray());
            Assert.Equal(WarcDigest.Sha1Base32(read[i].Block.Span), read[i].BlockDigest);
        }
    }

    [Fact]
    public void Payload_of_a_response_is_what_the_payload_digest_covers()
    {
        using var buffer = new MemoryStream();
        WarcSample.Write(buffer, WarcSample.Records(), compress: true);
        buffer.Position = 0;

        using var reader = new WarcReader(buffer);
        var responses = reader.ReadAll().Where(r => r.Type == WarcRecordType.Response).ToList();

        Assert.Equal(2, responses.Count);
        foreach (var response in responses)
        {
            Assert.True(response.TrySplitHttp(out var head, out var payload));
            Assert.StartsWith("HTTP/1.1 200 OK\r\n", Encoding.ASCII.GetString(head.Span), StringComparison.Ordinal);
            Assert.Equal(response.PayloadDigest, WarcDigest.Sha1Base32(payload.Span));
        }
    }

    [Fact]
    public void Reads_a_warc_1_0_record_with_lf_line_ends_and_folded_headers()
    {
        string text = "WARC/1.0\nWARC-Type: resource\nWARC-Target-URI: http://kcna.kp/\n  continued\nContent-Length: 3\n\nabc\r\n\r\n";
        using var reader = new WarcReader(new MemoryStream(Encoding.ASCII.GetBytes(text)));

        var record = Assert.Single(reader.ReadAll());
        Assert.Equal("WARC/1.0", record.Version);
        Assert.Equal("http://kcna.kp/ continued", record.TargetUri);
        Assert.Equal("abc"u8.ToArray(), record.Block.ToArray());
    }

    [Fact]
    public void Reads_records_larger_than_the_internal_buffer()
    {
        byte[] big = new byte[300_000];
        new Random(1).NextBytes(big);
        var record = new WarcRecord(WarcRecordType.Resource, "http://kcna.kp/big.bin", DateTimeOffset.UnixEpoch, "application/octet-stream", big);
        using var buffer = new MemoryStream();
        WarcSample.Write(buffer, [record, record with { RecordId = WarcRecord.NewId() }], compress: true);
        buffer.Position = 0;

        using var reader = new WarcReader(buffer);
        var read = reader.ReadAll().ToList();
        Assert.Equal(2, read.Count);
        Assert.All(read, r => Assert.Equal(big, r.Block.ToArray()));
    }

    [Fact]
    public void Empty_input_has_no_records()
    {
        using var reader = new WarcReader(new MemoryStream());
        Assert.Null(reader.Read());
    }

    [Fact]
    public void Non_warc_input_is_rejected()
    {
        using var reader = new WarcReader(new MemoryStream("HTTP/1.1 200 OK\r\n\r\n"u8.ToArray()));
        Assert.Throws<InvalidDataException>(() => reader.Read());
    }

    [Fact]
    public void A_truncated_block_is_rejected()
    {
        using var reader = new WarcReader(new MemoryStream("WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 10\r\n\r\nabc"u8.ToArray()));
        Assert.Throws<InvalidDataException>(() => reader.Read());
    }

    [Fact]
    public void A_record_without_content_length_is_rejected()
    {
        using var reader = new WarcReader(new MemoryStream("WARC/1.1\r\nWARC-Type: resource\r\n\r\n"u8.ToArray()));
        Assert.Throws<InvalidDataException>(() => reader.Read());
    }
}
