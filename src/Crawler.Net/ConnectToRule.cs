using System.Globalization;
using System.Net;

namespace Crawler.Net;

/// <summary>
/// A curl-style <c>--connect-to HOST1:PORT1:HOST2:PORT2</c> rule: connections for HOST1:PORT1 go to
/// HOST2:PORT2 instead. Empty HOST1 or PORT1 match anything; empty HOST2 keeps the resolved address and
/// empty PORT2 keeps the port. HOST2 must be an IP literal (this layer never resolves names).
/// The HTTP Host header and TLS server name still carry the URL's host.
/// </summary>
public sealed record ConnectToRule(string? SourceHost, int? SourcePort, IPAddress? TargetAddress, int? TargetPort)
{
    /// <summary>Parses "HOST1:PORT1:HOST2:PORT2"; IPv6 literals are written in brackets ("[::1]").</summary>
    /// <exception cref="FormatException">With a message naming the rule and what is wrong.</exception>
    public static ConnectToRule Parse(string rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var fields = Split(rule);
        if (fields.Count != 4)
        {
            throw new FormatException(
                $"connect-to rule '{rule}' must have 4 fields HOST1:PORT1:HOST2:PORT2 (IPv6 in brackets), found {fields.Count}.");
        }

        var sourceHost = NormalizeHost(fields[0]);
        var sourcePort = ParsePort(rule, fields[1], "PORT1");
        IPAddress? target = null;
        var host2 = fields[2].Trim();
        if (host2.Length > 0)
        {
            var literal = host2.StartsWith('[') && host2.EndsWith(']') ? host2[1..^1] : host2;
            if (!IPAddress.TryParse(literal, out target))
            {
                throw new FormatException(
                    $"connect-to rule '{rule}': HOST2 '{host2}' must be an IP address literal or empty (names are not resolved here).");
            }
        }

        var targetPort = ParsePort(rule, fields[3], "PORT2");
        return new ConnectToRule(sourceHost, sourcePort, target, targetPort);
    }

    /// <summary>Parses every rule; the list is applied first-match.</summary>
    public static IReadOnlyList<ConnectToRule> ParseAll(IEnumerable<string> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        return [.. rules.Select(Parse)];
    }

    public bool Matches(string host, int port) =>
        (SourcePort is null || SourcePort == port)
        && (SourceHost is null || string.Equals(SourceHost, NormalizeHost(host), StringComparison.Ordinal));

    /// <summary>The endpoint to connect to for <paramref name="host"/>:<paramref name="port"/> resolved to
    /// <paramref name="resolved"/>, after the first matching rule (or unchanged when none matches).</summary>
    public static IPEndPoint Apply(IReadOnlyList<ConnectToRule> rules, string host, int port, IPAddress resolved)
    {
        ArgumentNullException.ThrowIfNull(rules);
        foreach (var rule in rules)
        {
            if (rule.Matches(host, port))
            {
                return new IPEndPoint(rule.TargetAddress ?? resolved, rule.TargetPort ?? port);
            }
        }

        return new IPEndPoint(resolved, port);
    }

    public override string ToString() =>
        $"{SourceHost}:{SourcePort}:{FormatAddress(TargetAddress)}:{TargetPort}";

    private static string FormatAddress(IPAddress? address) =>
        address is null ? ""
        : address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]"
        : address.ToString();

    private static string? NormalizeHost(string host)
    {
        var h = host.Trim();
        if (h.StartsWith('[') && h.EndsWith(']'))
        {
            h = h[1..^1];
        }

        h = h.TrimEnd('.');
        return h.Length == 0 ? null : h.ToLowerInvariant();
    }

    private static int? ParsePort(string rule, string field, string name)
    {
        var text = field.Trim();
        if (text.Length == 0)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new FormatException($"connect-to rule '{rule}': {name} '{text}' must be a port number 1-65535 or empty.");
        }

        return port;
    }

    private static List<string> Split(string rule)
    {
        var fields = new List<string>(4);
        var start = 0;
        var inBrackets = false;
        for (var i = 0; i < rule.Length; i++)
        {
            switch (rule[i])
            {
                case '[':
                    inBrackets = true;
                    break;
                case ']':
                    inBrackets = false;
                    break;
                case ':' when !inBrackets:
                    fields.Add(rule[start..i]);
                    start = i + 1;
                    break;
            }
        }

        if (inBrackets)
        {
            throw new FormatException($"connect-to rule '{rule}' has an unclosed '['.");
        }

        fields.Add(rule[start..]);
        return fields;
    }
}
