using Crawler.Core.Uptime;
using Crawler.Storage.Mongo;
using Crawler.Storage.Mongo.Documents;
using static Crawler.Storage.Tests.Mongo.Rendered;

namespace Crawler.Storage.Tests.Mongo;

/// <summary>
/// Every index, filter, sort, update and pipeline the MongoDB uptime store sends, rendered by the driver and compared
/// with the command document it must be. Runs without a server.
/// </summary>
public sealed class MongoUptimeQueryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Every_uptime_collection_is_unique_by_its_natural_key_and_indexed_for_its_windows()
    {
        Assert.Equal(
            JsonArray("""[ { key: { site: 1, at: 1 }, name: "site_at", unique: true }, { key: { at: 1 }, name: "at" } ]"""),
            Indexes(UptimeQueries.ResultIndexes));
        Assert.Equal(
            JsonArray("""[ { key: { site: 1, hour: 1 }, name: "site_hour", unique: true }, { key: { hour: 1 }, name: "hour" } ]"""),
            Indexes(UptimeQueries.HourlyIndexes));
        Assert.Equal(
            JsonArray("""
                [ { key: { site: 1, confirmedAt: 1 }, name: "site_confirmedAt", unique: true },
                  { key: { site: 1, at: 1 }, name: "site_at" },
                  { key: { at: 1 }, name: "at" } ]
                """),
            Indexes(UptimeQueries.ChangeIndexes));
        Assert.Equal(
            JsonArray("""[ { key: { site: 1, start: 1 }, name: "site_start", unique: true }, { key: { start: 1 }, name: "start" } ]"""),
            Indexes(UptimeQueries.OutageIndexes));
    }

    [Fact]
    public void Results_are_read_in_a_half_open_window_oldest_first_and_purged_by_time()
    {
        Assert.Equal(
            Json("""{ site: "kcna.kp", at: { $gte: ISODate("2026-03-01T12:00:00Z"), $lt: ISODate("2026-03-01T13:00:00Z") } }"""),
            Filter(UptimeQueries.ResultsOf("kcna.kp", T0, T0.AddHours(1))));
        Assert.Equal(Json("""{ at: 1 }"""), Sort(UptimeQueries.ResultOrder));
        Assert.Equal(Json("""{ at: { $lt: ISODate("2026-01-30T12:00:00.5Z") } }"""), Filter(UptimeQueries.ResultsBefore(T0.AddDays(-30).AddTicks(5_009_999))));
    }

    [Fact]
    public void A_result_is_folded_into_its_hour_only_if_that_hour_has_not_counted_it()
    {
        var result = ProbeResult.Up("kcna.kp", T0.AddMinutes(17).AddMilliseconds(250), TimeSpan.FromMilliseconds(700));

        Assert.Equal(17 * 60_000 + 250, UptimeQueries.OffsetInHour(result));
        Assert.Equal(
            Json("""{ site: "kcna.kp", hour: ISODate("2026-03-01T12:00:00Z"), folded: { $ne: 1020250 } }"""),
            Filter(UptimeQueries.FoldTarget(result)));
    }

    [Fact]
    public void A_slow_success_adds_its_counts_time_extremes_and_histogram_bucket_and_marks_itself_folded()
    {
        var thresholds = new UptimeThresholds { DegradedAfter = TimeSpan.FromMilliseconds(500) };
        var result = ProbeResult.Up("kcna.kp", T0, TimeSpan.FromTicks(7_000_001));
        var single = UptimeMath.Aggregate([result], thresholds)[0];
        var bucket = ResponseHistogram.BucketOf(TimeSpan.FromTicks(7_000_001));

        Assert.Equal(
            Json($$"""
                { $inc: { probes: 1, successes: 1, degraded: 1, rtSum: NumberLong(7000001), "histogram.{{bucket}}": NumberLong(1) },
                  $min: { rtMin: NumberLong(7000001) },
                  $max: { rtMax: NumberLong(7000001) },
                  $push: { folded: 0 } }
                """),
            Update(UptimeQueries.Fold(single, 0)));
    }

    [Fact]
    public void A_failure_adds_a_probe_and_nothing_to_the_response_times()
    {
        var single = UptimeMath.Aggregate([ProbeResult.Failed("kcna.kp", T0, ProbeFailure.ConnectTimeout)])[0];

        Assert.Equal(
            Json("""{ $inc: { probes: 1, successes: 0, degraded: 0, rtSum: NumberLong(0) }, $push: { folded: 42 } }"""),
            Update(UptimeQueries.Fold(single, 42)));
    }

    [Fact]
    public void Hours_are_read_for_one_site_or_all_by_site_then_hour_and_forget_what_they_folded_once_purged()
    {
        Assert.Equal(
            Json("""{ site: "kcna.kp", hour: { $gte: ISODate("2026-03-01T12:00:00Z"), $lt: ISODate("2026-03-02T12:00:00Z") } }"""),
            Filter(UptimeQueries.HoursOf("kcna.kp", T0, T0.AddDays(1))));
        Assert.Equal(
            Json("""{ hour: { $gte: ISODate("2026-03-01T12:00:00Z"), $lt: ISODate("2026-03-02T12:00:00Z") } }"""),
            Filter(UptimeQueries.HoursOf(null, T0, T0.AddDays(1))));
        Assert.Equal(Json("""{ site: 1, hour: 1 }"""), Sort(UptimeQueries.HourOrder));
        Assert.Equal(
            Json("""{ hour: { $lte: ISODate("2026-03-01T11:30:00Z") }, folded: { $exists: true } }"""),
            Filter(UptimeQueries.FoldedHoursBefore(T0.AddMinutes(30))));
        Assert.Equal(Json("""{ $unset: { folded: 1 } }"""), Update(UptimeQueries.ForgetFolded));
    }

    [Fact]
    public void A_state_change_is_written_once_per_site_and_confirmation_and_read_in_time_order()
    {
        var change = StateChangeDocument.FromChange(new StateChange("kcna.kp", SiteState.Up, SiteState.Down, T0, T0.AddMinutes(2), ProbeFailure.ConnectionRefused));

        Assert.Equal(Json("""{ site: "kcna.kp", confirmedAt: ISODate("2026-03-01T12:02:00Z") }"""), Filter(UptimeQueries.ChangeKey(change)));
        Assert.Equal(
            Json("""{ $setOnInsert: { from: "Up", to: "Down", at: ISODate("2026-03-01T12:00:00Z"), reason: "ConnectionRefused" } }"""),
            Update(UptimeQueries.InsertChange(change)));
        Assert.Equal(
            Json("""{ at: { $gte: ISODate("2026-03-01T12:00:00Z"), $lt: ISODate("2026-03-01T13:00:00Z") } }"""),
            Filter(UptimeQueries.ChangesOf(null, T0, T0.AddHours(1))));
        Assert.Equal(Json("""{ site: "kcna.kp", at: { $gte: ISODate("2026-03-01T12:00:00Z"), $lt: ISODate("2026-03-01T13:00:00Z") } }"""), Filter(UptimeQueries.ChangesOf("kcna.kp", T0, T0.AddHours(1))));
        Assert.Equal(Json("""{ at: 1, confirmedAt: 1, site: 1 }"""), Sort(UptimeQueries.ChangeOrder));
    }

    [Fact]
    public void An_outage_is_keyed_by_site_and_start_and_its_end_is_only_ever_set_never_cleared()
    {
        var open = new Outage("kcna.kp", T0, null, ProbeFailure.DnsTimeout);

        Assert.Equal(Json("""{ site: "kcna.kp", start: ISODate("2026-03-01T12:00:00Z") }"""), Filter(UptimeQueries.OutageKey("kcna.kp", T0)));
        Assert.Equal(Json("""{ $set: { reason: "DnsTimeout" } }"""), Update(UptimeQueries.UpsertOutage(open)));
        Assert.Equal(
            Json("""{ $set: { reason: "DnsTimeout" }, $min: { end: ISODate("2026-03-01T13:30:00Z") } }"""),
            Update(UptimeQueries.UpsertOutage(open with { End = T0.AddMinutes(90) })));
    }

    [Fact]
    public void Outages_overlapping_a_window_started_before_its_end_and_are_open_or_ended_after_its_start()
    {
        Assert.Equal(
            Json("""
                { site: "kcna.kp", start: { $lt: ISODate("2026-03-01T13:00:00Z") },
                  $or: [{ end: null }, { end: { $gt: ISODate("2026-03-01T12:00:00Z") } }] }
                """),
            Filter(UptimeQueries.OutagesOf("kcna.kp", T0, T0.AddHours(1))));
        Assert.Equal(
            Json("""{ start: { $lt: ISODate("2026-03-01T13:00:00Z") }, $or: [{ end: null }, { end: { $gt: ISODate("2026-03-01T12:00:00Z") } }] }"""),
            Filter(UptimeQueries.OutagesOf(null, T0, T0.AddHours(1))));
        Assert.Equal(Json("""{ start: 1, site: 1 }"""), Sort(UptimeQueries.OutageOrder));
    }

    [Fact]
    public void A_country_outage_is_keyed_by_its_start_and_closed_like_a_sites()
    {
        var closed = new CountryOutage(T0, T0.AddMinutes(25), T0.AddMinutes(3), 290, 300);

        Assert.Equal(Json("""{ _id: ISODate("2026-03-01T12:00:00Z") }"""), Filter(UptimeQueries.CountryOutageKey(T0)));
        Assert.Equal(
            Json("""{ $set: { confirmedAt: ISODate("2026-03-01T12:03:00Z"), failedTargets: 290, targets: 300 }, $min: { end: ISODate("2026-03-01T12:25:00Z") } }"""),
            Update(UptimeQueries.UpsertCountryOutage(closed)));
        Assert.Equal(
            Json("""{ $set: { confirmedAt: ISODate("2026-03-01T12:03:00Z"), failedTargets: 290, targets: 300 } }"""),
            Update(UptimeQueries.UpsertCountryOutage(closed with { End = null })));
        Assert.Equal(
            Json("""{ _id: { $lt: ISODate("2026-03-01T13:00:00Z") }, $or: [{ end: null }, { end: { $gt: ISODate("2026-03-01T12:00:00Z") } }] }"""),
            Filter(UptimeQueries.CountryOutagesOf(T0, T0.AddHours(1))));
        Assert.Equal(Json("""{ _id: 1 }"""), Sort(UptimeQueries.CountryOutageOrder));
    }

    [Fact]
    public void Each_sites_latest_state_is_read_from_the_first_document_per_site_of_an_index_order()
    {
        Assert.Equal(
            JsonArray("""
                [ { $sort: { site: -1, confirmedAt: -1 } },
                  { $group: { _id: "$site", to: { $first: "$to" }, at: { $first: "$at" }, firstAt: { $min: "$at" } } } ]
                """),
            Pipeline(UptimeQueries.LatestChanges));
        Assert.Equal(
            JsonArray("""[ { $sort: { site: -1, at: -1 } }, { $group: { _id: "$site", last: { $first: "$$ROOT" } } } ]"""),
            Pipeline(UptimeQueries.LatestResults));
        Assert.Equal(
            JsonArray("""[ { $sort: { site: 1, at: 1 } }, { $group: { _id: "$site", at: { $first: "$at" } } } ]"""),
            Pipeline(UptimeQueries.FirstResults));
        Assert.Equal(
            JsonArray("""[ { $sort: { site: 1, hour: 1 } }, { $group: { _id: "$site", hour: { $first: "$hour" } } } ]"""),
            Pipeline(UptimeQueries.FirstHours));
        Assert.Equal(
            JsonArray("""[ { $sort: { site: -1, hour: -1 } }, { $group: { _id: "$site", hour: { $first: "$hour" } } } ]"""),
            Pipeline(UptimeQueries.LastHours));
    }
}
