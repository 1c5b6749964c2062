using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml;

namespace Crawler.Core.Sitemaps;

/// <summary>What kind of document a sitemap turned out to be.</summary>
public enum SitemapKind
{
    /// <summary>Not recognisable (or empty).</summary>
    Unknown,

    /// <summary>&lt;urlset&gt;: page URLs.</summary>
    UrlSet,

    /// <summary>&lt;sitemapindex&gt;: URLs of further sitemaps.</summary>
    Index,

    /// <summary>A plain-text sitemap: one URL per line.</summary>
    Text,

    /// <summary>An RSS 2.0 or Atom feed used as a sitemap: item/entry links.</summary>
    Feed,
}

/// <summary>One &lt;url&gt; or &lt;sitemap&gt; (or feed item); <see cref="Location"/> is raw and trimmed.</summary>
public sealed record SitemapEntry(string Location, DateTimeOffset? LastModified, string? ChangeFrequency, double? Priority);

/// <summary>A parsed sitemap. <see cref="Error"/> is set when the XML broke off (entries before it are kept).</summary>
public sealed record SitemapDocument(SitemapKind Kind, IReadOnlyList<SitemapEntry> Entries, bool Truncated, string? Error);

/// <summary>
/// Parses sitemaps (sitemaps.org 0.9 urlset and sitemapindex, plain text, RSS/Atom), gzip or not. Tolerant
/// of namespaces, unknown elements and broken XML; DTDs are ignored and no external entity is ever resolved.
/// At most <see cref="MaxEntries"/> entries are read and <see cref="MaxUncompressedBytes"/> bytes inflated.
/// </summary>
public static class SitemapParser
{
    /// <summary>The protocol's limit of URLs per sitemap.</summary>
    public const int MaxEntries = 50_000;

    /// <summary>The protocol's limit of 50 MiB per (uncompressed) sitemap; guards against gzip bombs.</summary>
    public const int MaxUncompressedBytes = 50 * 1024 * 1024;

    /// <summary>Parses a sitemap body.</summary>
    public static SitemapDocument Parse(ReadOnlySpan<byte> xml)
    {
        var truncated = false;
        byte[] data;
        if (xml.Length >= 2 && xml[0] == 0x1F && xml[1] == 0x8B)
        {
            data = Gunzip(xml, out truncated, out var gzipError);
            if (data.Length == 0)
            {
                return new SitemapDocument(SitemapKind.Unknown, [], truncated, gzipError ?? "gzip: no data");
            }
        }
        else if (xml.Length > MaxUncompressedBytes)
        {
            data = xml[..MaxUncompressedBytes].ToArray();
            truncated = true;
        }
        else
        {
            data = xml.ToArray();
        }

        return LooksLikeXml(data) ? ParseXml(data, truncated) : ParseText(data, truncated);
    }

    private static byte[] Gunzip(ReadOnlySpan<byte> compressed, out bool truncated, out string? error)
    {
        truncated = false;
        error = null;
        using var output = new MemoryStream();
        try
        {
            using var input = new MemoryStream(compressed.ToArray(), writable: false);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            var buffer = new byte[81920];
            int read;
            while ((read = gzip.Read(buffer, 0, buffer.Length)) > 0)
            {
                var room = MaxUncompressedBytes - (int)output.Length;
                if (read > room)
                {
                    output.Write(buffer, 0, room);
                    truncated = true;
                    break;
                }

                output.Write(buffer, 0, read);
            }
        }
        catch (InvalidDataException e)
        {
            error = "gzip: " + e.Message;
        }

        return output.ToArray();
    }

    private static bool LooksLikeXml(byte[] data)
    {
        var span = data.AsSpan();
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            span = span[3..];
        }
        else if (span.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || span.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return true;
        }

