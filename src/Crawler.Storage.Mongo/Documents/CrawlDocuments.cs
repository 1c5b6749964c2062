using Crawler.Core.Policies;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;

#pragma warning disable CA1819 // BSON binary fields and embedded arrays map to arrays; these classes only carry data to and from the driver.

namespace Crawler.Storage.Mongo.Documents;

/// <summary>
/// One capture in the <c>captures</c> collection. <c>_id</c> is the capture's own id (a time-ordered
/// GUID v7 string), so a replayed commit finds its capture already there. Absent values are left out of
/// the document rather than stored as null (smaller documents; a missing field reads back as null). A document written
/// since issue 9's archive size keeps headers, outlinks and the text fields no query filters on in <see cref="Bulk"/>
/// (<see cref="CaptureBulk"/>, compressed with the site's dictionary) and leaves their fields out; older documents
/// hold them in their own fields and read as they did.
/// </summary>
[BsonIgnoreExtraElements]
internal sealed class CaptureDocument
{
    [BsonId]
    public string Id { get; set; } = "";

    [BsonElement("url")]
    public string Url { get; set; } = "";

    [BsonElement("host")]
    public string Host { get; set; } = "";

    [BsonElement("epoch")]
    public int Epoch { get; set; }

    [BsonElement("fetchedAt")]
    public DateTime FetchedAt { get; set; }

    [BsonElement("durationMs")]
    public long DurationMs { get; set; }

    [BsonElement("ip"), BsonIgnoreIfNull]
    public string? IpAddress { get; set; }

    [BsonElement("status"), BsonIgnoreIfNull]
    public int? Status { get; set; }

    /// <summary>Null (left out) in a document with a <see cref="Bulk"/>.</summary>
    [BsonElement("requestHeaders"), BsonIgnoreIfNull]
    public byte[]? RequestHeaders { get; set; } = [];

    [BsonElement("responseHeaders"), BsonIgnoreIfNull]
    public byte[]? ResponseHeaders { get; set; }

    [BsonElement("payloadDigest"), BsonIgnoreIfNull]
    public string? PayloadDigest { get; set; }

    [BsonElement("payloadLength")]
    public long PayloadLength { get; set; }

    [BsonElement("contentType"), BsonIgnoreIfNull]
    public string? ContentType { get; set; }

    [BsonElement("error"), BsonIgnoreIfNull]
    public string? Error { get; set; }

    [BsonElement("errorDetail"), BsonIgnoreIfNull]
    public string? ErrorDetail { get; set; }

    [BsonElement("truncated"), BsonIgnoreIfNull]
    public string? Truncated { get; set; }

    [BsonElement("redirectTo"), BsonIgnoreIfNull]
    public string? RedirectTo { get; set; }

    [BsonElement("etag"), BsonIgnoreIfNull]
    public string? ETag { get; set; }

    [BsonElement("lastModified"), BsonIgnoreIfNull]
    public string? LastModified { get; set; }

    [BsonElement("title"), BsonIgnoreIfNull]
    public string? Title { get; set; }

    [BsonElement("language"), BsonIgnoreIfNull]
    public string? Language { get; set; }

    [BsonElement("charset"), BsonIgnoreIfNull]
    public string? Charset { get; set; }

    /// <summary>Left out when the page had none (most error captures).</summary>
    [BsonElement("outlinks"), BsonIgnoreIfNull]
    public OutlinkDocument[]? Outlinks { get; set; }

    [BsonElement("attempt")]
    public int Attempt { get; set; } = 1;

    /// <summary>The stored <see cref="CaptureBulk"/> blob (it names its dictionary by <see cref="DictionaryDocument.Id"/>).</summary>
    [BsonElement("bulk"), BsonIgnoreIfNull]
    public byte[]? Bulk { get; set; }

    /// <summary>
    /// The SURT key of the URL (<see cref="Crawler.Core.Cdx.Surt.Key"/>) when the capture has a response (what a CDX
    /// server lists), else absent: CDX host and domain matches read key ranges of the urlkey index in key order.
    /// Documents of before issue 10 gain it when the store is opened (<see cref="MongoCrawlStore.InitializeAsync"/>).
    /// </summary>
    [BsonElement("urlkey"), BsonIgnoreIfNull]
    public string? UrlKey { get; set; }

    /// <summary>The document as stored since issue 9: <paramref name="c"/>'s plain fields and <paramref name="bulk"/>
    /// (<see cref="CaptureBulk.Store"/> of <see cref="CaptureBulk.Pack"/>) for the rest.</summary>
    public static CaptureDocument Compact(CaptureRecord c, byte[] bulk)
    {
        var document = From(CaptureBulk.Columns(c));
        document.RequestHeaders = null;
        document.Bulk = bulk;
        document.UrlKey = c.Status is null ? null : Crawler.Core.Cdx.Surt.Key(c.Url);
        return document;
    }

