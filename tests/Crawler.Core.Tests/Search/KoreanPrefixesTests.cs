using Crawler.Core.Search;
using Xunit;

namespace Crawler.Core.Tests.Search;

public sealed class KoreanPrefixesTests
{
    [Fact]
    public void Every_proper_prefix_of_each_hangul_word_is_listed_once_and_latin_words_give_none()
    {
        Assert.Equal(["조", "조선", "평", "평양", "평양에"], KoreanPrefixes.Of("조선의 Pyongyang 조선은 평양에서"));
    }

    [Fact]
    public void A_long_run_gives_prefixes_up_to_the_word_length_limit_only()
    {
        Assert.Equal(KoreanPrefixes.MaxWordLength, KoreanPrefixes.Of(new string('가', 40)).Count);
    }
}
