using Crawler.Core.Search;
using Xunit;

namespace Crawler.Core.Tests.Search;

public sealed class SnippetTests
{
    private static SearchExpression Parse(string q) => SearchExpression.TryParse(q, out var e, out var error) ? e : throw new ArgumentException(error);

    [Fact]
    public void The_passage_starts_shortly_before_the_first_match_and_marks_every_match()
    {
        var text = "one two three four five six 조선의 seven eight 조선은 nine ten eleven twelve thirteen fourteen fifteen sixteen";

        Assert.Equal("…four five six <b>조선의</b> seven eight <b>조선은</b> nine ten eleven twelve thirteen fourteen fifteen sixteen", Snippet.Of(text, Parse("조선"), words: 16));
    }

    [Fact]
    public void Words_match_whole_and_case_insensitively_unless_the_term_is_a_prefix()
    {
        Assert.Equal("<b>Trade</b> trades <b>trade,</b>", Snippet.Of("Trade trades trade,", Parse("trade")));
        Assert.Equal("<b>Trade</b> <b>trades</b> <b>trade,</b>", Snippet.Of("Trade trades trade,", Parse("trad*")));
    }

    [Fact]
    public void Page_text_is_escaped_so_a_snippet_carries_no_markup_of_the_page()
    {
        Assert.Equal("&lt;script&gt; <b>trade</b> &amp;", Snippet.Of("<script> trade &", Parse("trade")));
        Assert.Equal("a <b>b</b> &lt;i&gt;", Snippet.FromMarked("a \u0001b\u0002 <i>"));
    }

    [Fact]
    public void Without_a_match_the_text_starts_the_snippet()
    {
        Assert.Equal("a b…", Snippet.Of("a b c", Parse("zzz"), words: 2));
    }
}
