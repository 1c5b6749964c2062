using System.Globalization;
using System.Text;
using Crawler.Storage;

namespace Crawler.Bench.Cdx;

/// <summary>One site of the corpus: its host, URL pattern, how many URLs and captures it has.</summary>
internal sealed record Site(int Index, string Host, int Pattern, int Urls, int Captures, bool Big);

/// <summary>
/// A seeded, reproducible archive of a .kp-like web: 60 sites, four state-media sites with 25 %, 20 %, 15 % and 10 %
/// of the captures, the rest Zipf-distributed over 56 smaller ones (one of them the bare host of a www. site);
/// 1 to 8 captures per URL over 40 quarterly epochs (2016–2025); statuses 200, 301, 404 and 304 (revisits);
/// four URL shapes (hashed article paths, PHP query strings, dated paths with mixed-case image names, query-only
/// pages). Everything is a function of (seed, site, URL, capture), so `query` rebuilds the URLs `fill` wrote.
/// </summary>
internal sealed class Corpus
{
    private const int Epochs = 40;
    private static readonly DateTimeOffset Start = new(2016, 1, 4, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] BigHosts = ["www.kcna.kp", "rodong.rep.kp", "www.naenara.com.kp", "vok.rep.kp"];
    private static readonly double[] BigShares = [0.25, 0.20, 0.15, 0.10];
    private static readonly string[] Words = ["leader", "party", "people", "korea", "juche", "army", "farm", "factory", "visit", "congress", "science", "sports", "culture", "letter", "delegation", "meeting"];
    private static readonly string[] Langs = ["kp", "en", "ru", "cn", "ja", "es"];

    public Corpus(int seed, int captures)
    {
        Seed = seed;
        var hosts = new List<(string Host, bool Big, double Share)>();
        for (var i = 0; i < BigHosts.Length; i++)
        {
            hosts.Add((BigHosts[i], true, BigShares[i]));
        }

        var rest = 1 - BigShares.Sum();
        var zipf = Enumerable.Range(1, 56).Select(r => 1.0 / r).ToArray();
        var small = new List<string> { "kcna.kp" }; // the bare host of www.kcna.kp: its 301s and a few pages
        string[] names = ["mfa.gov", "friend.com", "ryomyong.com", "uriminzokkiri.com", "minzu.rep", "pyongyangtimes.com", "vok", "kass.rep", "star.co", "silibank.net", "airkoryo.com", "kut.edu", "kim-il-sung.edu", "sdprk.org", "gnu.rep", "koryolink.com", "tourism.gov", "kftc.com", "manmulsang.com", "cooks.org"];
        for (var i = 0; small.Count < 56; i++)
        {
            var name = i < names.Length ? names[i] : $"site{i:00}.rep";
            small.Add((i % 3 == 0 ? "www." : string.Empty) + name + ".kp");
        }

        for (var i = 0; i < small.Count; i++)
        {
            hosts.Add((small[i], false, rest * zipf[i] / zipf.Sum()));
        }

        var sites = new List<Site>();
        for (var s = 0; s < hosts.Count; s++)
        {
            var target = Math.Max(1, (int)Math.Round(captures * hosts[s].Share));
            var pattern = s < BigHosts.Length ? s : s % 4;
            int urls = 0, count = 0;
            while (count < target)
            {
                count += Math.Min(CapturesOf(s, urls), target - count);
                urls++;
            }

            sites.Add(new Site(s, hosts[s].Host, pattern, urls, target, hosts[s].Big));
        }

        // Rounding: the last small site takes the difference so the total is exactly the one asked for.
        var diff = captures - sites.Sum(x => x.Captures);
        var last = sites[^1];
        sites[^1] = last with { Captures = Math.Max(1, last.Captures + diff), Urls = Math.Max(last.Urls, last.Captures + diff) };
        Sites = sites;
    }

    public int Seed { get; }

    public IReadOnlyList<Site> Sites { get; }

    /// <summary>How many times URL <paramref name="j"/> of site <paramref name="s"/> is captured: 1 (40 %), 2 (20 %), 3–4 (20 %), 5–8 (20 %).</summary>
    public int CapturesOf(int s, int j)
    {
        var h = Hash(s, j, -1, 1) % 100;
        return h switch
        {
            < 40 => 1,
            < 60 => 2,
            < 80 => 3 + (int)(Hash(s, j, -1, 2) % 2),
            _ => 5 + (int)(Hash(s, j, -1, 3) % 4),
        };
    }

