using System.CommandLine;
using System.Globalization;
using Crawler.Core.Dns;
using Crawler.Net;
using Crawler.Net.Discovery;
using Crawler.Node.Configuration;
using Crawler.Node.Hosting;
using Crawler.Storage;
using Microsoft.Extensions.Configuration;

namespace Crawler.Node.Commands;

/// <summary><c>crawler dns history|shared|discover</c>: DNS as the archive recorded it, and discovery.</summary>
internal static class DnsCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "A host name, e.g. kcna.kp." };
        var history = new Command("history", "Every recorded DNS observation of a name, oldest first, with the changes between them.") { name, CrawlerCli.DataOption };
        history.SetAction(async (parse, ct) =>
        {
            await using var dns = await Open(parse, ct).ConfigureAwait(false);
            DnsObservation? previous = null;
            var observations = await dns.GetObservationsAsync(parse.GetValue(name)!, ct).ConfigureAwait(false);
            if (observations.Count == 0)
            {
                Console.Error.WriteLine($"No DNS recorded for {parse.GetValue(name)}. It is recorded when the crawl resolves a site.");
                return 1;
            }

            foreach (var observation in observations)
            {
                foreach (var change in DnsHistory.Compare(previous, observation))
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"; change: {change.Kind} {change.Before} -> {change.After}"));
                }

                Console.Write(observation.ToZoneText());
                previous = observation;
            }

            return 0;
        });

        var address = new Argument<string>("address") { Description = "An IP address, e.g. 175.45.176.81." };
        var shared = new Command("shared", "The names whose latest recorded answer holds this address.") { address, CrawlerCli.DataOption };
        shared.SetAction(async (parse, ct) =>
        {
            await using var dns = await Open(parse, ct).ConfigureAwait(false);
            foreach (var n in await dns.GetNamesWithAddressAsync(parse.GetValue(address)!, ct).ConfigureAwait(false))
            {
                Console.WriteLine(n);
            }

            return 0;
        });

        var zone = new Option<string>("--zone") { Description = "Zone to transfer first; delegated zones follow.", DefaultValueFactory = _ => "kp" };
        var ranges = new Option<string[]>("--ptr") { Description = "IPv4 ranges to sweep for PTR names, e.g. 175.45.176.0/22.", AllowMultipleArgumentsPerToken = true };
        var rate = new Option<double>("--rate") { Description = "PTR queries per second at most.", DefaultValueFactory = _ => 5 };
        var discover = new Command(
            "discover",
            "Find names by zone transfer (AXFR) and reverse sweeps (PTR), and record how each was found. The first zone is asked of Crawler:Dns:Servers, "
            + "each delegated zone of its own name servers (Crawler:Discovery:UseZoneServers, NameServerPort, FallbackToConfiguredServers, Timeout, MaxZones).")
        {
            zone, ranges, rate, CrawlerCli.DataOption,
        };
        discover.SetAction(async (parse, ct) =>
        {
            var configuration = NodeHost.BuildConfiguration(CrawlerCli.Overrides(parse));
            var servers = configuration.GetSection("Crawler:Dns").Get<DnsResolverOptions>()?.Servers ?? [];
            if (servers.Count == 0)
            {
                Console.Error.WriteLine("Crawler:Dns:Servers is empty: discovery asks named servers only. Set e.g. Crawler__Dns__Servers__0=175.45.176.16 (ns2.kptc.kp).");
                return 2;
            }

            // Crawler:Discovery binds straight onto ZoneTransferOptions (UseZoneServers, NameServerPort,
            // FallbackToConfiguredServers, Timeout, MaxZones); the servers are those of Crawler:Dns.
            var transferOptions = (configuration.GetSection("Crawler:Discovery").Get<ZoneTransferOptions>() ?? new ZoneTransferOptions()) with { Servers = servers };
            ZoneTransferDiscovery transfers;
            try
            {
                transfers = new ZoneTransferDiscovery(transferOptions);
            }
            catch (ArgumentException ex)
            {
                Console.Error.WriteLine($"Crawler:Discovery is invalid: {ex.Message}");
                return 2;
            }

            await using var dns = await Open(parse, ct).ConfigureAwait(false);
            var axfr = await transfers.DiscoverAsync(parse.GetValue(zone)!, ct).ConfigureAwait(false);
            var records = axfr.Names.Select(n => new DiscoveredNameRecord(n.Name, n.How, n.Zone, n.Server, n.At)).ToList();
            foreach (var failure in axfr.Failures)
            {
                var then = axfr.TransferServers.TryGetValue(failure.Zone, out var answeredBy) ? $" (transferred from {answeredBy})" : string.Empty;
                Console.Error.WriteLine($"AXFR of {failure.Zone} at {failure.Server} failed ({failure.Kind}): {failure.Error}{then}");
            }

            if (parse.GetValue(ranges) is { Length: > 0 } sweepRanges)
            {
                var found = await new ReverseSweep(new ReverseSweepOptions { Servers = servers, Ranges = [.. sweepRanges], QueriesPerSecond = parse.GetValue(rate) }).SweepAsync(ct).ConfigureAwait(false);
                records.AddRange(found.Select(f => new DiscoveredNameRecord(f.Name, "ptr", f.Address.ToString(), f.Server, f.At)));
            }

            var added = await dns.AddDiscoveredNamesAsync(records, ct).ConfigureAwait(false);
            foreach (var r in records.OrderBy(r => r.Name, StringComparer.Ordinal))
            {
                Console.WriteLine($"{r.Name}\t{r.How}\t{r.Source}");
            }

            Console.WriteLine($"{records.Count} names found ({added} new); {axfr.TransferredZones.Count} zones transferred.");
            return 0;
        });

        return new Command("dns", "DNS as recorded: history of a name, names sharing an address, discovery.") { history, shared, discover };
    }

    private static async Task<IDnsStore> Open(ParseResult parse, CancellationToken ct)
    {
        var options = NodeHost.BuildConfiguration(CrawlerCli.Overrides(parse)).GetSection(NodeOptions.Section).Get<NodeOptions>() ?? new NodeOptions();
        var dns = NodeHost.OpenDnsStore(options);
        await dns.InitializeAsync(ct).ConfigureAwait(false);
        return dns;
    }
}
