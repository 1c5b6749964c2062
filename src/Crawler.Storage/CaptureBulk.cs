namespace Crawler.Storage;

/// <summary>
/// The rarely-queried bulk of a capture record as one compressed blob, so that a store keeps the columns queries filter on
/// plain and compresses the rest with the site's dictionary (issue 9's archive size: outlink JSON was most of a capture
/// row). Format 1 (schema 4) packed request and response headers and outlinks; format 2 (schema 5) also the text fields
/// no query filters on (<see cref="Details"/>: address, content type, validators, title, ...), which are most of what
/// a row's columns held. Layout of the stored blob: a codec byte (0 none, 1 Brotli, 2 zstd), the dictionary reference
/// (7-bit encoded, 0 for none: the store's own short id of a <see cref="CompressionDictionary"/>), the raw length
/// (7-bit encoded), then the encoded bytes of <see cref="Pack"/>. Hand-written because it is a dozen lines over
/// <see cref="BinaryWriter"/> and no serializer stores less. Pure.
/// </summary>
public static class CaptureBulk
{
    private const byte FormatVersion = 2;

    /// <summary>The text fields format 2 keeps in the bulk, in their packed order (a store leaves their columns empty).</summary>
    private static readonly (Func<CaptureRecord, string?> Get, Func<CaptureRecord, string?, CaptureRecord> Set)[] Details =
    [
        (c => c.IpAddress, (c, v) => c with { IpAddress = v }),
        (c => c.ContentType, (c, v) => c with { ContentType = v }),
        (c => c.ErrorDetail, (c, v) => c with { ErrorDetail = v }),
        (c => c.Truncated, (c, v) => c with { Truncated = v }),
        (c => c.RedirectTo, (c, v) => c with { RedirectTo = v }),
        (c => c.ETag, (c, v) => c with { ETag = v }),
        (c => c.LastModified, (c, v) => c with { LastModified = v }),
        (c => c.Title, (c, v) => c with { Title = v }),
        (c => c.Language, (c, v) => c with { Language = v }),
        (c => c.Charset, (c, v) => c with { Charset = v }),
    ];

    /// <summary><paramref name="capture"/> without what <see cref="Pack"/> keeps: what a store writes to its plain
    /// columns next to the bulk.</summary>
    public static CaptureRecord Columns(CaptureRecord capture)
    {
        ArgumentNullException.ThrowIfNull(capture);
        var columns = capture with { RequestHeaders = [], ResponseHeaders = null, Outlinks = [] };
        foreach (var (_, set) in Details)
        {
            columns = set(columns, null);
        }

        return columns;
    }

    /// <summary>The raw (uncompressed) bulk of format 2: a version byte, the outlinks (url, kind, in scope), the request
    /// headers, the response headers (length -1 for none), then a bit set of the <see cref="Details"/> present and each
    /// of them.</summary>
    public static byte[] Pack(CaptureRecord capture)
    {
        ArgumentNullException.ThrowIfNull(capture);
        var request = capture.RequestHeaders;
        var response = capture.ResponseHeaders;
        using var buffer = new MemoryStream(request.Length + (response?.Length ?? 0) + (capture.Outlinks.Count * 64) + 128);
        using (var w = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write(FormatVersion);
            w.Write7BitEncodedInt(capture.Outlinks.Count);
            foreach (var link in capture.Outlinks)
            {
                w.Write(link.Url);
                w.Write(link.Kind);
                w.Write(link.InScope);
            }

            w.Write7BitEncodedInt(request.Length);
            w.Write(request);
            w.Write7BitEncodedInt(response?.Length ?? -1);
            if (response is not null)
            {
                w.Write(response);
            }

            var present = 0;
            for (var i = 0; i < Details.Length; i++)
            {
                present |= Details[i].Get(capture) is null ? 0 : 1 << i;
            }

            w.Write7BitEncodedInt(present);
            foreach (var (get, _) in Details)
            {
                if (get(capture) is { } value)
                {
                    w.Write(value);
                }
            }
        }

        return buffer.ToArray();
    }

