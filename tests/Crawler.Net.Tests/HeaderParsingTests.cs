namespace Crawler.Net.Tests;

public sealed class HeaderParsingTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("120", 120)]
    [InlineData(" 0 ", 0)]
    [InlineData("Sun, 01 Mar 2026 12:02:00 GMT", 120)]
    [InlineData("Sunday, 01-Mar-26 12:00:30 GMT", 30)]
    [InlineData("Sun Mar  1 12:01:00 2026", 60)]
    [InlineData("Sat, 28 Feb 2026 12:00:00 GMT", 0)]
    public void Retry_after_accepts_seconds_and_http_dates(string value, int expectedSeconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), HeaderParsing.ParseRetryAfter(value, Now));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-5")]
    [InlineData("soon")]
    [InlineData("1.5")]
    public void Retry_after_that_is_neither_seconds_nor_a_date_is_ignored(string? value)
    {
        Assert.Null(HeaderParsing.ParseRetryAfter(value, Now));
    }
}
