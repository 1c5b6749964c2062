using System.Net;
using Crawler.Actors.Sites;
using Crawler.Core.Policies;
using Crawler.Net;
using Xunit;

namespace Crawler.Actors.Tests.Sites;

public sealed class SiteAddressTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
    private static readonly AddressGuard Guard = new(new AddressGuardOptions { Allow = ["127.0.0.0/8"], AllowPublic = false });
    private static readonly RetryOptions Retry = new();

    private static ResolvedHost Answer(TimeSpan ttl, params string[] addresses) =>
        new("kcna.kp", [.. addresses.Select(IPAddress.Parse)], addresses.Length == 0 ? "NXDOMAIN" : null, ttl, null);

    [Fact]
    public void Requests_go_to_the_first_admitted_ipv4_address_and_the_answer_is_kept_for_its_ttl_within_bounds()
    {
        var address = SiteAddress.From(Answer(TimeSpan.FromMinutes(5), "::1", "10.0.0.1", "127.45.176.71"), Guard.Check, T0, TimeSpan.FromHours(1), Retry, 0);
        Assert.Equal("127.45.176.71", address.Pinned);
        Assert.Null(address.Refusal);
        Assert.Equal(T0.AddMinutes(5), address.Expires);

        Assert.Equal(T0.AddHours(1), SiteAddress.From(Answer(TimeSpan.FromDays(2), "127.0.0.1"), Guard.Check, T0, TimeSpan.FromHours(1), Retry, 0).Expires);
        Assert.Equal(T0.AddSeconds(1), SiteAddress.From(Answer(TimeSpan.FromMilliseconds(10), "127.0.0.1"), Guard.Check, T0, TimeSpan.FromHours(1), Retry, 0).Expires);
    }

    [Fact]
    public void An_answer_whose_every_address_the_guard_refuses_says_why_and_pins_none()
    {
        var address = SiteAddress.From(Answer(TimeSpan.FromMinutes(5), "10.0.0.1", "192.168.1.1"), Guard.Check, T0, TimeSpan.FromHours(1), Retry, 0);
        Assert.Null(address.Pinned);
        Assert.StartsWith("address guard: 10.0.0.1 is ", address.Refusal, StringComparison.Ordinal);
        Assert.Contains("192.168.1.1", address.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void An_answer_without_addresses_is_asked_again_after_the_retry_backoff_of_its_failures()
    {
        var first = SiteAddress.From(Answer(TimeSpan.Zero), Guard.Check, T0, TimeSpan.FromHours(1), Retry, 1);
        var third = SiteAddress.From(Answer(TimeSpan.Zero), Guard.Check, T0, TimeSpan.FromHours(1), Retry, 3);
        Assert.Equal(T0 + RetryPolicy.Backoff(Retry, 1), first.Expires);
        Assert.Equal(T0 + RetryPolicy.Backoff(Retry, 3), third.Expires);
        Assert.True(third.Expires > first.Expires);
        Assert.Null(first.Pinned);
        Assert.Null(first.Refusal);
    }
}
