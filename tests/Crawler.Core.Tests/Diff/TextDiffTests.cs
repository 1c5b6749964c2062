using Crawler.Core.Diff;
using Crawler.Core.Html;
using Xunit;

namespace Crawler.Core.Tests.Diff;

public sealed class TextDiffTests
{
    [Fact]
    public void An_edited_paragraph_is_its_old_text_removed_and_its_new_text_added_between_unchanged_blocks()
    {
        var diff = TextDiff.Compare(["Title", "First.", "Second.", "Third."], ["Title", "First.", "Second, edited.", "Third."]);

        Assert.Equal(
            [
                new DiffBlock(DiffKind.Unchanged, "Title"), new DiffBlock(DiffKind.Unchanged, "First."),
                new DiffBlock(DiffKind.Removed, "Second."), new DiffBlock(DiffKind.Added, "Second, edited."),
                new DiffBlock(DiffKind.Unchanged, "Third."),
            ],
            diff);
    }

    [Fact]
    public void Blocks_added_at_the_end_and_removed_at_the_start_are_told_apart()
    {
        var diff = TextDiff.Compare(["Gone.", "Kept."], ["Kept.", "New."]);

        Assert.Equal([new DiffBlock(DiffKind.Removed, "Gone."), new DiffBlock(DiffKind.Unchanged, "Kept."), new DiffBlock(DiffKind.Added, "New.")], diff);
    }

    [Fact]
    public void Versions_with_no_text_diff_as_wholly_added_or_removed_and_equal_versions_as_unchanged()
    {
        Assert.Equal([new DiffBlock(DiffKind.Added, "a")], TextDiff.Compare([], ["a"]));
        Assert.Equal([new DiffBlock(DiffKind.Removed, "a")], TextDiff.Compare(["a"], []));
        Assert.Empty(TextDiff.Compare([], []));
        Assert.All(TextDiff.Compare(["a", "b"], ["a", "b"]), b => Assert.Equal(DiffKind.Unchanged, b.Kind));
    }
}

public sealed class HtmlTextTests
{
    [Fact]
    public void A_pages_text_comes_as_its_title_and_blocks_in_order_without_scripts_or_styles()
    {
        var html = """
            <html><head><title>조선중앙통신</title><style>p{}</style><script>var x = "hidden";</script></head>
            <body><h1>Headline</h1><p>First   paragraph with <b>bold</b>
            text.</p><ul><li>One</li><li>Two</li></ul><div>Loose <a href="/x">link</a> text<p>Inner</p></div>
            <script>document.write("no")</script><noscript>no</noscript></body></html>
            """;

        Assert.Equal(["조선중앙통신", "Headline", "First paragraph with bold text.", "One", "Two", "Loose link text", "Inner"], HtmlText.ExtractBlocks(html));
    }

    [Fact]
    public void Entities_are_decoded_and_empty_blocks_dropped()
    {
        Assert.Equal(["A & B — C"], HtmlText.ExtractBlocks("<p>A &amp; B &mdash; C</p><p>  </p><div></div>"));
    }
}
