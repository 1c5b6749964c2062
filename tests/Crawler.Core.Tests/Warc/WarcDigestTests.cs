using System.Text;
using Crawler.Core.Warc;
using CsCheck;
using Xunit;

namespace Crawler.Core.Tests.Warc;

public sealed class WarcDigestTests
{
    // Vectors from Python: base64.b32encode(hashlib.sha1(data).digest()), hashlib.sha256(...).hexdigest().
    [Theory]
    [InlineData("", "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ")]
    [InlineData("abc", "sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5")]
    [InlineData("hello world", "sha1:FKXGYNOJJ7H3IFO35FPUBC445EPOQRXN")]
    public void Sha1Base32_matches_known_vectors(string input, string expected) =>
        Assert.Equal(expected, WarcDigest.Sha1Base32(Encoding.ASCII.GetBytes(input)));

    [Theory]
    [InlineData("", "sha256:4OYMIQUY7QOBJGX36TEJS35ZEQT24QPEMSNZGTFESWMRW6CSXBKQ====")]
    [InlineData("abc", "sha256:XJ4BNP4PAHH6UQKBIDPF3LRCEOYAGYNDSYLXVHFUCD7WD4QACWWQ====")]
    public void Sha256Base32_matches_known_vectors_with_rfc4648_padding(string input, string expected) =>
        Assert.Equal(expected, WarcDigest.Sha256Base32(Encoding.ASCII.GetBytes(input)));

    [Theory]
    [InlineData("", "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("abc", "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    public void Sha256Hex_matches_known_vectors_in_lower_case(string input, string expected) =>
        Assert.Equal(expected, WarcDigest.Sha256Hex(Encoding.ASCII.GetBytes(input)));

    [Theory]
    [InlineData("f", "MY======")]
    [InlineData("fo", "MZXQ====")]
    [InlineData("foo", "MZXW6===")]
    [InlineData("foob", "MZXW6YQ=")]
    [InlineData("fooba", "MZXW6YTB")]
    [InlineData("foobar", "MZXW6YTBOI======")]
    public void Base32_matches_the_rfc4648_test_vectors(string input, string expected) =>
        Assert.Equal(expected, WarcDigest.Base32(Encoding.ASCII.GetBytes(input)));

    [Fact]
    public void Incremental_digest_over_chunks_equals_the_one_shot_digest()
    {
        Gen.Byte.Array[0, 3000].Select(Gen.Int[1, 500]).Sample((data, chunk) =>
        {
            foreach (var algorithm in Enum.GetValues<WarcDigestAlgorithm>())
            {
                using var digester = new WarcDigester(algorithm);
                for (int i = 0; i < data.Length; i += chunk)
                {
                    digester.Append(data.AsSpan(i, Math.Min(chunk, data.Length - i)));
                }

                Assert.Equal(WarcDigest.Compute(algorithm, data), digester.Finish());
            }
        }, iter: 200);
    }

    [Fact]
    public async Task Stream_digests_read_to_the_end_and_match_the_span_digest()
    {
        byte[] data = new byte[200_000];
        new Random(7).NextBytes(data);
        string expected = WarcDigest.Sha1Base32(data);

        using var sync = new MemoryStream(data);
        Assert.Equal(expected, WarcDigest.Compute(WarcDigestAlgorithm.Sha1Base32, sync));

        using var async = new MemoryStream(data);
        Assert.Equal(expected, await WarcDigest.ComputeAsync(WarcDigestAlgorithm.Sha1Base32, async));
    }

    [Fact]
    public void Finish_resets_the_digester_for_the_next_body()
    {
        using var digester = new WarcDigester(WarcDigestAlgorithm.Sha256Hex);
        digester.Append("abc"u8);
        _ = digester.Finish();
        digester.Append("abc"u8);
        Assert.Equal(WarcDigest.Sha256Hex("abc"u8), digester.Finish());
    }
}
