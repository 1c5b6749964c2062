using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Crawler.Simulation.Web;

/// <summary>One HTTP request as the server saw it. Times are offsets on the log's monotonic clock.</summary>
public sealed class RequestRecord
{
    private long _endTicks = -1;
    private int _status;

    internal RequestRecord(long id, string scheme, string host, IPAddress? localAddress, string pathAndQuery, TimeSpan start, long connectionId, string userAgent = "")
    {
        UserAgent = userAgent;
        Id = id;
        Scheme = scheme;
        Host = host;
        LocalAddress = localAddress;
        PathAndQuery = pathAndQuery;
        Start = start;
        ConnectionId = connectionId;
    }

    public long Id { get; }

    public string Scheme { get; }

    /// <summary>Host header without port, lowercase.</summary>
    public string Host { get; }

    /// <summary>The 127.x address the connection came in on.</summary>
    public IPAddress? LocalAddress { get; }

    public string PathAndQuery { get; }

    /// <summary>Canonical absolute URL: scheme://host/path?query.</summary>
    public string Url => Scheme + "://" + Host + PathAndQuery;

    public long ConnectionId { get; }

    /// <summary>The request's User-Agent header: tells a crawl fetch from an uptime probe.</summary>
    public string UserAgent { get; }

    public TimeSpan Start { get; }

    /// <summary>When the body completed or the client went away; null while in progress.</summary>
    public TimeSpan? End => Volatile.Read(ref _endTicks) is var t and >= 0 ? TimeSpan.FromTicks(t) : null;

    public int Status => Volatile.Read(ref _status);

    /// <summary>The client disconnected before the response completed.</summary>
    public bool Aborted { get; private set; }

    internal void Complete(TimeSpan end, int status, bool aborted)
    {
        Aborted = aborted;
        Volatile.Write(ref _status, status);
        // The first end counts: the server marks a request ended just before its final write
        // (see WebServer.WriteAsync), which is before the client can have seen the response end.
        Interlocked.CompareExchange(ref _endTicks, end.Ticks, -1);
    }

    public override string ToString() => $"{Start.TotalMilliseconds:F1}ms {Status} {Url} via {LocalAddress}";
}

/// <summary>One TCP connection (HTTP or TLS) accepted by the server.</summary>
public sealed class ConnectionRecord
{
    private long _closeTicks = -1;

    internal ConnectionRecord(long id, IPAddress? localAddress, int localPort, TimeSpan opened)
    {
        Id = id;
        LocalAddress = localAddress;
        LocalPort = localPort;
        Opened = opened;
    }

    public long Id { get; }

    public IPAddress? LocalAddress { get; }

    public int LocalPort { get; }

    public TimeSpan Opened { get; }

    public TimeSpan? Closed => Volatile.Read(ref _closeTicks) is var t and >= 0 ? TimeSpan.FromTicks(t) : null;

    /// <summary>The first close counts: after answering a "Connection: close" request the server is done with the connection.</summary>
    internal void Close(TimeSpan at) => Interlocked.CompareExchange(ref _closeTicks, at.Ticks, -1);
}

/// <summary>
/// Thread-safe record of every request and connection, with the politeness queries the crawler's
/// tests need. Appends are lock-free (ConcurrentQueue); queries take a snapshot.
/// </summary>
public sealed class ServerLog
{
    private readonly long _origin = Stopwatch.GetTimestamp();
    private readonly ConcurrentQueue<RequestRecord> _requests = new();
    private readonly ConcurrentQueue<ConnectionRecord> _connections = new();
    private long _nextRequest;
    private long _nextConnection;

    /// <summary>Now on the log's monotonic clock.</summary>
    public TimeSpan Now => Stopwatch.GetElapsedTime(_origin);

    public IReadOnlyList<RequestRecord> Requests => _requests.ToArray();

    public IReadOnlyList<ConnectionRecord> Connections => _connections.ToArray();

    public int RequestCount => _requests.Count;

    internal RequestRecord RequestStarted(string scheme, string host, IPAddress? local, string pathAndQuery, long connectionId, string userAgent = "")
    {
        var r = new RequestRecord(Interlocked.Increment(ref _nextRequest), scheme, host, Normalize(local), pathAndQuery, Now, connectionId, userAgent);
        _requests.Enqueue(r);
        return r;
    }

    internal void RequestEnded(RequestRecord r, int status, bool aborted) => r.Complete(Now, status, aborted);

    internal ConnectionRecord ConnectionOpened(IPAddress? local, int port)
    {
        var c = new ConnectionRecord(Interlocked.Increment(ref _nextConnection), Normalize(local), port, Now);
        _connections.Enqueue(c);
        return c;
    }

    internal void ConnectionClosed(ConnectionRecord c) => c.Close(Now);

    /// <summary>Forgets everything recorded so far.</summary>
    public void Clear()
    {
        _requests.Clear();
        _connections.Clear();
    }

    public IReadOnlyList<RequestRecord> RequestsFor(string url) =>
        _requests.Where(r => string.Equals(r.Url, url, StringComparison.Ordinal)).OrderBy(r => r.Start).ToArray();

    public IReadOnlyList<RequestRecord> RequestsForHost(string host) =>
        _requests.Where(r => string.Equals(r.Host, host, StringComparison.OrdinalIgnoreCase)).OrderBy(r => r.Start).ToArray();

