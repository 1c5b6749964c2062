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
}

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
/// it loads back from the store to <see cref="Use"/> so that a restarted writer keeps using them.
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
    }

    /// <summary>Encodes <paramref name="raw"/> for <paramref name="scope"/> (see the class summary).</summary>
    public EncodedRecord Encode(string scope, byte[] raw)
    {
        ArgumentException.ThrowIfNullOrEmpty(scope);
        ArgumentNullException.ThrowIfNull(raw);
        var s = ScopeOf(scope);
        if (s.Compressor is { } compressor && raw.Length >= 16)
        {
            var data = compressor.Wrap(raw).ToArray();
            return data.Length >= raw.Length - (raw.Length / 32)
                ? new EncodedRecord(PayloadCodec.None, null, raw)
                : new EncodedRecord(PayloadCodec.Zstd, s.Dictionary, data);
        }

        var (compression, encoded) = PayloadCodec.Encode(raw);
        if (compression != PayloadCodec.None && s.Samples is { } samples)
        {
            samples.Add(raw.Length <= MaxSampleBytes ? raw : raw[..MaxSampleBytes]);
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
            return;
        }

        Use(CompressionDictionary.Create(name, trained));
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

        public int FailedTrainings { get; set; }

        public CompressionDictionary? Dictionary { get; set; }

        public Compressor? Compressor { get; set; }
    }
}
