using Crawler.Core.Dns;
using Crawler.Storage.Mongo;
using Crawler.Storage.Mongo.Documents;
using static Crawler.Storage.Tests.Mongo.Rendered;

namespace Crawler.Storage.Tests.Mongo;

/// <summary>Every index, filter, sort, update and pipeline the MongoDB DNS store sends, rendered and compared. Runs without a server.</summary>
public sealed class MongoDnsQueryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Observations_are_unique_by_name_time_and_server_and_indexed_by_address()
    {
        Assert.Equal(
            JsonArray("""
                [ { key: { name: 1, at: 1, server: 1 }, name: "name_at_server", unique: true },
                  { key: { addresses: 1 }, name: "addresses" } ]
                """),
            Indexes(DnsQueries.ObservationIndexes));
        Assert.Equal(
            JsonArray("""[ { key: { name: 1, how: 1, source: 1 }, name: "name_how_source", unique: true } ]"""),
            Indexes(DnsQueries.DiscoveredNameIndexes));
    }

    [Fact]
    public void An_observation_is_written_once_under_its_name_time_and_server()
    {
        var observation = DnsObservationDocument.From(new DnsObservation("kcna.kp", T0, "127.0.0.1:5353", DnsOutcome.NoError,
            [new DnsRecordData("A", "127.45.176.71", 300), new DnsRecordData("A", "127.45.176.71", 300), new DnsRecordData("NS", "ns1.kptc.kp.", 86400)]));

        Assert.Equal(
            Json("""{ name: "kcna.kp", at: ISODate("2026-11-28T12:00:00Z"), server: "127.0.0.1:5353" }"""),
            Filter(DnsQueries.ObservationKey(observation)));
        Assert.Equal(
            Json("""
                { $setOnInsert: { outcome: "NOERROR",
                                  records: [ { type: "A", value: "127.45.176.71", ttl: 300 }, { type: "A", value: "127.45.176.71", ttl: 300 },
                                             { type: "NS", value: "ns1.kptc.kp.", ttl: 86400 } ],
                                  addresses: ["127.45.176.71"] } }
                """),
            Update(DnsQueries.InsertObservation(observation)));
    }

    [Fact]
    public void A_names_history_is_read_oldest_first_in_storage_order_within_one_instant()
    {
        Assert.Equal(Json("""{ name: "kcna.kp" }"""), Filter(DnsQueries.ObservationsOf("kcna.kp")));
        Assert.Equal(Json("""{ at: 1, _id: 1 }"""), Sort(DnsQueries.History));
    }

    [Fact]
    public void Names_on_an_address_are_the_candidates_whose_latest_observation_still_holds_it()
    {
        Assert.Equal(Json("""{ addresses: "127.45.176.81" }"""), Filter(DnsQueries.EverOnAddress("127.45.176.81")));
        Assert.Equal(
            JsonArray("""
                [ { $match: { name: { $in: ["cooks.org.kp", "kass.org.kp"] } } },
                  { $sort: { name: 1, at: -1, _id: -1 } },
                  { $group: { _id: "$name", addresses: { $first: "$addresses" } } },
                  { $match: { addresses: "127.45.176.81" } },
                  { $sort: { _id: 1 } } ]
                """),
            Pipeline(DnsQueries.LatestOnAddress(["cooks.org.kp", "kass.org.kp"], "127.45.176.81")));
    }

    [Fact]
    public void A_discovered_name_keeps_its_first_finding()
    {
        Assert.Equal(Json("""{ name: "airkoryo.com.kp", how: "axfr", source: "com.kp" }"""), Filter(DnsQueries.DiscoveredKey("airkoryo.com.kp", "axfr", "com.kp")));
        Assert.Equal(
            Json("""{ $setOnInsert: { server: "127.0.0.1:53", at: ISODate("2026-11-28T12:00:00Z") } }"""),
            Update(DnsQueries.InsertDiscovered("127.0.0.1:53", T0)));
        Assert.Equal(Json("""{ name: 1, how: 1, source: 1 }"""), Sort(DnsQueries.DiscoveredOrder));
    }
}
