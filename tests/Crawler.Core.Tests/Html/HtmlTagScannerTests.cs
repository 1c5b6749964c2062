using Crawler.Core.Html;
using Xunit;

namespace Crawler.Core.Tests.Html;

public sealed class HtmlTagScannerTests
{
    private static List<string> Tokens(string html)
    {
        var scanner = new HtmlTagScanner(html);
        var tokens = new List<string>();
        while (scanner.Next())
        {
            tokens.Add(scanner.Kind switch
            {
                HtmlTokenKind.StartTag => $"<{scanner.Name}{(scanner.Attribute("href") is { } h ? " href=" + h : string.Empty)}{(scanner.SelfClosing ? "/" : string.Empty)}>",
                HtmlTokenKind.EndTag => $"</{scanner.Name}>",
                _ => scanner.Text.ToString(),
            });
        }

        return tokens;
    }

    [Fact]
    public void Tags_text_and_attributes_come_in_document_order_the_last_of_one_name_winning_as_in_HtmlAgilityPack()
    {
        Assert.Equal(["<p>", "a ", "<a href=/x y>", "b", "</a>", "<br/>", "</p>"], Tokens("<P>a <a href=no HREF='/x y'>b</A><br/></p>"));
    }

    [Fact]
    public void Comments_and_doctypes_are_skipped_and_a_stray_less_than_is_text()
    {
        Assert.Equal(["a < b ", "<i>", "1<2"], Tokens("<!DOCTYPE html><!-- <a href=no> -->a < b <i>1<2"));
    }

    [Fact]
    public void Script_and_title_hold_raw_text_up_to_their_end_tag()
    {
        Assert.Equal(["<script>", "if (a<b) '<a href=no>'", "</script>", "<title>", "<b>t</b>", "</title>"],
            Tokens("<script>if (a<b) '<a href=no>'</script><title><b>t</b></TITLE>"));
    }

    [Fact]
    public void A_quoted_value_may_hold_a_greater_than_and_an_unterminated_one_runs_to_the_end()
    {
        Assert.Equal(["<a href=a>b>", "x"], Tokens("<a href=\"a>b\">x"));
        Assert.Equal(["<a href=x>y>>"], Tokens("<a href='x>y>"));
    }
}
