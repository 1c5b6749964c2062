using System.Globalization;
using System.Text;

namespace Crawler.Simulation.Web;

/// <summary>Renders every resource of a site from the model, on demand. Pure except for the visitor counter page.</summary>
internal static class PageRenderer
{
    private const string Utf8Html = "text/html; charset=utf-8";
    private static readonly Encoding EucKr;
    private static long s_visitors;

    static PageRenderer()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        EucKr = Encoding.GetEncoding(51949);
    }

    public static SimResponse Respond(SimulationModel model, SiteModel site, string scheme, string pathAndQuery, int epoch)
    {
        var q = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        var path = q < 0 ? pathAndQuery : pathAndQuery[..q];
        var query = q < 0 ? string.Empty : pathAndQuery[(q + 1)..];

        // HTTPS-only sites send their plain-HTTP side to https; the others send https to http.
        if (scheme != site.Scheme)
        {
            return Redirect(301, site.Url(pathAndQuery), "Moved Permanently");
        }

        var ctx = new Ctx(model, site, epoch, model.Options);
        return Route(ctx, path, query) ?? NotFound();
    }

    private sealed record Ctx(SimulationModel Model, SiteModel Site, int Epoch, SimulationOptions O)
    {
        public int Seed => O.Seed;

        public string Lang => Site.Language;

        public string U(string pathAndQuery) => Site.Url(pathAndQuery);

        public int ListPages => Math.Max(1, (O.PagesPerSite + O.ArticlesPerListPage - 1) / O.ArticlesPerListPage);
    }

    private static SimResponse? Route(Ctx c, string path, string query)
    {
        var s = c.Site;
        switch (path)
        {
            case "/robots.txt" when query.Length == 0:
                return Robots(c);
            case "/sitemap.xml" when query.Length == 0 && s.Robots.Status == 200:
                return Sitemap(c);
            case "/":
                return Home(c, "/", c.Lang);
            case "/en/":
                return Home(c, "/en/", "en");
            case "/articles":
                {
                    var page = 1;
                    if (query.Length > 0 && (!query.StartsWith("page=", StringComparison.Ordinal) || !int.TryParse(query[5..], NumberStyles.None, CultureInfo.InvariantCulture, out page)))
                    {
                        return null;
                    }

                    return page >= 1 && page <= c.ListPages ? ArticleList(c, page) : null;
                }

            case "/favicon.ico":
                return Binary("image/x-icon", Det.Bytes(318, c.Seed, "favicon", s.Index));
            case "/css/style.css":
                return StyleCss(c);
            case "/css/print.css":
                return PrintCss(c);
            case "/fonts/chosongul.woff":
                return Binary("font/woff", Prefixed("wOFF", Det.Bytes(2048, c.Seed, "font", s.Index)));
            case "/js/site.js":
                return Text("application/javascript", "// site script\nfunction popup(u){window.open(u,'popup','width=400,height=300');}\nfunction printPage(){window.print();}\nvar SITE='" + s.Host + "';\n");
            case "/js/menu.js":
                return Text("application/javascript", "document.write('<div id=\"menu\"></div>');\nvar menu = ['/about.html','/contact.html'];\n");
            case "/images/logo.png":
            case "/images/logo-2x.png":
            case "/images/bg.png":
            case "/images/flag.png":
                return Binary("image/png", Prefixed("\u0089PNG\r\n\u001a\n", Det.Bytes(600, c.Seed, path, s.Index)));
            case "/images/banner.gif":
            case "/images/map.gif":
                return Binary("image/gif", Prefixed("GIF89a", Det.Bytes(400, c.Seed, path, s.Index)));
            case "/about.html":
                return About(c);
            case "/contact.html":
                return Contact(c);
            case "/search":
            case "/popup.html":
                return Simple(c, path + (query.Length > 0 ? "?" + query : string.Empty), c.Lang == "en" ? "Search" : "검색", []);
            case "/docs/":
                return Docs(c);
            case "/docs/archive/intro.html":
            case "/docs/archive/history.html":
                return Simple(c, path, c.Lang == "en" ? "Archive" : "자료실", []);
            case "/news.html":
                return News(c);
            case "/private/notice.html":
                return Simple(c, path, c.Lang == "en" ? "Notice" : "공지", []);
            case "/private/staff.html":
                return Simple(c, path, c.Lang == "en" ? "Staff only" : "직원용", []);
            case "/cgi-bin/board.cgi":
                return Simple(c, path, "Board", []);
            case "/hidden/sitemap-only.html":
                return Simple(c, path, c.Lang == "en" ? "Unlisted page" : "숨은 페지", []);
            case "/frames/banner.html":
                return Banner(c);
            case "/frames/index.html" when s.Has(SiteFeatures.Frames):
                return Frameset(c);
            case "/frames/menu.html" when s.Has(SiteFeatures.Frames):
                return Simple(c, path, "Menu", [("/", RefForm.RootRelative), ("/articles?page=1", RefForm.RootRelative)]);
            case "/frames/main.html" when s.Has(SiteFeatures.Frames):
                return Simple(c, path, "Main", [("/about.html", RefForm.DocRelative)]);
            case "/old/news.html" when s.Has(SiteFeatures.RedirectChain):
                return Redirect(301, c.U("/moved/news.html"), "Moved Permanently");
            case "/moved/news.html" when s.Has(SiteFeatures.RedirectChain):
                return Redirect(302, c.U("/news.html"), "Found");
            case "/refresh.html" when s.Has(SiteFeatures.MetaRefresh):
                return Refresh(c);
            case "/loop/a" when s.Has(SiteFeatures.RedirectLoop):
                return Redirect(302, c.U("/loop/b"), "Found");
            case "/loop/b" when s.Has(SiteFeatures.RedirectLoop):
                return Redirect(302, c.U("/loop/a"), "Found");
            case "/out/example" when s.Has(SiteFeatures.OffScopeRedirect):
                return Redirect(302, "http://www.example.com/", "Found");
            case "/gone.html" when s.Has(SiteFeatures.GoneAndError):
                return ErrorPage(410, "Gone");
            case "/error.html" when s.Has(SiteFeatures.GoneAndError):
                return ErrorPage(500, "Internal Server Error");
            case "/busy.html" when s.Has(SiteFeatures.Retry503):
                return WithBehavior(Simple(c, path, c.Lang == "en" ? "Busy service" : "봉사 대기", []), ResponseBehavior.RetryThenOk, 503);
            case "/limited.html" when s.Has(SiteFeatures.Retry429):
                return WithBehavior(Simple(c, path, c.Lang == "en" ? "Rate limited" : "요청 제한", []), ResponseBehavior.RetryThenOk, 429);
            case "/slow.html" when s.Has(SiteFeatures.Slow):
                return WithBehavior(Simple(c, path, c.Lang == "en" ? "Slow page" : "느린 페지", []), ResponseBehavior.Slow, 0);
            case "/live/stream.html" when s.Has(SiteFeatures.Hang):
                return Hanging(c);
            case "/counter.html" when s.Has(SiteFeatures.VisitorCounter):
                return Counter(c);
            case "/legacy/index.html" when s.Has(SiteFeatures.EucKrMetaOnly):
                return Legacy(c, path, "text/html", metaCharset: "euc-kr");
            case "/legacy/old.html" when s.Has(SiteFeatures.WrongCharset):
                return Legacy(c, path, "text/html; charset=iso-8859-1", metaCharset: null);
        }

        if (path.StartsWith("/article/", StringComparison.Ordinal) && TryId(path, "/article/", out var id) && id <= c.O.PagesPerSite)
        {
            if (c.O.ArticleRemoved(id, c.Epoch))
            {
                return null; // deleted: 404 under every URL it had
            }

            return query switch
            {
                "" => Article(c, id),
                "ref=home" or "print=1" => PrintArticle(c, id),
                _ => null,
            };
        }

        if (query.Length > 0)
        {
            return null;
        }

        if (path.StartsWith("/print/article/", StringComparison.Ordinal) && TryId(path, "/print/article/", out id) && id <= c.O.PagesPerSite
            && !c.O.ArticleRemoved(id, c.Epoch))
        {
            return PrintArticle(c, id);
        }

        if (path.StartsWith("/images/article/", StringComparison.Ordinal) && path.EndsWith(".jpg", StringComparison.Ordinal))
        {
            var name = path["/images/article/".Length..^4];
            var twoX = name.EndsWith("-2x", StringComparison.Ordinal);
            if (int.TryParse(twoX ? name[..^3] : name, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id >= 1 && id <= c.O.PagesPerSite && (!twoX || id % 4 == 0))
            {
                var len = 800 + Det.Pick(2400, c.Seed, "imglen", s.Index, id) * (twoX ? 2 : 1);
                return Binary("image/jpeg", Prefixed("\u00ff\u00d8\u00ff\u00e0\0\u0010JFIF\0", Det.Bytes(len, c.Seed, path, s.Index)));
            }

            return null;
        }

        if (path.StartsWith("/files/article-", StringComparison.Ordinal) && path.EndsWith(".pdf", StringComparison.Ordinal)
            && int.TryParse(path["/files/article-".Length..^4], NumberStyles.None, CultureInfo.InvariantCulture, out id) && id >= 1 && id <= c.O.PagesPerSite && id % 10 == 1)
        {
            return Pdf(c, id);
        }

        if (s.Has(SiteFeatures.Trap) && path.StartsWith(SimulationModel.TrapPathPrefix, StringComparison.Ordinal))
        {
            return Calendar(c, path);
        }

        return null;
    }

    private static bool TryId(string path, string prefix, out int id) =>
        int.TryParse(path.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out id) && id >= 1;

    // ---------------------------------------------------------------- building blocks

    private static SimResponse Html(HtmlWriter w, int status = 200, bool epochDependent = false, string contentType = Utf8Html, Encoding? encoding = null) => new()
    {
        Status = status,
        ContentType = contentType,
        Body = (encoding ?? Encoding.UTF8).GetBytes(w.ToString()),
        Links = w.Links,
        EpochDependent = epochDependent,
    };

    private static SimResponse WithBehavior(SimResponse r, ResponseBehavior behavior, int retryStatus) => new()
    {
        Status = r.Status,
        ContentType = r.ContentType,
        Headers = r.Headers,
        Body = r.Body,
        Links = r.Links,
        EpochDependent = r.EpochDependent,
        Behavior = behavior,
        RetryStatus = retryStatus,
    };

    private static SimResponse Binary(string contentType, byte[] body) => new() { Status = 200, ContentType = contentType, Body = body };

    private static SimResponse Text(string contentType, string body, IReadOnlyList<Link>? links = null) =>
        new() { Status = 200, ContentType = contentType, Body = Encoding.UTF8.GetBytes(body), Links = links ?? [] };

    private static byte[] Prefixed(string latin1Prefix, byte[] rest)
    {
        var p = Encoding.Latin1.GetBytes(latin1Prefix);
        var all = new byte[p.Length + rest.Length];
        p.CopyTo(all, 0);
        rest.CopyTo(all, p.Length);
        return all;
    }

    private static SimResponse Redirect(int status, string location, string reason) => new()
    {
        Status = status,
        ContentType = Utf8Html,
        Headers = [new("Location", location)],
        Body = Encoding.UTF8.GetBytes($"<html><head><title>{status} {reason}</title></head><body><h1>{reason}</h1></body></html>\n"),
        Links = [new Link(LinkKind.Redirect, location)],
    };

    private static SimResponse ErrorPage(int status, string reason) => new()
    {
        Status = status,
        ContentType = Utf8Html,
        Body = Encoding.UTF8.GetBytes($"<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head><title>{status} {reason}</title></head><body><h1>{reason}</h1></body></html>\n"),
    };

    internal static SimResponse NotFound() => ErrorPage(404, "Not Found");

    private static void Head(HtmlWriter w, Ctx c, string title, string lang, string? canonicalPath = null, string charsetMeta = "utf-8")
    {
        w.Raw("<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\">\n<html lang=\"").Raw(lang).Raw("\">\n<head>\n");
        if (charsetMeta.Length > 0)
        {
            w.Raw("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=").Raw(charsetMeta).Raw("\">\n");
        }

        w.Raw("<title>").Text(title).Raw("</title>\n");
        w.Raw("<link rel=\"stylesheet\" type=\"text/css\" href=\"").Raw(w.Ref(LinkKind.Stylesheet, c.U("/css/style.css"), RefForm.DocRelative)).Raw("\">\n");
        if (canonicalPath is not null)
        {
            w.Raw("<link rel=\"canonical\" href=\"").Raw(w.Ref(LinkKind.Canonical, c.U(canonicalPath), RefForm.Absolute)).Raw("\">\n");
        }

        w.Raw("</head>\n");
    }

    private static void Paragraphs(HtmlWriter w, Ctx c, string lang, string salt, long a, int count)
    {
        for (var i = 0; i < count; i++)
        {
            w.Raw("<p>");
            for (var k = 0; k < 3; k++)
            {
                w.Text(Vocabulary.Sentence(lang, c.Seed, salt, a, (i * 10) + k)).Raw(" ");
            }

            w.Raw("</p>\n");
        }
    }

    private static void Footer(HtmlWriter w, Ctx c)
    {
        w.Raw("<hr>\n<table width=\"100%\"><tr><td align=\"center\"><font size=\"2\">");
        w.Raw("<a href=\"").Raw(w.Ref(LinkKind.Anchor, c.U("/"), RefForm.RootRelative)).Raw("\">").Text(c.Lang == "en" ? "Home" : "처음으로").Raw("</a> | ");
        w.Raw("<a href=\"").Raw(w.Ref(LinkKind.Anchor, c.U("/about.html"), RefForm.RootRelative)).Raw("\">").Text(c.Lang == "en" ? "About" : "소개").Raw("</a> | ");
        w.Raw("Copyright &copy; ").Text(c.Site.Host).Raw(" ").Text(Vocabulary.JucheDate(new DateOnly(2016, 9, 19), c.Lang));
        w.Raw("</font></td></tr></table>\n</body>\n</html>\n");
    }

    private static SimResponse Simple(Ctx c, string pathAndQuery, string title, IReadOnlyList<(string Path, RefForm Form)> links, int paragraphs = 2)
    {
        var w = new HtmlWriter(c.U(pathAndQuery));
        Head(w, c, title + " - " + c.Site.Host, c.Lang);
        w.Raw("<body bgcolor=\"#ffffff\">\n<h2>").Text(title).Raw("</h2>\n");
        Paragraphs(w, c, c.Lang, "simple" + pathAndQuery, c.Site.Index, paragraphs);
        foreach (var (p, form) in links)
        {
            w.Raw("<p><a href=\"").Raw(w.Ref(LinkKind.Anchor, c.U(p), form)).Raw("\">").Text(p).Raw("</a></p>\n");
        }

        Footer(w, c);
        return Html(w);
    }

    // ---------------------------------------------------------------- robots, sitemap

    private static SimResponse Robots(Ctx c)
    {
        var r = c.Site.Robots;
        return r.Status switch
        {
            200 => Text("text/plain; charset=utf-8", r.Render(), r.Sitemaps.Select(u => new Link(LinkKind.RobotsSitemap, u)).ToArray()),
            404 => ErrorPage(404, "Not Found"),
            _ => ErrorPage(r.Status, "Internal Server Error"),
        };
    }

    /// <summary>Paths listed in a site's sitemap.xml (including one page linked from nowhere else and one disallowed page).</summary>
    internal static IEnumerable<string> SitemapPaths(SimulationModel model, SiteModel site)
    {
        var o = model.Options;
        yield return "/";
        yield return "/about.html";
        for (var p = 1; p <= (o.ListingInSitemap ? Math.Max(1, (o.PagesPerSite + o.ArticlesPerListPage - 1) / o.ArticlesPerListPage) : 0); p++)
        {
            yield return "/articles?page=" + p.ToString(CultureInfo.InvariantCulture);
        }

        for (var id = 1; id <= Math.Min(30, o.PagesPerSite); id++)
        {
            yield return "/article/" + id.ToString(CultureInfo.InvariantCulture);
        }

        yield return "/hidden/sitemap-only.html";
        yield return "/private/staff.html";
    }

    private static SimResponse Sitemap(Ctx c)
    {
        var sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
        var links = new List<Link>();
        foreach (var p in SitemapPaths(c.Model, c.Site))
        {
            var u = c.U(p);
            links.Add(new Link(LinkKind.SitemapLoc, u));
            sb.Append("  <url><loc>").Append(u.Replace("&", "&amp;", StringComparison.Ordinal)).Append("</loc><lastmod>2016-09-19</lastmod></url>\n");
        }

        sb.Append("</urlset>\n");
        return Text("application/xml", sb.ToString(), links);
    }

    // ---------------------------------------------------------------- pages

    private static string T(Ctx c, string ko, string en) => c.Lang == "en" ? en : ko;

    private static SimResponse Home(Ctx c, string path, string lang)
    {
        var s = c.Site;
        var m = c.Model;
        var w = new HtmlWriter(c.U(path));
        var title = lang == "en" ? s.Host + " - Official site" : s.Host + " - 공식 홈페지";
        w.Raw("<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\">\n<html lang=\"").Raw(lang).Raw("\">\n<head>\n");
        w.Raw("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\n<title>").Text(title).Raw("</title>\n");
        w.Raw("<link rel=\"stylesheet\" type=\"text/css\" href=\"").Raw(w.Ref(LinkKind.Stylesheet, c.U("/css/style.css"), path == "/" ? RefForm.DocRelative : RefForm.RootRelative)).Raw("\">\n");
        w.Raw("<link rel=\"shortcut icon\" href=\"").Raw(w.Ref(LinkKind.Icon, c.U("/favicon.ico"), RefForm.RootRelative)).Raw("\">\n");
        w.Raw("<link rel=\"canonical\" href=\"").Raw(w.Ref(LinkKind.Canonical, c.U(path), RefForm.Absolute)).Raw("\">\n");
        var other = path == "/" ? "/en/" : "/";
        w.Raw("<link rel=\"alternate\" hreflang=\"").Raw(path == "/" ? "en" : c.Lang).Raw("\" href=\"").Raw(w.Ref(LinkKind.Alternate, c.U(other), RefForm.RootRelative)).Raw("\">\n");
        w.Raw("<script type=\"text/javascript\" src=\"").Raw(w.Ref(LinkKind.Script, c.U("/js/site.js"), RefForm.RootRelative)).Raw("\"></script>\n");
        w.Raw("<script type=\"text/javascript\" src=\"").Raw(w.Ref(LinkKind.Script, c.U("/js/menu.js"), RefForm.ProtocolRelative)).Raw("\"></script>\n");
        w.Raw("</head>\n<body bgcolor=\"#f4f0e6\" topmargin=\"0\">\n<a name=\"top\"></a>\n");

        // Banner with srcset and an image map.
        w.Raw("<table width=\"980\" border=\"0\" cellpadding=\"0\" cellspacing=\"0\" align=\"center\">\n<tr><td colspan=\"2\">");
        var logo = w.Ref(LinkKind.Image, c.U("/images/logo.png"), RefForm.RootRelative);
        var logo1 = w.Ref(LinkKind.Srcset, c.U("/images/logo.png"), RefForm.RootRelative);
        var logo2 = w.Ref(LinkKind.Srcset, c.U("/images/logo-2x.png"), RefForm.DocRelative);
        w.Raw("<img src=\"").Raw(logo).Raw("\" srcset=\"").Raw(logo1).Raw(" 1x, ").Raw(logo2).Raw(" 2x\" alt=\"").Text(s.Host).Raw("\" width=\"300\" height=\"80\">");
        w.Raw("<img src=\"").Raw(w.Ref(LinkKind.Image, c.U("/images/map.gif"), RefForm.RootRelative)).Raw("\" usemap=\"#nav\" border=\"0\" alt=\"\">\n");
        w.Raw("<map name=\"nav\"><area shape=\"rect\" coords=\"0,0,80,20\" href=\"").Raw(w.Ref(LinkKind.Area, c.U("/about.html"), RefForm.RootRelative)).Raw("\" alt=\"about\">");
        w.Raw("<area shape=\"rect\" coords=\"80,0,160,20\" href=\"").Raw(w.Ref(LinkKind.Area, c.U("/contact.html"), RefForm.DocRelative)).Raw("\" alt=\"contact\"></map>\n");
        w.Raw("<img src=\"").Raw(w.NotFollowed(LinkKind.Data, "data:image/gif;base64,R0lGODlhAQABAAAAACw=")).Raw("\" width=\"1\" height=\"1\" alt=\"\">");
        w.Raw("</td></tr>\n");

        // Navigation column.
        w.Raw("<tr><td width=\"180\" valign=\"top\" bgcolor=\"#c8102e\"><font color=\"#ffffff\">\n");
        void Nav(string target, RefForm form, string label, string? fragment = null)
        {
            w.Raw("&middot; <a href=\"").Raw(w.Ref(LinkKind.Anchor, target, form, fragment)).Raw("\"><font color=\"#ffffff\">").Text(label).Raw("</font></a><br>\n");
        }

        Nav(c.U("/"), RefForm.RootRelative, lang == "en" ? "Home" : "처음으로");
        Nav(c.U("/articles?page=1"), path == "/" ? RefForm.DocRelative : RefForm.RootRelative, lang == "en" ? "Articles" : "기사목록");
        Nav(c.U("/about.html"), RefForm.RootRelative, lang == "en" ? "About us" : "소개");
        Nav(c.U("/contact.html"), RefForm.Absolute, lang == "en" ? "Contact" : "련락처");
        Nav(c.U("/docs/"), RefForm.ProtocolRelative, lang == "en" ? "Archive" : "자료실");
        Nav(c.U("/news.html"), RefForm.RootRelative, lang == "en" ? "Latest news" : "최신소식", "latest");
        Nav(c.U(path), RefForm.RootRelative, lang == "en" ? "Top" : "우로", "top");
        if (s.Has(SiteFeatures.Frames))
        {
            Nav(c.U("/frames/index.html"), RefForm.RootRelative, lang == "en" ? "Frame version" : "틀 판");
        }

        w.Raw("&middot; <a href=\"").Raw(w.NotFollowed(LinkKind.JavaScript, "javascript:popup('/popup.html')")).Raw("\"><font color=\"#ffffff\">Popup</font></a><br>\n");
        w.Raw("&middot; <a href=\"").Raw(w.NotFollowed(LinkKind.JavaScript, "javascript:void(0)")).Raw("\" onclick=\"printPage()\"><font color=\"#ffffff\">Print</font></a><br>\n");
        w.Raw("&middot; <a href=\"").Raw(w.NotFollowed(LinkKind.Mailto, "mailto:webmaster@" + s.Host)).Raw("\"><font color=\"#ffffff\">E-mail</font></a><br>\n");
        w.Raw("&middot; <a href=\"").Raw(w.NotFollowed(LinkKind.Tel, "tel:+850-2-381-8111")).Raw("\"><font color=\"#ffffff\">Tel</font></a><br>\n");
        w.Raw("</font></td>\n<td valign=\"top\">\n");

        // Search form: never followed.
        w.Raw("<form method=\"get\" action=\"").Raw(w.NotFollowed(LinkKind.FormAction, "/search")).Raw("\"><input type=\"text\" name=\"q\"><input type=\"submit\" value=\"").Text(lang == "en" ? "Search" : "검색").Raw("\"></form>\n");

        w.Raw("<h1>").Text(title).Raw("</h1>\n<p><i>").Text(lang == "en" ? $"Updated, edition {c.Epoch}" : $"갱신 {c.Epoch}판").Raw("</i></p>\n");
        w.Raw("<iframe src=\"").Raw(w.Ref(LinkKind.IFrame, c.U("/frames/banner.html"), RefForm.RootRelative)).Raw("\" width=\"760\" height=\"60\" frameborder=\"0\"></iframe>\n");

        // Latest articles: they rotate with the epoch.
        w.Raw("<h3>").Text(lang == "en" ? "Latest articles" : "최신기사").Raw("</h3>\n<ul>\n");
        var n = c.O.PagesPerSite;
        for (var k = 0; k < Math.Min(5, n); k++)
        {
            var id = ((c.Epoch * 5) + k) % n + 1;
            if (c.O.ArticleRemoved(id, c.Epoch))
            {
                continue;
            }

            w.Raw("<li><a href=\"").Raw(w.Ref(LinkKind.Anchor, c.U("/article/" + id.ToString(CultureInfo.InvariantCulture)), RefForm.RootRelative)).Raw("\">")
                .Text(Vocabulary.Words(lang, 4, c.Seed, "title", s.Index, id)).Raw("</a></li>\n");
        }

        w.Raw("</ul>\n");
        Paragraphs(w, c, lang, "home", s.Index, 2);

        // The same article under another URL; print versions disallowed by robots.
        var dupId = Math.Min(3, n);
        w.Raw("<p><a href=\"").Raw(w.Ref(LinkKind.Anchor, c.U($"/article/{dupId}?ref=home"), RefForm.RootRelative)).Raw("\">").Text(lang == "en" ? "Featured" : "추천기사").Raw("</a> ");
        w.Raw("<a href=\"").Raw(w.Ref(LinkKind.Anchor, c.U("/article/1?print=1"), RefForm.RootRelative)).Raw("\">").Text("print").Raw("</a></p>\n");

        // Robots-governed areas.
        w.Raw("<p><a href=\"").Raw(w.Ref(LinkKind.Anchor, c.U("/private/notice.html"), RefForm.RootRelative)).Raw("\">").Text(lang == "en" ? "Notice" : "공지").Raw("</a> ");
        w.Raw("<a href=\"").Raw(w.Ref(LinkKind.Anchor, c.U("/private/staff.html"), RefForm.RootRelative)).Raw("\">").Text(lang == "en" ? "Staff" : "직원").Raw("</a> ");
        w.Raw("<a href=\"").Raw(w.Ref(LinkKind.Anchor, c.U("/cgi-bin/board.cgi"), RefForm.RootRelative)).Raw("\">").Text(lang == "en" ? "Board" : "게시판").Raw("</a></p>\n");

        // Behaviour links.
        var specials = new List<(SiteFeatures F, string Path, string Label)>
        {
            (SiteFeatures.None, "/missing.html", "Old page"),
            (SiteFeatures.RedirectChain, "/old/news.html", "News (old address)"),
            (SiteFeatures.MetaRefresh, "/refresh.html", "Refresh"),
            (SiteFeatures.RedirectLoop, "/loop/a", "Loop"),
            (SiteFeatures.OffScopeRedirect, "/out/example", "Partner"),
            (SiteFeatures.GoneAndError, "/gone.html", "Removed page"),
            (SiteFeatures.GoneAndError, "/error.html", "Broken page"),
            (SiteFeatures.Retry503, "/busy.html", "Busy"),
            (SiteFeatures.Retry429, "/limited.html", "Limited"),
            (SiteFeatures.Slow, "/slow.html", "Slow"),
            (SiteFeatures.Hang, "/live/stream.html", "Live"),
            (SiteFeatures.Trap, SimulationModel.TrapEntryPath, "Calendar"),
            (SiteFeatures.EucKrMetaOnly, "/legacy/index.html", "Legacy"),
            (SiteFeatures.WrongCharset, "/legacy/old.html", "Legacy (old)"),
            (SiteFeatures.VisitorCounter, "/counter.html", "Visitors"),
        };
        w.Raw("<table border=\"1\" cellspacing=\"0\"><tr>");
        foreach (var (f, p, label) in specials)
        {
            if (f == SiteFeatures.None || s.Has(f))
            {
                w.Raw("<td><a href=\"").Raw(w.Ref(LinkKind.Anchor, c.U(p), RefForm.RootRelative)).Raw("\">").Text(label).Raw("</a></td>");
            }
        }

        w.Raw("</tr></table>\n");

        // Other sites of the simulated web, and the world outside the scope.
        w.Raw("<h3>").Text(lang == "en" ? "Links" : "련관 싸이트").Raw("</h3>\n<p>\n");
        var sites = m.Sites;
        if (sites.Count > 1)
        {
            var next = sites[(s.Index + 1) % sites.Count];
            var rnd = sites[Det.Pick(sites.Count, c.Seed, "xsite", s.Index)];
            var deep = sites[Det.Pick(sites.Count, c.Seed, "xdeep", s.Index)];
            foreach (var (target, label) in new[] { (next.RootUrl, next.Host), (rnd.RootUrl, rnd.Host), (deep.Url("/about.html"), deep.Host + " (about)") })
            {
                w.Raw("<a href=\"").Raw(w.Ref(LinkKind.Anchor, target, RefForm.Absolute)).Raw("\">").Text(label).Raw("</a><br>\n");
            }
        }

        foreach (var off in OffScopeTargets)
        {
            w.Raw("<a href=\"").Raw(w.Ref(LinkKind.Anchor, off, RefForm.Absolute)).Raw("\">").Text(off).Raw("</a><br>\n");
        }

        w.Raw("</p>\n</td></tr></table>\n");
        Footer(w, c);
        return Html(w, epochDependent: true);
    }

    internal static readonly string[] OffScopeTargets =
    [
        "http://www.example.com/",
        "https://www.example.org/news",
        "http://kcna.co.jp/index-e.htm",
        "http://kp.example.net/",
    ];

    private static SimResponse ArticleList(Ctx c, int page)
    {
        var path = "/articles?page=" + page.ToString(CultureInfo.InvariantCulture);
        var w = new HtmlWriter(c.U(path));
        Head(w, c, T(c, "기사목록", "Articles") + $" ({page}) - " + c.Site.Host, c.Lang, path);
        w.Raw("<body>\n<h2>").Text(T(c, "기사목록", "Articles")).Raw("</h2>\n");
        if (page == 1)
        {
            w.Raw("<p>").Text(T(c, $"갱신 {c.Epoch}판", $"Edition {c.Epoch}")).Raw("</p>\n");
        }

        w.Raw("<table border=\"0\" cellpadding=\"3\">\n");
        var per = c.O.ArticlesPerListPage;
        for (var id = ((page - 1) * per) + 1; id <= Math.Min(page * per, c.O.PagesPerSite); id++)
        {
            if (c.O.ArticleRemoved(id, c.Epoch))
            {
                continue;
            }

            var date = new DateOnly(2016, 9, 19).AddDays(-id);
            w.Raw("<tr><td>").Text(Vocabulary.JucheDate(date, c.Lang)).Raw("</td><td><a href=\"")
                .Raw(w.Ref(LinkKind.Anchor, c.U("/article/" + id.ToString(CultureInfo.InvariantCulture)), RefForm.DocRelative)).Raw("\">")
                .Text(Vocabulary.Words(c.Lang, 4, c.Seed, "title", c.Site.Index, id)).Raw("</a></td></tr>\n");
        }

        w.Raw("</table>\n<p>");
        if (page > 1)
        {
            w.Raw("<a href=\"").Raw(w.Ref(LinkKind.Anchor, c.U("/articles?page=" + (page - 1).ToString(CultureInfo.InvariantCulture)), RefForm.DocRelative)).Raw("\">&laquo;</a> ");
        }

        if (page < c.ListPages)
        {
            w.Raw("<a href=\"").Raw(w.Ref(LinkKind.Anchor, c.U("/articles?page=" + (page + 1).ToString(CultureInfo.InvariantCulture)), RefForm.QueryOnly)).Raw("\">&raquo;</a>");
        }

        w.Raw("</p>\n");
        Footer(w, c);
        return Html(w, epochDependent: page == 1 || c.O.ArticleRemovedFromEpoch is { Count: > 0 }); // deletions drop articles from any page
    }

    private static bool ArticleChangesWithEpoch(Ctx c, int id) => c.O.ArticleChangePeriod(id) > 0;

    private static SimResponse Article(Ctx c, int id)
    {
        var s = c.Site;
        var ids = id.ToString(CultureInfo.InvariantCulture);
        var path = "/article/" + ids;
        var w = new HtmlWriter(c.U(path));
        var eucKr = s.Has(SiteFeatures.EucKrHeader);
        var title = Vocabulary.Words(c.Lang, 4, c.Seed, "title", s.Index, id);
        Head(w, c, title, c.Lang, path, eucKr ? "euc-kr" : "utf-8");
        w.Raw("<body>\n<a name=\"top\"></a>\n<table width=\"760\" align=\"center\"><tr><td>\n<h2>").Text(title).Raw("</h2>\n");
        w.Raw("<p><font color=\"#666666\">").Text(Vocabulary.JucheDate(new DateOnly(2016, 9, 19).AddDays(-id), c.Lang)).Raw("</font></p>\n");
        var img = c.U($"/images/article/{ids}.jpg");
        w.Raw("<img src=\"").Raw(w.Ref(LinkKind.Image, img, RefForm.RootRelative)).Raw("\"");
        if (id % 4 == 0)
        {
            var a = w.Ref(LinkKind.Srcset, img, RefForm.DocRelative);
            var b = w.Ref(LinkKind.Srcset, c.U($"/images/article/{ids}-2x.jpg"), RefForm.RootRelative);
            w.Raw(" srcset=\"").Raw(a).Raw(" 480w, ").Raw(b).Raw(" 960w\" sizes=\"(max-width: 600px) 480px, 960px\"");
        }

        w.Raw(" alt=\"\" width=\"480\">\n");
        Paragraphs(w, c, c.Lang, "article", s.Index, 3 + (id % 3));
        if (ArticleChangesWithEpoch(c, id))
        {
            var revision = c.Epoch / c.O.ArticleChangePeriod(id);
            w.Raw("<p><i>").Text(T(c, $"{revision}차 수정", $"Revision {revision}")).Raw("</i></p>\n");
        }

        w.Raw("<p>");
        if (id % 10 == 1)
        {
            w.Raw("<a href=\"").Raw(w.Ref(LinkKind.Anchor, c.U($"/files/article-{ids}.pdf"), RefForm.DocRelative)).Raw("\">PDF</a> ");
        }

        w.Raw("<a href=\"").Raw(w.Ref(LinkKind.Anchor, c.U(path + "?print=1"), RefForm.QueryOnly)).Raw("\">").Text(T(c, "인쇄", "Print")).Raw("</a> ");
        if (id % 5 == 3)
        {
            w.Raw("<a href=\"").Raw(w.Ref(LinkKind.Anchor, c.U("/print/article/" + ids), RefForm.DocRelative)).Raw("\">").Text(T(c, "인쇄판", "Printable")).Raw("</a> ");
        }

        w.Raw("<a href=\"").Raw(w.Ref(LinkKind.Anchor, c.U(path), RefForm.DocRelative, "comments")).Raw("\">").Text(T(c, "의견", "Comments")).Raw("</a> ");
        if (id > 1)
        {
            w.Raw("<a href=\"").Raw(w.Ref(LinkKind.Anchor, c.U("/article/" + (id - 1).ToString(CultureInfo.InvariantCulture)), RefForm.DocRelative)).Raw("\">&laquo;</a> ");
        }

        if (id < c.O.PagesPerSite)
        {
            w.Raw("<a href=\"").Raw(w.Ref(LinkKind.Anchor, c.U("/article/" + (id + 1).ToString(CultureInfo.InvariantCulture)), RefForm.Absolute)).Raw("\">&raquo;</a> ");
        }

        var listPage = ((id - 1) / c.O.ArticlesPerListPage) + 1;
        w.Raw("<a href=\"").Raw(w.Ref(LinkKind.Anchor, c.U("/articles?page=" + listPage.ToString(CultureInfo.InvariantCulture)), RefForm.DocRelative)).Raw("\">").Text(T(c, "목록", "List")).Raw("</a>");
        w.Raw("</p>\n");
        if (id % 25 == 0 && c.Model.Sites.Count > 1)
        {
            var other = c.Model.Sites[Det.Pick(c.Model.Sites.Count, c.Seed, "xart", s.Index, id)];
            var oid = 1 + Det.Pick(c.O.PagesPerSite, c.Seed, "xartid", s.Index, id);
            w.Raw("<p><a href=\"").Raw(w.Ref(LinkKind.Anchor, other.Url("/article/" + oid.ToString(CultureInfo.InvariantCulture)), RefForm.Absolute)).Raw("\">").Text(other.Host).Raw("</a></p>\n");
        }

        w.Raw("<a name=\"comments\"></a>\n</td></tr></table>\n");
        Footer(w, c);
        return eucKr
            ? Html(w, epochDependent: ArticleChangesWithEpoch(c, id), contentType: "text/html; charset=EUC-KR", encoding: EucKr)
            : Html(w, epochDependent: ArticleChangesWithEpoch(c, id));
    }

    /// <summary>Served byte-identically at /print/article/N, /article/N?ref=home and /article/N?print=1.</summary>
    private static SimResponse PrintArticle(Ctx c, int id)
    {
        var ids = id.ToString(CultureInfo.InvariantCulture);
        var w = new HtmlWriter(c.U("/print/article/" + ids));
        var title = Vocabulary.Words(c.Lang, 4, c.Seed, "title", c.Site.Index, id);
        w.Raw("<html lang=\"").Raw(c.Lang).Raw("\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Text(title).Raw("</title>\n");
        w.Raw("<link rel=\"stylesheet\" href=\"").Raw(w.Ref(LinkKind.Stylesheet, c.U("/css/print.css"), RefForm.RootRelative)).Raw("\" media=\"print\">\n");
        w.Raw("<link rel=\"canonical\" href=\"").Raw(w.Ref(LinkKind.Canonical, c.U("/article/" + ids), RefForm.Absolute)).Raw("\">\n</head>\n<body onload=\"window.print()\">\n");
        w.Raw("<h2>").Text(title).Raw("</h2>\n");
        Paragraphs(w, c, c.Lang, "article", c.Site.Index, 3 + (id % 3));
        w.Raw("</body>\n</html>\n");
        return Html(w);
    }

    private static SimResponse About(Ctx c)
    {
        var w = new HtmlWriter(c.U("/about.html"));
        Head(w, c, T(c, "소개", "About") + " - " + c.Site.Host, c.Lang, "/about.html");
        w.Raw("<body>\n<h2>").Text(T(c, "소개", "About us")).Raw("</h2>\n");
        w.Raw("<img src=\"").Raw(w.Ref(LinkKind.Image, c.U("/images/flag.png"), RefForm.DocRelative)).Raw("\" alt=\"\" align=\"right\">\n");
        Paragraphs(w, c, c.Lang, "about", c.Site.Index, 3);
        Footer(w, c);
        return Html(w);
    }

    private static SimResponse Contact(Ctx c)
    {
        var w = new HtmlWriter(c.U("/contact.html"));
        Head(w, c, T(c, "련락처", "Contact") + " - " + c.Site.Host, c.Lang);
        w.Raw("<body>\n<h2>").Text(T(c, "련락처", "Contact")).Raw("</h2>\n");
        w.Raw("<p>E-mail: <a href=\"").Raw(w.NotFollowed(LinkKind.Mailto, "mailto:info@" + c.Site.Host)).Raw("\">info@").Text(c.Site.Host).Raw("</a><br>\n");
        w.Raw("Tel: <a href=\"").Raw(w.NotFollowed(LinkKind.Tel, "tel:+850-2-381-8111")).Raw("\">+850-2-381-8111</a></p>\n");
        w.Raw("<form method=\"post\" action=\"").Raw(w.NotFollowed(LinkKind.FormAction, "/cgi-bin/mail.cgi")).Raw("\">\n<textarea name=\"msg\" rows=\"5\" cols=\"40\"></textarea><br>\n<input type=\"submit\">\n</form>\n");
        Footer(w, c);
        return Html(w);
    }

    private static SimResponse Docs(Ctx c)
    {
        var w = new HtmlWriter(c.U("/docs/"));
        w.Raw("<html lang=\"").Raw(c.Lang).Raw("\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Text(T(c, "자료실", "Archive")).Raw("</title>\n");
        var baseUrl = c.U("/docs/archive/");
        w.Raw("<base href=\"").Raw(baseUrl).Raw("\">\n");
        w.SetBase(baseUrl);
        w.Raw("</head>\n<body>\n<h2>").Text(T(c, "자료실", "Archive")).Raw("</h2>\n<ul>\n");
        w.Raw("<li><a href=\"").Raw(w.Ref(LinkKind.Anchor, c.U("/docs/archive/intro.html"), RefForm.DocRelative)).Raw("\">intro</a></li>\n");
        w.Raw("<li><a href=\"").Raw(w.Ref(LinkKind.Anchor, c.U("/docs/archive/history.html"), RefForm.DocRelative)).Raw("\">history</a></li>\n");
        w.Raw("<li><a href=\"").Raw(w.Ref(LinkKind.Anchor, c.U("/about.html"), RefForm.DocRelative)).Raw("\">about</a></li>\n");
        w.Raw("</ul>\n<img src=\"").Raw(w.Ref(LinkKind.Image, c.U("/images/banner.gif"), RefForm.DocRelative)).Raw("\" alt=\"\">\n</body>\n</html>\n");
        return Html(w);
    }

    private static SimResponse News(Ctx c)
    {
        var w = new HtmlWriter(c.U("/news.html"));
        Head(w, c, T(c, "최신소식", "Latest news") + " - " + c.Site.Host, c.Lang, "/news.html");
        w.Raw("<body>\n<a name=\"latest\"></a>\n<h2>").Text(T(c, "최신소식", "Latest news")).Raw("</h2>\n");
        Paragraphs(w, c, c.Lang, "news", (c.Site.Index * 100) + c.Epoch, 2);
        Footer(w, c);
        return Html(w, epochDependent: true);
    }

    private static SimResponse Banner(Ctx c)
    {
        var w = new HtmlWriter(c.U("/frames/banner.html"));
        w.Raw("<html><head><title>banner</title></head><body style=\"margin:0\">");
        w.Raw("<img src=\"").Raw(w.Ref(LinkKind.Image, c.U("/images/banner.gif"), RefForm.DocRelative)).Raw("\" alt=\"\"></body></html>\n");
        return Html(w);
    }

    private static SimResponse Frameset(Ctx c)
    {
        var w = new HtmlWriter(c.U("/frames/index.html"));
        w.Raw("<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Frameset//EN\">\n<html lang=\"").Raw(c.Lang).Raw("\"><head><title>").Text(c.Site.Host).Raw("</title></head>\n<frameset cols=\"180,*\">\n");
        w.Raw("<frame src=\"").Raw(w.Ref(LinkKind.Frame, c.U("/frames/menu.html"), RefForm.DocRelative)).Raw("\" name=\"menu\">\n");
        w.Raw("<frame src=\"").Raw(w.Ref(LinkKind.Frame, c.U("/frames/main.html"), RefForm.RootRelative)).Raw("\" name=\"main\">\n");
        w.Raw("<noframes><body>Frames required.</body></noframes>\n</frameset>\n</html>\n");
        return Html(w);
    }

    private static SimResponse Refresh(Ctx c)
    {
        var w = new HtmlWriter(c.U("/refresh.html"));
        w.Raw("<html><head><title>Redirecting</title>\n<meta http-equiv=\"refresh\" content=\"0; url=").Raw(w.Ref(LinkKind.MetaRefresh, c.U("/news.html"), RefForm.RootRelative)).Raw("\">\n</head>\n");
        w.Raw("<body>").Text(T(c, "잠시 기다려주십시오.", "Please wait.")).Raw("</body></html>\n");
        return Html(w);
    }

    private static SimResponse Hanging(Ctx c)
    {
        var w = new HtmlWriter(c.U("/live/stream.html"));
        w.Raw("<html><head><title>Live</title></head><body>\n");
        for (var i = 0; i < 64; i++)
        {
            w.Raw("<p>").Text(Vocabulary.Sentence(c.Lang, c.Seed, "live", c.Site.Index, i)).Raw("</p>\n");
        }

        w.Raw("</body></html>\n");
        return WithBehavior(Html(w), ResponseBehavior.Hang, 0);
    }

    private static SimResponse Counter(Ctx c)
    {
        var w = new HtmlWriter(c.U("/counter.html"));
        var n = Interlocked.Increment(ref s_visitors);
        Head(w, c, "Visitors", c.Lang);
        w.Raw("<body><p>").Text(T(c, "방문자수", "Visitors")).Raw(": ").Raw(n.ToString(CultureInfo.InvariantCulture))
            .Raw(" (").Raw(DateTime.UtcNow.Ticks.ToString(CultureInfo.InvariantCulture)).Raw(")</p>\n");
        Footer(w, c);
        return WithBehavior(Html(w), ResponseBehavior.NonDeterministic, 0);
    }

    private static SimResponse Legacy(Ctx c, string path, string contentType, string? metaCharset)
    {
        var w = new HtmlWriter(c.U(path));
        Head(w, c, "조선 - 옛 페지", "ko", null, metaCharset ?? string.Empty);
        w.Raw("<body>\n<h2>").Text("옛 페지").Raw("</h2>\n");
        Paragraphs(w, c, "ko", "legacy" + path, c.Site.Index, 2);
        Footer(w, c);
        return Html(w, contentType: contentType, encoding: EucKr);
    }

    private static SimResponse Pdf(Ctx c, int id)
    {
        var text = Vocabulary.Words("en", 40, c.Seed, "pdf", c.Site.Index, id);
        var body = "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
            + "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >> endobj\n"
            + $"4 0 obj << /Length {text.Length + 30} >> stream\nBT /F1 12 Tf 72 770 Td ({text}) Tj ET\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
        return Text("application/pdf", body);
    }

    private static SimResponse StyleCss(Ctx c)
    {
        var w = new HtmlWriter(c.U("/css/style.css"));
        w.Raw("@import url(\"").Raw(w.Ref(LinkKind.CssImport, c.U("/css/print.css"), RefForm.DocRelative)).Raw("\") print;\n");
        w.Raw("@font-face { font-family: \"Chosongul\"; src: url('").Raw(w.Ref(LinkKind.CssUrl, c.U("/fonts/chosongul.woff"), RefForm.RootRelative)).Raw("') format(\"woff\"); }\n");
        w.Raw("body { font-family: Chosongul, Gulim, sans-serif; background: #f4f0e6 url(").Raw(w.Ref(LinkKind.CssUrl, c.U("/images/bg.png"), RefForm.DocRelative)).Raw(") repeat-x; }\n");
        w.Raw("ul li { list-style-image: url(").Raw(w.NotFollowed(LinkKind.Data, "data:image/gif;base64,R0lGODlhAQABAAAAACw=")).Raw("); }\n");
        w.Raw("a { color: #c8102e; text-decoration: none; }\n");
        return Html(w, contentType: "text/css");
    }

    private static SimResponse PrintCss(Ctx c)
    {
        var w = new HtmlWriter(c.U("/css/print.css"));
        w.Raw("body { background: #fff; }\n.logo { background-image: url(\"").Raw(w.Ref(LinkKind.CssUrl, c.U("/images/logo.png"), RefForm.DocRelative)).Raw("\"); }\n");
        return Html(w, contentType: "text/css");
    }

    private static SimResponse Calendar(Ctx c, string path)
    {
        var parts = path[SimulationModel.TrapPathPrefix.Length..].Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var month) || month is < 1 or > 12
            || parts[1].Length != 2 || parts[0].Length != 4)
        {
            return NotFound();
        }

        var offset = ((year - 2016) * 12) + (month - 9);
        if (c.O.TrapDepth is { } depth && (offset < 0 || offset > depth))
        {
            return NotFound();
        }

        static string MonthPath(int y, int m) => FormattableString.Invariant($"{SimulationModel.TrapPathPrefix}{y:D4}/{m:D2}");
        var w = new HtmlWriter(c.U(path));
        Head(w, c, FormattableString.Invariant($"{year}-{month:D2}"), c.Lang);
        w.Raw("<body>\n<h2>").Text(FormattableString.Invariant($"{Vocabulary.JucheDate(new DateOnly(year, month, 1), c.Lang)}")).Raw("</h2>\n<table border=\"1\">");
        for (var d = 1; d <= DateTime.DaysInMonth(year, month); d++)
        {
            w.Raw(d % 7 == 1 ? "<tr>" : string.Empty).Raw("<td>").Raw(d.ToString(CultureInfo.InvariantCulture)).Raw("</td>");
        }

        w.Raw("</table>\n<p>");
        var (py, pm) = month == 1 ? (year - 1, 12) : (year, month - 1);
        var (ny, nm) = month == 12 ? (year + 1, 1) : (year, month + 1);
        if ((c.O.TrapDepth is null || offset > 0) && py >= 1)
        {
            w.Raw("<a href=\"").Raw(w.Ref(LinkKind.Anchor, c.U(MonthPath(py, pm)), RefForm.RootRelative)).Raw("\">&laquo;</a> ");
        }

        if ((c.O.TrapDepth is null || offset < c.O.TrapDepth) && ny <= 9999)
        {
            w.Raw("<a href=\"").Raw(w.Ref(LinkKind.Anchor, c.U(MonthPath(ny, nm)), RefForm.DocRelative)).Raw("\">&raquo;</a>");
        }

        w.Raw("</p>\n");
        Footer(w, c);
        return Html(w);
    }
}
