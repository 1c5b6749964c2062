using System.Text;
using Crawler.Core.Html;
using Crawler.Core.Text;
using Xunit;

namespace Crawler.Core.Tests.Text;

/// <summary>The XML-declaration step of the prescan and the guess for undeclared pages.</summary>
public sealed class EncodingGuessTests
{
    private const string Korean =
        "조선민주주의인민공화국 평양에서 열린 회의에 참가한 대표들은 나라의 경제발전과 인민생활향상을 위한 과업들을 토의하였다. " +
        "회의에서는 농업과 공업, 과학기술부문에서 이룩된 성과들이 소개되였으며 앞으로의 방향과 방도들이 제시되였다. " +
        "참가자들은 모든 부문에서 생산을 늘이고 질을 높이기 위한 대책을 세울데 대하여 강조하였다.";

    private const string Japanese =
        "東京で開かれた会議には、全国の大学や研究機関から多くの研究者が参加しました。" +
        "会議では、新しい技術の開発と社会への応用について活発な議論が行われ、今後の協力の方向が確認されました。" +
        "参加者たちは、次の会議までに具体的な計画をまとめることに合意しました。";

    private const string Russian =
        "В Москве состоялось совещание, на котором представители разных отраслей обсудили вопросы развития экономики " +
        "и улучшения жизни людей. Участники отметили успехи в сельском хозяйстве, промышленности и науке, " +
        "а также определили задачи на следующий год и пути их решения.";

    static EncodingGuessTests()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    private static byte[] Page(string body, int codePage, string head = "") =>
        Encoding.GetEncoding(codePage).GetBytes($"{head}<html><head><title>t</title></head><body><p>{body}</p><a href=\"/기사/1.html\">x</a></body></html>");

    [Theory]
    [InlineData(Korean, 949, "EUC-KR")]
    [InlineData(Japanese, 932, "Shift_JIS")]
    [InlineData(Russian, 20866, "KOI8-R")]
    public void An_undeclared_page_is_decoded_in_the_encoding_its_bytes_look_like(string text, int codePage, string label)
    {
        var body = Encoding.GetEncoding(codePage).GetBytes($"<html><head><title>t</title></head><body><p>{text}</p></body></html>");

        var decoded = EncodingSniffer.Decode(body, "text/html", out var result);

        Assert.Equal((label, SniffSource.Guess), (result.Label, result.Source));
        Assert.Contains(text, decoded, StringComparison.Ordinal);
    }

    [Fact]
    public void The_links_of_an_undeclared_euc_kr_page_come_out_in_korean()
    {
        var html = EncodingSniffer.Decode(Page(Korean, 949), null, out _);

        Assert.Contains(HtmlLinkExtractor.Extract(html).Links, l => l.Url == "/기사/1.html");
    }

    [Fact]
    public void An_xml_declared_utf8_page_is_decoded_as_utf8_and_its_links_come_out_right()
    {
        var bytes = Encoding.UTF8.GetBytes(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"><head><title>로동신문</title></head>" +
            "<body><a href=\"/기사/1.html\">x</a> <a href=\"/café\">y</a></body></html>");

        // Without the guess, only the declaration stands between this page and windows-1252.
        var html = EncodingSniffer.Decode(bytes, "text/html", "windows-1252", guess: false, out var result);

        Assert.Equal(("UTF-8", SniffSource.XmlDeclaration), (result.Label, result.Source));
        var page = HtmlLinkExtractor.Extract(html);
        Assert.Equal("로동신문", page.Title);
        Assert.Equal(["/기사/1.html", "/café"], page.Links.Select(l => l.Url));
    }

    [Theory]
    [InlineData("<?xml version='1.0' encoding='euc-kr'?><p>", "EUC-KR")]
    [InlineData("<?xml version=\"1.0\" encoding = \"koi8-r\" ?>", "KOI8-R")]
    [InlineData("<?xml version=\"1.0\" encoding=\"UTF-16\"?>", "UTF-8")]
    public void The_xml_declaration_at_the_start_names_the_encoding(string start, string label)
    {
        var result = EncodingSniffer.Sniff(Encoding.ASCII.GetBytes(start + "<html></html>"), null, guess: false);

        Assert.Equal((label, SniffSource.XmlDeclaration), (result.Label, result.Source));
    }

    [Theory]
    [InlineData(" <?xml version=\"1.0\" encoding=\"euc-kr\"?>")] // not at the very start
    [InlineData("<?xml version=\"1.0\" ENCODING=\"euc-kr\"?>")] // "encoding" is matched case-sensitively
    [InlineData("<?xml version=\"1.0\" encoding=euc-kr?>")] // unquoted
    [InlineData("<?xml version=\"1.0\" encoding=\"euc kr\"?>")] // a space in the label
    [InlineData("<?xml version=\"1.0\"?><p encoding=\"euc-kr\">")] // after the declaration's end
    [InlineData("<?xml version=\"1.0\" encoding=\"no-such-encoding\"?>")]
    public void A_malformed_or_misplaced_xml_declaration_declares_nothing(string start)
    {
        var result = EncodingSniffer.Sniff(Encoding.ASCII.GetBytes(start + "<html></html>"), null, guess: false);

        Assert.Equal(("windows-1252", SniffSource.Default), (result.Label, result.Source));
    }

