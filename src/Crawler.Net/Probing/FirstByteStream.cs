// Hand-written because SocketsHttpHandler only reports when the whole response head has been parsed; the
// probe's time to first byte (as blackbox_exporter's "processing" phase ends) is when the connection first
// yields a byte, which only a wrapper around the connection can see.
namespace Crawler.Net.Probing;

/// <summary>Passes everything through to <paramref name="inner"/> and remembers when the first byte was read.</summary>
internal sealed class FirstByteStream(Stream inner, TimeProvider time) : Stream
{
    private long _firstByteAt;

    /// <summary>The <see cref="TimeProvider.GetTimestamp"/> of the first read that returned data; null before.</summary>
    public long? FirstByteAt
    {
        get
        {
            var at = Interlocked.Read(ref _firstByteAt);
            return at == 0 ? null : at;
        }
    }

    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Seen(inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Seen(inner.Read(buffer));

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Seen(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).ConfigureAwait(false));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Seen(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(buffer, cancellationToken);

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private int Seen(int read)
    {
        if (read > 0 && Interlocked.Read(ref _firstByteAt) == 0)
        {
            Interlocked.CompareExchange(ref _firstByteAt, Math.Max(1, time.GetTimestamp()), 0);
        }

        return read;
    }
}
