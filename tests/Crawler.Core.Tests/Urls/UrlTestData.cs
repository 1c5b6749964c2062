using System.Globalization;
using System.Text;
using System.Text.Json;
using Crawler.Core.Urls;

namespace Crawler.Core.Tests.Urls;

/// <summary>One object of the WHATWG urltestdata.json.</summary>
internal sealed record UrlTestCase(int Index, string Input, string? Base, bool Failure, IReadOnlyDictionary<string, string> Expected)
{
    public static readonly string[] Components =
        ["href", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "hash", "origin"];

    /// <summary>The http/https subset: expected protocol http(s), or a failure case whose input or base is http(s).</summary>
    public bool IsHttpCase
    {
        get
        {
            if (Expected.TryGetValue("protocol", out string? protocol))
            {
                return protocol is "http:" or "https:";
            }

            return StartsWithHttp(Input) || (Base is not null && StartsWithHttp(Base));
        }
    }

    private static bool StartsWithHttp(string s)
    {
        string trimmed = s.Trim(Enumerable.Range(0, 0x21).Select(i => (char)i).ToArray());
        return trimmed.StartsWith("http:", StringComparison.OrdinalIgnoreCase)
            || trimmed.StartsWith("https:", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Runs the parser; returns null when the case behaves as expected, else a description of the mismatch.</summary>
    public string? Mismatch()
    {
        WhatwgUrl? url;
        try
        {
            url = WhatwgUrl.Parse(Input, Base);
        }
#pragma warning disable CA1031 // a throwing parser is reported as a mismatch, not a crash of the whole theory.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return "threw " + e.GetType().Name + ": " + e.Message;
        }

        if (Failure)
        {
            return url is null ? null : "expected failure, got " + url.Href;
        }

        if (url is null)
        {
            return "expected " + Expected["href"] + ", parse failed";
        }

        var sb = new StringBuilder();
        foreach (string component in Components)
        {
            if (!Expected.TryGetValue(component, out string? expected))
            {
                continue;
            }

            string actual = Get(url, component);
            if (actual != expected)
            {
                sb.Append(CultureInfo.InvariantCulture, $"{component}: expected <{expected}> got <{actual}>; ");
            }
        }

        return sb.Length == 0 ? null : sb.ToString();
    }

    private static string Get(WhatwgUrl url, string component) => component switch
    {
        "href" => url.Href,
        "protocol" => url.Protocol,
        "username" => url.Username,
        "password" => url.Password,
        "host" => url.Host,
        "hostname" => url.Hostname,
        "port" => url.Port,
        "pathname" => url.Pathname,
        "search" => url.Search,
        "hash" => url.Hash,
        "origin" => url.Origin,
        _ => throw new ArgumentOutOfRangeException(nameof(component)),
    };

    /// <summary>A printable rendering of the input for test names.</summary>
    public string Display => Escape(Input) + (Base is null ? string.Empty : " against " + Escape(Base));

    private static string Escape(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s)
        {
            if (c is < (char)0x20 or > (char)0x7E)
            {
                sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }
}

internal static class UrlTestData
{
    private static readonly Lazy<IReadOnlyList<UrlTestCase>> Cases = new(Load);

    public static IReadOnlyList<UrlTestCase> All => Cases.Value;

    private static IReadOnlyList<UrlTestCase> Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Data", "urltestdata.json");
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path, Encoding.UTF8));
        var result = new List<UrlTestCase>();
        int index = 0;
        foreach (JsonElement item in doc.RootElement.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            string input = ReadString(item.GetProperty("input"));
            string? baseUrl = item.TryGetProperty("base", out JsonElement b) && b.ValueKind == JsonValueKind.String ? ReadString(b) : null;
            bool failure = item.TryGetProperty("failure", out JsonElement f) && f.GetBoolean();
            var expected = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string component in UrlTestCase.Components)
            {
                if (item.TryGetProperty(component, out JsonElement v) && v.ValueKind == JsonValueKind.String)
                {
                    expected[component] = ReadString(v);
                }
            }

            result.Add(new UrlTestCase(index++, input, baseUrl, failure, expected));
        }

        return result;
    }

    /// <summary>
    /// Unescapes a JSON string literal by hand: the data holds lone surrogates ("\\uD800"), which
    /// System.Text.Json refuses to materialize.
    /// </summary>
    private static string ReadString(JsonElement element)
    {
        string raw = element.GetRawText();
        var sb = new StringBuilder(raw.Length);
        for (int i = 1; i < raw.Length - 1; i++)
        {
            char c = raw[i];
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }

            char e = raw[++i];
            switch (e)
            {
                case 'u':
                    sb.Append((char)int.Parse(raw.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 4;
                    break;
                case 'n':
                    sb.Append('\n');
                    break;
                case 'r':
                    sb.Append('\r');
                    break;
                case 't':
                    sb.Append('\t');
                    break;
                case 'b':
                    sb.Append('\b');
                    break;
                case 'f':
                    sb.Append('\f');
                    break;
                default:
                    sb.Append(e);
                    break;
            }
        }

        return sb.ToString();
    }
}