    /// <summary>The dictionary reference of <see cref="Bulk"/> (0 for none or no bulk).</summary>
    public long BulkDictionary => Bulk is null ? 0 : CaptureBulk.DictionaryRef(Bulk);

    /// <summary>The record; <paramref name="dictionary"/> is the data of the dictionary <see cref="BulkDictionary"/> names.</summary>
    public CaptureRecord ToRecord(byte[]? dictionary)
    {
        var record = ToRecord();
        return Bulk is null ? record : CaptureBulk.Load(Bulk, dictionary, record);
    }

    /// <summary>The document of <paramref name="c"/> with every field in its own field (a document of before issue 9's
    /// archive size, and the form two captures are compared in).</summary>
    public static CaptureDocument From(CaptureRecord c) => new()
    {
        Id = c.Id,
        Url = c.Url,
        Host = c.Host,
        Epoch = c.Epoch,
        FetchedAt = BsonTime.ToBson(c.FetchedAt),
        DurationMs = c.DurationMs,
        IpAddress = c.IpAddress,
        Status = c.Status,
        RequestHeaders = c.RequestHeaders,
        ResponseHeaders = c.ResponseHeaders,
        PayloadDigest = c.PayloadDigest,
        PayloadLength = c.PayloadLength,
        ContentType = c.ContentType,
        Error = c.Error,
        ErrorDetail = c.ErrorDetail,
        Truncated = c.Truncated,
        RedirectTo = c.RedirectTo,
        ETag = c.ETag,
        LastModified = c.LastModified,
        Title = c.Title,
        Language = c.Language,
        Charset = c.Charset,
        Outlinks = c.Outlinks.Count == 0 ? null : [.. c.Outlinks.Select(o => new OutlinkDocument { Url = o.Url, Kind = o.Kind, InScope = o.InScope })],
        Attempt = c.Attempt,
    };

    public CaptureRecord ToRecord() => new()
    {
        Id = Id,
        Url = Url,
        Host = Host,
        Epoch = Epoch,
        FetchedAt = BsonTime.FromBson(FetchedAt),
        DurationMs = DurationMs,
        IpAddress = IpAddress,
        Status = Status,
        RequestHeaders = RequestHeaders ?? [],
        ResponseHeaders = ResponseHeaders,
        PayloadDigest = PayloadDigest,
        PayloadLength = PayloadLength,
        ContentType = ContentType,
        Error = Error,
        ErrorDetail = ErrorDetail,
        Truncated = Truncated,
        RedirectTo = RedirectTo,
        ETag = ETag,
        LastModified = LastModified,
        Title = Title,
        Language = Language,
        Charset = Charset,
        Outlinks = Outlinks is null ? [] : [.. Outlinks.Select(o => new Outlink(o.Url, o.Kind, o.InScope))],
        Attempt = Attempt,
    };
}

/// <summary>One outlink of a capture, embedded: the links are read with their capture, never on their own.</summary>
[BsonIgnoreExtraElements]
internal sealed class OutlinkDocument
{
    [BsonElement("url")]
    public string Url { get; set; } = "";

    [BsonElement("kind")]
    public string Kind { get; set; } = "";

    [BsonElement("inScope")]
    public bool InScope { get; set; }
}

/// <summary>
/// One payload in the <c>payloads</c> collection, content-addressed: <c>_id</c> is its digest
/// ("sha256:hex"), so identical bodies are stored once however many captures and writers meet them.
/// The bytes are compressed by <see cref="PayloadCodec"/>; those longer than the inline limit live in
/// the GridFS bucket <c>payloadFiles</c> under <see cref="GridFsId"/>, and the document carries no data.
/// </summary>
[BsonIgnoreExtraElements]
internal sealed class PayloadDocument
{
    [BsonId]
    public string Digest { get; set; } = "";

    [BsonElement("compression")]
    public string Compression { get; set; } = PayloadCodec.None;

    [BsonElement("rawLength")]
    public long RawLength { get; set; }

    [BsonElement("storedLength")]
    public long StoredLength { get; set; }

    [BsonElement("data"), BsonIgnoreIfNull]
    public byte[]? Data { get; set; }

    [BsonElement("gridFsId"), BsonIgnoreIfNull]
    public ObjectId? GridFsId { get; set; }

    /// <summary>The <see cref="DictionaryDocument.Id"/> a zstd payload was compressed with (left out: none).</summary>
    [BsonElement("dictionary"), BsonIgnoreIfNull]
    public long? Dictionary { get; set; }
}

