using Xunit;
using Crawler.Core.Text;

namespace Crawler.Core.Tests.Text;

public sealed class WhiteSpaceTests
{
    [Fact]
    public void Every_utf16_unit_is_white_space_exactly_when_char_IsWhiteSpace_says_so()
    {
        for (var c = 0; c <= char.MaxValue; c++)
        {
            Assert.True(char.IsWhiteSpace((char)c) == WhiteSpace.Is((char)c), $"U+{c:X4}");
        }
    }
}
