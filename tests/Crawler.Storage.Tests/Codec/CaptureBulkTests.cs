using System.Text;
using CsCheck;

namespace Crawler.Storage.Tests.Codec;

public sealed class CaptureBulkTests
{
    private static readonly byte[] Request = Encoding.ASCII.GetBytes("GET /a.html HTTP/1.1\r\nHost: a.kp\r\n\r\n");
    private static readonly byte[] Response = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n");

    private static Outlink[] Links(int n) =>
        [.. Enumerable.Range(0, n).Select(i => new Outlink($"https://a.kp/article/{i}.html", i % 3 == 0 ? "img" : "a", i % 2 == 0))];

    [Fact]
    public void Headers_and_outlinks_round_trip_without_a_dictionary()
    {
        var raw = CaptureBulk.Pack(Request, Response, Links(30));
        var encoded = new SiteDictionaries().Encode("capture a.kp", raw);

        var (request, response, outlinks) = CaptureBulk.Load(CaptureBulk.Store(encoded, 0, raw.Length), null);

        Assert.Equal(Request, request);
        Assert.Equal(Response, response);
        Assert.Equal(Links(30), outlinks);
    }

    [Fact]
    public void A_bulk_compressed_with_a_dictionary_names_it_and_decodes_with_it()
    {
        var dictionaries = new SiteDictionaries(samplesToTrain: 16);
        for (var i = 0; i < 16; i++)
        {
            dictionaries.Encode("capture a.kp", CaptureBulk.Pack(Request, Response, Links(20 + i)));
        }

        var raw = CaptureBulk.Pack(Request, null, Links(40));
        var encoded = dictionaries.Encode("capture a.kp", raw);
        var stored = CaptureBulk.Store(encoded, 7, raw.Length);

        Assert.Equal(PayloadCodec.Zstd, encoded.Compression);
        Assert.Equal(7, CaptureBulk.DictionaryRef(stored));
        Assert.Throws<InvalidDataException>(() => CaptureBulk.Load(stored, null));
        var (request, response, outlinks) = CaptureBulk.Load(stored, encoded.Dictionary!.Data);
        Assert.Equal(Request, request);
        Assert.Null(response);
        Assert.Equal(Links(40), outlinks);
    }

    [Fact]
    public void A_truncated_bulk_is_a_clear_error()
    {
        var raw = CaptureBulk.Pack(Request, Response, Links(5));

        Assert.Throws<InvalidDataException>(() => CaptureBulk.Unpack(raw[..(raw.Length - 3)]));
        Assert.Throws<InvalidDataException>(() => CaptureBulk.Load([2], null));
    }

    [Fact]
    public void Any_headers_and_outlinks_round_trip()
    {
        var link = Gen.Select(Gen.String, Gen.String[0, 8], Gen.Bool, (url, kind, inScope) => new Outlink(url, kind, inScope));
        Gen.Select(Gen.Byte.Array[0, 300], Gen.Byte.Array[0, 300].Null(), link.Array[0, 20]).Sample((request, response, links) =>
        {
            var (r, s, o) = CaptureBulk.Unpack(CaptureBulk.Pack(request, response, links));
            return r.AsSpan().SequenceEqual(request)
                && (response is null ? s is null : s is not null && s.AsSpan().SequenceEqual(response))
                && o.SequenceEqual(links);
        });
    }
}