    [Fact]
    public void A_meta_declaration_wins_over_the_xml_declaration()
    {
        var bytes = Encoding.ASCII.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-8\"?><html><head><meta charset=\"koi8-r\"></head></html>");

        var result = EncodingSniffer.Sniff(bytes, null);

        Assert.Equal(("KOI8-R", SniffSource.MetaPrescan), (result.Label, result.Source));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_xml_declaration_in_utf16_without_a_byte_order_mark_is_utf16(bool bigEndian)
    {
        var encoding = new UnicodeEncoding(bigEndian, byteOrderMark: false);
        var bytes = encoding.GetBytes("<?xml version=\"1.0\"?><p>조선</p>");

        var text = EncodingSniffer.Decode(bytes, null, out var result);

        Assert.Equal((bigEndian ? "UTF-16BE" : "UTF-16LE", SniffSource.XmlDeclaration), (result.Label, result.Source));
        Assert.Contains("<p>조선</p>", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_declared_encoding_wins_over_the_guess()
    {
        var eucKr = Page(Korean, 949);

        var fromHeader = EncodingSniffer.Sniff(eucKr, "text/html; charset=windows-1251");
        var fromMeta = EncodingSniffer.Sniff(Page(Korean, 949, "<meta charset=\"koi8-r\">"), "text/html");
        var fromXml = EncodingSniffer.Sniff(Page(Korean, 949, "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>"), null);

        Assert.Equal(("windows-1251", SniffSource.ContentTypeHeader), (fromHeader.Label, fromHeader.Source));
        Assert.Equal(("KOI8-R", SniffSource.MetaPrescan), (fromMeta.Label, fromMeta.Source));
        Assert.Equal(("Shift_JIS", SniffSource.XmlDeclaration), (fromXml.Label, fromXml.Source));
    }

    [Fact]
    public void An_ascii_only_page_keeps_the_default()
    {
        var bytes = Encoding.ASCII.GetBytes("<html><head><title>KCNA</title></head><body>" + string.Concat(Enumerable.Repeat("<p>Pyongyang, news of the day.</p>", 200)) + "</body></html>");

        var result = EncodingSniffer.Sniff(bytes, null);

        Assert.Equal(("windows-1252", SniffSource.Default), (result.Label, result.Source));
        Assert.Null(EncodingGuess.Guess(bytes));
    }

    [Fact]
    public void A_short_page_with_one_accented_letter_stays_windows_1252()
    {
        var bytes = Encoding.Latin1.GetBytes("<p>Caf\u00e9</p>");

        var text = EncodingSniffer.Decode(bytes, null, out var result);

        Assert.Equal("windows-1252", result.Label);
        Assert.Equal("<p>Café</p>", text);
    }

    [Fact]
    public void An_undeclared_utf8_page_is_read_as_utf8()
    {
        var bytes = Encoding.UTF8.GetBytes($"<html><body><p>{Korean}</p></body></html>");

        var text = EncodingSniffer.Decode(bytes, null, out var result);

        Assert.Equal(("UTF-8", SniffSource.Guess), (result.Label, result.Source));
        Assert.Contains(Korean, text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_short_undeclared_legacy_page_is_too_little_to_tell_and_keeps_the_default()
    {
        var bytes = Encoding.GetEncoding(949).GetBytes("<p>조선중앙통신</p>"); // 12 non-ASCII bytes

        var result = EncodingSniffer.Sniff(bytes, null);

        Assert.Equal(("windows-1252", SniffSource.Default), (result.Label, result.Source));
    }

    [Fact]
    public void A_short_utf8_page_is_read_as_utf8()
    {
        var result = EncodingSniffer.Sniff(Encoding.UTF8.GetBytes("<p>Caf\u00e9</p>"), null);

        Assert.Equal(("UTF-8", SniffSource.Guess), (result.Label, result.Source));
    }

    [Fact]
    public void A_long_utf8_page_is_utf8_even_when_the_examined_bytes_end_inside_a_character()
    {
        var prefix = new string('a', EncodingGuess.MaxExaminedBytes - 1); // the 3-byte "조" straddles the cut
        var bytes = Encoding.UTF8.GetBytes(prefix + "조선" + Korean);

        Assert.Equal("UTF-8", EncodingGuess.Guess(bytes));
    }

    [Fact]
    public void Without_the_guess_an_undeclared_page_gets_the_default()
    {
        var result = EncodingSniffer.Sniff(Page(Korean, 949), null, guess: false);

        Assert.Equal(("windows-1252", SniffSource.Default), (result.Label, result.Source));
    }
}
