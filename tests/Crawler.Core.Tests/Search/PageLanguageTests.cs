using Crawler.Core.Search;
using Xunit;

namespace Crawler.Core.Tests.Search;

public sealed class PageLanguageTests
{
    [Theory]
    [InlineData("ko-KP", "English words only", "ko")]
    [InlineData("EN", "조선 평양", "en")]
    [InlineData("zh_Hans", "", "zh")]
    public void A_declared_language_wins_as_its_primary_subtag_in_lower_case(string declared, string text, string expected)
    {
        Assert.Equal(expected, PageLanguage.Of(declared, text));
    }

    [Theory]
    [InlineData(null, "조선 인민 경제 건설 news", "ko")]
    [InlineData("", "Pyongyang trade fair opens 조선", "en")]
    [InlineData("123", "The Rodong Sinmun", "en")]
    [InlineData(null, "12345 -- !!", "und")]
    [InlineData(null, "Москва", "und")]
    public void Without_a_usable_declaration_the_share_of_hangul_letters_decides(string? declared, string text, string expected)
    {
        Assert.Equal(expected, PageLanguage.Of(declared, text));
    }
}