    /// <summary>The canonical URL of site <paramref name="site"/>'s URL <paramref name="j"/>.</summary>
    public string Url(Site site, int j)
    {
        var h = Hash(site.Index, j, -1, 4);
        var date = Start.AddDays(j * 3650.0 / Math.Max(1, site.Urls));
        var word = Words[h % (ulong)Words.Length];
        var path = site.Pattern switch
        {
            0 => $"/{Langs[h % 3]}/article/q/{Hash(site.Index, j, -1, 5):x16}{Hash(site.Index, j, -1, 6):x16}.kcmsf",
            1 => $"/index.php?strPageID=SF01_02_0{1 + (h % 4)}&newsID={date:yyyy-MM-dd}-{j % 100_000:D5}&lang={Langs[h % 6]}",
            2 => (h % 5) == 0
                ? $"/Images/{date:yyyy}/{j:D6}_{word.ToUpperInvariant()}.JPG"
                : $"/news/{date:yyyy}/{date:MM}/{date:dd}/{word}-{j}.html",
            _ => $"/?page=Article&no={j}&lang={Langs[h % 6]}",
        };
        return "http://" + site.Host + path;
    }

    /// <summary>Every capture, in the order a crawl would write them (by time).</summary>
    public IEnumerable<CaptureRecord> Captures()
    {
        var all = new List<(long Ticks, int Site, int Url, int Capture)>(Sites.Sum(s => s.Captures));
        foreach (var site in Sites)
        {
            var left = site.Captures;
            for (var j = 0; j < site.Urls && left > 0; j++)
            {
                var k = Math.Min(CapturesOf(site.Index, j), left);
                left -= k;
                for (var c = 0; c < k; c++)
                {
                    all.Add((When(site, j, c, k).UtcTicks, site.Index, j, c));
                }
            }
        }

        all.Sort();
        foreach (var (ticks, s, j, c) in all)
        {
            yield return Record(Sites[s], j, c, new DateTimeOffset(ticks, TimeSpan.Zero));
        }
    }

    private static int EpochOf(Site site, int j, int c, int k)
    {
        var first = (int)((long)j * (Epochs - 1) / Math.Max(1, site.Urls));
        return k == 1 ? first : Math.Min(Epochs - 1, first + (c * (Epochs - 1 - first) / (k - 1)));
    }

    private DateTimeOffset When(Site site, int j, int c, int k) =>
        Start.AddDays(EpochOf(site, j, c, k) * 91.0).AddHours(site.Index).AddSeconds(Hash(site.Index, j, c, 7) % (3 * 86_400));

    private CaptureRecord Record(Site site, int j, int c, DateTimeOffset at)
    {
        var url = Url(site, j);
        var roll = Hash(site.Index, j, c, 8) % 100;
        int status = site.Host == "kcna.kp" ? 301
            : c == 0 ? roll switch { < 92 => 200, < 96 => 301, _ => 404 }
            : roll switch { < 55 => 200, < 90 => 304, < 93 => 301, _ => 404 };
        var html = !url.EndsWith(".JPG", StringComparison.Ordinal);
        var version = status == 304 ? 0 : Hash(site.Index, j, c, 9) % 3; // pages change now and then
        var uri = new Uri(url);
        string? redirect = status == 301 ? (site.Host == "kcna.kp" ? url.Replace("://kcna.kp", "://www.kcna.kp", StringComparison.Ordinal) : url + "/") : null;
        var digest = status is 200 or 404 ? $"sha256:{Hash(site.Index, j, (int)version, 10):x16}{Hash(site.Index, j, (int)version, 11):x16}{Hash(site.Index, j, (int)version, 12):x16}{Hash(site.Index, j, (int)version, 13):x16}" : null;
        return new CaptureRecord
        {
            Id = Guid.CreateVersion7(at).ToString(),
            Url = url,
            Host = site.Host,
            Epoch = EpochOf(site, j, c, CapturesOf(site.Index, j)) + 1,
            FetchedAt = at,
            DurationMs = 40 + (long)(Hash(site.Index, j, c, 14) % 900),
            IpAddress = $"175.45.176.{site.Index + 10}",
            Status = status,
            RequestHeaders = Encoding.ASCII.GetBytes($"GET {uri.PathAndQuery} HTTP/1.1\r\nHost: {site.Host}\r\nUser-Agent: Crawler/1.0 (+archive)\r\nAccept: */*\r\n\r\n"),
            ResponseHeaders = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $"HTTP/1.1 {status} X\r\nServer: Apache\r\nDate: {at:R}\r\nContent-Type: {(html ? "text/html; charset=utf-8" : "image/jpeg")}\r\n{(redirect is null ? string.Empty : "Location: " + redirect + "\r\n")}\r\n")),
            PayloadDigest = digest,
            PayloadLength = digest is null ? 0 : (long)(2_000 + Hash(site.Index, j, (int)version, 15) % 60_000),
            ContentType = status == 304 ? null : html ? "text/html; charset=utf-8" : "image/jpeg",
            RedirectTo = redirect,
            Title = html && status == 200 ? $"{Words[j % Words.Length]} {j}" : null,
            Language = html ? "ko" : null,
        };
    }

    /// <summary>A stable 64-bit hash of (seed, site, URL, capture, purpose): splitmix64 over their combination.</summary>
    private ulong Hash(int s, int j, int c, int purpose)
    {
        var x = (ulong)Seed * 0x9E3779B97F4A7C15UL ^ (ulong)s << 48 ^ (ulong)(uint)j << 16 ^ (ulong)(c + 1) << 8 ^ (ulong)purpose;
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
