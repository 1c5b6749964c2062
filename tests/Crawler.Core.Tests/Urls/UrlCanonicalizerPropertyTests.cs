using CsCheck;
using Crawler.Core.Urls;
using Xunit;

namespace Crawler.Core.Tests.Urls;

public sealed class UrlCanonicalizerPropertyTests
{
    private static readonly Gen<string> Label = Gen.OneOf(
        Gen.Char["abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"].Array[1, 12].Select(a => new string(a)),
        Gen.OneOf("조선", "münchen", "ПРИМЕР", "xn--6i4bt7k", "www", "KP", "0x7f", "1", "255", "%41b", "ex%2Eample"));

    private static readonly Gen<string> Host = Gen.OneOf(
        Label.Array[1, 4].Select(labels => string.Join('.', labels)),
        Gen.OneOf("[::1]", "[2001:DB8::0:1]", "[::ffff:1.2.3.4]", "127.1", "0x7F.0.0.1", "175.45.176.255", "example.kp."));

    private static readonly Gen<string> PathChars =
        Gen.Char["abcXYZ019-._~!$&'()*+,;=:@/\\% \"<>`{}^|[]\u00e9\u4e2d"]
            .Array[0, 10].Select(a => new string(a));

    private static readonly Gen<string> Segment = Gen.OneOf(PathChars, Gen.OneOf(".", "..", "%2e", "%2E%2e", ".%2e", "%20", "\u00fc", "\U0001F600"));

    private static readonly Gen<string> Query =
        Gen.Char["abc=&;+%/?:@'\"<> #`\u00e9"].Array[0, 12].Select(a => new string(a));

    private static readonly Gen<string> UrlLike =
        from scheme in Gen.OneOf("http", "https", "HTTP", "hTtPs")
        from separator in Gen.OneOf("://", ":/", ":\\\\", ":", ":///")
        from userinfo in Gen.OneOf(string.Empty, "user@", "user:pa:ss@", "a@b@", "%40:x@")
        from host in Host
        from port in Gen.OneOf(string.Empty, ":", ":80", ":443", ":8080", ":0065535", ":1")
        from segments in Segment.Array[0, 5]
        from hasQuery in Gen.Bool
        from query in Query
        from fragment in Gen.OneOf(string.Empty, "#", "#frag", "#a b")
        select scheme + separator + userinfo + host + port + "/" + string.Join('/', segments) + (hasQuery ? "?" + query : string.Empty) + fragment;

    private static readonly Gen<string> RelativeLike =
        from prefix in Gen.OneOf(string.Empty, "/", "//", "../", "./", "?", "#", "\\")
        from segments in Segment.Array[0, 4]
        from query in Query
        select prefix + string.Join('/', segments) + (query.Length > 0 ? "?" + query : string.Empty);

    [Fact]
    public void Canonicalizing_a_canonical_url_returns_it_unchanged()
    {
        UrlLike.Sample(raw =>
        {
            string? canonical = UrlCanonicalizer.Canonicalize(raw);
            if (canonical is null)
            {
                return true;
            }

            return UrlCanonicalizer.Canonicalize(canonical) == canonical
                && canonical.StartsWith("http", StringComparison.Ordinal)
                && !canonical.Contains('#', StringComparison.Ordinal);
        }, iter: 20_000);
    }

    [Fact]
    public void Canonicalizing_a_resolved_relative_link_is_idempotent()
    {
        Gen.Select(UrlLike, RelativeLike).Sample((baseUrl, link) =>
        {
            string? canonical = UrlCanonicalizer.Canonicalize(link, baseUrl);
            return canonical is null || UrlCanonicalizer.Canonicalize(canonical) == canonical;
        }, iter: 20_000);
    }

    [Fact]
    public void Generated_urls_mostly_canonicalize_so_the_idempotence_property_is_not_vacuous()
    {
        int ok = 0;
        int total = 0;
        UrlLike.Sample(raw =>
        {
            total++;
            if (UrlCanonicalizer.Canonicalize(raw) is not null)
            {
                ok++;
            }
        }, iter: 2_000, threads: 1);
        Assert.True(ok > total / 3, $"only {ok} of {total} generated URLs parsed");
    }

    [Fact]
    public void Host_extraction_agrees_with_the_full_parser_on_canonical_urls()
    {
        UrlLike.Sample(raw =>
        {
            string? canonical = UrlCanonicalizer.Canonicalize(raw);
            if (canonical is null)
            {
                return true;
            }

            WhatwgUrl parsed = WhatwgUrl.Parse(canonical, null)!;
            return UrlCanonicalizer.TryGetHost(canonical, out string host)
                && host == parsed.Hostname
                && UrlCanonicalizer.HostKey(canonical) == parsed.Host;
        }, iter: 10_000);
    }

    [Fact]
    public void Canonicalize_never_throws_on_arbitrary_strings()
    {
        Gen.String.Sample(s =>
        {
            _ = UrlCanonicalizer.Canonicalize(s);
            _ = UrlCanonicalizer.Canonicalize(s, "http://example.kp/a/b");
            _ = UrlCanonicalizer.Canonicalize("http://" + s);
            _ = UrlCanonicalizer.Canonicalize("x", s);
        }, iter: 20_000);
    }

    [Fact]
    public void Canonicalize_never_throws_on_url_shaped_noise()
    {
        Gen<string> noise = Gen.Char["hHtTpPsS:/\\@[]%.0123456789xXaAfF-?#| \t\n\u00ad\u200d\u3002\uFF0E\u0661\u05d0\ud800\udc00"]
            .Array[0, 40].Select(a => new string(a));
        Gen.Select(noise, noise).Sample((a, b) =>
        {
            _ = UrlCanonicalizer.Canonicalize(a, b);
            _ = UrlCanonicalizer.Canonicalize("http://" + a, "https://" + b);
            _ = UrlCanonicalizer.Canonicalize("http://[" + a + "]/");
        }, iter: 20_000);
    }
}
