using System.Globalization;

namespace Crawler.Core.Warc;

/// <summary>WARC 1.1 record types.</summary>
public static class WarcRecordType
{
    public const string Warcinfo = "warcinfo";
    public const string Response = "response";
    public const string Resource = "resource";
    public const string Request = "request";
    public const string Metadata = "metadata";
    public const string Revisit = "revisit";
    public const string Conversion = "conversion";
    public const string Continuation = "continuation";
}

/// <summary>
/// One WARC record to write. The writer adds <c>WARC-Block-Digest</c> and <c>Content-Length</c>
/// itself; <see cref="PayloadDigest"/> is written when set.
/// </summary>
/// <param name="Type">The <c>WARC-Type</c>, e.g. <see cref="WarcRecordType.Response"/>.</param>
/// <param name="TargetUri">The <c>WARC-Target-URI</c>; null for warcinfo.</param>
/// <param name="Date">The <c>WARC-Date</c>; written in UTC with microseconds.</param>
/// <param name="ContentType">The record's <c>Content-Type</c>, if any.</param>
/// <param name="Block">The content block, exactly as it goes into the file.</param>
public sealed record WarcRecord(string Type, string? TargetUri, DateTimeOffset Date, string? ContentType, ReadOnlyMemory<byte> Block)
{
    /// <summary>Further named fields, written after the standard ones in this order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ExtraHeaders { get; init; } = [];

    /// <summary>The <c>WARC-Record-ID</c>, <c>&lt;urn:uuid:...&gt;</c>.</summary>
    public string RecordId { get; init; } = NewId();

    /// <summary>The labelled <c>WARC-Payload-Digest</c> (e.g. <c>sha1:...</c>), when the block has a payload.</summary>
    public string? PayloadDigest { get; init; }

    /// <summary>A fresh <c>&lt;urn:uuid:...&gt;</c> record id.</summary>
    public static string NewId() => "<urn:uuid:" + Guid.NewGuid().ToString("D", CultureInfo.InvariantCulture) + ">";

    /// <summary>The value of a named extra header (case-insensitive), or null.</summary>
    public string? ExtraHeader(string name)
    {
        foreach (var (key, value) in ExtraHeaders)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }
}

/// <summary>Where a record landed in the file: its id, the byte offset of its first byte (the gzip
/// member's start for .warc.gz) and its length on disk (the compressed member length).</summary>
public sealed record WarcWrittenRecord(string RecordId, long Offset, long Length);
