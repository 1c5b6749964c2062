// Hand-written: no maintained .NET WARC library exists (NuGet has none; the maintained readers and
// writers are Python/JS warcio, Java jwarc/webarchive-commons, Rust warc). The format is small:
// a header block, the content block and CRLFCRLF, each record its own gzip member in .warc.gz.
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Crawler.Core.Warc;

/// <summary>
/// Writes WARC/1.1 records to a stream, each record its own gzip member when compressing, and
/// reports for each record its offset and on-disk length (what CDXJ needs). Not thread-safe.
/// </summary>
public sealed class WarcWriter : IDisposable, IAsyncDisposable
{
    private static readonly byte[] CrLfCrLf = "\r\n\r\n"u8.ToArray();

    private readonly CountingStream _output;
    private readonly bool _compress;
    private readonly bool _leaveOpen;
    private readonly long _startOffset;
    private bool _disposed;

    /// <summary>Starts writing at the stream's current position (0 when it cannot seek).</summary>
    /// <param name="output">Where the records go.</param>
    /// <param name="compress">True for .warc.gz: one gzip member per record.</param>
    /// <param name="leaveOpen">Leave <paramref name="output"/> open when the writer is disposed.</param>
    /// <param name="digestAlgorithm">The algorithm of <c>WARC-Block-Digest</c>.</param>
    public WarcWriter(Stream output, bool compress, bool leaveOpen = false, WarcDigestAlgorithm digestAlgorithm = WarcDigestAlgorithm.Sha1Base32)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite)
        {
            throw new ArgumentException("The output stream must be writable.", nameof(output));
        }

        _output = new CountingStream(output);
        _compress = compress;
        _leaveOpen = leaveOpen;
        _startOffset = output.CanSeek ? output.Position : 0;
        DigestAlgorithm = digestAlgorithm;
    }

    /// <summary>The algorithm of the block digests this writer computes.</summary>
    public WarcDigestAlgorithm DigestAlgorithm { get; }

    /// <summary>The offset the next record will start at.</summary>
    public long Position => _startOffset + _output.BytesWritten;

    /// <summary>Writes one record and tells where it landed.</summary>
    public WarcWrittenRecord Write(WarcRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        ObjectDisposedException.ThrowIf(_disposed, this);
        byte[] head = FormatHead(record, DigestAlgorithm);
        long offset = Position;
        if (_compress)
        {
            using var gzip = new GZipStream(_output, CompressionLevel.Optimal, leaveOpen: true);
            WriteParts(gzip, head, record.Block.Span);
        }
        else
        {
            WriteParts(_output, head, record.Block.Span);
        }

        return new WarcWrittenRecord(record.RecordId, offset, Position - offset);
    }

    /// <summary>Writes one record asynchronously and tells where it landed.</summary>
    public async Task<WarcWrittenRecord> WriteAsync(WarcRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        ObjectDisposedException.ThrowIf(_disposed, this);
        byte[] head = FormatHead(record, DigestAlgorithm);
        long offset = Position;
        if (_compress)
        {
            var gzip = new GZipStream(_output, CompressionLevel.Optimal, leaveOpen: true);
            await using (gzip.ConfigureAwait(false))
            {
                await WritePartsAsync(gzip, head, record.Block, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            await WritePartsAsync(_output, head, record.Block, cancellationToken).ConfigureAwait(false);
        }

        return new WarcWrittenRecord(record.RecordId, offset, Position - offset);
    }

    /// <summary>Flushes the underlying stream.</summary>
    public void Flush() => _output.Flush();

    /// <summary>Flushes the underlying stream asynchronously.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default) => _output.FlushAsync(cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _output.Flush();
        if (!_leaveOpen)
        {
            _output.Inner.Dispose();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _output.FlushAsync().ConfigureAwait(false);
        if (!_leaveOpen)
        {
            await _output.Inner.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The <c>WARC-Date</c> spelling: UTC with microseconds, <c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c>.</summary>
    public static string FormatDate(DateTimeOffset date) =>
        date.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The version line and header fields of a record, ending with the empty line.</summary>
    internal static byte[] FormatHead(WarcRecord record, WarcDigestAlgorithm digestAlgorithm)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(record.Type);
        var text = new StringBuilder(512);
        text.Append("WARC/1.1\r\n");
        AppendField(text, "WARC-Type", record.Type);
        AppendField(text, "WARC-Record-ID", record.RecordId);
        AppendField(text, "WARC-Date", FormatDate(record.Date));
        AppendField(text, "Content-Length", record.Block.Length.ToString(CultureInfo.InvariantCulture));
        if (record.TargetUri is not null)
        {
            AppendField(text, "WARC-Target-URI", record.TargetUri);
        }

        if (record.ContentType is not null)
        {
            AppendField(text, "Content-Type", record.ContentType);
        }

        AppendField(text, "WARC-Block-Digest", WarcDigest.Compute(digestAlgorithm, record.Block.Span));
        if (record.PayloadDigest is not null)
        {
            AppendField(text, "WARC-Payload-Digest", record.PayloadDigest);
        }

        foreach (var (name, value) in record.ExtraHeaders)
        {
            AppendField(text, name, value);
        }

        text.Append("\r\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static void AppendField(StringBuilder text, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        if (name.Length == 0 || name.AsSpan().IndexOfAny(":\r\n \t") >= 0)
        {
            throw new ArgumentException($"Invalid WARC header name '{name}'.", nameof(name));
        }

        if (value.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException($"WARC header '{name}' must not contain CR or LF.", nameof(value));
        }

        text.Append(name).Append(": ").Append(value).Append("\r\n");
    }

    private static void WriteParts(Stream target, byte[] head, ReadOnlySpan<byte> block)
    {
        target.Write(head);
        target.Write(block);
        target.Write(CrLfCrLf);
    }

    private static async Task WritePartsAsync(Stream target, byte[] head, ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
    {
        await target.WriteAsync(head, cancellationToken).ConfigureAwait(false);
        await target.WriteAsync(block, cancellationToken).ConfigureAwait(false);
        await target.WriteAsync(CrLfCrLf, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A write-only pass-through that counts the bytes written, so each gzip member's
    /// compressed length is known without seeking.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public Stream Inner { get; } = inner;

        public long BytesWritten { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => BytesWritten;
            set => throw new NotSupportedException();
        }

        public override void Flush() => Inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => Inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Inner.Write(buffer);
            BytesWritten += buffer.Length;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            BytesWritten += buffer.Length;
        }
    }
}