/// <summary>
/// One zstd dictionary in the <c>dictionaries</c> collection (issue 9's archive size; <see cref="SiteDictionaries"/>),
/// never deleted: payloads and capture bulks name it by <see cref="Id"/>. The id is taken from the dictionary's digest
/// (<see cref="IdOf"/>), so every writer of a cluster derives the same one without asking the server for a counter, and
/// two writers storing one dictionary store one document.
/// </summary>
[BsonIgnoreExtraElements]
internal sealed class DictionaryDocument
{
    [BsonId]
    public long Id { get; set; }

    [BsonElement("digest")]
    public string Digest { get; set; } = "";

    [BsonElement("scope")]
    public string Scope { get; set; } = "";

    [BsonElement("createdAt")]
    public DateTime CreatedAt { get; set; }

    /// <summary><see cref="CompressionDictionary.StoredCompression"/> of <see cref="Data"/>.</summary>
    [BsonElement("compression")]
    public string Compression { get; set; } = CompressionDictionary.StoredCompression;

    [BsonElement("data")]
    public byte[] Data { get; set; } = [];

    /// <summary>A positive 63-bit id from the first 8 bytes of the dictionary's SHA-256 ("sha256:" + hex).</summary>
    public static long IdOf(CompressionDictionary dictionary)
    {
        var id = long.Parse(dictionary.Digest.AsSpan("sha256:".Length, 16), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) & long.MaxValue;
        return id == 0 ? 1 : id;
    }

    public static DictionaryDocument From(CompressionDictionary dictionary, DateTimeOffset now) => new()
    {
        Id = IdOf(dictionary),
        Digest = dictionary.Digest,
        Scope = dictionary.Scope,
        CreatedAt = BsonTime.ToBson(now),
        Data = dictionary.StoredData(),
    };

    public CompressionDictionary ToDictionary() => new(Digest, Scope, CompressionDictionary.DataFromStored(Compression, Data));
}

/// <summary>
/// One URL of one epoch in the <c>frontier</c> collection; (epoch, url) is its natural key (a unique index).
/// <see cref="Seq"/> orders a host's URLs oldest first: numbers handed out in blocks by the
/// <c>counters</c> document <c>frontier</c> (an atomic <c>$inc</c>), never by a process's memory.
/// </summary>
[BsonIgnoreExtraElements]
internal sealed class FrontierDocument
{
    [BsonId]
    public ObjectId Id { get; set; }

    [BsonElement("epoch")]
    public int Epoch { get; set; }

    [BsonElement("url")]
    public string Url { get; set; } = "";

    [BsonElement("host")]
    public string Host { get; set; } = "";

    [BsonElement("depth")]
    public int Depth { get; set; }

    [BsonElement("via"), BsonIgnoreIfNull]
    public string? Via { get; set; }

    [BsonElement("kind")]
    public string Kind { get; set; } = "seed";

    [BsonElement("state")]
    public FrontierState State { get; set; }

    [BsonElement("attempts")]
    public int Attempts { get; set; }

    [BsonElement("seq")]
    public long Seq { get; set; }

    [BsonElement("retryAt"), BsonIgnoreIfNull]
    public DateTime? RetryAt { get; set; }

    /// <summary>Why a URL was settled without a fetch ("robots", "page-limit"); not part of <see cref="FrontierEntry"/>.</summary>
    [BsonElement("reason"), BsonIgnoreIfNull]
    public string? Reason { get; set; }

    /// <summary>What the URL's final fetch in the epoch found (or why it was settled): counted by the site's job; not part of <see cref="FrontierEntry"/>.</summary>
    [BsonElement("outcome"), BsonIgnoreIfNull]
    public RecrawlOutcome? Outcome { get; set; }

    public FrontierEntry ToEntry() => new()
    {
        Url = Url,
        Host = Host,
        Epoch = Epoch,
        Depth = Depth,
        Via = Via,
        Kind = Kind,
        State = State,
        Attempts = Attempts,
        RetryAt = BsonTime.FromBson(RetryAt),
    };
}

/// <summary>
/// One URL's recrawl schedule in the <c>schedules</c> collection, across epochs: <c>_id</c> is the URL (its natural key,
/// as in SQLite). The interval is kept in ticks (the policy computes it to the tick); times are BSON dates.
/// </summary>
[BsonIgnoreExtraElements]
internal sealed class ScheduleDocument
{
    [BsonId]
    public string Url { get; set; } = "";

    [BsonElement("host")]
    public string Host { get; set; } = "";

    [BsonElement("pageClass")]
    public PageClass PageClass { get; set; }

    [BsonElement("intervalTicks")]
    public long IntervalTicks { get; set; }

    [BsonElement("lastFetchedAt")]
    public DateTime LastFetchedAt { get; set; }

