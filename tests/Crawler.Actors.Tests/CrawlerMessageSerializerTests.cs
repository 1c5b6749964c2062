using System.Collections;
using System.Reflection;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Crawler.Actors.Coordination;
using Crawler.Actors.Discovery;
using Crawler.Actors.Politeness;
using Crawler.Actors.Serialization;
using Crawler.Actors.Sites;
using Crawler.Actors.Uptime;
using Crawler.Core.Policies;
using Crawler.Core.Uptime;
using Crawler.Net.Probing;
using Xunit;

namespace Crawler.Actors.Tests;

public sealed class CrawlerMessageSerializerTests : TestKit
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 4, 5, 6, 7, 890, TimeSpan.FromHours(9));

    // A view of a message that includes what the wire format leaves out (computed properties, whatever
    // a missing setter would drop), so a property lost on the wire shows as a difference.
    private static readonly JsonSerializerOptions FullView = new(JsonSerializerDefaults.General)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public CrawlerMessageSerializerTests()
        : base(ConfigurationFactory.ParseString("akka.actor.provider = local").WithFallback(ClusterHocon()))
    {
    }

    private static SiteProtocol.SiteReport Report(string host) => new(
        host, 3, SitePhase.Crawling, 12, 4, true, 345, 6, 7, "127.45.176.81", "timeout", T0)
    { NotDue = 89 };

    private static ProbeResult Result() => new ProbeResult("kcna.kp", T0, ProbeFailure.HttpStatus)
    {
        Resolve = TimeSpan.FromMilliseconds(12),
        Connect = TimeSpan.FromMilliseconds(34),
        Tls = TimeSpan.FromMilliseconds(56),
        FirstByte = TimeSpan.FromMilliseconds(78),
        Total = TimeSpan.FromMilliseconds(910),
        HttpStatus = 503,
        TlsCertificateExpiry = T0.AddDays(30),
        Detail = "Service Unavailable",
    };

    private static ProbeTarget Target() => new("kcna.kp", new Uri("http://kcna.kp/index.php?lang=en"))
    {
        Keyword = "KCNA",
        Regex = "Korean\\s+Central",
        ExpectedStatus = [200, 301],
        DegradedAfter = TimeSpan.FromSeconds(3),
        Timeout = TimeSpan.FromSeconds(9),
    };

    private static CountryOutage CountryOutageSample() => new(T0, T0.AddMinutes(17), T0.AddMinutes(3), 40, 52);

    /// <summary>One sample per message type, every settable property (deeply) set to a value that is not its default.</summary>
    public static IReadOnlyDictionary<Type, object> Samples { get; } = new object[]
    {
        new SiteProtocol.Crawl("kcna.kp", 7),
        new SiteProtocol.Discovered("kcna.kp", 7, [new SiteProtocol.DiscoveredUrl("http://kcna.kp/a", 2, "http://kcna.kp/", "a@href"), new SiteProtocol.DiscoveredUrl("http://kcna.kp/b", 3, "http://kcna.kp/a", "redirect")]),
        new SiteProtocol.DiscoveredUrl("http://kcna.kp/a", 2, "http://kcna.kp/", "a@href"),
        SiteProtocol.Stop.Instance,
        new SiteProtocol.GetReport("kcna.kp"),
        Report("kcna.kp"),
        new CoordinatorProtocol.GetStatus(),
        new CoordinatorProtocol.CrawlStatus(4, true, T0, T0.AddHours(6), [Report("kcna.kp"), Report("rodong.rep.kp") with { Phase = SitePhase.Idle }]),
        new CoordinatorProtocol.EpochCompleted(4, 1234),
        new CoordinatorProtocol.AddSeeds(["http://naenara.com.kp/", "http://kass.org.kp/"], "axfr"),
        new CoordinatorProtocol.AwaitSeeds(true),
        new CoordinatorProtocol.SeedsAdded(4, 2),
        new CoordinatorProtocol.WatchCompletion(),
        new AddressGateProtocol.Acquire("127.45.176.81", "probe:kcna.kp", AddressPurpose.Probe, TimeSpan.FromSeconds(95), 7),
        new AddressGateProtocol.Granted("127.45.176.81", 7),
        new AddressGateProtocol.RequestDone("127.45.176.81", "kcna.kp", TimeSpan.FromSeconds(5)),
        new AddressGateProtocol.Renew("127.45.176.81", "probe:kcna.kp", AddressPurpose.Probe, TimeSpan.FromSeconds(19)),
        new AddressGateProtocol.Release("127.45.176.81", "kcna.kp"),
        new AddressGateProtocol.GetState("127.45.176.81"),
        new AddressGateProtocol.State("127.45.176.81", "kcna.kp", "probe:kcna.kp", ["rodong.rep.kp", "probe:rodong.rep.kp"]),
        new ProbeProtocol.Watch("kcna.kp", Target(), TimeSpan.FromMinutes(1)),
        new ProbeProtocol.GetStatus("kcna.kp"),
        new ProbeProtocol.SiteStatus("kcna.kp", SiteState.Down, new StateChange("kcna.kp", SiteState.Up, SiteState.Down, T0, T0.AddMinutes(2), ProbeFailure.ConnectTimeout), Result(), 99),
        new ProbeProtocol.ProbeCompleted(Result(), SiteState.Degraded, TimeSpan.FromMilliseconds(250)),
        new ProbeProtocol.StateChanged(new StateChange("kcna.kp", SiteState.Down, SiteState.Up, T0, T0.AddMinutes(2), ProbeFailure.DnsTimeout), new Outage("kcna.kp", T0.AddHours(-1), T0, ProbeFailure.DnsTimeout)),
        new ProbeProtocol.CountryOutageChanged(new CountryOutageEvent(CountryOutageEventKind.Ended, CountryOutageSample())),
        DiscoveryProtocol.RunNow.Instance,
        new DiscoveryProtocol.Completed(10, 3, 2, 1, ["kcna.kp", "naenara.com.kp"]),
    }.ToDictionary(m => m.GetType());

    public static TheoryData<string> ManifestNames()
    {
        var data = new TheoryData<string>();
        foreach (var manifest in CrawlerMessageSerializer.Manifests.Values.Order(StringComparer.Ordinal))
        {
            data.Add(manifest);
        }

        return data;
    }

    /// <summary>The manifests of types sent as messages (DiscoveredUrl has a manifest but only travels inside Discovered).</summary>
    public static TheoryData<string> MessageManifestNames()
    {
        var data = new TheoryData<string>();
        foreach (var manifest in CrawlerMessageSerializer.Manifests.Where(p => typeof(ICrawlerMessage).IsAssignableFrom(p.Key)).Select(p => p.Value).Order(StringComparer.Ordinal))
        {
            data.Add(manifest);
        }

        return data;
    }

    private static Type TypeOf(string manifest) => CrawlerMessageSerializer.Manifests.Single(p => p.Value == manifest).Key;

    private static Config ClusterHocon()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Crawler.sln")))
        {
            dir = dir.Parent;
        }

        var root = dir?.FullName ?? throw new InvalidOperationException("Crawler.sln not found above " + AppContext.BaseDirectory);
        return ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(root, "cluster-config", "cluster.hocon")));
    }

    private CrawlerMessageSerializer Serializer => new((ExtendedActorSystem)Sys);

    [Fact]
    public void Every_message_type_with_a_manifest_has_a_sample_in_this_test()
    {
        Assert.Empty(CrawlerMessageSerializer.Manifests.Keys.Where(t => !Samples.ContainsKey(t)).Select(t => t.FullName));
    }

    [Theory]
    [MemberData(nameof(ManifestNames))]
    public void A_message_round_trips_through_the_serializer_with_every_property(string manifest)
    {
        var type = TypeOf(manifest);
        var sample = Samples[type];
        AssertNoDefaults(sample, type.Name);

        var serializer = Serializer;
        Assert.Equal(manifest, serializer.Manifest(sample));
        var bytes = serializer.ToBinary(sample);
        var back = serializer.FromBinary(bytes, manifest);

        Assert.IsType(type, back);
        Assert.Equal(JsonSerializer.Serialize(sample, type, FullView), JsonSerializer.Serialize(back, type, FullView));
        Assert.Equal(bytes, serializer.ToBinary(back));
    }

    [Fact]
    public void Records_without_lists_come_back_equal()
    {
        var serializer = Serializer;
        foreach (var sample in new object[]
        {
            new SiteProtocol.Crawl("kcna.kp", 7),
            Report("kcna.kp"),
            new AddressGateProtocol.Acquire("127.45.176.81", "probe:kcna.kp", AddressPurpose.Probe, TimeSpan.FromSeconds(95)),
            new ProbeProtocol.CountryOutageChanged(new CountryOutageEvent(CountryOutageEventKind.Ended, CountryOutageSample())),
            new ProbeProtocol.ProbeCompleted(Result(), SiteState.Degraded, TimeSpan.FromMilliseconds(250)),
        })
        {
            Assert.Equal(sample, serializer.FromBinary(serializer.ToBinary(sample), serializer.Manifest(sample)));
        }
    }

    [Fact]
    public void Enums_travel_by_name()
    {
        var json = System.Text.Encoding.UTF8.GetString(Serializer.ToBinary(Report("kcna.kp")));
        Assert.Contains("\"Crawling\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_crawler_message_in_the_actors_assembly_has_a_manifest()
    {
        var messages = typeof(ICrawlerMessage).Assembly.GetTypes()
            .Where(t => typeof(ICrawlerMessage).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false })
            .ToList();

        Assert.NotEmpty(messages);
        Assert.Empty(messages.Where(t => !CrawlerMessageSerializer.Manifests.ContainsKey(t)).Select(t => t.FullName));
    }

    [Fact]
    public void Manifests_are_unique()
    {
        var duplicates = CrawlerMessageSerializer.Manifests.Values.GroupBy(m => m, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key);
        Assert.Empty(duplicates);
    }

    [Fact]
    public void An_unknown_manifest_throws_a_serialization_exception_that_names_it()
    {
        var error = Assert.Throws<SerializationException>(() => Serializer.FromBinary("{}"u8.ToArray(), "site.crawl.v99"));
        Assert.Contains("'site.crawl.v99'", error.Message, StringComparison.Ordinal);
        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_message_without_a_manifest_is_refused_with_advice()
    {
        var error = Assert.Throws<ArgumentException>(() => Serializer.ToBinary(new Unlisted("x")));
        Assert.Contains(nameof(Unlisted), error.Message, StringComparison.Ordinal);
        Assert.Contains("CrawlerMessageSerializer.Manifests", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_property_from_a_newer_node_is_ignored()
    {
        var back = Serializer.FromBinary("""{"Host":"kcna.kp","Epoch":7,"Priority":"high"}"""u8.ToArray(), "site.crawl");
        Assert.Equal(new SiteProtocol.Crawl("kcna.kp", 7), back);
    }

    [Fact]
    public void A_site_report_of_a_node_older_than_the_recrawl_schedule_reads_as_none_not_due()
    {
        var old = """{"Host":"kcna.kp","Epoch":3,"Phase":"Idle","Pending":0,"Waiting":0,"InFlight":false,"Fetched":5,"Errors":0,"Skipped":1,"IpAddress":null,"LastError":null,"LastFetchAt":null}"""u8.ToArray();
        var back = Assert.IsType<SiteProtocol.SiteReport>(Serializer.FromBinary(old, "site.report"));
        Assert.Equal((5L, 1L, 0L), (back.Fetched, back.Skipped, back.NotDue));

        var current = Report("kcna.kp");
        Assert.Equal(89, Assert.IsType<SiteProtocol.SiteReport>(Serializer.FromBinary(Serializer.ToBinary(current), "site.report")).NotDue);
    }

    [Theory]
    [MemberData(nameof(MessageManifestNames))]
    public void The_cluster_configuration_binds_every_crawler_message_to_the_crawler_serializer(string manifest)
    {
        var sample = Samples[TypeOf(manifest)];
        var serializer = Sys.Serialization.FindSerializerFor(sample);

        Assert.IsType<CrawlerMessageSerializer>(serializer);
        Assert.Equal(CrawlerMessageSerializer.SerializerId, serializer.Identifier);
        var bytes = serializer.ToBinary(sample);
        var back = Sys.Serialization.Deserialize(bytes, serializer.Identifier, manifest);
        Assert.Equal(JsonSerializer.Serialize(sample, sample.GetType(), FullView), JsonSerializer.Serialize(back, sample.GetType(), FullView));
    }

    private static void AssertNoDefaults(object value, string path)
    {
        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is null || property.GetIndexParameters().Length > 0)
            {
                continue; // computed
            }

            var here = path + "." + property.Name;
            var v = property.GetValue(value);
            Assert.False(v is null, here + " is null in the sample");
            var type = property.PropertyType;
            if (type.IsValueType)
            {
                Assert.False(v!.Equals(Activator.CreateInstance(v.GetType())), here + " has its default value in the sample");
            }
            else if (v is string s)
            {
                Assert.False(s.Length == 0, here + " is empty in the sample");
            }
            else if (v is IEnumerable items)
            {
                var list = items.Cast<object>().ToList();
                Assert.False(list.Count == 0, here + " is empty in the sample");
                foreach (var item in list.Where(i => i.GetType().Namespace?.StartsWith("Crawler.", StringComparison.Ordinal) == true))
                {
                    AssertNoDefaults(item, here + "[]");
                }
            }
            else if (type.Namespace?.StartsWith("Crawler.", StringComparison.Ordinal) == true)
            {
                AssertNoDefaults(v!, here);
            }
        }
    }

    private sealed record Unlisted(string Name) : ICrawlerMessage;
}
