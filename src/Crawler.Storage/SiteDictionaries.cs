using System.Security.Cryptography;
using ZstdSharp;

namespace Crawler.Storage;

/// <summary>
/// A zstd dictionary trained on one scope's records (one site's payloads, or one site's capture records), kept in the
/// store it compressed records for. Content-addressed by <see cref="Digest"/> (SHA-256 of <see cref="Data"/>), so two
/// writers training the same bytes store one dictionary. A store never deletes a dictionary: every record it
/// compressed names it.
/// </summary>
public sealed record CompressionDictionary(string Digest, string Scope, byte[] Data)
{
    public static CompressionDictionary Create(string scope, byte[] data)
    {
        ArgumentException.ThrowIfNullOrEmpty(scope);
        ArgumentNullException.ThrowIfNull(data);
        return new CompressionDictionary("sha256:" + Convert.ToHexStringLower(SHA256.HashData(data)), scope, data);
    }

    /// <summary>The codec a store keeps dictionary data with: a trained dictionary is mostly its site's own text and
    /// zstd at <see cref="StoredLevel"/> keeps it in ~1/4 of its size (read once per process, written once per site).</summary>
    public const string StoredCompression = PayloadCodec.Zstd;

    private const int StoredLevel = 19;

    /// <summary><see cref="Data"/> as a store keeps it (<see cref="StoredCompression"/>, no dictionary).</summary>
    public byte[] StoredData()
    {
        using var compressor = new Compressor(StoredLevel);
        return compressor.Wrap(Data).ToArray();
    }

    /// <summary>A dictionary's data from what a store kept: <paramref name="compression"/> null for raw data (stores of
    /// schema 4), else <see cref="StoredCompression"/>.</summary>
    public static byte[] DataFromStored(string? compression, byte[] stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return compression switch
        {
            null => stored,
            StoredCompression => PayloadCodec.ZstdDecode(stored, -1, null),
            _ => throw new InvalidDataException($"A stored dictionary names the unknown codec '{compression}'."),
        };
    }
}

/// <summary>A record of a scope stored before the scope's dictionary was trained, encoded again with it
/// (<see cref="SiteDictionaries.TakeRecoded"/>): the store replaces the stored form of the record <see cref="Key"/> names.</summary>
public sealed record RecodedRecord(string Key, int RawLength, EncodedRecord Record);

/// <summary>One record encoded by <see cref="SiteDictionaries"/>: the codec, the dictionary it used (null for none)
/// and the stored bytes.</summary>
public readonly record struct EncodedRecord(string Compression, CompressionDictionary? Dictionary, byte[] Data);

/// <summary>
/// Per-scope dictionary compression (issue 9's archive size): pages of one site share their navigation, head, footer
/// and link prefixes, which a per-record codec (Brotli, or wget's gzip per WARC record) stores again in every record.
/// Until a scope has a dictionary its records are encoded by <see cref="PayloadCodec.Encode(byte[])"/> (Brotli) and the
/// compressible ones are kept as training samples; once <see cref="SamplesToTrain"/> samples exist a zstd dictionary
/// is trained from them (once per scope and process) and every later record of the scope is zstd with it. The caller
/// stores the dictionary an <see cref="EncodedRecord"/> names before (or with) the record, and hands the dictionaries
/// it loads back from the store to <see cref="Use"/> so that a restarted writer keeps using them. Samples encoded with
/// a key (the store's key of the record) are encoded again once the dictionary is trained, and the store takes them
/// from <see cref="TakeRecoded"/> to replace their Brotli form (so no site keeps its first pages at Brotli's size).
/// Not thread-safe: one writer (under the store's write lock).
/// </summary>
public sealed class SiteDictionaries
{
    /// <summary>zstd level 3 (zstd's default): with a dictionary it beats Brotli q1 on small pages at a similar speed.</summary>
    public const int Level = 3;

    private readonly Dictionary<string, Scope> _scopes = new(StringComparer.Ordinal);

