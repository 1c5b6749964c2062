using System.Text;

namespace Crawler.Core.Warc;

/// <summary>Builders for the records a crawler writes (warcinfo, request, response, revisit,
/// metadata, resource), with the fields readers such as pywb and warcio expect.</summary>
public static class WarcRecords
{
    /// <summary>The revisit profile for a payload identical to an earlier capture.</summary>
    public const string IdenticalPayloadDigestProfile = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest";

    /// <summary>The revisit profile for a 304 answer to a conditional request.</summary>
    public const string ServerNotModifiedProfile = "http://netpreserve.org/warc/1.1/revisit/server-not-modified";

    public const string HttpResponseContentType = "application/http;msgtype=response";
    public const string HttpRequestContentType = "application/http;msgtype=request";
    public const string WarcFieldsContentType = "application/warc-fields";
    public const string DnsContentType = "text/dns";

    /// <summary>A <c>warcinfo</c> record (no target URI) whose block lists <paramref name="fields"/>
    /// as <c>name: value</c> lines; <paramref name="filename"/> becomes <c>WARC-Filename</c>.</summary>
    public static WarcRecord Warcinfo(IEnumerable<KeyValuePair<string, string>> fields, DateTimeOffset date, string? filename = null) =>
        new(WarcRecordType.Warcinfo, null, date, WarcFieldsContentType, WarcFields(fields))
        {
            ExtraHeaders = filename is null ? [] : [new("WARC-Filename", filename)],
        };

    /// <summary>A <c>request</c> record: the HTTP request as sent, tied to its response.</summary>
    public static WarcRecord Request(string uri, DateTimeOffset date, string? ip, ReadOnlyMemory<byte> httpRequestBytes, string? concurrentTo)
    {
        ArgumentException.ThrowIfNullOrEmpty(uri);
        return new(WarcRecordType.Request, uri, date, HttpRequestContentType, httpRequestBytes)
        {
            ExtraHeaders = Fields(("WARC-IP-Address", ip), ("WARC-Concurrent-To", concurrentTo)),
        };
    }

    /// <summary>
    /// A <c>response</c> record whose block is the raw HTTP header block (status line, headers,
    /// empty line) followed by the payload. The payload is the entity body after transfer decoding
    /// (de-chunked, still content-encoded), so the headers must not announce chunking for it.
    /// <c>WARC-Payload-Digest</c> is computed over the payload.
    /// </summary>
    public static WarcRecord Response(
        string uri,
        DateTimeOffset date,
        string? ip,
        ReadOnlySpan<byte> httpHeaderBytes,
        ReadOnlySpan<byte> payloadBytes,
        WarcDigestAlgorithm digestAlgorithm = WarcDigestAlgorithm.Sha1Base32)
    {
        ArgumentException.ThrowIfNullOrEmpty(uri);
        RequireHeaderBlock(httpHeaderBytes);
        byte[] block = new byte[httpHeaderBytes.Length + payloadBytes.Length];
        httpHeaderBytes.CopyTo(block);
        payloadBytes.CopyTo(block.AsSpan(httpHeaderBytes.Length));
        return new(WarcRecordType.Response, uri, date, HttpResponseContentType, block)
        {
            PayloadDigest = WarcDigest.Compute(digestAlgorithm, payloadBytes),
            ExtraHeaders = Fields(("WARC-IP-Address", ip)),
        };
    }

    /// <summary>
    /// A <c>revisit</c> record for a payload identical to an earlier capture (same
    /// <paramref name="payloadDigest"/>): the block keeps only the new HTTP headers, hence
    /// <c>WARC-Truncated: length</c>.
    /// </summary>
    public static WarcRecord Revisit(
        string uri,
        DateTimeOffset date,
        string? ip,
        ReadOnlyMemory<byte> httpHeaderBytes,
        string payloadDigest,
        string refersToUri,
        DateTimeOffset refersToDate,
        string? refersToRecordId)
    {
        ArgumentException.ThrowIfNullOrEmpty(uri);
        ArgumentException.ThrowIfNullOrEmpty(payloadDigest);
        ArgumentException.ThrowIfNullOrEmpty(refersToUri);
        RequireHeaderBlock(httpHeaderBytes.Span);
        return new(WarcRecordType.Revisit, uri, date, HttpResponseContentType, httpHeaderBytes)
        {
            PayloadDigest = payloadDigest,
            ExtraHeaders = Fields(
                ("WARC-IP-Address", ip),
                ("WARC-Profile", IdenticalPayloadDigestProfile),
                ("WARC-Truncated", "length"),
                ("WARC-Refers-To", refersToRecordId),
                ("WARC-Refers-To-Target-URI", refersToUri),
                ("WARC-Refers-To-Date", WarcWriter.FormatDate(refersToDate))),
        };
    }

