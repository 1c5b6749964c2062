using CsCheck;
using Crawler.Core.Policies;
using Xunit;

namespace Crawler.Core.Tests.Policies;

public sealed class AddressSlotTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(5);

    private static string[] Holders(IReadOnlyList<AddressClaim<string>> granted) => [.. granted.Select(c => c.Holder)];

    private static AddressSlot<string> Slot() => new();

    private static IReadOnlyList<AddressClaim<string>> Fetch(AddressSlot<string> slot, string holder, DateTimeOffset? now = null) =>
        slot.Acquire(holder, holder, AddressPurpose.Fetch, now ?? T0, Lease);

    private static IReadOnlyList<AddressClaim<string>> Probe(AddressSlot<string> slot, string holder, DateTimeOffset? now = null, TimeSpan? lease = null) =>
        slot.Acquire(holder, holder, AddressPurpose.Probe, now ?? T0, lease ?? Lease);

    [Fact]
    public void A_quiet_slot_grants_nothing_until_its_time_then_the_first_in_line()
    {
        var slot = Slot();
        slot.QuietUntil(T0 + Pause);
        Assert.Empty(Fetch(slot, "a.kp"));
        Assert.Empty(Probe(slot, "probe:b.kp"));
        Assert.Null(slot.InFlight);
        Assert.Equal(T0 + Pause, slot.NextExpiry);

        Assert.Empty(slot.Expire(T0 + Pause - TimeSpan.FromMilliseconds(1), out _));
        Assert.Equal(["a.kp"], Holders(slot.Expire(T0 + Pause, out _)));
    }

    [Fact]
    public void A_renewal_makes_a_slot_that_lost_its_state_know_the_request_in_flight()
    {
        // The gate moved while a.kp was fetching: the new slot is quiet, b.kp asks, a.kp renews.
        var slot = Slot();
        slot.QuietUntil(T0 + Pause);
        Assert.Empty(Fetch(slot, "b.kp"));
        slot.Renew("a.kp", "a.kp", AddressPurpose.Fetch, T0 + TimeSpan.FromSeconds(1), Lease);
        Assert.Equal("a.kp", slot.InFlight?.Holder);
        Assert.Equal("a.kp", slot.Owner?.Holder);

        // Quiet time over: b.kp still waits for a.kp, and gets the address once a.kp is done with it.
        Assert.Empty(slot.Expire(T0 + Pause, out _));
        Assert.Equal(["b.kp"], Holders(slot.Release("a.kp", T0 + Pause + Pause)));
    }

    [Fact]
    public void A_renewal_never_takes_the_address_from_another_request_in_flight()
    {
        var slot = Slot();
        Fetch(slot, "a.kp");
        slot.Renew("b.kp", "b.kp", AddressPurpose.Fetch, T0, Lease);
        Assert.Equal("a.kp", slot.InFlight?.Holder);
        Assert.Equal("a.kp", slot.Owner?.Holder);
    }

    [Fact]
    public void A_renewal_extends_the_holders_lease()
    {
        var slot = Slot();
        Fetch(slot, "a.kp");
        slot.Renew("a.kp", "a.kp", AddressPurpose.Fetch, T0 + TimeSpan.FromMinutes(1), Lease);
        Assert.Empty(slot.Expire(T0 + Lease, out var expired));
        Assert.Empty(expired);
        Assert.Equal(T0 + TimeSpan.FromMinutes(1) + Lease, slot.InFlight?.Expires);
    }

    [Fact]
    public void A_free_address_is_granted_at_once_and_held_by_the_fetch()
    {
        var slot = Slot();
        Assert.Equal(["a.kp"], Holders(Fetch(slot, "a.kp")));
        Assert.Equal("a.kp", slot.Owner?.Holder);
        Assert.Equal("a.kp", slot.InFlight?.Holder);
        Assert.Equal(T0 + Lease, slot.InFlight?.Expires);
    }

    [Fact]
    public void Waiting_fetches_are_granted_in_arrival_order()
    {
        var slot = Slot();
        Fetch(slot, "a.kp");
        Assert.Empty(Fetch(slot, "b.kp"));
        Assert.Empty(Fetch(slot, "c.kp"));
        Assert.Empty(Fetch(slot, "d.kp"));
        Assert.Equal(["b.kp", "c.kp", "d.kp"], slot.Waiting.Select(w => w.Holder));

        Assert.Equal(["b.kp"], Holders(slot.Release("a.kp", T0)));
        Assert.Equal(["c.kp"], Holders(slot.Release("b.kp", T0)));
        Assert.Equal(["d.kp"], Holders(slot.Release("c.kp", T0)));
        Assert.Empty(slot.Release("d.kp", T0));
        Assert.True(slot.IsEmpty);
    }

    [Fact]
    public void Asking_again_while_waiting_keeps_the_place_in_the_queue()
    {
        var slot = Slot();
        Fetch(slot, "a.kp");
        Fetch(slot, "b.kp");
        Fetch(slot, "c.kp");
        Fetch(slot, "b.kp");
        Assert.Equal(["b.kp", "c.kp"], slot.Waiting.Select(w => w.Holder));
    }

    [Fact]
    public void A_fetch_waits_for_the_owners_release_not_just_its_request()
    {
        var slot = Slot();
        Fetch(slot, "a.kp");
        Fetch(slot, "b.kp");

        Assert.Empty(slot.RequestDone("a.kp", T0.AddSeconds(1), Pause));
        Assert.Equal("a.kp", slot.Owner?.Holder);
        Assert.Null(slot.InFlight);

        Assert.Equal(["b.kp"], Holders(slot.Release("a.kp", T0.AddSeconds(6))));
        Assert.Equal("b.kp", slot.Owner?.Holder);
    }

    [Fact]
    public void A_probe_may_use_the_address_during_the_owners_pause()
    {
        var slot = Slot();
        Fetch(slot, "a.kp");
        slot.RequestDone("a.kp", T0.AddSeconds(1), Pause);

        Assert.Equal(["probe:b.kp"], Holders(Probe(slot, "probe:b.kp", T0.AddSeconds(2))));
        Assert.Equal("a.kp", slot.Owner?.Holder);
        Assert.Equal("probe:b.kp", slot.InFlight?.Holder);
    }

    [Fact]
    public void A_probe_never_runs_while_a_request_is_in_flight()
    {
        var slot = Slot();
        Fetch(slot, "a.kp");
        Assert.Empty(Probe(slot, "probe:b.kp"));
        Assert.Equal("a.kp", slot.InFlight?.Holder);

        Assert.Equal(["probe:b.kp"], Holders(slot.RequestDone("a.kp", T0.AddSeconds(1), Pause)));
    }

    [Fact]
    public void A_probe_passes_a_fetch_that_must_wait_for_the_pause_anyway()
    {
        var slot = Slot();
        Fetch(slot, "a.kp");
        Fetch(slot, "b.kp");
        Probe(slot, "probe:c.kp");

        Assert.Equal(["probe:c.kp"], Holders(slot.RequestDone("a.kp", T0.AddSeconds(1), Pause)));
        Assert.Equal(["b.kp"], slot.Waiting.Select(w => w.Holder));
    }

    [Fact]
    public void A_probe_holds_the_address_only_for_its_request()
    {
        var slot = Slot();
        Probe(slot, "probe:a.kp");
        Fetch(slot, "b.kp");
        Assert.Null(slot.Owner);

        Assert.Equal(["b.kp"], Holders(slot.RequestDone("probe:a.kp", T0.AddSeconds(1), TimeSpan.Zero)));
        Assert.Equal("b.kp", slot.Owner?.Holder);
    }

    [Fact]
    public void The_owner_asking_again_during_its_pause_keeps_the_address()
    {
        var slot = Slot();
        Fetch(slot, "a.kp");
        Fetch(slot, "b.kp");
        slot.RequestDone("a.kp", T0.AddSeconds(1), Pause);

        var again = Fetch(slot, "a.kp", T0.AddSeconds(6));
        Assert.Equal(["a.kp"], Holders(again));
        Assert.Equal(T0.AddSeconds(6) + Lease, again[0].Expires);
        Assert.Equal("a.kp", slot.Owner?.Holder);
        Assert.Equal("a.kp", slot.InFlight?.Holder);
        Assert.Equal(["b.kp"], slot.Waiting.Select(w => w.Holder));
    }

    [Fact]
    public void The_owner_asking_again_while_a_probe_is_in_flight_waits_for_the_probe()
    {
        var slot = Slot();
        Fetch(slot, "a.kp");
        slot.RequestDone("a.kp", T0.AddSeconds(1), Pause);
        Probe(slot, "probe:b.kp", T0.AddSeconds(2));

        Assert.Empty(Fetch(slot, "a.kp", T0.AddSeconds(3)));
        Assert.Equal(["a.kp"], Holders(slot.RequestDone("probe:b.kp", T0.AddSeconds(4), TimeSpan.Zero)));
    }

    [Fact]
    public void A_holder_asking_again_with_a_new_reply_address_is_granted_there()
    {
        var slot = Slot();
        slot.Acquire("a.kp", "old", AddressPurpose.Fetch, T0, Lease);
        var again = slot.Acquire("a.kp", "new", AddressPurpose.Fetch, T0.AddSeconds(1), Lease);
        Assert.Equal("new", Assert.Single(again).ReplyTo);
        Assert.Equal("new", slot.Owner?.ReplyTo);
    }

    [Fact]
    public void A_request_in_flight_past_its_lease_frees_the_address()
    {
        var slot = Slot();
        Fetch(slot, "a.kp");
        Fetch(slot, "b.kp");

        Assert.Empty(slot.Expire(T0 + Lease - TimeSpan.FromTicks(1), out var early));
        Assert.Empty(early);

        var granted = slot.Expire(T0 + Lease, out var expired);
        Assert.Equal(["a.kp"], expired.Select(c => c.Holder));
        Assert.Equal(["b.kp"], Holders(granted));
        Assert.Equal("b.kp", slot.Owner?.Holder);
    }

    [Fact]
    public void A_pause_without_a_release_ends_after_the_pause_and_its_grace()
    {
        var slot = Slot();
        Fetch(slot, "a.kp");
        Fetch(slot, "b.kp");
        var done = T0.AddSeconds(1);
        slot.RequestDone("a.kp", done, Pause);
        Assert.Equal(done + Pause + AddressSlot<string>.PauseGrace, slot.NextExpiry);

        Assert.Empty(slot.Expire(done + Pause, out _));
        Assert.Equal("a.kp", slot.Owner?.Holder);

        var granted = slot.Expire(done + Pause + AddressSlot<string>.PauseGrace, out var expired);
        Assert.Equal(["a.kp"], expired.Select(c => c.Holder));
        Assert.Equal(["b.kp"], Holders(granted));
    }

    [Fact]
    public void A_probe_past_its_lease_frees_the_address_but_not_the_owners_pause()
    {
        var slot = Slot();
        Fetch(slot, "a.kp");
        slot.RequestDone("a.kp", T0, TimeSpan.FromMinutes(10));
        Probe(slot, "probe:b.kp", T0, TimeSpan.FromSeconds(30));
        Fetch(slot, "c.kp");
        Probe(slot, "probe:d.kp");

        var granted = slot.Expire(T0.AddSeconds(30), out var expired);
        Assert.Equal(["probe:b.kp"], expired.Select(c => c.Holder));
        Assert.Equal(["probe:d.kp"], Holders(granted));
        Assert.Equal("a.kp", slot.Owner?.Holder);
    }

    [Fact]
    public void A_claims_lease_counts_from_its_grant_not_its_request()
    {
        var slot = Slot();
        Fetch(slot, "a.kp");
        Fetch(slot, "b.kp");
        var granted = slot.Release("a.kp", T0.AddMinutes(5));
        Assert.Equal(T0.AddMinutes(5) + Lease, Assert.Single(granted).Expires);
    }

    [Fact]
    public void Forget_drops_everything_a_dead_holder_held_or_waited_for()
    {
        var slot = Slot();
        slot.Acquire("a.kp", "refA", AddressPurpose.Fetch, T0, Lease);
        slot.Acquire("probe:a.kp", "refA", AddressPurpose.Probe, T0, Lease);
        slot.Acquire("b.kp", "refB", AddressPurpose.Fetch, T0, Lease);

        var granted = slot.Forget("refA", T0.AddSeconds(1));
        Assert.Equal(["b.kp"], Holders(granted));
        Assert.Empty(slot.Waiting);
        Assert.Equal("b.kp", slot.Owner?.Holder);
    }

    [Fact]
    public void Forget_of_an_old_reference_spares_the_holder_that_asked_again_from_elsewhere()
    {
        var slot = Slot();
        slot.Acquire("a.kp", "old", AddressPurpose.Fetch, T0, Lease);
        slot.Acquire("a.kp", "new", AddressPurpose.Fetch, T0, Lease);
        slot.Forget("old", T0);
        Assert.Equal("a.kp", slot.Owner?.Holder);
    }

    [Fact]
    public void A_release_by_someone_else_changes_nothing()
    {
        var slot = Slot();
        Fetch(slot, "a.kp");
        Assert.Empty(slot.Release("x.kp", T0));
        Assert.Empty(slot.RequestDone("x.kp", T0, Pause));
        Assert.Equal("a.kp", slot.Owner?.Holder);
        Assert.Equal("a.kp", slot.InFlight?.Holder);
    }

    [Fact]
    public void An_empty_slot_has_no_expiry()
    {
        var slot = Slot();
        Assert.True(slot.IsEmpty);
        Assert.Null(slot.NextExpiry);
        Fetch(slot, "a.kp");
        Assert.False(slot.IsEmpty);
        Assert.Equal(T0 + Lease, slot.NextExpiry);
        slot.Release("a.kp", T0);
        Assert.True(slot.IsEmpty);
        Assert.Null(slot.NextExpiry);
    }

    // Property tests: random operations by a few holders; a model of who was told Granted and has not
    // yet let go (request done, release, death, expiry) checks what the slot promises.
    private enum Op
    {
        Acquire,
        RequestDone,
        Release,
        Forget,
        Expire,
    }

    // Fetch holders are sites, probe holders are "probe:" + site; each holder asks for one purpose.
    private static readonly string[] Names = ["a.kp", "b.kp", "c.kp", "probe:a.kp", "probe:b.kp"];

    private static AddressPurpose PurposeOf(string holder) =>
        holder.StartsWith("probe:", StringComparison.Ordinal) ? AddressPurpose.Probe : AddressPurpose.Fetch;

    private static readonly Gen<(Op Op, int Holder, int Seconds, int LeaseSeconds, int PauseSeconds)> Steps =
        Gen.Select(Gen.Enum<Op>(), Gen.Int[0, Names.Length - 1], Gen.Int[0, 40], Gen.Int[1, 60], Gen.Int[0, 20]);

    [Fact]
    public void Random_operations_never_put_two_requests_in_flight_or_two_fetches_in_hold()
    {
        Steps.List[1, 80].Sample(steps =>
        {
            var slot = new AddressSlot<string>();
            var now = T0;

            // Holders told Granted and not yet done with the request / not yet let go of the address.
            var inFlight = new HashSet<string>(StringComparer.Ordinal);
            var holding = new HashSet<string>(StringComparer.Ordinal);
            var asked = new HashSet<string>(StringComparer.Ordinal);

            void Told(IReadOnlyList<AddressClaim<string>> granted)
            {
                // Each grant answers exactly one outstanding Acquire, once.
                if (granted.Select(c => c.Holder).Distinct(StringComparer.Ordinal).Count() != granted.Count)
                {
                    throw new InvalidOperationException("a holder was told twice in one step");
                }

                foreach (var claim in granted)
                {
                    if (!asked.Remove(claim.Holder))
                    {
                        throw new InvalidOperationException($"{claim.Holder} was granted without an outstanding Acquire");
                    }

                    if (claim.Expires != now + claim.Lease)
                    {
                        throw new InvalidOperationException("a lease does not count from its grant");
                    }

                    inFlight.Add(claim.Holder);
                    if (claim.Purpose == AddressPurpose.Fetch)
                    {
                        holding.Add(claim.Holder);
                    }
                }
            }

            foreach (var (op, index, seconds, leaseSeconds, pauseSeconds) in steps)
            {
                now += TimeSpan.FromSeconds(seconds);
                var holder = Names[index];
                switch (op)
                {
                    case Op.Acquire:
                        // A holder asks again only after its request is over (a site's next fetch, a probe's next slot).
                        inFlight.Remove(holder);
                        asked.Add(holder);
                        Told(slot.Acquire(holder, holder, PurposeOf(holder), now, TimeSpan.FromSeconds(leaseSeconds)));
                        break;
                    case Op.RequestDone:
                        if (!inFlight.Contains(holder))
                        {
                            continue; // a holder says so only about its own request
                        }

                        inFlight.Remove(holder);
                        Told(slot.RequestDone(holder, now, TimeSpan.FromSeconds(pauseSeconds)));
                        break;
                    case Op.Release:
                        inFlight.Remove(holder);
                        holding.Remove(holder);
                        asked.Remove(holder);
                        Told(slot.Release(holder, now));
                        break;
                    case Op.Forget:
                        inFlight.Remove(holder);
                        holding.Remove(holder);
                        asked.Remove(holder);
                        Told(slot.Forget(holder, now));
                        break;
                    case Op.Expire:
                        var granted = slot.Expire(now, out var expired);
                        foreach (var claim in expired)
                        {
                            if (claim.Expires > now)
                            {
                                throw new InvalidOperationException("a claim expired before its lease ran out");
                            }

                            inFlight.Remove(claim.Holder);
                            holding.Remove(claim.Holder);
                        }

                        Told(granted);
                        break;
                }

                // What the holders believe: never two requests in flight, never two fetches holding the address,
                // and a fetch never runs while another site holds the address.
                if (inFlight.Count > 1 || holding.Count > 1)
                {
                    return false;
                }

                if (inFlight.Count == 1 && holding.Count == 1 && PurposeOf(inFlight.Single()) == AddressPurpose.Fetch && inFlight.Single() != holding.Single())
                {
                    return false;
                }

                // The slot agrees with what it told.
                if (slot.InFlight?.Holder != inFlight.SingleOrDefault() || slot.Owner?.Holder != holding.SingleOrDefault())
                {
                    return false;
                }

                // Waiting are exactly those asked and not yet told; nobody waits twice.
                if (!slot.Waiting.Select(w => w.Holder).Order(StringComparer.Ordinal).SequenceEqual(asked.Order(StringComparer.Ordinal)))
                {
                    return false;
                }

                // Nobody waits for nothing: with no request in flight, a waiting probe, or a fetch the owner does not block, was granted.
                if (slot.InFlight is null && slot.Waiting.Any(w => w.Purpose == AddressPurpose.Probe || slot.Owner is null || slot.Owner.Holder == w.Holder))
                {
                    return false;
                }

                if (slot.IsEmpty && slot.NextExpiry is not null)
                {
                    return false;
                }

                if (slot.NextExpiry is { } next && next == DateTimeOffset.MaxValue)
                {
                    return false;
                }
            }

            return true;
        });
    }

    [Fact]
    public void Random_operations_followed_by_enough_time_leave_the_address_free_of_every_lease()
    {
        Steps.List[1, 60].Sample(steps =>
        {
            var slot = new AddressSlot<string>();
            var now = T0;
            foreach (var (op, index, seconds, leaseSeconds, pauseSeconds) in steps)
            {
                now += TimeSpan.FromSeconds(seconds);
                var holder = Names[index];
                _ = op switch
                {
                    Op.Acquire => slot.Acquire(holder, holder, PurposeOf(holder), now, TimeSpan.FromSeconds(leaseSeconds)),
                    Op.RequestDone => slot.RequestDone(holder, now, TimeSpan.FromSeconds(pauseSeconds)),
                    Op.Release => slot.Release(holder, now),
                    Op.Forget => slot.Forget(holder, now),
                    _ => slot.Expire(now, out _),
                };
            }

            // Nobody says anything more: expiring at each next expiry drains the queue, granting each waiter once.
            var told = new List<string>();
            for (var i = 0; i < 100 && slot.NextExpiry is { } next; i++)
            {
                now = next > now ? next : now;
                told.AddRange(slot.Expire(now, out _).Select(c => c.Holder));
            }

            return slot.IsEmpty && slot.NextExpiry is null && told.Distinct(StringComparer.Ordinal).Count() == told.Count;
        });
    }

    [Fact]
    public void A_late_release_from_a_holders_earlier_incarnation_leaves_its_new_request_in_flight()
    {
        var slot = new AddressSlot<string>();
        Assert.Single(slot.Acquire("a.kp", "new-incarnation", AddressPurpose.Fetch, T0, TimeSpan.FromSeconds(30)));

        // The old incarnation's Release, held up while the gate moved, arrives now: it is not this request's.
        slot.Release("a.kp", T0.AddSeconds(1), from: r => r == "old-incarnation");
        Assert.Equal("new-incarnation", slot.InFlight?.ReplyTo);
        Assert.Empty(slot.Acquire("probe:b.kp", "probe", AddressPurpose.Probe, T0.AddSeconds(1), TimeSpan.FromSeconds(5)));

        // Its own Release lets go: the waiting probe goes next.
        Assert.Equal("probe", Assert.Single(slot.Release("a.kp", T0.AddSeconds(2), from: r => r == "new-incarnation")).ReplyTo);
    }
}
