using System.Globalization;

namespace Crawler.Storage.Tests.Contract;

/// <summary>Settings more than one writer may change: compare-and-set.</summary>
public abstract partial class CrawlStoreContract
{
    [SkippableFact]
    public async Task Compare_and_set_creates_a_setting_only_when_absent_and_changes_it_only_from_the_expected_value()
    {
        await using var store = await CreateStoreAsync();

        Assert.True(await store.CompareAndSetSettingAsync("epoch", null, "1"));
        Assert.False(await store.CompareAndSetSettingAsync("epoch", null, "9"));
        Assert.Equal("1", await store.GetSettingAsync("epoch"));

        Assert.False(await store.CompareAndSetSettingAsync("epoch", "0", "2"));
        Assert.Equal("1", await store.GetSettingAsync("epoch"));
        Assert.True(await store.CompareAndSetSettingAsync("epoch", "1", "2"));
        Assert.Equal("2", await store.GetSettingAsync("epoch"));

        Assert.False(await store.CompareAndSetSettingAsync("missing", "1", "2"));
        Assert.Null(await store.GetSettingAsync("missing"));
    }

    [SkippableFact]
    public async Task Two_store_instances_incrementing_one_setting_by_compare_and_set_lose_no_increment()
    {
        await using var first = await CreateStoreAsync();
        await using var second = await ReopenStoreAsync();
        const int Rounds = 40;

        static async Task Increment(ICrawlStore store)
        {
            for (var i = 0; i < Rounds; i++)
            {
                while (true)
                {
                    var current = await store.GetSettingAsync("counter");
                    var next = ((current is null ? 0 : int.Parse(current, CultureInfo.InvariantCulture)) + 1).ToString(CultureInfo.InvariantCulture);
                    if (await store.CompareAndSetSettingAsync("counter", current, next))
                    {
                        break;
                    }
                }
            }
        }

        await Task.WhenAll(Task.Run(() => Increment(first)), Task.Run(() => Increment(second)));

        Assert.Equal((2 * Rounds).ToString(CultureInfo.InvariantCulture), await first.GetSettingAsync("counter"));
    }
}
