using System.Text;
using Crawler.Core.Text;
using Xunit;

namespace Crawler.Core.Tests.Text;

public sealed class EncodingSnifferTests
{
    // "조선중앙통신" (Korean Central News Agency) in EUC-KR.
    private static readonly byte[] KcnaEucKr = Convert.FromHexString("C1B6BCB1C1DFBED3C5EBBDC5");

    // "朝鮮" in Shift_JIS.
    private static readonly byte[] ChosonShiftJis = Convert.FromHexString("92A9914E");

    private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    [Fact]
    public void Euc_kr_declared_in_meta_charset_is_decoded()
    {
        var bytes = Concat(Ascii("<html><head><meta charset=\"euc-kr\"><title>"), KcnaEucKr, Ascii("</title>"));

        var text = EncodingSniffer.Decode(bytes, "text/html", out var result);

        Assert.Equal("EUC-KR", result.Label);
        Assert.Equal(SniffSource.MetaPrescan, result.Source);
        Assert.Contains("<title>조선중앙통신</title>", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ks_c_5601-1987")]
    [InlineData("KS_C_5601-1987")]
    [InlineData("windows-949")]
    [InlineData("korean")]
    [InlineData("csksc56011987")]
    [InlineData("ksc5601")]
    [InlineData(" euc-kr ")]
    public void Euc_kr_aliases_map_to_euc_kr(string label)
    {
        var bytes = Concat(Ascii($"<meta http-equiv=\"Content-Type\" content=\"text/html; charset={label}\">"), KcnaEucKr);

        var text = EncodingSniffer.Decode(bytes, null, out var result);

        Assert.Equal("EUC-KR", result.Label);
        Assert.EndsWith("조선중앙통신", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Shift_jis_from_the_content_type_header_is_decoded()
    {
        var text = EncodingSniffer.Decode(ChosonShiftJis, "text/html; charset=Shift_JIS", out var result);

        Assert.Equal("Shift_JIS", result.Label);
        Assert.Equal(SniffSource.ContentTypeHeader, result.Source);
        Assert.Equal("朝鮮", text);
    }

    [Fact]
    public void Quoted_header_charset_is_accepted()
    {
        var result = EncodingSniffer.Sniff([], "text/html;charset=\"EUC-KR\";q=1", "windows-1252");

        Assert.Equal("EUC-KR", result.Label);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFE, 0x70, 0xC8, 0x20, 0xC1 }, "UTF-16LE")]
    [InlineData(new byte[] { 0xFE, 0xFF, 0xC8, 0x70, 0xC1, 0x20 }, "UTF-16BE")]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF, 0xEC, 0xA1, 0xB0, 0xEC, 0x84, 0xA0 }, "UTF-8")]
    public void Bom_wins_over_header_and_is_not_part_of_the_text(byte[] bytes, string label)
    {
        var text = EncodingSniffer.Decode(bytes, "text/html; charset=euc-kr", out var result);

        Assert.Equal(label, result.Label);
        Assert.Equal(SniffSource.ByteOrderMark, result.Source);
        Assert.Equal("조선", text);
    }

    [Fact]
    public void Header_wins_over_meta()
    {
        var bytes = Concat(Ascii("<meta charset=shift_jis>"), KcnaEucKr);

        var text = EncodingSniffer.Decode(bytes, "text/html; charset=euc-kr", out var result);

        Assert.Equal(SniffSource.ContentTypeHeader, result.Source);
        Assert.EndsWith("조선중앙통신", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_header_charset_falls_through_to_meta()
    {
        var bytes = Concat(Ascii("<meta charset=euc-kr>"), KcnaEucKr);

        var result = EncodingSniffer.Sniff(bytes, "text/html; charset=klingon");

        Assert.Equal(("EUC-KR", SniffSource.MetaPrescan), (result.Label, result.Source));
    }

    [Fact]
    public void Wrong_header_declaration_is_still_followed_as_the_standard_says()
    {
        // The server says UTF-8, the bytes are EUC-KR: the standard decodes as UTF-8 (yielding U+FFFD).
        var bytes = Concat(Ascii("<meta charset=euc-kr>"), KcnaEucKr);

        var text = EncodingSniffer.Decode(bytes, "text/html; charset=utf-8", out var result);

        Assert.Equal(("UTF-8", SniffSource.ContentTypeHeader), (result.Label, result.Source));
        Assert.Contains('\uFFFD', text);
        Assert.DoesNotContain("조선", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Meta_beyond_the_first_1024_bytes_is_ignored()
    {
        var padding = Ascii("<!DOCTYPE html><html><head>" + new string(' ', 1024));
        var bytes = Concat(padding, Ascii("<meta charset=euc-kr>"), KcnaEucKr);

        var result = EncodingSniffer.Sniff(bytes, null, guess: false);

        Assert.Equal(("windows-1252", SniffSource.Default), (result.Label, result.Source));
    }

    [Fact]
    public void Meta_straddling_the_1024_byte_boundary_is_ignored()
    {
        var padding = Ascii(new string(' ', 1010));
        var bytes = Concat(padding, Ascii("<meta charset=euc-kr>"));

        Assert.Equal(SniffSource.Default, EncodingSniffer.Sniff(bytes, null).Source);
    }

    [Fact]
    public void Meta_just_within_the_first_1024_bytes_is_used()
    {
        var meta = Ascii("<meta charset=euc-kr>");
        var bytes = Concat(Ascii(new string(' ', 1024 - meta.Length)), meta);

        Assert.Equal("EUC-KR", EncodingSniffer.Sniff(bytes, null).Label);
    }

    [Fact]
    public void Default_is_configurable()
    {
        var text = EncodingSniffer.Decode(KcnaEucKr, null, "euc-kr", guess: false, out var result);

        Assert.Equal(("EUC-KR", SniffSource.Default), (result.Label, result.Source));
        Assert.Equal("조선중앙통신", text);
    }

    [Fact]
    public void Unknown_default_label_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => EncodingSniffer.Sniff([], null, "no-such-encoding"));
    }

    [Fact]
    public void Utf16_declared_in_meta_means_utf8()
    {
        var result = EncodingSniffer.Sniff(Ascii("<meta charset=\"utf-16\">"), null);

        Assert.Equal(("UTF-8", SniffSource.MetaPrescan), (result.Label, result.Source));
    }

    [Fact]
    public void X_user_defined_in_meta_means_windows_1252()
    {
        Assert.Equal("windows-1252", EncodingSniffer.Sniff(Ascii("<meta charset=x-user-defined>"), null).Label);
    }

    [Fact]
    public void Utf16_from_the_header_is_used_as_is()
    {
        var bytes = Encoding.Unicode.GetBytes("조선");

        var text = EncodingSniffer.Decode(bytes, "text/html; charset=utf-16", out var result);

        Assert.Equal("UTF-16LE", result.Label);
        Assert.Equal("조선", text);
    }

    [Fact]
    public void Http_equiv_content_needs_the_pragma()
    {
        var withoutPragma = EncodingSniffer.Sniff(Ascii("<meta content=\"text/html; charset=euc-kr\">"), null);
        var withPragma = EncodingSniffer.Sniff(Ascii("<META CONTENT='text/html; charset=euc-kr' HTTP-EQUIV='Content-Type'>"), null);

        Assert.Equal(SniffSource.Default, withoutPragma.Source);
        Assert.Equal("EUC-KR", withPragma.Label);
    }

    [Fact]
    public void Meta_in_a_comment_or_script_attribute_is_skipped()
    {
        var commented = Ascii("<!-- <meta charset=euc-kr> --><meta charset=shift_jis>");
        var inAttribute = Ascii("<div title='<meta charset=euc-kr>'><meta charset=big5>");

        Assert.Equal("Shift_JIS", EncodingSniffer.Sniff(commented, null).Label);
        Assert.Equal("Big5", EncodingSniffer.Sniff(inAttribute, null).Label);
    }

    [Fact]
    public void First_usable_meta_wins_and_unknown_labels_are_skipped()
    {
        var bytes = Ascii("<meta charset=bogus><meta name=x><meta charset=koi8-r><meta charset=euc-kr>");

        Assert.Equal("KOI8-R", EncodingSniffer.Sniff(bytes, null).Label);
    }

    [Fact]
    public void Duplicate_attributes_keep_the_first()
    {
        var bytes = Ascii("<meta charset=gbk charset=euc-kr>");

        Assert.Equal("GBK", EncodingSniffer.Sniff(bytes, null).Label);
    }

    [Theory]
    [InlineData("<meta charset=\"euc-kr")]
    [InlineData("<!-- <meta charset=euc-kr>")]
    [InlineData("<meta")]
    [InlineData("<meta ")]
    [InlineData("<a href='x")]
    [InlineData("<?xml")]
    [InlineData("")]
    public void Truncated_markup_ends_the_prescan_without_a_result(string html)
    {
        Assert.Equal(SniffSource.Default, EncodingSniffer.Sniff(Ascii(html), null).Source);
    }

    [Theory]
    [InlineData("utf8", "UTF-8")]
    [InlineData("UNICODE-1-1-UTF-8", "UTF-8")]
    [InlineData("gb2312", "GBK")]
    [InlineData("x-gbk", "GBK")]
    [InlineData("GB18030", "gb18030")]
    [InlineData("big5-hkscs", "Big5")]
    [InlineData("x-euc-jp", "EUC-JP")]
    [InlineData("csiso2022jp", "ISO-2022-JP")]
    [InlineData("sjis", "Shift_JIS")]
    [InlineData("windows-31j", "Shift_JIS")]
    [InlineData("iso-8859-1", "windows-1252")]
    [InlineData("us-ascii", "windows-1252")]
    [InlineData("latin2", "ISO-8859-2")]
    [InlineData("iso-8859-9", "windows-1254")]
    [InlineData("cp1251", "windows-1251")]
    [InlineData("koi8_r", "KOI8-R")]
    [InlineData("utf-16be", "UTF-16BE")]
    [InlineData("ucs-2", "UTF-16LE")]
    [InlineData("iso-2022-kr", "replacement")]
    [InlineData("tis-620", "windows-874")]
    public void Labels_follow_the_encoding_standard(string label, string name)
    {
        Assert.Equal(name, EncodingSniffer.NormalizeLabel(label));
    }

    [Theory]
    [InlineData("utf-7")]
    [InlineData("utf-32")]
    [InlineData("")]
    [InlineData(null)]
    public void Labels_outside_the_standard_are_unknown(string? label)
    {
        Assert.Null(EncodingSniffer.NormalizeLabel(label));
    }

    [Theory]
    [InlineData("text/html; charset=shift_jis", "朝鮮", new byte[] { 0x92, 0xA9, 0x91, 0x4E })]
    [InlineData("text/html; charset=euc-jp", "朝鮮", new byte[] { 0xC4, 0xAB, 0xC1, 0xAF })]
    [InlineData("text/html; charset=gbk", "朝鲜", new byte[] { 0xB3, 0xAF, 0xCF, 0xCA })]
    [InlineData("text/html; charset=big5", "朝鮮", new byte[] { 0xB4, 0xC2, 0xC2, 0x41 })]
    [InlineData("text/html; charset=koi8-r", "Привет", new byte[] { 0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4 })]
    [InlineData("text/html; charset=windows-1251", "Привет", new byte[] { 0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2 })]
    [InlineData("text/html; charset=iso-2022-jp", "朝鮮", new byte[] { 0x1B, 0x24, 0x42, 0x44, 0x2B, 0x41, 0x2F, 0x1B, 0x28, 0x42 })]
    [InlineData("text/html; charset=windows-1252", "€é", new byte[] { 0x80, 0xE9 })]
    public void Cjk_and_cyrillic_encodings_decode_real_bytes(string contentType, string expected, byte[] bytes)
    {
        Assert.Equal(expected, EncodingSniffer.Decode(bytes, contentType, out _));
    }

    [Fact]
    public void Replacement_encoding_decodes_to_a_single_replacement_character()
    {
        var text = EncodingSniffer.Decode(Ascii("<html>abc"), "text/html; charset=iso-2022-kr", out var result);

        Assert.Equal("replacement", result.Label);
        Assert.Equal("\uFFFD", text);
    }

    [Fact]
    public void Invalid_euc_kr_bytes_become_replacement_characters()
    {
        var text = EncodingSniffer.Decode(new byte[] { 0xC1, 0xB6, 0xFF, 0x41 }, "text/html; charset=euc-kr", out _);

        Assert.StartsWith("조", text, StringComparison.Ordinal);
        Assert.EndsWith("A", text, StringComparison.Ordinal);
        Assert.DoesNotContain('?', text);
    }
}
