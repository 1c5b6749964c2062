using System.Text;
using CsCheck;

namespace Crawler.Storage.Tests.Codec;

public sealed class CaptureBulkTests
{
    private static readonly byte[] Request = Encoding.ASCII.GetBytes("GET /a.html HTTP/1.1\r\nHost: a.kp\r\n\r\n");
    private static readonly byte[] Response = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n");

    private static Outlink[] Links(int n) =>
        [.. Enumerable.Range(0, n).Select(i => new Outlink($"https://a.kp/article/{i}.html", i % 3 == 0 ? "img" : "a", i % 2 == 0))];

    private static CaptureRecord Capture(byte[] request, byte[]? response, IReadOnlyList<Outlink> outlinks) => new()
    {
        Id = "0190aaaa000070008000000000000001",
        Url = "https://a.kp/a.html",
        Host = "a.kp",
        Epoch = 1,
        FetchedAt = DateTimeOffset.UnixEpoch,
        Status = 200,
        RequestHeaders = request,
        ResponseHeaders = response,
        Outlinks = outlinks,
        IpAddress = "175.45.176.71",
        ContentType = "text/html; charset=utf-8",
        ETag = "\"5f1a\"",
        LastModified = "Mon, 19 Sep 2016 00:00:00 GMT",
        Title = "조선중앙통신",
        Language = "ko",
        Charset = "utf-8",
    };

    private static string Fields(CaptureRecord c) =>
        string.Join('|', Convert.ToHexString(c.RequestHeaders), c.ResponseHeaders is null ? "-" : Convert.ToHexString(c.ResponseHeaders),
            string.Join(' ', c.Outlinks), c.IpAddress, c.ContentType, c.ErrorDetail, c.Truncated, c.RedirectTo, c.ETag,
            c.LastModified, c.Title, c.Language, c.Charset);

    [Fact]
    public void Headers_outlinks_and_the_text_fields_no_query_filters_on_round_trip_without_a_dictionary()
    {
        var capture = Capture(Request, Response, Links(30));
        var raw = CaptureBulk.Pack(capture);
        var encoded = new SiteDictionaries().Encode("capture a.kp", raw);

        var read = CaptureBulk.Load(CaptureBulk.Store(encoded, 0, raw.Length), null, CaptureBulk.Columns(capture));

        Assert.Equal(capture with { Outlinks = [] }, read with { Outlinks = [], RequestHeaders = capture.RequestHeaders, ResponseHeaders = capture.ResponseHeaders });
        Assert.Equal(Fields(capture), Fields(read));
    }

    [Fact]
    public void The_columns_beside_a_bulk_keep_what_queries_filter_on_and_nothing_the_bulk_holds()
    {
        var capture = Capture(Request, Response, Links(3)) with { Error = "Timeout", ErrorDetail = "read timed out", RedirectTo = "https://a.kp/b" };

        var columns = CaptureBulk.Columns(capture);

        Assert.Equal((capture.Id, capture.Url, capture.Host, capture.Status, capture.Error), (columns.Id, columns.Url, columns.Host, columns.Status, columns.Error));
        Assert.Equal("||||||||||||", Fields(columns with { ResponseHeaders = [] }));
    }

    [Fact]
    public void A_bulk_of_format_1_restores_its_headers_and_outlinks_and_leaves_the_columns_text_fields()
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            // Format 1 as schema 4 wrote it: version, outlinks, request headers, response headers (-1: none).
            w.Write((byte)1);
            w.Write7BitEncodedInt(1);
            w.Write("https://a.kp/x.html");
            w.Write("a");
            w.Write(true);
            w.Write7BitEncodedInt(Request.Length);
            w.Write(Request);
            w.Write7BitEncodedInt(-1);
        }

        var columns = Capture([], null, []) with { Title = "from the column" };

        var read = CaptureBulk.Unpack(buffer.ToArray(), columns);

        Assert.Equal(Request, read.RequestHeaders);
        Assert.Null(read.ResponseHeaders);
        Assert.Equal([new Outlink("https://a.kp/x.html", "a", true)], read.Outlinks);
        Assert.Equal("from the column", read.Title);
    }

    [Fact]
    public void A_bulk_compressed_with_a_dictionary_names_it_and_decodes_with_it()
    {
        var dictionaries = new SiteDictionaries(samplesToTrain: 16);
        for (var i = 0; i < 16; i++)
        {
            dictionaries.Encode("capture a.kp", CaptureBulk.Pack(Capture(Request, Response, Links(20 + i))));
        }

        var capture = Capture(Request, null, Links(40));
        var raw = CaptureBulk.Pack(capture);
        var encoded = dictionaries.Encode("capture a.kp", raw);
        var stored = CaptureBulk.Store(encoded, 7, raw.Length);

        Assert.Equal(PayloadCodec.Zstd, encoded.Compression);
        Assert.Equal(7, CaptureBulk.DictionaryRef(stored));
        Assert.Throws<InvalidDataException>(() => CaptureBulk.Load(stored, null, CaptureBulk.Columns(capture)));
        Assert.Equal(Fields(capture), Fields(CaptureBulk.Load(stored, encoded.Dictionary!.Data, CaptureBulk.Columns(capture))));
    }

    [Fact]
    public void A_truncated_bulk_is_a_clear_error()
    {
        var capture = Capture(Request, Response, Links(5));
        var raw = CaptureBulk.Pack(capture);

        Assert.Throws<InvalidDataException>(() => CaptureBulk.Unpack(raw[..(raw.Length - 3)], capture));
        Assert.Throws<InvalidDataException>(() => CaptureBulk.Load([2], null, capture));
    }

    [Fact]
    public void Any_headers_outlinks_and_text_fields_round_trip()
    {
        var link = Gen.Select(Gen.String, Gen.String[0, 8], Gen.Bool, (url, kind, inScope) => new Outlink(url, kind, inScope));
        var text = Gen.String.Null();
        Gen.Select(Gen.Byte.Array[0, 300], Gen.Byte.Array[0, 300].Null(), link.Array[0, 20], text, text, text).Sample((request, response, links, title, etag, ip) =>
        {
            var capture = Capture(request, response, links) with { Title = title, ETag = etag, IpAddress = ip, Charset = null };
            return Fields(CaptureBulk.Unpack(CaptureBulk.Pack(capture), CaptureBulk.Columns(capture))) == Fields(capture);
        });
    }
}
