// Hand-written because no library exposes the exact bytes SocketsHttpHandler writes and reads: this wrapper sits
// between the handler and the (plaintext) connection and copies the request head and the final response head,
// attributing them to the fetch whose async flow wrote the request.
using System.Runtime.CompilerServices;

namespace Crawler.Net;

/// <summary>Per-fetch capture of what went over the wire. Mutated by one connection at a time.</summary>
internal sealed class FetchState
{
    private const int MaxHeadBytes = 256 * 1024;

    /// <summary>The fetch running in the current async flow; the connection stream reads it when a request is written.</summary>
    public static readonly AsyncLocal<FetchState?> Current = new();

    private readonly object _gate = new();
    private HeadCapture _request = new(skipInformational: false);
    private HeadCapture _response = new(skipInformational: true);

    public bool RequestWritten { get; private set; }

    public string? TlsProblem { get; set; }

    public byte[]? RequestHead { get { lock (_gate) { return _request.Head; } } }

    public byte[]? ResponseHead { get { lock (_gate) { return _response.Head; } } }

    public void OnWrite(ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            RequestWritten = true;
            _request.Append(data);
        }
    }

    public void OnRead(ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            _response.Append(data);
        }
    }

    public bool ResponseHeadComplete { get { lock (_gate) { return _response.Done; } } }

    private struct HeadCapture(bool skipInformational)
    {
        private byte[] _buffer = [];
        private int _length;

        public bool Done { get; private set; }

        public byte[]? Head { get; private set; }

        public void Append(ReadOnlySpan<byte> data)
        {
            if (Done || data.IsEmpty)
            {
                return;
            }

            if (_length == 0 && HeadEnd(data[..Math.Min(data.Length, MaxHeadBytes)]) is var whole and >= 0
                && !(skipInformational && IsInformational(data[..whole])))
            {
                // The whole head in one read (the usual case): taken from it, without copying the body that follows into
                // the buffer first.
                Head = data[..whole].ToArray();
                Done = true;
                return;
            }

            var take = Math.Min(data.Length, MaxHeadBytes - _length);
            if (_length + take > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Max(_length + take, Math.Min(MaxHeadBytes, Math.Max(1024, _buffer.Length * 2))));
            }

            data[..take].CopyTo(_buffer.AsSpan(_length));
            _length += take;

            while (true)
            {
                var end = HeadEnd(_buffer.AsSpan(0, _length));
                if (end < 0)
                {
                    if (_length >= MaxHeadBytes)
                    {
                        Done = true; // Too large to be a head the handler accepts; record nothing.
                    }

                    return;
                }

                if (skipInformational && IsInformational(_buffer.AsSpan(0, end)))
                {
                    // 1xx interim responses precede the final one on the same connection; keep looking.
                    _buffer.AsSpan(end, _length - end).CopyTo(_buffer);
                    _length -= end;
                    continue;
                }

                Head = _buffer.AsSpan(0, end).ToArray();
                Done = true;
                _buffer = [];
                return;
            }
        }

        private static int HeadEnd(ReadOnlySpan<byte> data)
        {
            var crlf = data.IndexOf("\r\n\r\n"u8);
            var lf = data.IndexOf("\n\n"u8);
            return (crlf, lf) switch
            {
                (< 0, < 0) => -1,
                (< 0, _) => lf + 2,
                (_, < 0) => crlf + 4,
                _ => Math.Min(crlf + 4, lf + 2),
            };
        }

        private static bool IsInformational(ReadOnlySpan<byte> head) =>
            head.Length > 12 && head.StartsWith("HTTP/"u8) && head.IndexOf((byte)' ') is var sp and > 0
            && sp + 1 < head.Length && head[sp + 1] == (byte)'1';
    }
}

/// <summary>Wraps a connection's plaintext stream and reports its traffic to the fetch that is using it.</summary>
internal sealed class RecordingStream(Stream inner, string? tlsProblem) : Stream
{
    private FetchState? _current;

    public override bool CanRead => inner.CanRead;

    public override bool CanWrite => inner.CanWrite;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        Observe(buffer[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Pooled: a read that waits for the socket would otherwise allocate its state machine, several per page.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Observe(buffer.Span[..n]);
        return n;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        BeforeWrite(buffer);
        inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        BeforeWrite(buffer.Span);
        return inner.WriteAsync(buffer, cancellationToken);
    }

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

    private void BeforeWrite(ReadOnlySpan<byte> data)
    {
        // HTTP/1.1 without pipelining: a request is written in the flow of the fetch that sends it,
        // and everything read afterwards belongs to that fetch until the next request is written.
        var state = FetchState.Current.Value;
        if (!ReferenceEquals(state, _current))
        {
            _current = state;
            if (state is not null)
            {
                state.TlsProblem = tlsProblem;
            }
        }

        _current?.OnWrite(data);
    }

    private void Observe(ReadOnlySpan<byte> data)
    {
        var state = _current;
        if (state is not null && !data.IsEmpty && !state.ResponseHeadComplete)
        {
            state.OnRead(data);
        }
    }
}
