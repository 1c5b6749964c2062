// Hand-written for the same reason as WarcWriter: no maintained .NET WARC library exists. A
// minimal reader: version line, header fields, Content-Length bytes of block, for .warc and
// multi-member .warc.gz (System.IO.Compression.GZipStream reads concatenated members).
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Crawler.Core.Warc;

/// <summary>One record read back: its header fields in file order and its whole content block.</summary>
public sealed class WarcReadRecord
{
    internal WarcReadRecord(string version, IReadOnlyList<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> block)
    {
        Version = version;
        Headers = headers;
        Block = block;
    }

    /// <summary>The version line, e.g. <c>WARC/1.1</c>.</summary>
    public string Version { get; }

    /// <summary>The header fields in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The content block (Content-Length bytes).</summary>
    public ReadOnlyMemory<byte> Block { get; }

    public string Type => Header("WARC-Type") ?? string.Empty;

    public string? RecordId => Header("WARC-Record-ID");

    public string? TargetUri => Header("WARC-Target-URI");

    public string? ContentType => Header("Content-Type");

    public string? PayloadDigest => Header("WARC-Payload-Digest");

    public string? BlockDigest => Header("WARC-Block-Digest");

    /// <summary>The parsed <c>WARC-Date</c>, or null when absent or unreadable.</summary>
    public DateTimeOffset? Date =>
        DateTimeOffset.TryParse(Header("WARC-Date"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var d)
            ? d
            : null;

    /// <summary>The first header field of that name (case-insensitive), or null.</summary>
    public string? Header(string name)
    {
        foreach (var (key, value) in Headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>All header fields of that name (case-insensitive), in file order.</summary>
    public IEnumerable<string> HeaderValues(string name) =>
        Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    /// <summary>Splits an HTTP message block at its first empty line into the header block
    /// (ending with CRLF CRLF) and the payload; false when the block has no empty line.</summary>
    public bool TrySplitHttp(out ReadOnlyMemory<byte> httpHead, out ReadOnlyMemory<byte> payload)
    {
        int end = Block.Span.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            httpHead = default;
            payload = default;
            return false;
        }

        httpHead = Block[..(end + 4)];
        payload = Block[(end + 4)..];
        return true;
    }
}

/// <summary>Iterates the records of a .warc or .warc.gz stream (gzip detected from the magic bytes).</summary>
public sealed class WarcReader : IDisposable
{
    private const int MaxLineLength = 1 << 16;
    private const int MaxHeaderFields = 1024;

    private readonly Stream _input;
    private readonly bool _leaveOpen;
    private Stream _source;
    private byte[] _buffer = new byte[65536];
    private int _pos;
    private int _len;
    private bool _started;

    /// <summary>Reads from <paramref name="input"/>'s current position.</summary>
    public WarcReader(Stream input, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        _input = input;
        _source = input;
        _leaveOpen = leaveOpen;
    }

    /// <summary>True once the input turned out to be gzip-compressed.</summary>
    public bool IsCompressed { get; private set; }

    /// <summary>All remaining records.</summary>
    public IEnumerable<WarcReadRecord> ReadAll()
    {
        while (Read() is { } record)
        {
            yield return record;
        }
    }

    /// <summary>The next record, or null at the end of the input.</summary>
    /// <exception cref="InvalidDataException">The input is not WARC.</exception>
    public WarcReadRecord? Read()
    {
        if (!_started)
        {
            Start();
        }

        string? version;
        do
        {
            version = ReadLine();
            if (version is null)
            {
                return null;
            }
        }
        while (version.Length == 0);

        if (!version.StartsWith("WARC/", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Expected a WARC version line, found '{Truncate(version)}'.");
        }

        var headers = new List<KeyValuePair<string, string>>();
        while (true)
        {
            string line = ReadLine() ?? throw new InvalidDataException("The input ended inside a WARC header.");
            if (line.Length == 0)
            {
                break;
            }

            if (line[0] is ' ' or '\t' && headers.Count > 0)
            {
                var last = headers[^1];
                headers[^1] = new(last.Key, last.Value + " " + line.Trim());
                continue;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new InvalidDataException($"Malformed WARC header line '{Truncate(line)}'.");
            }

            if (headers.Count >= MaxHeaderFields)
            {
                throw new InvalidDataException("Too many WARC header fields.");
            }

            headers.Add(new(line[..colon].Trim(), line[(colon + 1)..].Trim()));
        }

        string? lengthText = headers.FirstOrDefault(h => string.Equals(h.Key, "Content-Length", StringComparison.OrdinalIgnoreCase)).Value;
        if (!long.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out long length) || length > Array.MaxLength)
        {
            throw new InvalidDataException($"Missing or unusable Content-Length '{lengthText}'.");
        }

        byte[] block = ReadExactly((int)length);
        return new WarcReadRecord(version, headers, block);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!ReferenceEquals(_source, _input))
        {
            _source.Dispose();
        }

        if (!_leaveOpen)
        {
            _input.Dispose();
        }
    }

    private void Start()
    {
        _started = true;
        while (_len < 2 && Fill())
        {
        }

        if (_len >= 2 && _buffer[0] == 0x1f && _buffer[1] == 0x8b)
        {
            IsCompressed = true;
            var rest = new PrefixedStream(_buffer.AsMemory(0, _len).ToArray(), _input);
            _source = new GZipStream(rest, CompressionMode.Decompress, leaveOpen: true);
            _buffer = new byte[65536];
            _pos = 0;
            _len = 0;
        }
    }

    private bool Fill()
    {
        if (_pos > 0)
        {
            Buffer.BlockCopy(_buffer, _pos, _buffer, 0, _len - _pos);
            _len -= _pos;
            _pos = 0;
        }

        if (_len == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        int read = _source.Read(_buffer, _len, _buffer.Length - _len);
        _len += read;
        return read > 0;
    }

    /// <summary>The next line without its CRLF/LF; null at the end of the input.</summary>
    private string? ReadLine()
    {
        int scanned = 0;
        while (true)
        {
            int lf = _buffer.AsSpan(_pos + scanned, _len - _pos - scanned).IndexOf((byte)'\n');
            if (lf >= 0)
            {
                int end = _pos + scanned + lf;
                int textEnd = end > _pos && _buffer[end - 1] == '\r' ? end - 1 : end;
                string line = Encoding.UTF8.GetString(_buffer, _pos, textEnd - _pos);
                _pos = end + 1;
                return line;
            }

            scanned = _len - _pos;
            if (scanned > MaxLineLength)
            {
                throw new InvalidDataException("A WARC header line is too long.");
            }

            if (!Fill())
            {
                if (_len == _pos)
                {
                    return null;
                }

                throw new InvalidDataException("The input ended inside a WARC header line.");
            }
        }
    }

    private byte[] ReadExactly(int count)
    {
        byte[] result = new byte[count];
        int have = Math.Min(count, _len - _pos);
        Buffer.BlockCopy(_buffer, _pos, result, 0, have);
        _pos += have;
        if (have < count)
        {
            try
            {
                _source.ReadExactly(result, have, count - have);
            }
            catch (EndOfStreamException e)
            {
                throw new InvalidDataException("The input ended inside a WARC content block.", e);
            }
        }

        return result;
    }

    private static string Truncate(string text) => text.Length > 80 ? text[..80] + "..." : text;

    /// <summary>Replays bytes already read, then the rest of the inner stream.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream inner) : Stream
    {
        private int _prefixPos;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_prefixPos < prefix.Length)
            {
                int n = Math.Min(buffer.Length, prefix.Length - _prefixPos);
                prefix.AsSpan(_prefixPos, n).CopyTo(buffer);
                _prefixPos += n;
                return n;
            }

            return inner.Read(buffer);
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
