using System.Text;

namespace Crawler.Storage.Tests.Codec;

/// <summary>Pages of one simulated news site: a shared head, navigation and footer around a varying article.</summary>
internal static class SitePages
{
    private static readonly string[] Words =
    [
        "Pyongyang", "people", "economy", "construction", "science", "technology", "education", "culture", "workers",
        "factory", "harvest", "leader", "meeting", "report", "plan", "achievement", "country", "youth", "sports",
    ];

    public static byte[] Page(string host, int n)
    {
        var random = new Random(n);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"ko\"><head><meta charset=\"utf-8\"><title>Article ").Append(n)
            .Append(" - ").Append(host).Append("</title>\n<link rel=\"stylesheet\" href=\"/static/site.css\">\n")
            .Append("<script src=\"/static/site.js\"></script></head>\n<body><div id=\"nav\"><ul>\n");
        foreach (var section in new[] { "politics", "economy", "culture", "science", "sports", "world", "photo", "video" })
        {
            html.Append("<li><a href=\"https://").Append(host).Append('/').Append(section).Append("/index.html\">")
                .Append(section).Append("</a></li>\n");
        }

        html.Append("</ul></div>\n<div id=\"article\"><h1>");
        for (var i = 0; i < 6; i++)
        {
            html.Append(Words[random.Next(Words.Length)]).Append(' ');
        }

        html.Append("</h1>\n");
        for (var p = 0; p < 4; p++)
        {
            html.Append("<p>");
            for (var i = 0; i < 40; i++)
            {
                html.Append(Words[random.Next(Words.Length)]).Append(' ');
            }

            html.Append("</p>\n");
        }

        for (var i = 0; i < 10; i++)
        {
            var other = random.Next(1000);
            html.Append("<a href=\"/article/").Append(other).Append(".html\">Article ").Append(other).Append("</a>\n");
        }

        html.Append("</div>\n<div id=\"footer\">Copyright ").Append(host).Append(". All rights reserved.</div></body></html>\n");
        return Encoding.UTF8.GetBytes(html.ToString());
    }
}
