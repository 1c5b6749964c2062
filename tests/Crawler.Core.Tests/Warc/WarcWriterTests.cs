using System.IO.Compression;
using System.Text;
using Crawler.Core.Warc;
using Xunit;

namespace Crawler.Core.Tests.Warc;

public sealed class WarcWriterTests
{
    private static readonly DateTimeOffset Date = new(2026, 11, 28, 15, 30, 0, 123, 456, TimeSpan.Zero);

    private static WarcRecord Simple(string block = "hello") =>
        new(WarcRecordType.Resource, "http://kcna.kp/a.txt", Date, "text/plain", Encoding.ASCII.GetBytes(block))
        {
            RecordId = "<urn:uuid:00000000-0000-0000-0000-000000000001>",
        };

    private static string WriteText(WarcRecord record)
    {
        using var buffer = new MemoryStream();
        SampleWrite(buffer, record, compress: false);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static WarcWrittenRecord SampleWrite(Stream output, WarcRecord record, bool compress)
    {
        using var writer = new WarcWriter(output, compress, leaveOpen: true);
        return writer.Write(record);
    }

    [Fact]
    public void Uncompressed_record_is_version_line_headers_empty_line_block_and_two_crlfs()
    {
        string text = WriteText(Simple() with { PayloadDigest = "sha1:PAYLOAD", ExtraHeaders = [new("WARC-IP-Address", "127.0.0.1")] });

        Assert.Equal(
            "WARC/1.1\r\n"
            + "WARC-Type: resource\r\n"
            + "WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\n"
            + "WARC-Date: 2026-11-28T15:30:00.123456Z\r\n"
            + "Content-Length: 5\r\n"
            + "WARC-Target-URI: http://kcna.kp/a.txt\r\n"
            + "Content-Type: text/plain\r\n"
            + "WARC-Block-Digest: " + WarcDigest.Sha1Base32("hello"u8) + "\r\n"
            + "WARC-Payload-Digest: sha1:PAYLOAD\r\n"
            + "WARC-IP-Address: 127.0.0.1\r\n"
            + "\r\n"
            + "hello\r\n\r\n",
            text);
    }

    [Fact]
    public void Date_is_written_in_utc_with_microseconds()
    {
        var pyongyang = new DateTimeOffset(2026, 11, 29, 0, 30, 0, 5, TimeSpan.FromHours(9));
        Assert.Contains("WARC-Date: 2026-11-28T15:30:00.005000Z\r\n", WriteText(Simple() with { Date = pyongyang }), StringComparison.Ordinal);
    }

    [Fact]
    public void Content_length_counts_bytes_not_characters()
    {
        var record = Simple() with { Block = Encoding.UTF8.GetBytes("조선") };
        Assert.Contains("Content-Length: 6\r\n", WriteText(record), StringComparison.Ordinal);
    }

    [Fact]
    public void Warcinfo_without_target_uri_writes_no_target_uri_header()
    {
        string text = WriteText(WarcRecords.Warcinfo([new("software", "x")], Date));
        Assert.DoesNotContain("WARC-Target-URI", text, StringComparison.Ordinal);
        Assert.Contains("WARC-Type: warcinfo\r\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Block_digest_follows_the_writer_algorithm()
    {
        using var buffer = new MemoryStream();
        using (var writer = new WarcWriter(buffer, compress: false, leaveOpen: true, WarcDigestAlgorithm.Sha256Hex))
        {
            writer.Write(Simple());
        }

        Assert.Contains("WARC-Block-Digest: " + WarcDigest.Sha256Hex("hello"u8) + "\r\n", Encoding.UTF8.GetString(buffer.ToArray()), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://kcna.kp/\r\nWARC-Type: forged")]
    [InlineData("http://kcna.kp/\nx")]
    public void Header_values_with_line_breaks_are_rejected(string uri)
    {
        using var buffer = new MemoryStream();
        using var writer = new WarcWriter(buffer, compress: false);
        Assert.Throws<ArgumentException>(() => writer.Write(Simple() with { TargetUri = uri }));
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void Extra_header_names_with_colons_are_rejected()
    {
        using var buffer = new MemoryStream();
        using var writer = new WarcWriter(buffer, compress: false);
        Assert.Throws<ArgumentException>(() => writer.Write(Simple() with { ExtraHeaders = [new("X-A: b", "c")] }));
    }

    [Fact]
    public void Uncompressed_offsets_and_lengths_tile_the_file()
    {
        using var buffer = new MemoryStream();
        var written = WarcSample.Write(buffer, WarcSample.Records(), compress: false);

        AssertTiles(written, buffer.Length);
        byte[] file = buffer.ToArray();
        foreach (var w in written)
        {
            Assert.StartsWith("WARC/1.1\r\n", Encoding.ASCII.GetString(file, (int)w.Offset, 10), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Each_compressed_record_is_a_gzip_member_that_decompresses_alone()
    {
        var records = WarcSample.Records();
        using var buffer = new MemoryStream();
        var written = WarcSample.Write(buffer, records, compress: true);
        byte[] file = buffer.ToArray();

        AssertTiles(written, file.Length);
        for (int i = 0; i < records.Count; i++)
        {
            byte[] member = file.AsSpan((int)written[i].Offset, (int)written[i].Length).ToArray();
            Assert.Equal(0x1f, member[0]);
            Assert.Equal(0x8b, member[1]);

            using var one = new WarcReader(new MemoryStream(member));
            var read = Assert.Single(one.ReadAll());
            Assert.Equal(records[i].RecordId, read.RecordId);
            Assert.Equal(records[i].Type, read.Type);
            Assert.Equal(records[i].Block.ToArray(), read.Block.ToArray());
            Assert.Equal(written[i].RecordId, records[i].RecordId);
        }
    }

    [Fact]
    public void Compressed_member_holds_exactly_one_record_ending_in_two_crlfs()
    {
        using var buffer = new MemoryStream();
        var written = SampleWrite(buffer, Simple(), compress: true);

        using var gzip = new GZipStream(new MemoryStream(buffer.ToArray()), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        gzip.CopyTo(plain);
        Assert.Equal(WriteText(Simple()), Encoding.UTF8.GetString(plain.ToArray()));
        Assert.Equal(buffer.Length, written.Length);
    }

    [Fact]
    public void Offsets_are_absolute_when_appending_to_a_seekable_stream()
    {
        using var buffer = new MemoryStream();
        buffer.Write(new byte[1000]);
        var first = SampleWrite(buffer, Simple(), compress: true);
        var second = SampleWrite(buffer, Simple(), compress: true);

        Assert.Equal(1000, first.Offset);
        Assert.Equal(first.Offset + first.Length, second.Offset);
        Assert.Equal(buffer.Length, second.Offset + second.Length);
    }

    [Fact]
    public async Task Async_writes_produce_the_same_bytes_and_positions_as_sync_writes()
    {
        var records = WarcSample.Records();
        using var syncBuffer = new MemoryStream();
        var syncWritten = WarcSample.Write(syncBuffer, records, compress: false);

        using var asyncBuffer = new MemoryStream();
        var asyncWritten = new List<WarcWrittenRecord>();
        await using (var writer = new WarcWriter(asyncBuffer, compress: false, leaveOpen: true))
        {
            foreach (var record in records)
            {
                asyncWritten.Add(await writer.WriteAsync(record));
            }
        }

        Assert.Equal(syncWritten, asyncWritten);
        Assert.Equal(syncBuffer.ToArray(), asyncBuffer.ToArray());
    }

    [Fact]
    public async Task Async_compressed_writes_report_member_boundaries()
    {
        using var buffer = new MemoryStream();
        var written = new List<WarcWrittenRecord>();
        await using (var writer = new WarcWriter(buffer, compress: true, leaveOpen: true))
        {
            foreach (var record in WarcSample.Records())
            {
                written.Add(await writer.WriteAsync(record));
            }
        }

        AssertTiles(written, buffer.Length);
        byte[] file = buffer.ToArray();
        var last = written[^1];
        using var one = new WarcReader(new MemoryStream(file, (int)last.Offset, (int)last.Length));
        Assert.Equal(last.RecordId, Assert.Single(one.ReadAll()).RecordId);
    }

    [Fact]
    public void Disposing_the_writer_closes_the_stream_unless_asked_to_leave_it_open()
    {
        var owned = new MemoryStream();
        new WarcWriter(owned, compress: true).Dispose();
        Assert.False(owned.CanWrite);

        using var kept = new MemoryStream();
        new WarcWriter(kept, compress: true, leaveOpen: true).Dispose();
        Assert.True(kept.CanWrite);
    }

    [Fact]
    public void Writing_after_dispose_throws()
    {
        using var buffer = new MemoryStream();
        var writer = new WarcWriter(buffer, compress: false, leaveOpen: true);
        writer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => writer.Write(Simple()));
    }

    private static void AssertTiles(IReadOnlyList<WarcWrittenRecord> written, long fileLength)
    {
        Assert.Equal(0, written[0].Offset);
        for (int i = 1; i < written.Count; i++)
        {
            Assert.True(written[i - 1].Length > 0);
            Assert.Equal(written[i - 1].Offset + written[i - 1].Length, written[i].Offset);
        }

        Assert.Equal(fileLength, written[^1].Offset + written[^1].Length);
    }
}
