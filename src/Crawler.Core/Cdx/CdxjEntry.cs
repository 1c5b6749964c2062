using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Crawler.Core.Warc;

namespace Crawler.Core.Cdx;

/// <summary>
/// One CDXJ line: <c>&lt;surt&gt; &lt;ts14&gt; {json}</c>, the JSON as pywb and warcio write it
/// (keys url, mime, status, digest, length, offset, filename; status, length and offset as
/// strings; a <c>sha1:</c> digest label dropped; <c>"mime":"warc/revisit"</c> for revisits).
/// </summary>
/// <param name="Url">The original URL (WARC-Target-URI).</param>
/// <param name="Timestamp">The capture time (WARC-Date).</param>
/// <param name="Mime">The payload's media type without parameters.</param>
/// <param name="Status">The HTTP status, when an HTTP exchange.</param>
/// <param name="Digest">The payload digest, labelled (<c>sha1:...</c>) or not.</param>
/// <param name="Filename">The WARC file name, relative to the collection.</param>
/// <param name="Offset">The byte offset of the record's gzip member.</param>
/// <param name="Length">The compressed length of that member.</param>
/// <param name="RecordType">The WARC-Type, e.g. <c>revisit</c>.</param>
public sealed record CdxjEntry(
    string Url,
    DateTimeOffset Timestamp,
    string? Mime,
    int? Status,
    string? Digest,
    string Filename,
    long Offset,
    long Length,
    string? RecordType)
{
    private static readonly JsonWriterOptions JsonOptions = new()
    {
        // A plain-text index, never embedded in HTML: keep URLs readable as pywb/warcio do.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The SURT key of <see cref="Url"/>.</summary>
    public string Key => Surt.Key(Url);

    /// <summary>The line, without a line break.</summary>
    public string ToLine()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("url", Url);
            string? mime = RecordType == WarcRecordType.Revisit ? "warc/revisit" : Mime;
            if (mime is not null)
            {
                json.WriteString("mime", mime);
            }

            if (Status is { } status)
            {
                json.WriteString("status", status.ToString(CultureInfo.InvariantCulture));
            }

            if (IndexDigest(Digest) is { } digest)
            {
                json.WriteString("digest", digest);
            }

            json.WriteString("length", Length.ToString(CultureInfo.InvariantCulture));
            json.WriteString("offset", Offset.ToString(CultureInfo.InvariantCulture));
            json.WriteString("filename", Filename);
            json.WriteEndObject();
        }

        return Key + " " + Surt.Timestamp14(Timestamp) + " " + Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>The digest as indexes carry it: a <c>sha1:</c> label dropped (pywb, warcio),
    /// other labels kept so the algorithm stays known.</summary>
    public static string? IndexDigest(string? payloadDigest) =>
        payloadDigest is not null && payloadDigest.StartsWith("sha1:", StringComparison.OrdinalIgnoreCase)
            ? payloadDigest[5..]
            : payloadDigest;

    /// <summary>
    /// The entry for a record just written, or null for records replay indexes leave out
    /// (warcinfo, request, and metadata/resource records of <c>application/warc-fields</c>).
    /// Status and mime come from the HTTP header block of response and revisit records.
    /// </summary>
    public static CdxjEntry? FromRecord(WarcRecord record, WarcWrittenRecord written, string filename)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(written);
        ArgumentException.ThrowIfNullOrEmpty(filename);
        if (record.TargetUri is null
            || record.Type is WarcRecordType.Warcinfo or WarcRecordType.Request
            || (record.Type is WarcRecordType.Metadata or WarcRecordType.Resource && record.ContentType == WarcRecords.WarcFieldsContentType))
        {
            return null;
        }

        int? status = null;
        string? mime;
        if (record.Type is WarcRecordType.Response or WarcRecordType.Revisit
            && record.ContentType?.StartsWith("application/http", StringComparison.OrdinalIgnoreCase) == true)
        {
            (status, mime) = ParseHttpHead(record.Block.Span);
        }
        else
        {
            mime = record.ContentType;
        }

        return new CdxjEntry(record.TargetUri, record.Date, mime, status, record.PayloadDigest, filename, written.Offset, written.Length, record.Type);
    }

    /// <summary>The status code and parameter-less Content-Type of an HTTP response head.</summary>
    internal static (int? Status, string? Mime) ParseHttpHead(ReadOnlySpan<byte> block)
    {
        int end = block.IndexOf("\r\n\r\n"u8);
        string head = Encoding.Latin1.GetString(end >= 0 ? block[..end] : block);
        string[] lines = head.Split("\r\n");
        int? status = null;
        string[] statusParts = lines[0].Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (statusParts.Length >= 2 && statusParts[0].StartsWith("HTTP/", StringComparison.Ordinal)
            && int.TryParse(statusParts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int code))
        {
            status = code;
        }

        string? mime = null;
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).Trim().Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                mime = line[(colon + 1)..].Split(';', 2)[0].Trim();
                break;
            }
        }

        return (status, mime);
    }
}