    [BsonElement("lastChangedAt"), BsonIgnoreIfNull]
    public DateTime? LastChangedAt { get; set; }

    [BsonElement("dueAt")]
    public DateTime DueAt { get; set; }

    [BsonElement("payloadDigest"), BsonIgnoreIfNull]
    public string? PayloadDigest { get; set; }

    [BsonElement("fetches")]
    public int Fetches { get; set; }

    [BsonElement("changes")]
    public int Changes { get; set; }

    [BsonElement("epoch")]
    public int Epoch { get; set; }

    public static ScheduleDocument From(UrlSchedule s) => new()
    {
        Url = s.Url,
        Host = s.Host,
        PageClass = s.PageClass,
        IntervalTicks = s.Interval.Ticks,
        LastFetchedAt = BsonTime.ToBson(s.LastFetchedAt),
        LastChangedAt = BsonTime.ToBson(s.LastChangedAt),
        DueAt = BsonTime.ToBson(s.DueAt),
        PayloadDigest = s.PayloadDigest,
        Fetches = s.Fetches,
        Changes = s.Changes,
        Epoch = s.Epoch,
    };

    public UrlSchedule ToSchedule() => new()
    {
        Url = Url,
        Host = Host,
        PageClass = PageClass,
        Interval = TimeSpan.FromTicks(IntervalTicks),
        LastFetchedAt = BsonTime.FromBson(LastFetchedAt),
        LastChangedAt = BsonTime.FromBson(LastChangedAt),
        DueAt = BsonTime.FromBson(DueAt),
        PayloadDigest = PayloadDigest,
        Fetches = Fetches,
        Changes = Changes,
        Epoch = Epoch,
    };
}

/// <summary>
/// The marks of one site's job in one epoch (<c>jobs</c> collection); (host, epoch) is its natural key (a unique index).
/// Its statistics are not stored: <see cref="ICrawlStore.GetJobsAsync"/> counts them from the frontier and the captures.
/// </summary>
[BsonIgnoreExtraElements]
internal sealed class JobDocument
{
    [BsonId]
    public ObjectId Id { get; set; }

    [BsonElement("host")]
    public string Host { get; set; } = "";

    [BsonElement("epoch")]
    public int Epoch { get; set; }

    /// <summary>The first start marked.</summary>
    [BsonElement("startedAt"), BsonIgnoreIfNull]
    public DateTime? StartedAt { get; set; }

    /// <summary>The last finish marked.</summary>
    [BsonElement("finishedAt"), BsonIgnoreIfNull]
    public DateTime? FinishedAt { get; set; }
}

/// <summary>A crawl-wide setting (<c>settings</c> collection), keyed by name.</summary>
[BsonIgnoreExtraElements]
internal sealed class SettingDocument
{
    [BsonId]
    public string Key { get; set; } = "";

    [BsonElement("value")]
    public string Value { get; set; } = "";
}

/// <summary>A named counter (<c>counters</c> collection): the last number handed out.</summary>
[BsonIgnoreExtraElements]
internal sealed class CounterDocument
{
    [BsonId]
    public string Name { get; set; } = "";

    [BsonElement("value")]
    public long Value { get; set; }
}

/// <summary>A crawl log row (<c>crawlLog</c> collection): a URL declined or not archived in an epoch, unique by (epoch, url).</summary>
[BsonIgnoreExtraElements]
internal sealed class CrawlLogDocument
{
    [BsonId]
    public ObjectId Id { get; set; }

    [BsonElement("epoch")]
    public int Epoch { get; set; }

    [BsonElement("url")]
    public string Url { get; set; } = "";

    [BsonElement("host")]
    public string Host { get; set; } = "";

    [BsonElement("reason")]
    public string Reason { get; set; } = "";

    [BsonElement("detail"), BsonIgnoreIfNull]
    public string? Detail { get; set; }

    [BsonElement("via"), BsonIgnoreIfNull]
    public string? Via { get; set; }

    [BsonElement("depth")]
    public int Depth { get; set; }

    [BsonElement("at")]
    public DateTime At { get; set; }

    public static CrawlLogDocument From(CrawlLogEntry e) => new()
    {
        Epoch = e.Epoch,
        Url = e.Url,
        Host = e.Host,
        Reason = e.Reason,
        Detail = e.Detail,
        Via = e.Via,
        Depth = e.Depth,
        At = BsonTime.ToBson(e.At),
    };

    public CrawlLogEntry ToEntry() => new()
    {
        Epoch = Epoch,
        Url = Url,
        Host = Host,
        Reason = Reason,
        Detail = Detail,
        Via = Via,
        Depth = Depth,
        At = BsonTime.FromBson(At),
    };
}
