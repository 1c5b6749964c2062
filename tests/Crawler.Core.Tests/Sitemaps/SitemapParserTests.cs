using System.IO.Compression;
using System.Text;
using Crawler.Core.Sitemaps;
using Xunit;

namespace Crawler.Core.Tests.Sitemaps;

public sealed class SitemapParserTests
{
    private static SitemapDocument Parse(string xml) => SitemapParser.Parse(Encoding.UTF8.GetBytes(xml));

    [Fact]
    public void Urlset_entries_are_read_with_their_metadata()
    {
        var doc = Parse("""
            <?xml version="1.0" encoding="UTF-8"?>
            <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
              <url>
                <loc>
                  http://www.kcna.kp/kp/article/q/1.kcmsf
                </loc>
                <lastmod>2024-05-01T10:20:30+09:00</lastmod>
                <changefreq>Daily</changefreq>
                <priority>0.8</priority>
              </url>
              <url><loc>http://www.kcna.kp/kp/?a=1&amp;b=2</loc><lastmod>2024-05-02</lastmod></url>
              <url><lastmod>2024-05-03</lastmod></url>
            </urlset>
            """);

        Assert.Equal(SitemapKind.UrlSet, doc.Kind);
        Assert.Null(doc.Error);
        Assert.False(doc.Truncated);
        Assert.Equal(2, doc.Entries.Count);
        Assert.Equal(
            new SitemapEntry("http://www.kcna.kp/kp/article/q/1.kcmsf", new DateTimeOffset(2024, 5, 1, 10, 20, 30, TimeSpan.FromHours(9)), "daily", 0.8),
            doc.Entries[0]);
        Assert.Equal("http://www.kcna.kp/kp/?a=1&b=2", doc.Entries[1].Location);
        Assert.Equal(new DateTimeOffset(2024, 5, 2, 0, 0, 0, TimeSpan.Zero), doc.Entries[1].LastModified);
    }

    [Fact]
    public void Sitemap_index_entries_are_read()
    {
        var doc = Parse("""
            <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
              <sitemap><loc>http://a.kp/s1.xml.gz</loc><lastmod>2004-10-01T18:23:17+00:00</lastmod></sitemap>
              <sitemap><loc><![CDATA[http://a.kp/s2.xml]]></loc></sitemap>
            </sitemapindex>
            """);

        Assert.Equal(SitemapKind.Index, doc.Kind);
        Assert.Equal(["http://a.kp/s1.xml.gz", "http://a.kp/s2.xml"], doc.Entries.Select(e => e.Location));
    }

    [Fact]
    public void Missing_or_other_namespaces_and_prefixes_are_tolerated()
    {
        var doc = Parse("""
            <sm:urlset xmlns:sm="urn:whatever" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
              <sm:url><sm:loc>http://a.kp/1</sm:loc><image:image><image:loc>http://a.kp/i.jpg</image:loc></image:image></sm:url>
            </sm:urlset>
            """);

        Assert.Equal(["http://a.kp/1"], doc.Entries.Select(e => e.Location));
    }

    [Fact]
    public void Broken_xml_keeps_the_entries_before_the_break()
    {
        var doc = Parse("<urlset><url><loc>http://a.kp/1</loc></url><url><loc>http://a.kp/2</loc></url><url><loc>http://a.kp/3</lo");

        Assert.Equal(["http://a.kp/1", "http://a.kp/2"], doc.Entries.Select(e => e.Location));
        Assert.NotNull(doc.Error);
    }

    [Fact]
    public void External_entities_are_never_resolved()
    {
        var doc = Parse("""
            <?xml version="1.0"?>
            <!DOCTYPE urlset [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
            <urlset><url><loc>http://a.kp/ok</loc></url><url><loc>http://a.kp/&xxe;</loc></url></urlset>
            """);

        Assert.Equal(["http://a.kp/ok"], doc.Entries.Select(e => e.Location));
        Assert.DoesNotContain(doc.Entries, e => e.Location.Contains("root", StringComparison.Ordinal));
        Assert.NotNull(doc.Error);
    }

    [Fact]
    public void Billion_laughs_does_not_expand()
    {
        var doc = Parse("""
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
            <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
            <urlset><url><loc>&lol3;</loc></url></urlset>
            """);

        Assert.Empty(doc.Entries);
        Assert.NotNull(doc.Error);
    }

    [Fact]
    public void Entries_are_capped_at_50000()
    {
        var sb = new StringBuilder("<urlset>");
        for (var i = 0; i < SitemapParser.MaxEntries + 10; i++)
        {
            sb.Append("<url><loc>http://a.kp/").Append(i).Append("</loc></url>");
        }

        var doc = Parse(sb.Append("</urlset>").ToString());

        Assert.Equal(SitemapParser.MaxEntries, doc.Entries.Count);
        Assert.True(doc.Truncated);
        Assert.Equal("http://a.kp/49999", doc.Entries[^1].Location);
    }

