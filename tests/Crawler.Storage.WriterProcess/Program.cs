using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Crawler.Core.Dns;
using Crawler.Core.Uptime;
using Crawler.Storage;
using Crawler.Storage.Sqlite;

// Usage: Crawler.Storage.WriterProcess <database> <writer-id> <rounds>
// Waits for one line on stdin ("go": the test starts every writer first, so that they race from
// the schema creation on), then writes as fast as it can. Every round is six transactions:
//   CommitAsync      one capture with a payload of its own and one shared by every writer, its
//                    URL done, two discovered URLs (one on this writer's host, one on a shared host)
//   UpdateFrontier   one URL of this writer's host settled as Skipped
//   AddToFrontier    one URL of this writer's host, one of the shared host
//   SetSetting       one key of this writer's, and one key every writer overwrites
//   AddResults       one probe result of this writer's site and one of a site every writer probes
//   AddObservations  one DNS observation (every tenth round)
// Prints "done <writer> <rounds> <milliseconds>" and exits 0; on any failure prints it and exits 1.
if (args.Length != 3 || !int.TryParse(args[1], CultureInfo.InvariantCulture, out var writer)
    || !int.TryParse(args[2], CultureInfo.InvariantCulture, out var rounds))
{
    await Console.Error.WriteLineAsync("usage: Crawler.Storage.WriterProcess <database> <writer-id> <rounds>");
    return 2;
}

var options = new SqliteStoreOptions { Path = args[0] };
var t0 = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
var host = $"w{writer}.kp";
var shared = new byte[4096];
Array.Fill(shared, (byte)'s');

if (await Console.In.ReadLineAsync() != "go")
{
    await Console.Error.WriteLineAsync($"writer {writer}: expected 'go' on stdin");
    return 2;
}

try
{
    var clock = Stopwatch.StartNew();
    var crawl = new SqliteCrawlStore(options);
    var uptime = new SqliteUptimeStore(options);
    var dns = new SqliteDnsStore(options);
    await using (crawl)
    await using (uptime)
    await using (dns)
    {
        await crawl.InitializeAsync();
        await uptime.InitializeAsync();
        await dns.InitializeAsync();
        for (var i = 0; i < rounds; i++)
        {
            var url = $"http://{host}/page/{i}";
            var own = Encoding.UTF8.GetBytes($"<html><title>writer {writer} page {i}</title></html>");
            var capture = new CaptureRecord
            {
                Id = $"{writer:D2}-{i:D6}",
                Url = url,
                Host = host,
                Epoch = 1,
                FetchedAt = t0.AddMilliseconds(i),
                Status = 200,
                RequestHeaders = Encoding.ASCII.GetBytes($"GET /page/{i} HTTP/1.1\r\n\r\n"),
                PayloadDigest = Digest(own),
                PayloadLength = own.Length,
            };
            var sharedCapture = capture with { Id = $"{writer:D2}-{i:D6}-shared", Url = url + "/shared", PayloadDigest = Digest(shared), PayloadLength = shared.Length };
            await crawl.CommitAsync(
            [
                new FetchCommit
                {
                    Capture = capture,
                    Payload = own,
                    Discovered =
                    [
                        new FrontierEntry { Url = url + "/next", Host = host, Epoch = 1, Depth = 1, Via = url, Kind = "a@href" },
                        new FrontierEntry { Url = $"http://shared.kp/{i}", Host = "shared.kp", Epoch = 1, Depth = 1, Via = url, Kind = "a@href" },
                    ],
                },
                new FetchCommit { Capture = sharedCapture, Payload = shared },
            ]);
            await crawl.UpdateFrontierAsync([new FrontierUpdate($"http://{host}/skipped/{i}", host, 1, FrontierState.Skipped, "robots")]);
            await crawl.AddToFrontierAsync(
            [
                new FrontierEntry { Url = $"http://{host}/added/{i}", Host = host, Epoch = 1, Depth = 2, Kind = "a@href" },
                new FrontierEntry { Url = $"http://shared.kp/added/{i}", Host = "shared.kp", Epoch = 1, Depth = 2, Kind = "a@href" },
            ]);
            await crawl.SetSettingAsync($"writer.{writer}.{i}", i.ToString(CultureInfo.InvariantCulture));
            await crawl.SetSettingAsync("last-writer", writer.ToString(CultureInfo.InvariantCulture));

            // The shared site's results are distinct per writer (At differs), all in one UTC hour:
            // its hourly aggregate must count every writer's probes (no lost read-modify-write).
            await uptime.AddResultsAsync(
            [
                ProbeResult.Up(host, t0.AddMilliseconds(i), TimeSpan.FromMilliseconds(100 + i)),
                ProbeResult.Up("shared.kp", t0.AddMilliseconds((writer * rounds) + i), TimeSpan.FromMilliseconds(100 + i)),
            ]);
            if (i % 10 == 0)
            {
                await dns.AddObservationsAsync([new DnsObservation(host, t0.AddMilliseconds(i), "127.0.0.1", DnsOutcome.NoError, [new DnsRecordData("A", "175.45.176.1", 60)])]);
            }
        }
    }

    Console.WriteLine($"done {writer} {rounds} {clock.ElapsedMilliseconds}");
    return 0;
}
#pragma warning disable CA1031 // Any failure is this process's result, reported to the test.
catch (Exception e)
#pragma warning restore CA1031
{
    await Console.Error.WriteLineAsync($"writer {writer} failed: {e}");
    return 1;
}

static string Digest(byte[] payload) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(payload));
