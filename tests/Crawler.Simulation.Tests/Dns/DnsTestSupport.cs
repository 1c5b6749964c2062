using System.Net;
using System.Reflection;
using Crawler.Simulation.Dns;
using DnsClient;
using DnsClient.Protocol;

namespace Crawler.Simulation.Tests.Dns;

internal static class DnsTestSupport
{
    public static Task<SimulatedDnsServer> Start2016Async(SimulatedDnsOptions? options = null) =>
        SimulatedDnsServer.StartAsync(ZoneCatalog.Load2016(), options ?? new SimulatedDnsOptions());

    /// <summary>A DnsClient that asks only the given server, without cache, retries or fallback to other servers.</summary>
    public static LookupClient Client(IPEndPoint server, bool tcpOnly = false, int timeoutMs = 5000) =>
        new(new LookupClientOptions(server)
        {
            UseCache = false,
            Retries = 0,
            Timeout = TimeSpan.FromMilliseconds(timeoutMs),
            UseTcpOnly = tcpOnly,
            ThrowDnsErrors = false,
            ContinueOnDnsError = false,
            ContinueOnEmptyResponse = false,
            Recursion = false,
        });

    public static string ReadResource(string logicalName)
    {
        var assembly = typeof(ZoneCatalog).Assembly;
        using var stream = assembly.GetManifestResourceStream("Crawler.Simulation.Data." + logicalName)
            ?? throw new InvalidOperationException($"resource {logicalName} missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static readonly string[] LeakedZones = ["kp", "co.kp", "com.kp", "edu.kp", "gov.kp", "net.kp", "org.kp", "rep.kp"];

    /// <summary>
    /// The record lines of a 2016 dig file as "owner ttl TYPE rdata", written independently of the product parser:
    /// whitespace split, comments dropped, A addresses moved to 127/8 by replacing the first octet.
    /// </summary>
    public static List<string> ExpectedTransferLines(string zone)
    {
        var text = ReadResource($"dns-leak-2016.{zone}.zone");
        var lines = new List<string>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith(';'))
            {
                continue;
            }

            var t = line.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            var rdata = t.Skip(4).ToArray();
            if (t[3] == "A")
            {
                rdata[0] = "127" + rdata[0][rdata[0].IndexOf('.', StringComparison.Ordinal)..];
            }

            lines.Add($"{t[0]} {t[1]} {t[3]} {string.Join(' ', rdata)}");
        }

        return lines;
    }

    public static int DeclaredTransferSize(string zone)
    {
        var text = ReadResource($"dns-leak-2016.{zone}.zone");
        var marker = text[(text.IndexOf("XFR size: ", StringComparison.Ordinal) + "XFR size: ".Length)..];
        return int.Parse(marker[..marker.IndexOf(' ', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A DnsClient record in the same "owner ttl TYPE rdata" form.</summary>
    public static string Describe(DnsResourceRecord record)
    {
        var rdata = record switch
        {
            ARecord a => a.Address.ToString(),
            AaaaRecord aaaa => aaaa.Address.ToString(),
            NsRecord ns => ns.NSDName.Value,
            SoaRecord soa => $"{soa.MName.Value} {soa.RName.Value} {soa.Serial} {soa.Refresh} {soa.Retry} {soa.Expire} {soa.Minimum}",
            MxRecord mx => $"{mx.Preference} {mx.Exchange.Value}",
            TxtRecord txt => string.Join(' ', txt.Text.Select(s => $"\"{s}\"")),
            CNameRecord cname => cname.CanonicalName.Value,
            PtrRecord ptr => ptr.PtrDomainName.Value,
            _ => record.ToString(),
        };
        return $"{record.DomainName.Value} {record.InitialTimeToLive} {record.RecordType} {rdata}";
    }
}
