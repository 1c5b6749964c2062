using Crawler.Storage.Sqlite;
using CsCheck;

namespace Crawler.Storage.Tests.Sqlite;

public sealed class BinaryKeysTests
{
    [Fact]
    public void A_crawler_capture_id_is_stored_as_its_16_bytes_and_read_back_as_the_same_string()
    {
        var id = Guid.CreateVersion7().ToString("N");

        var stored = Assert.IsType<byte[]>(BinaryKeys.Id(id));

        Assert.Equal(16, stored.Length);
        Assert.Equal(id, BinaryKeys.IdText(stored));
    }

    [Fact]
    public void A_sha256_hex_digest_is_stored_as_its_32_bytes_and_read_back_with_its_prefix()
    {
        var digest = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("page"u8));

        var stored = Assert.IsType<byte[]>(BinaryKeys.Digest(digest));

        Assert.Equal(32, stored.Length);
        Assert.Equal(digest, BinaryKeys.DigestText(stored));
    }

    [Theory]
    [InlineData("0190aaaa-0000-7000-8000-000000000001")] // a GUID's "D" form
    [InlineData("0190AAAA000070008000000000000001")] // upper case would read back lower case
    [InlineData("0190aaaa00007000800000000000001")] // 31 digits
    [InlineData("old")]
    public void Any_other_capture_id_is_stored_as_its_text(string id) => Assert.Equal(id, BinaryKeys.Id(id));

    [Theory]
    [InlineData("sha1:2JMNYRF5V6A5OKJ4MM6D7SD3XNCC4EV5")]
    [InlineData("sha256:ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    [InlineData("sha256:abc")]
    public void Any_other_digest_is_stored_as_its_text(string digest) => Assert.Equal(digest, BinaryKeys.Digest(digest));

    [Fact]
    public void A_stored_key_of_a_form_no_version_writes_is_a_clear_error()
    {
        var error = Assert.Throws<InvalidDataException>(() => BinaryKeys.IdText(new byte[5]));
        Assert.Contains("capture id", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => BinaryKeys.DigestText(42L));
    }

    [Fact]
    public void Any_string_reads_back_as_it_was_written() =>
        Gen.OneOf(Gen.String, Gen.Byte.Array[16].Select(Convert.ToHexStringLower), Gen.Byte.Array[32].Select(b => "sha256:" + Convert.ToHexStringLower(b)))
            .Sample(s => BinaryKeys.IdText(BinaryKeys.Id(s)) == s && BinaryKeys.DigestText(BinaryKeys.Digest(s)) == s);
}
