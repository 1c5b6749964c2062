using Crawler.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using static Crawler.Storage.Tests.Contract.TestData;

namespace Crawler.Storage.Tests.Sqlite;

/// <summary>What only the embedded store promises: its file, its pragmas, its payload encoding, its errors.</summary>
public sealed class SqliteCrawlStoreTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "crawler-storage-tests", Guid.NewGuid().ToString("N"));

    private string DatabasePath => Path.Combine(_folder, "nested", "data", "crawler.db");

    private async Task<SqliteCrawlStore> OpenAsync(string? path = null)
    {
        var store = new SqliteCrawlStore(new SqliteStoreOptions { Path = path ?? DatabasePath });
        await store.InitializeAsync();
        return store;
    }

    private T Query<T>(string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)command.ExecuteScalar()!;
    }

    [Fact]
    public async Task A_version_1_file_gains_the_newer_columns_and_keeps_its_rows()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString()))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE frontier (epoch INTEGER NOT NULL, url TEXT NOT NULL, host TEXT NOT NULL, depth INTEGER NOT NULL,
                    via TEXT, kind TEXT NOT NULL, state INTEGER NOT NULL, attempts INTEGER NOT NULL, added_seq INTEGER NOT NULL,
                    reason TEXT, PRIMARY KEY (epoch, url)) WITHOUT ROWID;
                INSERT INTO frontier VALUES (1, 'http://a.kp/old', 'a.kp', 0, NULL, 'seed', 0, 1, 7, NULL);
                PRAGMA user_version = 1;
                """;
            command.ExecuteNonQuery();
        }

        await using var store = await OpenAsync();
        await store.CommitAsync([Commit(Capture("http://a.kp/new") with { Status = 503 }, FrontierState.Pending) with { RetryAt = At(60) }]);
        await store.CommitAsync([Commit(Capture("http://a.kp/done")) with { Outcome = RecrawlOutcome.New }]);
        var frontier = await store.GetFrontierAsync("a.kp", 1);

        Assert.Equal(4L, Query<long>("PRAGMA user_version"));
        Assert.Null(frontier.Single(e => e.Url == "http://a.kp/old").RetryAt);
        Assert.Equal(At(60), frontier.Single(e => e.Url == "http://a.kp/new").RetryAt);
        var job = Assert.Single(await store.GetJobsAsync(new JobQuery("a.kp", 1)));
        Assert.Equal((1L, 2L), (job.New, job.Pending));
    }

    [Fact]
    public void Default_path_is_the_data_folder()
    {
        Assert.Equal("data/crawler.db", new SqliteStoreOptions().Path);
    }

    [Fact]
    public async Task Initialize_creates_the_folder_and_a_database_in_WAL_mode()
    {
        await using var store = await OpenAsync();

        Assert.True(File.Exists(DatabasePath));
        Assert.Equal(Path.GetFullPath(DatabasePath), store.DatabasePath);
        Assert.Equal("wal", Query<string>("PRAGMA journal_mode"));
    }

    [Fact]
    public async Task Html_payloads_are_stored_compressed_and_incompressible_ones_raw()
    {
        await using var store = await OpenAsync();
        var html = Html("compress me");
        var noise = new byte[10_000];
        new Random(7).NextBytes(noise);

        await store.CommitAsync([CommitWithPayload(Capture("http://a.kp/"), html), CommitWithPayload(Capture("http://a.kp/x.jpg"), noise)]);

        Assert.Equal("br", Query<string>($"SELECT compression FROM payloads WHERE digest = '{Digest(html)}'"));
        Assert.True(Query<long>($"SELECT stored_length FROM payloads WHERE digest = '{Digest(html)}'") < html.Length / 4);
        Assert.Equal("none", Query<string>($"SELECT compression FROM payloads WHERE digest = '{Digest(noise)}'"));
        var stats = await store.GetStatsAsync();
        Assert.Equal(html.Length + noise.Length, stats.PayloadBytesRaw);
        Assert.Equal(Query<long>("SELECT SUM(length(data)) FROM payloads"), stats.PayloadBytesStored);
        Assert.Equal(html, await store.GetPayloadAsync(Digest(html)));
        Assert.Equal(noise, await store.GetPayloadAsync(Digest(noise)));
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_is_refused_with_a_message_naming_it()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        await File.WriteAllTextAsync(DatabasePath, new string('x', 8192));

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(async () =>
        {
            await using var store = await OpenAsync();
        });

        Assert.Contains(Path.GetFullPath(DatabasePath), error.Message, StringComparison.Ordinal);
        Assert.Contains("not a usable SQLite database", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_folder_in_place_of_the_database_file_is_refused_with_a_message_naming_it()
    {
        Directory.CreateDirectory(DatabasePath);

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(async () =>
        {
            await using var store = await OpenAsync();
        });

        Assert.Contains(Path.GetFullPath(DatabasePath), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Using_the_store_before_InitializeAsync_is_an_error()
    {
        await using var store = new SqliteCrawlStore(new SqliteStoreOptions { Path = DatabasePath });

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.GetStatsAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.AddToFrontierAsync([Entry("http://a.kp/")]));
    }

    [Fact]
    public async Task A_payload_without_a_digest_is_rejected_before_anything_is_written()
    {
        await using var store = await OpenAsync();
        var bad = new FetchCommit { Capture = Capture("http://a.kp/bad"), Payload = [1, 2, 3] };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.CommitAsync([Commit(Capture("http://a.kp/ok")), bad]));

        Assert.Contains("PayloadDigest", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await store.GetStatsAsync()).Captures);
    }

    [Fact]
    public async Task A_capture_id_stored_for_another_fetch_is_reported_as_a_rejected_batch_naming_the_capture()
    {
        await using var store = await OpenAsync();
        var capture = Capture("http://a.kp/");
        await store.CommitAsync([Commit(capture)]);
        await store.CommitAsync([Commit(capture)]); // the same fetch again: a replay, nothing new

        var other = capture with { FetchedAt = capture.FetchedAt.AddSeconds(5) };
        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.CommitAsync([Commit(Capture("http://a.kp/b")), Commit(other)]));

        Assert.Contains(capture.Id, error.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await store.GetStatsAsync()).Captures); // nothing of the rejected batch
    }

    [Fact]
    public async Task Dictionary_compressed_payloads_and_capture_records_survive_reopening_the_store()
    {
        var pages = Enumerable.Range(0, 100).Select(i => Codec.SitePages.Page("a.kp", i)).ToList();
        var captures = pages.Select((page, i) => CommitWithPayload(Capture($"http://a.kp/article/{i}.html", at: i) with
        {
            ResponseHeaders = System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {page.Length}\r\n\r\n"),
            Outlinks = [.. Enumerable.Range(0, 12).Select(j => new Outlink($"http://a.kp/article/{(i * 7) + j}.html", "a", true))],
        }, page)).ToList();
        await using (var store = await OpenAsync())
        {
            foreach (var commit in captures)
            {
                await store.CommitAsync([commit]);
            }
        }

        Assert.True(Query<long>("SELECT COUNT(*) FROM payloads WHERE compression = 'zstd' AND dictionary IS NOT NULL") > 0);
        Assert.True(Query<long>("SELECT COUNT(*) FROM dictionaries WHERE scope = 'payload a.kp'") == 1);
        Assert.True(Query<long>("SELECT COUNT(*) FROM dictionaries WHERE scope = 'capture a.kp'") == 1);
        Assert.Equal(0L, Query<long>("SELECT COUNT(*) FROM captures WHERE bulk IS NULL OR outlinks <> ''"));
        await using (var reopened = await OpenAsync())
        {
            for (var i = 0; i < pages.Count; i++)
            {
                Assert.Equal(pages[i], await reopened.GetPayloadAsync(Digest(pages[i])));
            }

            var read = await reopened.GetCapturesAsync(new CaptureQuery { Host = "a.kp" }).ToListAsync();
            Assert.Equal(captures.Select(c => (c.Capture.Url, Convert.ToHexString(c.Capture.RequestHeaders), Convert.ToHexString(c.Capture.ResponseHeaders!), string.Join(' ', c.Capture.Outlinks))),
                read.Select(c => (c.Url, Convert.ToHexString(c.RequestHeaders), Convert.ToHexString(c.ResponseHeaders!), string.Join(' ', c.Outlinks))));

            // The reopened writer keeps compressing with the stored dictionary instead of training another.
            var next = Codec.SitePages.Page("a.kp", 1000);
            await reopened.CommitAsync([CommitWithPayload(Capture("http://a.kp/article/1000.html", at: 1000), next)]);
            Assert.Equal("zstd", Query<string>($"SELECT compression FROM payloads WHERE digest = '{Digest(next)}'"));
            Assert.Equal(1L, Query<long>("SELECT COUNT(*) FROM dictionaries WHERE scope = 'payload a.kp'"));
            Assert.Equal(next, await reopened.GetPayloadAsync(Digest(next)));
        }
    }

    [Fact]
    public async Task Rows_written_before_version_4_keep_their_json_outlinks_raw_headers_and_brotli_payloads_readable()
    {
        await using var store = await OpenAsync();
        var html = Html("written by version 3");
        var (compression, data) = PayloadCodec.Encode(html);
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString()))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO payloads (digest, compression, raw_length, stored_length, data) VALUES ($digest, $compression, $raw, $stored, $data);
                INSERT INTO captures (id, url, host, epoch, fetched_at, duration_ms, status, request_headers, response_headers,
                    payload_digest, payload_length, outlinks, attempt)
                VALUES ('old', 'http://a.kp/old.html', 'a.kp', 1, 0, 5, 200, x'474554', x'485454502F312E31', $digest, $raw,
                    '[{"url":"http://a.kp/x.html","kind":"a","inScope":true}]', 1);
                """;
            command.Parameters.AddWithValue("$digest", Digest(html));
            command.Parameters.AddWithValue("$compression", compression);
            command.Parameters.AddWithValue("$raw", html.Length);
            command.Parameters.AddWithValue("$stored", data.Length);
            command.Parameters.AddWithValue("$data", data);
            command.ExecuteNonQuery();
        }

        var capture = Assert.Single(await store.GetCapturesAsync(new CaptureQuery { Url = "http://a.kp/old.html" }).ToListAsync());

        Assert.Equal("GET"u8.ToArray(), capture.RequestHeaders);
        Assert.Equal("HTTP/1.1"u8.ToArray(), capture.ResponseHeaders);
        Assert.Equal([new Outlink("http://a.kp/x.html", "a", true)], capture.Outlinks);
        Assert.Equal("br", compression);
        Assert.Equal(html, await store.GetPayloadAsync(Digest(html)));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