    public SiteDictionaries(int samplesToTrain = 32, int dictionaryCapacity = 16 * 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samplesToTrain, 8);
        ArgumentOutOfRangeException.ThrowIfLessThan(dictionaryCapacity, 1024);
        SamplesToTrain = samplesToTrain;
        DictionaryCapacity = dictionaryCapacity;
    }

    /// <summary>Compressible records of a scope collected before its dictionary is trained.</summary>
    public int SamplesToTrain { get; }

    /// <summary>Largest dictionary trained, in bytes (stored once per scope).</summary>
    public int DictionaryCapacity { get; }

    /// <summary>Largest part of a record taken as a training sample (the head of a page carries what pages share).</summary>
    private const int MaxSampleBytes = 32 * 1024;

    /// <summary>A scope's dictionary, or null when none is trained or loaded yet.</summary>
    public CompressionDictionary? DictionaryOf(string scope) => _scopes.TryGetValue(scope, out var s) ? s.Dictionary : null;

    /// <summary>Makes <paramref name="dictionary"/> its scope's current dictionary (one loaded from the store).</summary>
    public void Use(CompressionDictionary dictionary)
    {
        ArgumentNullException.ThrowIfNull(dictionary);
        var scope = ScopeOf(dictionary.Scope);
        scope.Dictionary = dictionary;
        scope.Compressor?.Dispose();
        scope.Compressor = new Compressor(Level);
        scope.Compressor.LoadDictionary(dictionary.Data);
        scope.Samples = null;
        scope.Keyed = [];
    }

    /// <summary>Largest sample kept whole to be encoded again after training (larger ones stay as they were stored), so a
    /// scope waiting for its samples holds at most <see cref="SamplesToTrain"/> × 64 KB.</summary>
    public const int MaxRecodeBytes = 64 * 1024;

    private List<RecodedRecord> _recoded = [];

    /// <summary>
    /// Encodes <paramref name="raw"/> for <paramref name="scope"/> (see the class summary). <paramref name="key"/> names
    /// the record in the store: a record kept as a sample is encoded again when the dictionary is trained
    /// (<see cref="TakeRecoded"/>).
    /// </summary>
    public EncodedRecord Encode(string scope, byte[] raw, string? key = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(scope);
        ArgumentNullException.ThrowIfNull(raw);
        var s = ScopeOf(scope);
        if (s.Compressor is { } compressor && raw.Length >= 16)
        {
            var data = Compress(compressor, raw);
            return data.Length >= raw.Length - (raw.Length / 32)
                ? new EncodedRecord(PayloadCodec.None, null, raw)
                : new EncodedRecord(PayloadCodec.Zstd, s.Dictionary, data);
        }

        var (compression, encoded) = PayloadCodec.Encode(raw);
        if (compression != PayloadCodec.None && s.Samples is { } samples)
        {
            samples.Add(raw.Length <= MaxSampleBytes ? raw : raw[..MaxSampleBytes]);
            if (key is not null && raw.Length <= MaxRecodeBytes)
            {
                s.Keyed.Add((key, raw, encoded.Length));
            }

            if (samples.Count >= SamplesToTrain)
            {
                Train(scope, s);
            }
        }

        return new EncodedRecord(compression, null, encoded);
    }

    private void Train(string name, Scope s)
    {
        byte[] trained;
        try
        {
            trained = DictBuilder.TrainFromBuffer(s.Samples!, DictionaryCapacity).ToArray();
        }
        catch (ZstdException)
        {
            // Too few distinct patterns to train on (zstd refuses): collect as many samples again, then retry.
            s.Samples = ++s.FailedTrainings < 3 ? [] : null;
            s.Keyed = [];
            return;
        }

        var keyed = s.Keyed;
        Use(CompressionDictionary.Create(name, trained));
        foreach (var (key, raw, stored) in keyed)
        {
            var data = Compress(s.Compressor!, raw);
            if (data.Length < stored)
            {
                _recoded.Add(new RecodedRecord(key, raw.Length, new EncodedRecord(PayloadCodec.Zstd, s.Dictionary, data)));
            }
        }
    }

    /// <summary>The samples encoded again by the training the last <see cref="Encode"/> calls did (usually none), each
    /// once. The caller stores the record it just encoded first (it is one of them), then replaces their stored forms
    /// and stores the dictionary they name.</summary>
    public IReadOnlyList<RecodedRecord> TakeRecoded()
    {
        if (_recoded.Count == 0)
        {
            return [];
        }

        var taken = _recoded;
        _recoded = [];
        return taken;
    }

    /// <summary>Where a record is compressed before it is copied out at its size: Compressor.Wrap(src) allocates an array of
    /// the compress bound for every record (two a page), then copied again. Records up to <see cref="MaxScratchBytes"/>
    /// only, so that one large page does not keep a large buffer for the life of the writer.</summary>
    private byte[] _scratch = [];

    private const int MaxScratchBytes = 256 * 1024;

    private byte[] Compress(Compressor compressor, byte[] raw)
    {
        var bound = Compressor.GetCompressBound(raw.Length);
        if (bound > MaxScratchBytes)
        {
            return compressor.Wrap(raw).ToArray();
        }

        if (_scratch.Length < bound)
        {
            _scratch = new byte[Math.Min(MaxScratchBytes, Math.Max(bound, 2 * _scratch.Length))];
        }

        return _scratch.AsSpan(0, compressor.Wrap(raw, _scratch)).ToArray();
    }

    private Scope ScopeOf(string name)
    {
        if (!_scopes.TryGetValue(name, out var scope))
        {
            scope = new Scope();
            _scopes.Add(name, scope);
        }

        return scope;
    }

    private sealed class Scope
    {
        public List<byte[]>? Samples { get; set; } = [];

        /// <summary>Samples the store named, whole, with their stored length: encoded again once trained.</summary>
        public List<(string Key, byte[] Raw, int Stored)> Keyed { get; set; } = [];

        public int FailedTrainings { get; set; }

        public CompressionDictionary? Dictionary { get; set; }

        public Compressor? Compressor { get; set; }
    }
}
