using System.Text;

namespace Crawler.Storage.Tests.Codec;

public sealed class PayloadCodecTests
{
    [Fact]
    public void A_large_page_is_brotli_written_in_chunks_and_decodes_to_its_bytes()
    {
        var page = Encoding.UTF8.GetBytes("<html><body>" + string.Concat(Enumerable.Range(0, 200_000).Select(i => $"<a href=\"/p/{i}\">{i}</a>\n")) + "</body></html>");
        Assert.True(page.Length > PayloadCodec.LargeBytes);

        var (compression, data) = PayloadCodec.Encode(page);

        Assert.Equal(PayloadCodec.Brotli, compression);
        Assert.True(data.Length < page.Length / 4, $"{data.Length} bytes of {page.Length}");
        Assert.Equal(page, PayloadCodec.Decode(compression, page.Length, data));
    }

    [Fact]
    public void A_large_incompressible_payload_is_kept_as_it_is()
    {
        var noise = new byte[(3 * PayloadCodec.LargeBytes) + 17];
        new Random(11).NextBytes(noise);

        var (compression, data) = PayloadCodec.Encode(noise);

        Assert.Equal((PayloadCodec.None, noise), (compression, data));
    }

    [Fact]
    public void A_large_payload_of_compressible_and_random_halves_round_trips()
    {
        var half = new byte[PayloadCodec.LargeBytes];
        new Random(5).NextBytes(half);
        var mixed = new byte[half.Length * 2];
        half.CopyTo(mixed, half.Length);

        var (compression, data) = PayloadCodec.Encode(mixed);

        Assert.Equal(PayloadCodec.Brotli, compression);
        Assert.Equal(mixed, PayloadCodec.Decode(compression, mixed.Length, data));
    }
}
