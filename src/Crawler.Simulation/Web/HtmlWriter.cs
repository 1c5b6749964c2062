using System.Net;
using System.Text;

namespace Crawler.Simulation.Web;

/// <summary>How a reference is written in the markup; the target is always known absolute.</summary>
internal enum RefForm
{
    Absolute,
    RootRelative,
    ProtocolRelative,
    DocRelative,
    QueryOnly,
}

/// <summary>
/// Builds markup while recording every reference as a <see cref="Link"/>. Each written reference is
/// resolved back with System.Uri against the document base and must equal the registered target, so
/// the link data and the rendered bytes cannot drift apart.
/// </summary>
internal sealed class HtmlWriter
{
    private readonly StringBuilder _sb = new(4096);
    private readonly List<Link> _links = [];
    private Uri _base;

    public HtmlWriter(string documentUrl)
    {
        _base = new Uri(documentUrl);
    }

    public IReadOnlyList<Link> Links => _links;

    public HtmlWriter Raw(string s)
    {
        _sb.Append(s);
        return this;
    }

    public HtmlWriter Text(string s)
    {
        _sb.Append(WebUtility.HtmlEncode(s));
        return this;
    }

    public void SetBase(string baseUrl) => _base = new Uri(baseUrl);

    /// <summary>Registers a followed reference and returns its written form (attribute-safe ASCII).</summary>
    public string Ref(LinkKind kind, string target, RefForm form, string? fragment = null)
    {
        var t = new Uri(target);
        var written = form switch
        {
            RefForm.Absolute => target,
            RefForm.RootRelative when SameOrigin(t) => t.PathAndQuery,
            RefForm.ProtocolRelative when t.Scheme == _base.Scheme => "//" + t.Authority + t.PathAndQuery,
            RefForm.DocRelative when SameOrigin(t) => DocRelative(_base.AbsolutePath, t.AbsolutePath) + t.Query,
            RefForm.QueryOnly when SameOrigin(t) && t.AbsolutePath == _base.AbsolutePath && t.Query.Length > 0 => t.Query,
            _ => target,
        };
        if (fragment is not null)
        {
            written += "#" + fragment;
        }

        var resolved = new Uri(_base, written);
        var canonical = resolved.GetComponents(UriComponents.HttpRequestUrl, UriFormat.UriEscaped);
        if (canonical != target)
        {
            throw new InvalidOperationException($"Reference '{written}' on {_base} resolves to {canonical}, not {target}.");
        }

        _links.Add(new Link(kind, target));
        return written;
    }

    /// <summary>Registers a reference the crawler must not follow (javascript:, mailto:, form action, data:).</summary>
    public string NotFollowed(LinkKind kind, string raw)
    {
        _links.Add(new Link(kind, raw));
        return raw;
    }

    public override string ToString() => _sb.ToString();

    private bool SameOrigin(Uri t) => t.Scheme == _base.Scheme && t.Authority == _base.Authority;

    private static string DocRelative(string basePath, string targetPath)
    {
        var baseDir = basePath[..(basePath.LastIndexOf('/') + 1)];
        if (targetPath.StartsWith(baseDir, StringComparison.Ordinal))
        {
            var rest = targetPath[baseDir.Length..];
            return rest.Length == 0 ? "./" : rest;
        }

        var b = baseDir.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var t = targetPath.Split('/');
        var tSegs = t[1..];
        var common = 0;
        while (common < b.Length && common < tSegs.Length - 1 && b[common] == tSegs[common])
        {
            common++;
        }

        var sb = new StringBuilder();
        for (var i = common; i < b.Length; i++)
        {
            sb.Append("../");
        }

        sb.Append(string.Join('/', tSegs[common..]));
        return sb.ToString();
    }
}