    [Fact]
    public void Gzipped_sitemaps_are_inflated()
    {
        var xml = Encoding.UTF8.GetBytes("<urlset><url><loc>http://a.kp/gz</loc></url></urlset>");
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true))
        {
            gz.Write(xml);
        }

        var doc = SitemapParser.Parse(ms.ToArray());

        Assert.Equal(["http://a.kp/gz"], doc.Entries.Select(e => e.Location));
    }

    [Fact]
    public void Corrupt_gzip_reports_an_error()
    {
        var doc = SitemapParser.Parse(new byte[] { 0x1F, 0x8B, 0x08, 0x00, 0xFF, 0xFF, 0xFF });

        Assert.Empty(doc.Entries);
        Assert.NotNull(doc.Error);
    }

    [Fact]
    public void Text_sitemaps_list_one_url_per_line()
    {
        var doc = Parse("\uFEFFhttp://a.kp/1\r\n\r\n  https://a.kp/2  \nnot a url\n# comment\n");

        Assert.Equal(SitemapKind.Text, doc.Kind);
        Assert.Equal(["http://a.kp/1", "https://a.kp/2"], doc.Entries.Select(e => e.Location));
    }

    [Fact]
    public void Rss_and_atom_feeds_yield_item_links()
    {
        var rss = Parse("""
            <rss version="2.0"><channel><link>http://a.kp/</link>
            <item><title>t</title><link>http://a.kp/news/1</link><pubDate>Tue, 10 Jun 2003 04:00:00 GMT</pubDate></item>
            </channel></rss>
            """);
        var atom = Parse("""
            <feed xmlns="http://www.w3.org/2005/Atom">
              <link href="http://a.kp/feed"/>
              <entry><link rel="self" href="http://a.kp/self"/><link href="http://a.kp/e/1"/><updated>2003-12-13T18:30:02Z</updated></entry>
            </feed>
            """);

        Assert.Equal(SitemapKind.Feed, rss.Kind);
        Assert.Equal([new SitemapEntry("http://a.kp/news/1", new DateTimeOffset(2003, 6, 10, 4, 0, 0, TimeSpan.Zero), null, null)], rss.Entries);
        Assert.Equal(["http://a.kp/e/1"], atom.Entries.Select(e => e.Location));
        Assert.Equal(new DateTimeOffset(2003, 12, 13, 18, 30, 2, TimeSpan.Zero), atom.Entries[0].LastModified);
    }

    [Fact]
    public void Encoding_declared_in_the_xml_declaration_is_honoured()
    {
        var head = Encoding.ASCII.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-16\"?><urlset><url><loc>http://a.kp/조선</loc></url></urlset>");
        var utf16 = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(Encoding.ASCII.GetString(head).Replace("http://a.kp/??", "http://a.kp/조선", StringComparison.Ordinal))).ToArray();

        var doc = SitemapParser.Parse(utf16);

        Assert.Equal(["http://a.kp/조선"], doc.Entries.Select(e => e.Location));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("<html><body>404</body></html>")]
    [InlineData("<")]
    [InlineData("<urlset")]
    public void Non_sitemaps_yield_no_entries_without_throwing(string body)
    {
        var doc = Parse(body);

        Assert.Empty(doc.Entries);
        Assert.Equal(SitemapKind.Unknown, doc.Kind);
    }

    [Theory]
    [InlineData("2005", 2005, 1, 1)]
    [InlineData("2005-07", 2005, 7, 1)]
    [InlineData("2005-07-16", 2005, 7, 16)]
    [InlineData("2005-07-16T19:20+01:00", 2005, 7, 16)]
    [InlineData("2005-07-16T19:20:30.45Z", 2005, 7, 16)]
    public void W3c_datetime_precisions_are_accepted(string value, int y, int m, int d)
    {
        var doc = Parse($"<urlset><url><loc>http://a.kp/</loc><lastmod>{value}</lastmod></url></urlset>");

        var lastmod = Assert.Single(doc.Entries).LastModified;
        Assert.NotNull(lastmod);
        Assert.Equal((y, m, d), (lastmod.Value.Year, lastmod.Value.Month, lastmod.Value.Day));
    }

    [Fact]
    public void Invalid_lastmod_and_priority_are_dropped_not_fatal()
    {
        var doc = Parse("<urlset><url><loc>http://a.kp/</loc><lastmod>yesterday</lastmod><priority>7</priority></url></urlset>");

        Assert.Equal(new SitemapEntry("http://a.kp/", null, null, null), Assert.Single(doc.Entries));
    }
}