    public IReadOnlyDictionary<string, int> CountByUrl() =>
        _requests.GroupBy(r => r.Url, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>Highest number of requests in flight at once for any single host (0 when none).</summary>
    public int MaxConcurrentRequestsPerHost() => MaxConcurrentRequestsByHost().Values.DefaultIfEmpty(0).Max();

    public IReadOnlyDictionary<string, int> MaxConcurrentRequestsByHost() =>
        _requests.GroupBy(r => r.Host, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => MaxOverlap(g.Select(r => (r.Start, r.End))), StringComparer.OrdinalIgnoreCase);

    /// <summary>Highest number of requests in flight at once on any single local address.</summary>
    public int MaxConcurrentRequestsPerIp() => MaxConcurrentRequestsByIp().Values.DefaultIfEmpty(0).Max();

    public IReadOnlyDictionary<IPAddress, int> MaxConcurrentRequestsByIp() =>
        _requests.Where(r => r.LocalAddress is not null).GroupBy(r => r.LocalAddress!)
            .ToDictionary(g => g.Key, g => MaxOverlap(g.Select(r => (r.Start, r.End))));

    /// <summary>
    /// Pairs of requests on one local address whose times overlap, each described with its URL, times, status
    /// and whether the client went away: what a failed politeness assertion should print.
    /// </summary>
    public IReadOnlyList<string> DescribeOverlapsByIp(int limit = 10) =>
        DescribeOverlaps(_requests.Where(r => r.LocalAddress is not null).GroupBy(r => r.LocalAddress!.ToString()), limit);

    /// <summary>Pairs of requests to one host whose times overlap, described as <see cref="DescribeOverlapsByIp"/> does.</summary>
    public IReadOnlyList<string> DescribeOverlapsByHost(int limit = 10) =>
        DescribeOverlaps(_requests.GroupBy(r => r.Host, StringComparer.OrdinalIgnoreCase), limit);

    private static List<string> DescribeOverlaps(IEnumerable<IGrouping<string, RequestRecord>> groups, int limit)
    {
        var found = new List<string>();
        foreach (var g in groups)
        {
            var rs = g.OrderBy(r => r.Start).ToArray();
            for (var i = 0; i < rs.Length && found.Count < limit; i++)
            {
                for (var j = i + 1; j < rs.Length && rs[j].Start < (rs[i].End ?? TimeSpan.MaxValue) && found.Count < limit; j++)
                {
                    found.Add($"{g.Key}: [{Describe(rs[i])}] and [{Describe(rs[j])}]");
                }
            }
        }

        return found;

        static string Describe(RequestRecord r) =>
            $"{r.Url} {r.Start.TotalMilliseconds:F1}–{(r.End is { } e ? e.TotalMilliseconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture) : "open")} ms, status {r.Status}{(r.Aborted ? ", client went away" : string.Empty)}, connection {r.ConnectionId}, {r.UserAgent}";
    }

    /// <summary>Highest number of connections open at once to any single local address.</summary>
    public int MaxConcurrentConnectionsPerIp() => MaxConcurrentConnectionsByIp().Values.DefaultIfEmpty(0).Max();

    public IReadOnlyDictionary<IPAddress, int> MaxConcurrentConnectionsByIp() =>
        _connections.Where(c => c.LocalAddress is not null).GroupBy(c => c.LocalAddress!)
            .ToDictionary(g => g.Key, g => MaxOverlap(g.Select(c => (c.Opened, c.Closed))));

    /// <summary>Smallest gap between the starts of two consecutive requests to the host; null with fewer than two requests.</summary>
    public TimeSpan? MinStartToStartGap(string host)
    {
        var starts = RequestsForHost(host).Select(r => r.Start).ToArray();
        if (starts.Length < 2)
        {
            return null;
        }

        var min = TimeSpan.MaxValue;
        for (var i = 1; i < starts.Length; i++)
        {
            var gap = starts[i] - starts[i - 1];
            if (gap < min)
            {
                min = gap;
            }
        }

        return min;
    }

    /// <summary>Smallest gap between the end of one request and the start of the next for the host; null with fewer than two requests.</summary>
    public TimeSpan? MinEndToStartGap(string host)
    {
        var rs = RequestsForHost(host);
        if (rs.Count < 2)
        {
            return null;
        }

        var min = TimeSpan.MaxValue;
        for (var i = 1; i < rs.Count; i++)
        {
            var gap = rs[i].Start - (rs[i - 1].End ?? TimeSpan.MaxValue);
            if (gap < min)
            {
                min = gap;
            }
        }

        return min;
    }

    // Sweep line; an interval still open counts until now. At equal times ends come before starts.
    private static int MaxOverlap(IEnumerable<(TimeSpan Start, TimeSpan? End)> intervals)
    {
        var events = new List<(long T, int D)>();
        foreach (var (s, e) in intervals)
        {
            events.Add((s.Ticks, 1));
            events.Add((e?.Ticks ?? long.MaxValue, -1));
        }

        events.Sort((a, b) => a.T != b.T ? a.T.CompareTo(b.T) : a.D.CompareTo(b.D));
        int cur = 0, max = 0;
        foreach (var (_, d) in events)
        {
            cur += d;
            max = Math.Max(max, cur);
        }

        return max;
    }

    private static IPAddress? Normalize(IPAddress? a) => a is { IsIPv4MappedToIPv6: true } ? a.MapToIPv4() : a;
}
