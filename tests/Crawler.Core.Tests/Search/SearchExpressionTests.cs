using CsCheck;
using Crawler.Core.Search;
using Xunit;

namespace Crawler.Core.Tests.Search;

public sealed class SearchExpressionTests
{
    private static SearchExpression Parse(string input)
    {
        Assert.True(SearchExpression.TryParse(input, out var expression, out var error), error);
        return expression;
    }

    [Fact]
    public void Words_must_all_be_present_and_each_is_written_as_an_fts5_string()
    {
        Assert.Equal("\"Pyongyang\" \"trade\"", Parse("Pyongyang  trade").ToFts5());
    }

    [Fact]
    public void A_hangul_word_is_a_prefix_so_that_its_forms_with_particles_match()
    {
        var expression = Parse("조선 news");

        Assert.Equal("\"조선\"* \"news\"", expression.ToFts5());
        Assert.True(expression.Terms[0].Prefix);
        Assert.False(expression.Terms[1].Prefix);
    }

    [Fact]
    public void A_quoted_phrase_stays_one_phrase_and_a_trailing_star_makes_a_prefix()
    {
        Assert.Equal("\"Kim Il Sung\" \"reunif\"*", Parse("\"Kim Il Sung\" reunif*").ToFts5());
    }

    [Fact]
    public void Excluded_terms_follow_the_included_ones_after_NOT()
    {
        Assert.Equal("\"trade\" NOT \"railway\" NOT \"power plant\"", Parse("-railway trade -\"power plant\"").ToFts5());
    }

    [Theory]
    [InlineData("a NEAR b", "\"a\" \"NEAR\" \"b\"")]
    [InlineData("NEAR(a b)", "\"NEAR a\" \"b\"")]
    [InlineData("a OR b AND NOT c", "\"a\" \"OR\" \"b\" \"AND\" \"NOT\" \"c\"")]
    [InlineData("title:secret", "\"title secret\"")]
    [InlineData("^start", "\"start\"")]
    [InlineData("a\" OR \"b", "\"a\" \"OR\" \"b\"")]
    [InlineData("\"unclosed phrase", "\"unclosed phrase\"")]
    [InlineData("*", null)]
    [InlineData("kcna.kp", "\"kcna kp\"")]
    public void Operators_and_quotes_a_user_types_are_searched_as_words_never_as_syntax(string input, string? fts5)
    {
        if (fts5 is null)
        {
            Assert.False(SearchExpression.TryParse(input, out _, out _));
            return;
        }

        Assert.Equal(fts5, Parse(input).ToFts5());
    }

    [Theory]
    [InlineData("", "no word")]
    [InlineData("  \" \" ** ", "no word")]
    [InlineData("-trade", "only excludes")]
    public void A_query_without_a_word_to_look_for_is_refused_naming_q(string input, string reason)
    {
        Assert.False(SearchExpression.TryParse(input, out _, out var error));
        Assert.StartsWith("q ", error, StringComparison.Ordinal);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void More_terms_than_the_limit_are_refused()
    {
        Assert.False(SearchExpression.TryParse(string.Join(' ', Enumerable.Range(0, SearchExpression.MaxTerms + 1).Select(i => "w" + i)), out _, out var error));
        Assert.Contains("at most 32", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_mongodb_search_string_quotes_every_included_term_so_that_all_must_match()
    {
        Assert.Equal("\"조선\" \"Kim Il Sung\" -railway -\"power plant\"", Parse("조선 \"Kim Il Sung\" -railway -\"power plant\"").ToMongoText());
    }

    [Fact]
    public void Any_input_gives_either_an_error_or_an_expression_whose_strings_are_balanced_and_hold_no_bare_syntax()
    {
        Gen.OneOf(Gen.String, Gen.Char["\"*-()^:NEAROTAD 조선ab"].Array[0, 30].Select(c => new string(c))).Sample(input =>
        {
            if (!SearchExpression.TryParse(input, out var expression, out _))
            {
                return;
            }

            var fts5 = expression.ToFts5();

            // Outside FTS5 strings there are only spaces, the prefix star and the NOT this class writes.
            var outside = new System.Text.StringBuilder();
            var inString = false;
            for (var i = 0; i < fts5.Length; i++)
            {
                if (fts5[i] == '"')
                {
                    if (inString && i + 1 < fts5.Length && fts5[i + 1] == '"')
                    {
                        i++;
                        continue;
                    }

                    inString = !inString;
                    continue;
                }

                if (!inString)
                {
                    outside.Append(fts5[i]);
                }
            }

            Assert.False(inString, fts5);
            Assert.Matches("^[ *]*( NOT [ *]*)*$", outside.ToString().Replace("NOT", " NOT ", StringComparison.Ordinal).Replace("  ", " ", StringComparison.Ordinal));
        });
    }
}
