namespace Crawler.Storage;

/// <summary>
/// The rarely-queried bulk of a capture record (request and response headers, outlinks) as one compressed blob, so
/// that a store keeps the columns queries filter on plain and compresses the rest with the site's dictionary (issue 9's
/// archive size: outlink JSON was most of a capture row). Layout of the stored blob: a codec byte (0 none, 1 Brotli,
/// 2 zstd), the dictionary reference (7-bit encoded, 0 for none: the store's own short id of a
/// <see cref="CompressionDictionary"/>), the raw length (7-bit encoded), then the encoded bytes of <see cref="Pack"/>.
/// Hand-written because it is a dozen lines over <see cref="BinaryWriter"/> and no serializer stores less. Pure.
/// </summary>
public static class CaptureBulk
{
    private const byte FormatVersion = 1;

    /// <summary>The raw (uncompressed) bulk: a version byte, then the request headers, the response headers (length
    /// -1 for none) and the outlinks (url, kind, in scope).</summary>
    public static byte[] Pack(byte[] requestHeaders, byte[]? responseHeaders, IReadOnlyList<Outlink> outlinks)
    {
        ArgumentNullException.ThrowIfNull(requestHeaders);
        ArgumentNullException.ThrowIfNull(outlinks);
        using var buffer = new MemoryStream(requestHeaders.Length + (responseHeaders?.Length ?? 0) + (outlinks.Count * 64) + 16);
        using (var w = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write(FormatVersion);
            w.Write7BitEncodedInt(outlinks.Count);
            foreach (var link in outlinks)
            {
                w.Write(link.Url);
                w.Write(link.Kind);
                w.Write(link.InScope);
            }

            w.Write7BitEncodedInt(requestHeaders.Length);
            w.Write(requestHeaders);
            w.Write7BitEncodedInt(responseHeaders?.Length ?? -1);
            if (responseHeaders is not null)
            {
                w.Write(responseHeaders);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>The fields <see cref="Pack"/> packed; <see cref="InvalidDataException"/> for bytes it did not write.</summary>
    public static (byte[] RequestHeaders, byte[]? ResponseHeaders, Outlink[] Outlinks) Unpack(byte[] raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        try
        {
            using var r = new BinaryReader(new MemoryStream(raw, writable: false), System.Text.Encoding.UTF8);
            var version = r.ReadByte();
            if (version != FormatVersion)
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
            return r.BaseStream.Position == raw.Length
                ? (request, response, outlinks)
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

    /// <summary>Decodes a stored blob to the fields packed; <paramref name="dictionary"/> is the data of the dictionary
    /// it names (null when it names none).</summary>
    public static (byte[] RequestHeaders, byte[]? ResponseHeaders, Outlink[] Outlinks) Load(byte[] stored, byte[]? dictionary)
    {
        var (compression, dictionaryRef, rawLength, offset) = Header(stored);
        if (dictionaryRef != 0 && dictionary is null)
        {
            throw new InvalidDataException($"Capture bulk names dictionary {dictionaryRef}, which was not supplied.");
        }

        var raw = PayloadCodec.Decode(compression, rawLength, stored[offset..], dictionary);
        return Unpack(raw);
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
