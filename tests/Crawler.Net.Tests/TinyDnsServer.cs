using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Crawler.Net.Tests;

/// <summary>A minimal UDP DNS responder on 127.0.0.1:0: answers A/AAAA for known names, NXDOMAIN otherwise,
/// or stays silent when <see cref="Silent"/> (to provoke timeouts).</summary>
internal sealed class TinyDnsServer : IDisposable
{
    private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly Dictionary<string, (IPAddress[] Addresses, int Ttl)> _zone;
    private readonly CancellationTokenSource _stop = new();
    private int _queries;

    public TinyDnsServer(Dictionary<string, (IPAddress[] Addresses, int Ttl)> zone, bool silent = false)
    {
        _zone = zone;
        Silent = silent;
        _ = Task.Run(ServeAsync);
    }

    public bool Silent { get; }

    public int Queries => Volatile.Read(ref _queries);

    public string Endpoint => $"127.0.0.1:{((IPEndPoint)_udp.Client.LocalEndPoint!).Port}";

    public void Dispose()
    {
        _stop.Cancel();
        _udp.Dispose();
        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult received;
            try
            {
                received = await _udp.ReceiveAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref _queries);
            if (Silent)
            {
                continue;
            }

            var reply = Answer(received.Buffer);
            await _udp.SendAsync(reply, received.RemoteEndPoint, _stop.Token);
        }
    }

    private byte[] Answer(byte[] query)
    {
        // Question: labels from offset 12, then QTYPE and QCLASS.
        var offset = 12;
        var labels = new List<string>();
        while (query[offset] != 0)
        {
            labels.Add(Encoding.ASCII.GetString(query, offset + 1, query[offset]));
            offset += query[offset] + 1;
        }

        var questionEnd = offset + 5;
        var type = BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(offset + 1));
        var name = string.Join('.', labels).ToLowerInvariant();
        var known = _zone.TryGetValue(name, out var entry);
        var family = type == 28 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        var answers = known ? entry.Addresses.Where(a => a.AddressFamily == family).ToArray() : [];

        using var reply = new MemoryStream();
        reply.Write(query, 0, 2); // id
        var flags = (ushort)(0x8180 | (known ? 0 : 3)); // response, RD, RA; rcode NXDOMAIN when unknown
        Span<byte> header = stackalloc byte[10];
        BinaryPrimitives.WriteUInt16BigEndian(header, flags);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], 1);
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], (ushort)answers.Length);
        reply.Write(header);
        reply.Write(query, 12, questionEnd - 12);
        Span<byte> record = stackalloc byte[12];
        foreach (var address in answers)
        {
            var data = address.GetAddressBytes();
            BinaryPrimitives.WriteUInt16BigEndian(record, 0xC00C); // pointer to the question name
            BinaryPrimitives.WriteUInt16BigEndian(record[2..], type);
            BinaryPrimitives.WriteUInt16BigEndian(record[4..], 1);
            BinaryPrimitives.WriteInt32BigEndian(record[6..], entry.Ttl);
            BinaryPrimitives.WriteUInt16BigEndian(record[10..], (ushort)data.Length);
            reply.Write(record);
            reply.Write(data);
        }

        return reply.ToArray();
    }
}
