using Crawler.Actors.Sites;
using Crawler.Storage;
using Xunit;

namespace Crawler.Actors.Tests.Sites;

public sealed class AddressLeaseTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_grant_for_the_awaited_address_hands_back_the_job_and_holds_the_slot()
    {
        var lease = new AddressLease();
        var job = Job("175.45.176.71");
        lease.Ask(job);

        Assert.False(lease.IsFree);
        Assert.Same(job, lease.Grant("175.45.176.71"));
        Assert.Equal(("175.45.176.71", (FetchJob?)null), (lease.Held, lease.Awaiting));
    }

    [Fact]
    public void A_grant_nobody_waits_for_is_stale()
    {
        var lease = new AddressLease();
        Assert.Null(lease.Grant("175.45.176.71"));

        lease.Ask(Job("175.45.176.71"));
        Assert.Null(lease.Grant("175.45.176.72"));
        lease.Forget();

        Assert.Null(lease.Grant("175.45.176.71"));
        Assert.True(lease.IsFree);
    }

    [Fact]
    public void The_slot_is_held_through_the_pause_and_released_once()
    {
        var lease = new AddressLease();
        lease.Ask(Job("175.45.176.71"));
        lease.Grant("175.45.176.71");

        Assert.True(lease.HoldUntil(T0.AddSeconds(3)));
        Assert.Equal(T0.AddSeconds(3), lease.ReleaseAt);
        Assert.Equal("175.45.176.71", lease.Release());
        Assert.Null(lease.Release());
        Assert.False(lease.HoldUntil(T0.AddSeconds(6)));
        Assert.True(lease.IsFree);
    }

    [Fact]
    public void Asking_again_while_holding_is_refused()
    {
        var lease = new AddressLease();
        lease.Ask(Job("175.45.176.71"));

        Assert.Throws<InvalidOperationException>(() => lease.Ask(Job("175.45.176.71")));
    }

    private static FetchJob Job(string address) =>
        new(new FrontierEntry { Url = "http://kcna.kp/", Host = "kcna.kp", Epoch = 1 }, 1, null) { Address = address };
}