        foreach (var b in span)
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                continue;
            }

            return b == '<';
        }

        return false;
    }

    private static SitemapDocument ParseText(byte[] data, bool truncated)
    {
        var text = new UTF8Encoding(false, false).GetString(data);
        var entries = new List<SitemapEntry>();
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.Trim().TrimStart('\uFEFF');
            if (line.Length == 0 || !line.Contains("://", StringComparison.Ordinal) || line.Any(char.IsWhiteSpace))
            {
                continue;
            }

            if (entries.Count >= MaxEntries)
            {
                truncated = true;
                break;
            }

            entries.Add(new SitemapEntry(line, null, null, null));
        }

        return new SitemapDocument(entries.Count > 0 ? SitemapKind.Text : SitemapKind.Unknown, entries, truncated, null);
    }

    private static SitemapDocument ParseXml(byte[] data, bool truncated)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Ignore,
            XmlResolver = null,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            CheckCharacters = false,
            MaxCharactersFromEntities = 1024,
            CloseInput = true,
        };

        var kind = SitemapKind.Unknown;
        var entries = new List<SitemapEntry>();
        string? error = null;
        EntryBuilder? current = null;
        string? field = null;
        var text = new StringBuilder();

        try
        {
            using var reader = XmlReader.Create(new MemoryStream(data, writable: false), settings);
            while (reader.Read())
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element:
                        var name = reader.LocalName;
                        if (kind == SitemapKind.Unknown)
                        {
                            kind = name switch
                            {
                                "urlset" => SitemapKind.UrlSet,
                                "sitemapindex" => SitemapKind.Index,
                                "rss" or "feed" or "rdf" or "RDF" => SitemapKind.Feed,
                                _ => SitemapKind.Unknown,
                            };
                            if (kind == SitemapKind.Unknown)
                            {
                                return new SitemapDocument(kind, entries, truncated, "unrecognised root element <" + name + ">");
                            }

                            break;
                        }

                        if (current is null)
                        {
                            if (IsEntryElement(kind, name))
                            {
                                if (entries.Count >= MaxEntries)
                                {
                                    truncated = true;
                                    return new SitemapDocument(kind, entries, truncated, error);
                                }

                                current = new EntryBuilder(name);
                                if (reader.IsEmptyElement)
                                {
                                    current = null;
                                }
                            }

                            break;
                        }

                        if (kind == SitemapKind.Feed && name == "link" && reader.GetAttribute("href") is { } href)
                        {
                            var rel = reader.GetAttribute("rel");
                            if (current.Location is null || rel is null or "alternate")
                            {
                                current.Location = href.Trim();
                            }

                            break;
                        }

                        if (!reader.IsEmptyElement && FieldOf(kind, name) is { } f)
                        {
                            field = f;
                            text.Clear();
                        }

                        break;
                    case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.SignificantWhitespace or XmlNodeType.Whitespace:
                        if (field is not null)
                        {
                            text.Append(reader.Value);
                        }

                        break;
                    case XmlNodeType.EndElement:
                        if (current is null)
                        {
                            break;
                        }

                        if (field is not null && FieldOf(kind, reader.LocalName) == field)
                        {
                            current.Set(field, text.ToString().Trim());
                            field = null;
                            break;
                        }

                        if (reader.LocalName == current.ElementName)
                        {
                            if (current.ToEntry() is { } entry)
                            {
                                entries.Add(entry);
                            }

                            current = null;
                            field = null;
                        }

                        break;
                }
            }
        }
        catch (XmlException e)
        {
            error = e.Message;
            if (current?.ToEntry() is { } partial && partial.Location.Length > 0 && field is null && entries.Count < MaxEntries)
            {
                entries.Add(partial);
            }
        }

        return new SitemapDocument(kind, entries, truncated, error);
    }

    private static bool IsEntryElement(SitemapKind kind, string name) => kind switch
    {
        SitemapKind.UrlSet => name == "url",
        SitemapKind.Index => name == "sitemap",
        SitemapKind.Feed => name is "item" or "entry",
        _ => false,
    };

    private static string? FieldOf(SitemapKind kind, string name) => (kind, name) switch
    {
        (_, "loc") => "loc",
        (_, "lastmod") => "lastmod",
        (_, "changefreq") => "changefreq",
        (_, "priority") => "priority",
        (SitemapKind.Feed, "link") => "loc",
        (SitemapKind.Feed, "pubDate" or "updated" or "published" or "date") => "lastmod",
        _ => null,
    };

    internal static DateTimeOffset? ParseDate(string value)
    {
        if (value.Length == 0)
        {
            return null;
        }

        string[] partial = ["yyyy", "yyyy-MM"];
        if (DateTimeOffset.TryParseExact(value, partial, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var exact))
        {
            return exact;
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var parsed)
            ? parsed
            : null;
    }

    private sealed class EntryBuilder(string elementName)
    {
        public string ElementName { get; } = elementName;

        public string? Location { get; set; }

        private DateTimeOffset? LastModified { get; set; }

        private string? ChangeFrequency { get; set; }

        private double? Priority { get; set; }

        public void Set(string field, string value)
        {
            switch (field)
            {
                case "loc":
                    Location ??= value.Length > 0 ? value : null;
                    break;
                case "lastmod":
                    LastModified ??= ParseDate(value);
                    break;
                case "changefreq":
                    ChangeFrequency ??= value.Length > 0 ? value.ToLowerInvariant() : null;
                    break;
                case "priority":
                    if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 1)
                    {
                        Priority ??= p;
                    }

                    break;
            }
        }

        public SitemapEntry? ToEntry() =>
            string.IsNullOrEmpty(Location) ? null : new SitemapEntry(Location, LastModified, ChangeFrequency, Priority);
    }
}
