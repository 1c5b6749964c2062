using Crawler.Core.Search;
using Xunit;

namespace Crawler.Core.Tests.Search;

public sealed class CsvTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"")]
    [InlineData("+1", "'+1")]
    [InlineData(null, "")]
    public void A_field_is_quoted_when_needed_and_never_read_as_a_formula(string? value, string expected)
    {
        Assert.Equal(expected, Csv.Field(value));
    }

    [Fact]
    public void A_line_joins_escaped_fields_and_ends_with_crlf()
    {
        Assert.Equal("a,\"b,c\",\r\n", Csv.Line("a", "b,c", null));
    }
}
