using Crawler.Actors.Discovery;
using Crawler.Core.Policies;
using Crawler.Storage;
using Xunit;

namespace Crawler.Actors.Tests;

public sealed class DiscoveredSitesTests
{
    private static readonly CrawlScope Scope = new(["kp"]);

    private static readonly HashSet<string> Addressed = new(StringComparer.Ordinal) { "kcna.kp", "airkoryo.com.kp", "www.star.co.kp", "ns1.kptc.kp" };

    private static DiscoveredNameRecord Name(string name, string how = "axfr") => new(name, how, "kp", "127.0.0.1:53", DateTimeOffset.UnixEpoch);

    private static Task<bool> HasAddress(string name, CancellationToken ct) => Task.FromResult(Addressed.Contains(name));

    [Fact]
    public async Task Only_names_with_an_address_become_sites_and_registry_zones_stay_names()
    {
        var candidates = DiscoveredSites.Candidates(
            [Name("com.kp"), Name("edu.kp"), Name("gov.kp"), Name("KCNA.kp."), Name("airkoryo.com.kp"), Name("masikryong.com.kp")],
            includePtrNames: false,
            Scope.IsInScope);

        var (sites, without) = await DiscoveredSites.SplitAsync(candidates, HasAddress, Scope.IsInScope);

        Assert.Equal(["airkoryo.com.kp", "kcna.kp"], sites);
        Assert.Equal(["com.kp", "edu.kp", "gov.kp", "masikryong.com.kp"], without);
    }

    [Fact]
    public async Task A_name_without_an_address_whose_www_name_has_one_becomes_that_web_server()
    {
        var (sites, without) = await DiscoveredSites.SplitAsync(["star.co.kp"], HasAddress, Scope.IsInScope);

        Assert.Equal(["www.star.co.kp"], sites);
        Assert.Empty(without);
    }

    [Fact]
    public void Ptr_names_and_names_out_of_scope_are_not_candidates_unless_allowed()
    {
        DiscoveredNameRecord[] names = [Name("ns1.kptc.kp", "ptr"), Name("kcna.kp"), Name("example.com")];

        Assert.Equal(["kcna.kp"], DiscoveredSites.Candidates(names, includePtrNames: false, Scope.IsInScope));
        Assert.Equal(["kcna.kp", "ns1.kptc.kp"], DiscoveredSites.Candidates(names, includePtrNames: true, Scope.IsInScope));
    }
}