    /// <summary>
    /// A <c>revisit</c> record for a 304 Not Modified answer to a conditional request: the block
    /// is the 304's header block. The earlier capture is named when known.
    /// </summary>
    public static WarcRecord RevisitNotModified(
        string uri,
        DateTimeOffset date,
        string? ip,
        ReadOnlyMemory<byte> httpHeaderBytes,
        string? refersToUri,
        DateTimeOffset? refersToDate,
        string? refersToRecordId)
    {
        ArgumentException.ThrowIfNullOrEmpty(uri);
        RequireHeaderBlock(httpHeaderBytes.Span);
        return new(WarcRecordType.Revisit, uri, date, HttpResponseContentType, httpHeaderBytes)
        {
            ExtraHeaders = Fields(
                ("WARC-IP-Address", ip),
                ("WARC-Profile", ServerNotModifiedProfile),
                ("WARC-Refers-To", refersToRecordId),
                ("WARC-Refers-To-Target-URI", refersToUri),
                ("WARC-Refers-To-Date", refersToDate is { } d ? WarcWriter.FormatDate(d) : null)),
        };
    }

    /// <summary>A <c>metadata</c> record (<c>application/warc-fields</c>) about <paramref name="uri"/>,
    /// concurrent to its response; use <see cref="Outlink"/> for <c>outlink:</c> lines.</summary>
    public static WarcRecord Metadata(string uri, DateTimeOffset date, string? concurrentTo, IEnumerable<KeyValuePair<string, string>> fields)
    {
        ArgumentException.ThrowIfNullOrEmpty(uri);
        return new(WarcRecordType.Metadata, uri, date, WarcFieldsContentType, WarcFields(fields))
        {
            ExtraHeaders = Fields(("WARC-Concurrent-To", concurrentTo)),
        };
    }

    /// <summary>An <c>outlink: URL TYPE</c> field, e.g. <c>Outlink("http://kcna.kp/a", "L a/@href")</c>.</summary>
    public static KeyValuePair<string, string> Outlink(string url, string type)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        ArgumentException.ThrowIfNullOrEmpty(type);
        return new("outlink", url + " " + type);
    }

    /// <summary>A <c>resource</c> record holding <paramref name="bytes"/> as they are.</summary>
    public static WarcRecord Resource(string uri, DateTimeOffset date, string contentType, ReadOnlyMemory<byte> bytes, string? ip = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(uri);
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        return new(WarcRecordType.Resource, uri, date, contentType, bytes)
        {
            ExtraHeaders = Fields(("WARC-IP-Address", ip)),
        };
    }

    /// <summary>A DNS lookup as Heritrix writes it: a <c>resource</c> record for <c>dns:HOST</c>,
    /// <c>text/dns</c>, the answer in zone-file form; <paramref name="resolverIp"/> is the server asked.</summary>
    public static WarcRecord Dns(string hostname, DateTimeOffset date, string zoneText, string? resolverIp = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(hostname);
        ArgumentNullException.ThrowIfNull(zoneText);
        return Resource("dns:" + hostname, date, DnsContentType, Encoding.UTF8.GetBytes(zoneText), resolverIp);
    }

    /// <summary>The <c>application/warc-fields</c> block: <c>name: value</c> CRLF-terminated lines.</summary>
    public static byte[] WarcFields(IEnumerable<KeyValuePair<string, string>> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var text = new StringBuilder();
        foreach (var (name, value) in fields)
        {
            if (name.AsSpan().IndexOfAny(":\r\n") >= 0 || value.AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                throw new ArgumentException($"Invalid warc-fields line '{name}'.", nameof(fields));
            }

            text.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static KeyValuePair<string, string>[] Fields(params (string Name, string? Value)[] fields) =>
        [.. fields.Where(f => f.Value is not null).Select(f => new KeyValuePair<string, string>(f.Name, f.Value!))];

    private static void RequireHeaderBlock(ReadOnlySpan<byte> httpHeaderBytes)
    {
        if (!httpHeaderBytes.EndsWith("\r\n\r\n"u8))
        {
            throw new ArgumentException("The HTTP header block must end with an empty line (CRLF CRLF).", nameof(httpHeaderBytes));
        }
    }
}
