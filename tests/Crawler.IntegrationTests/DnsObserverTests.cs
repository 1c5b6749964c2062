using System.Net;
using Crawler.Core.Dns;
using Crawler.Net.Dns;
using Crawler.Simulation.Dns;
using Xunit;

namespace Crawler.IntegrationTests;

/// <summary>Recording a name's DNS over time against the simulated .kp name server.</summary>
public sealed class DnsObserverTests
{
    [Fact]
    public async Task Observations_record_the_records_and_history_shows_address_and_serial_changes()
    {
        var catalog = ZoneCatalog.Load2016();
        await using var server = await SimulatedDnsServer.StartAsync(catalog, new SimulatedDnsOptions());
        var observer = new DnsObserver(server.EndPoint, TimeSpan.FromSeconds(2));

        var first = await observer.ObserveAsync("kcna.kp");
        Assert.Equal(DnsOutcome.NoError, first.Outcome);
        Assert.Equal(["127.45.176.71", "127.45.176.74"], first.Addresses.Order(StringComparer.Ordinal));
        Assert.NotEmpty(first.NameServers);
        Assert.NotNull(first.SoaSerial);
        Assert.Contains("\tIN\tA\t127.45.176.71", first.ToZoneText(), StringComparison.Ordinal);

        catalog.SetAddresses("kcna.kp", IPAddress.Parse("127.45.176.99"));
        catalog.SetSoaSerial("kcna.kp", first.SoaSerial!.Value + 1);
        var second = await observer.ObserveAsync("kcna.kp");

        var changes = DnsHistory.Compare(first, second);
        Assert.Contains(changes, c => c.Kind == DnsChangeKind.AddressAdded && c.After == "127.45.176.99");
        Assert.Contains(changes, c => c.Kind == DnsChangeKind.AddressRemoved && c.Before == "127.45.176.71");
        Assert.Contains(changes, c => c.Kind == DnsChangeKind.SerialChanged);
    }

    [Fact]
    public async Task A_silent_name_server_shows_as_a_time_out_and_an_unknown_name_as_nxdomain()
    {
        var options = new SimulatedDnsOptions();
        await using var server = await SimulatedDnsServer.StartAsync(ZoneCatalog.Load2016(), options);
        var observer = new DnsObserver(server.EndPoint, TimeSpan.FromSeconds(2)); // a loaded CI machine answers late; only the silent query waits it out

        Assert.Equal(DnsOutcome.NxDomain, (await observer.ObserveAsync("no-such-site.kp")).Outcome);
        var before = await observer.ObserveAsync("kcna.kp");
        options.Silent = true;
        var after = await observer.ObserveAsync("kcna.kp");

        Assert.Equal(DnsOutcome.Timeout, after.Outcome);
        Assert.Empty(after.Records);
        var change = Assert.Single(DnsHistory.Compare(before, after));
        Assert.Equal(DnsChangeKind.OutcomeChanged, change.Kind);
    }
}
