using Crawler.Core.Dns;
using Xunit;

namespace Crawler.Core.Tests.Dns;

public sealed class DnsHistoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_new_and_a_lost_address_are_two_events()
    {
        var before = Observe(T0, DnsOutcome.NoError, A("175.45.176.71"), A("175.45.176.74"));
        var after = Observe(T0.AddHours(1), DnsOutcome.NoError, A("175.45.176.71"), A("175.45.176.75"));
        var changes = DnsHistory.Compare(before, after);
        Assert.Contains(new DnsChange("kcna.kp", DnsChangeKind.AddressAdded, null, "175.45.176.75", T0.AddHours(1)), changes);
        Assert.Contains(new DnsChange("kcna.kp", DnsChangeKind.AddressRemoved, "175.45.176.74", null, T0.AddHours(1)), changes);
        Assert.Equal(2, changes.Count);
    }

    [Fact]
    public void A_serial_change_is_an_event()
    {
        var changes = DnsHistory.Compare(Observe(T0, DnsOutcome.NoError, Soa(2016091901)), Observe(T0.AddDays(1), DnsOutcome.NoError, Soa(2016092001)));
        var change = Assert.Single(changes);
        Assert.Equal(DnsChangeKind.SerialChanged, change.Kind);
        Assert.Equal("2016091901", change.Before);
        Assert.Equal("2016092001", change.After);
    }

    [Fact]
    public void A_time_out_is_an_outcome_change_not_the_loss_of_every_address()
    {
        var changes = DnsHistory.Compare(Observe(T0, DnsOutcome.NoError, A("175.45.176.71")), Observe(T0.AddMinutes(5), DnsOutcome.Timeout));
        var change = Assert.Single(changes);
        Assert.Equal(DnsChangeKind.OutcomeChanged, change.Kind);
        Assert.Equal(DnsOutcome.Timeout, change.After);
    }

    [Fact]
    public void An_unchanged_answer_has_no_events_and_the_first_has_none_either()
    {
        var o = Observe(T0, DnsOutcome.NoError, A("175.45.176.71"), Soa(1));
        Assert.Empty(DnsHistory.Compare(o, o with { At = T0.AddHours(1) }));
        Assert.Empty(DnsHistory.Compare(null, o));
    }

    [Fact]
    public void Zone_text_lists_every_record_with_its_ttl()
    {
        var text = Observe(T0, DnsOutcome.NoError, A("175.45.176.71"), Soa(7)).ToZoneText();
        Assert.Contains("kcna.kp.\t300\tIN\tA\t175.45.176.71\n", text, StringComparison.Ordinal);
        Assert.Contains("\tSOA\tns1.kcna.kp. root.kcna.kp. 7 ", text, StringComparison.Ordinal);
        Assert.StartsWith("; NOERROR from 127.0.0.1:53", text, StringComparison.Ordinal);
    }

    private static DnsObservation Observe(DateTimeOffset at, string outcome, params DnsRecordData[] records) =>
        new("kcna.kp", at, "127.0.0.1:53", outcome, records);

    private static DnsRecordData A(string address) => new("A", address, 300);

    private static DnsRecordData Soa(uint serial) => new("SOA", $"ns1.kcna.kp. root.kcna.kp. {serial} 28800 86400 1209600 86400", 86400);
}