    /// <summary><paramref name="columns"/> (a capture as read from a store's plain columns) with the fields a raw bulk of
    /// format 1 or 2 packed; <see cref="InvalidDataException"/> for bytes <see cref="Pack"/> did not write.</summary>
    public static CaptureRecord Unpack(byte[] raw, CaptureRecord columns)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(columns);
        try
        {
            using var r = new BinaryReader(new MemoryStream(raw, writable: false), System.Text.Encoding.UTF8);
            var version = r.ReadByte();
            if (version is not (1 or FormatVersion))
            {
                throw new InvalidDataException($"Unknown capture bulk format {version}.");
            }

            var outlinks = new Outlink[r.Read7BitEncodedInt()];
            for (var i = 0; i < outlinks.Length; i++)
            {
                outlinks[i] = new Outlink(r.ReadString(), r.ReadString(), r.ReadBoolean());
            }

            var request = Exactly(r, r.Read7BitEncodedInt());
            var responseLength = r.Read7BitEncodedInt();
            var response = responseLength < 0 ? null : Exactly(r, responseLength);
            var capture = columns with { RequestHeaders = request, ResponseHeaders = response, Outlinks = outlinks };
            if (version == FormatVersion)
            {
                var present = r.Read7BitEncodedInt();
                for (var i = 0; i < Details.Length; i++)
                {
                    capture = Details[i].Set(capture, (present & (1 << i)) == 0 ? null : r.ReadString());
                }
            }

            return r.BaseStream.Position == raw.Length
                ? capture
                : throw new InvalidDataException("Capture bulk has trailing bytes.");
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException or ArgumentOutOfRangeException)
        {
            throw new InvalidDataException("Capture bulk is truncated or malformed.", e);
        }
    }

    /// <summary>BinaryReader.ReadBytes returns fewer bytes at the end of the stream; a bulk that ends early is truncated.</summary>
    private static byte[] Exactly(BinaryReader r, int count)
    {
        var bytes = r.ReadBytes(count);
        return bytes.Length == count ? bytes : throw new EndOfStreamException();
    }

    /// <summary>The stored blob of an encoded bulk (see the class summary).</summary>
    public static byte[] Store(EncodedRecord encoded, long dictionaryRef, int rawLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dictionaryRef);
        if ((encoded.Dictionary is null) != (dictionaryRef == 0))
        {
            throw new ArgumentException("A dictionary reference goes with a dictionary-encoded record, and only with one.", nameof(dictionaryRef));
        }

        using var buffer = new MemoryStream(encoded.Data.Length + 12);
        using (var w = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write(encoded.Compression switch
            {
                PayloadCodec.None => (byte)0,
                PayloadCodec.Brotli => (byte)1,
                PayloadCodec.Zstd => (byte)2,
                _ => throw new ArgumentException($"Unknown codec '{encoded.Compression}'.", nameof(encoded)),
            });
            w.Write7BitEncodedInt64(dictionaryRef);
            w.Write7BitEncodedInt(rawLength);
            w.Write(encoded.Data);
        }

        return buffer.ToArray();
    }

    /// <summary>The dictionary reference a stored blob names (0 for none), so that the store can look it up.</summary>
    public static long DictionaryRef(byte[] stored) => Header(stored).DictionaryRef;

    /// <summary>Decodes a stored blob onto <paramref name="columns"/> (see <see cref="Unpack"/>); <paramref name="dictionary"/>
    /// is the data of the dictionary it names (null when it names none).</summary>
    public static CaptureRecord Load(byte[] stored, byte[]? dictionary, CaptureRecord columns)
    {
        var (compression, dictionaryRef, rawLength, offset) = Header(stored);
        if (dictionaryRef != 0 && dictionary is null)
        {
            throw new InvalidDataException($"Capture bulk names dictionary {dictionaryRef}, which was not supplied.");
        }

        var raw = PayloadCodec.Decode(compression, rawLength, stored[offset..], dictionary);
        return Unpack(raw, columns);
    }

    private static (string Compression, long DictionaryRef, int RawLength, int Offset) Header(byte[] stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        try
        {
            using var r = new BinaryReader(new MemoryStream(stored, writable: false));
            var compression = r.ReadByte() switch
            {
                0 => PayloadCodec.None,
                1 => PayloadCodec.Brotli,
                2 => PayloadCodec.Zstd,
                var b => throw new InvalidDataException($"Unknown capture bulk codec {b}."),
            };
            var dictionaryRef = r.Read7BitEncodedInt64();
            var rawLength = r.Read7BitEncodedInt();
            return (compression, dictionaryRef, rawLength, checked((int)r.BaseStream.Position));
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException)
        {
            throw new InvalidDataException("Capture bulk header is truncated or malformed.", e);
        }
    }
}
