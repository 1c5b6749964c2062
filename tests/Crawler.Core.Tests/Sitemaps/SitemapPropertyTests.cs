using System.Text;
using CsCheck;
using Crawler.Core.Sitemaps;
using Xunit;

namespace Crawler.Core.Tests.Sitemaps;

public sealed class SitemapPropertyTests
{
    [Fact]
    public void Parse_never_throws_on_random_bytes()
    {
        var soup = Gen.OneOf(
                Gen.Const("<urlset>"), Gen.Const("<url><loc>http://a.kp/</loc>"), Gen.Const("</url>"),
                Gen.Const("<!DOCTYPE x>"), Gen.Const("&amp;"), Gen.Const("&x;"), Gen.String)
            .Array[0, 20]
            .Select(p => Encoding.UTF8.GetBytes(string.Concat(p)));
        Gen.OneOf(soup, Gen.Byte.Array[0, 500]).Sample(bytes => { _ = SitemapParser.Parse(bytes); });
    }

    [Fact]
    public void Every_written_loc_is_read_back()
    {
        Gen.Char["abcXYZ019-._~/?=&조"].Array[1, 20].Select(c => "http://a.kp/" + new string(c)).List[0, 30].Sample(urls =>
        {
            var sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">");
            foreach (var u in urls)
            {
                sb.Append("<url><loc>").Append(System.Security.SecurityElement.Escape(u)).Append("</loc></url>");
            }

            var doc = SitemapParser.Parse(Encoding.UTF8.GetBytes(sb.Append("</urlset>").ToString()));
            return doc.Error is null && doc.Entries.Select(e => e.Location).SequenceEqual(urls);
        });
    }
}
