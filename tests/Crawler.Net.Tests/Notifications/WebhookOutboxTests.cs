using Crawler.Core.Uptime;
using Crawler.Net.Notifications;

namespace Crawler.Net.Tests.Notifications;

public sealed class WebhookOutboxTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 8, 3, 0, 0, TimeSpan.Zero);

    private static StateChange Change(string site, SiteState from, SiteState to, int minute) =>
        new(site, from, to, T0.AddMinutes(minute), T0.AddMinutes(minute + 2), to == SiteState.Down ? ProbeFailure.ConnectionRefused : ProbeFailure.None);

    [Fact]
    public void Stored_events_are_owed_oldest_confirmation_first_country_outages_among_them()
    {
        var outbox = new WebhookOutbox();
        var country = new CountryOutage(T0.AddMinutes(5), T0.AddMinutes(20), T0.AddMinutes(7), 11, 12);
        var owed = outbox.Owed(
            [Change("b.kp", SiteState.Unknown, SiteState.Up, 10), Change("a.kp", SiteState.Unknown, SiteState.Up, 0)],
            [],
            [country]);

        Assert.Equal(
            ["a.kp/state-change/up", "kp/country-outage/down", "b.kp/state-change/up", "kp/country-outage/up"],
            owed.Select(e => $"{e.Site}/{e.Kind}/{e.To}"));
        Assert.Null(owed[1].OutageEnd); // the start is sent as it was announced: the outage still open
        Assert.Equal(T0.AddMinutes(20), owed[3].OutageEnd);
    }

    [Fact]
    public void Events_sent_are_not_owed_again_and_a_read_forgets_the_sent_ids_it_no_longer_holds()
    {
        var first = Change("a.kp", SiteState.Unknown, SiteState.Up, 0);
        var second = Change("a.kp", SiteState.Up, SiteState.Down, 30);
        var outbox = new WebhookOutbox(["gone.kp/1/Up"]);

        var owed = outbox.Owed([first], [], []);
        Assert.Empty(outbox.Sent); // the read does not hold the old id: forgotten
        outbox.MarkSent(owed.Single().Id);

        var next = outbox.Owed([first, second], [new Outage("a.kp", second.At, null, ProbeFailure.ConnectionRefused)], []);
        Assert.Equal([WebhookOutbox.Event(second, null).Id], next.Select(e => e.Id));
        Assert.Equal([owed.Single().Id], outbox.Sent);

        // The window moved past the first change: its id is dropped, the second stays owed.
        Assert.Single(outbox.Owed([second], [], []));
        Assert.Empty(outbox.Sent);
    }

    [Fact]
    public void A_change_carries_the_outage_it_opened_still_open_or_the_outage_it_closed_with_its_length()
    {
        var down = Change("a.kp", SiteState.Up, SiteState.Down, 0);
        var up = Change("a.kp", SiteState.Down, SiteState.Up, 30);
        var closed = new Outage("a.kp", down.At, up.At, ProbeFailure.ConnectionRefused);
        var other = new Outage("b.kp", down.At, up.At, ProbeFailure.ConnectionRefused);

        var owed = new WebhookOutbox().Owed([down, up], [other, closed], []);

        Assert.Equal((down.At, (DateTimeOffset?)null, (double?)null), (owed[0].OutageStart!.Value, owed[0].OutageEnd, owed[0].OutageSeconds));
        Assert.Equal((down.At, (DateTimeOffset?)up.At, (double?)1800), (owed[1].OutageStart!.Value, owed[1].OutageEnd, owed[1].OutageSeconds));
    }

    [Fact]
    public void Ids_are_stable_across_reads_so_a_receiver_can_drop_repeats()
    {
        var change = Change("a.kp", SiteState.Unknown, SiteState.Up, 0);
        var country = new CountryOutage(T0, null, T0.AddMinutes(2), 10, 12);

        var once = new WebhookOutbox().Owed([change], [], [country]).Select(e => e.Id).ToList();
        var again = new WebhookOutbox().Owed([change], [], [country with { End = T0.AddMinutes(9) }]).Select(e => e.Id).ToList();

        Assert.Equal($"a.kp/{change.ConfirmedAt.ToUnixTimeMilliseconds()}/Up", once[0]);
        Assert.Equal(once, again.Take(2));
        Assert.Equal($"country/{T0.ToUnixTimeMilliseconds()}/Ended", again[2]);
    }
}
