using CsCheck;
using Crawler.Core.Text;
using Xunit;

namespace Crawler.Core.Tests.Text;

public sealed class EncodingSnifferPropertyTests
{
    [Fact]
    public void Sniff_and_decode_never_throw_on_random_bytes_and_headers()
    {
        var bytes = Gen.OneOf(
            Gen.Byte.Array[0, 2000],
            Gen.Char["<meta charset=\"'/>!-? euckrutf8"].Array[0, 300].Select(c => System.Text.Encoding.ASCII.GetBytes(c)));
        var header = Gen.OneOf(Gen.String.Select(s => (string?)s), Gen.Int[0, 2].Select(i => i == 0 ? null : (string?)"text/html; charset=\"euc-kr"));
        Gen.Select(bytes, header).Sample((b, h) =>
        {
            _ = EncodingSniffer.Decode(b, h, out var result);
            return result.Label.Length > 0;
        });
    }

    [Fact]
    public void Ascii_documents_declaring_a_known_label_get_that_encoding()
    {
        string[] labels = ["euc-kr", "shift_jis", "gbk", "big5", "koi8-r", "windows-1251", "utf-8", "iso-8859-2"];
        Gen.Select(Gen.Int[0, labels.Length - 1].Select(i => labels[i]), Gen.Int[0, 900]).Sample((label, padding) =>
        {
            var html = new string(' ', padding) + $"<meta charset=\"{label}\">";
            var result = EncodingSniffer.Sniff(System.Text.Encoding.ASCII.GetBytes(html), null);
            return result.Source == SniffSource.MetaPrescan && result.Label == EncodingSniffer.NormalizeLabel(label);
        });
    }
}
