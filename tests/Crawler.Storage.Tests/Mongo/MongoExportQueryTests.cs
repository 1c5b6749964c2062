using Crawler.Core.Uptime;
using Crawler.Storage.Mongo;
using Crawler.Storage.Mongo.Documents;
using static Crawler.Storage.Tests.Mongo.Rendered;

namespace Crawler.Storage.Tests.Mongo;

/// <summary>
/// What the MongoDB stores' exports and the hourly import send (crawler migrate), rendered by the driver without a server:
/// each export walks a unique index (the frontier, in the order added, is sorted on disk), and an imported hour replaces
/// the stored aggregate but keeps what it folded.
/// </summary>
public sealed class MongoExportQueryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Crawl_exports_sort_by_the_order_added_or_by_a_unique_key()
    {
        Assert.Equal(Json("""{ seq: 1, epoch: 1, url: 1 }"""), Sort(ExportQueries.FrontierOrder));
        Assert.Equal(Json("""{ _id: 1 }"""), Sort(ExportQueries.ScheduleOrder));
        Assert.Equal(Json("""{ epoch: 1, host: 1 }"""), Sort(ExportQueries.JobOrder));
        Assert.Equal(Json("""{ _id: 1 }"""), Sort(ExportQueries.SettingOrder));
    }

    [Fact]
    public void Dns_and_uptime_exports_sort_by_their_unique_indexes_keys()
    {
        Assert.Equal(Json("""{ name: 1, at: 1, server: 1 }"""), Sort(ExportQueries.ObservationOrder));
        Assert.Equal(Json("""{ site: 1, at: 1 }"""), Sort(ExportQueries.ResultOrder));
        Assert.Equal(Json("""{ site: 1, hour: 1 }"""), Sort(ExportQueries.HourlyOrder));
        Assert.Equal(Json("""{ site: 1, confirmedAt: 1 }"""), Sort(ExportQueries.ChangeOrder));
        Assert.Equal(Json("""{ site: 1, start: 1 }"""), Sort(ExportQueries.OutageOrder));
        Assert.Equal(Json("""{ _id: 1 }"""), Sort(ExportQueries.CountryOutageOrder));
    }

    [Fact]
    public void An_imported_hour_replaces_every_aggregate_field_and_keeps_the_folded_offsets()
    {
        var hour = HourlyDocument.From(UptimeMath.Aggregate(
            [ProbeResult.Up("kcna.kp", T0.AddMinutes(1), TimeSpan.FromTicks(1_000_003)), ProbeResult.Up("kcna.kp", T0.AddMinutes(2), TimeSpan.FromTicks(7_000_001))],
            UptimeThresholds.Default)[0]);

        Assert.Equal(Json("""{ site: "kcna.kp", hour: ISODate("2026-03-01T12:00:00Z") }"""), Filter(ExportQueries.HourKey(hour.Site, hour.Hour)));
        var update = Update(ExportQueries.ImportHour(hour)).AsBsonDocument;
        Assert.Equal(["$set"], update.Names);
        var set = update["$set"].AsBsonDocument;
        Assert.Equal(["probes", "successes", "degraded", "rtSum", "rtMin", "rtMax", "histogram"], set.Names);
        Assert.Equal((2, 2, 0, 8_000_004L, 1_000_003L, 7_000_001L), (set["probes"].AsInt32, set["successes"].AsInt32, set["degraded"].AsInt32, set["rtSum"].AsInt64, set["rtMin"].AsInt64, set["rtMax"].AsInt64));
        Assert.Equal(2, set["histogram"].AsBsonDocument.Values.Sum(v => v.AsInt64));
    }

    [Fact]
    public void An_imported_hour_of_failures_only_unsets_the_response_times_it_has_none_of()
    {
        var hour = HourlyDocument.From(UptimeMath.Aggregate([ProbeResult.Failed("kcna.kp", T0, ProbeFailure.ConnectTimeout)], UptimeThresholds.Default)[0]);

        Assert.Equal(
            Json("""{ $set: { probes: 1, successes: 0, degraded: 0, rtSum: NumberLong(0) }, $unset: { rtMin: 1, rtMax: 1, histogram: 1 } }"""),
            Update(ExportQueries.ImportHour(hour)));
    }
}
