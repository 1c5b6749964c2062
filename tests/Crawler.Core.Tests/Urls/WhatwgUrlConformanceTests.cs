using Xunit;
using Xunit.Abstractions;

namespace Crawler.Core.Tests.Urls;

/// <summary>Runs the WHATWG web-platform-tests URL data (Data/urltestdata.json) through <c>WhatwgUrl</c>.</summary>
public sealed class WhatwgUrlConformanceTests(ITestOutputHelper output)
{
    /// <summary>
    /// Inputs (exact strings from urltestdata.json) where we knowingly differ from the standard. Each one must
    /// still differ — the theory fails when a listed case starts to pass, so this list cannot go stale.
    /// </summary>
    private static readonly HashSet<string> KnownDifferences = new(StringComparer.Ordinal)
    {
    };

    /// <summary>How many non-http cases may mismatch today (informational; may only go down).</summary>
    private const int NonHttpMismatchCeiling = 0;

    public static TheoryData<int, string> HttpCases()
    {
        var data = new TheoryData<int, string>();
        foreach (UrlTestCase c in UrlTestData.All.Where(c => c.IsHttpCase))
        {
            data.Add(c.Index, c.Display);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(HttpCases))]
    public void Http_case_parses_as_the_url_standard_says(int index, string display)
    {
        UrlTestCase c = UrlTestData.All[index];
        string? mismatch = c.Mismatch();
        if (KnownDifferences.Contains(c.Input))
        {
            Assert.True(mismatch is not null, $"{display} now conforms: remove it from KnownDifferences");
        }
        else
        {
            Assert.True(mismatch is null, $"{display}: {mismatch}");
        }
    }

    [Fact]
    public void Http_subset_has_the_expected_size_and_only_listed_differences()
    {
        List<UrlTestCase> cases = UrlTestData.All.Where(c => c.IsHttpCase).ToList();
        List<UrlTestCase> mismatched = cases.Where(c => c.Mismatch() is not null).ToList();
        output.WriteLine($"http/https cases: {cases.Count}, passed: {cases.Count - mismatched.Count}, known differences: {KnownDifferences.Count}");
        foreach (UrlTestCase c in mismatched)
        {
            output.WriteLine($"  differs: {c.Display}: {c.Mismatch()}");
        }

        Assert.Equal(601, UrlTestData.All.Count);
        Assert.True(cases.Count > 300, $"only {cases.Count} http cases selected");
        Assert.Equal(KnownDifferences.OrderBy(s => s, StringComparer.Ordinal), mismatched.Select(c => c.Input).OrderBy(s => s, StringComparer.Ordinal));
    }

    [Fact]
    public void Non_http_cases_mismatch_no_more_than_recorded()
    {
        List<UrlTestCase> cases = UrlTestData.All.Where(c => !c.IsHttpCase).ToList();
        List<UrlTestCase> mismatched = cases.Where(c => c.Mismatch() is not null).ToList();
        output.WriteLine($"non-http cases: {cases.Count}, passed: {cases.Count - mismatched.Count}");
        foreach (UrlTestCase c in mismatched)
        {
            output.WriteLine($"  differs: {c.Display}: {c.Mismatch()}");
        }

        Assert.True(cases.Count > 100, $"only {cases.Count} non-http cases selected");
        Assert.True(mismatched.Count <= NonHttpMismatchCeiling, $"{mismatched.Count} non-http cases mismatch, ceiling {NonHttpMismatchCeiling}");
    }
}
