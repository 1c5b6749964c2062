using Crawler.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using static Crawler.Storage.Tests.Contract.TestData;

namespace Crawler.Storage.Tests.Sqlite;

/// <summary>What only the embedded store promises: its file, its pragmas, its payload encoding, its errors.</summary>
public sealed class SqliteCrawlStoreTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "crawler-storage-tests", Guid.NewGuid().ToString("N"));

    private string DatabasePath => Path.Combine(_folder, "nested", "data", "crawler.db");

    private async Task<SqliteCrawlStore> OpenAsync(string? path = null, int blockSize = 512)
    {
        var store = new SqliteCrawlStore(new SqliteStoreOptions { Path = path ?? DatabasePath, CaptureKeyBlockSize = blockSize });
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

    /// <summary>Runs <paramref name="sql"/> on the file directly, as an older version would have left it.</summary>
    private void Execute(string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>A payload's digest as schema 5 keeps it: an SQL BLOB literal of the SHA-256.</summary>
    private static string Key(byte[] payload) => $"x'{Digest(payload)["sha256:".Length..]}'";

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

        Assert.Equal(7L, Query<long>("PRAGMA user_version"));
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

        Assert.Equal("br", Query<string>($"SELECT compression FROM payloads WHERE digest = {Key(html)}"));
        Assert.True(Query<long>($"SELECT stored_length FROM payloads WHERE digest = {Key(html)}") < html.Length / 4);
        Assert.Equal("none", Query<string>($"SELECT compression FROM payloads WHERE digest = {Key(noise)}"));
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
    public async Task Dictionary_compressed_payloads_and_capture_records_survive_reopening_the_store_and_none_stays_brotli()
    {
        var pages = Enumerable.Range(0, 100).Select(i => Codec.SitePages.Page("a.kp", i)).ToList();
        var captures = pages.Select((page, i) => CommitWithPayload(Capture($"http://a.kp/article/{i}.html", at: i) with
        {
            ResponseHeaders = System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {page.Length}\r\n\r\n"),
            Outlinks = [.. Enumerable.Range(0, 12).Select(j => new Outlink($"http://a.kp/article/{(i * 7) + j}.html", "a", true))],
            Title = $"Article {i}",
            ContentType = "text/html; charset=utf-8",
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
        Assert.Equal(0L, Query<long>("SELECT COUNT(*) FROM captures WHERE bulk IS NULL OR outlinks <> '' OR title IS NOT NULL"));
        // The site's first pages and capture records (the dictionaries' training samples) were encoded again with them.
        Assert.Equal(0L, Query<long>("SELECT COUNT(*) FROM payloads WHERE compression <> 'zstd'"));
        Assert.Equal(0L, Query<long>("SELECT COUNT(*) FROM captures WHERE substr(bulk, 1, 1) <> x'02'"));
        Assert.Equal(2L, Query<long>("SELECT COUNT(*) FROM dictionaries WHERE compression = 'zstd'"));
        await using (var reopened = await OpenAsync())
        {
            for (var i = 0; i < pages.Count; i++)
            {
                Assert.Equal(pages[i], await reopened.GetPayloadAsync(Digest(pages[i])));
            }

            var read = await reopened.GetCapturesAsync(new CaptureQuery { Host = "a.kp" }).ToListAsync();
            Assert.Equal(captures.Select(c => (c.Capture.Url, Convert.ToHexString(c.Capture.RequestHeaders), Convert.ToHexString(c.Capture.ResponseHeaders!), string.Join(' ', c.Capture.Outlinks), c.Capture.Title, c.Capture.ContentType)),
                read.Select(c => (c.Url, Convert.ToHexString(c.RequestHeaders), Convert.ToHexString(c.ResponseHeaders!), string.Join(' ', c.Outlinks), c.Title, c.ContentType)));

            // The reopened writer keeps compressing with the stored dictionary instead of training another.
            var next = Codec.SitePages.Page("a.kp", 1000);
            await reopened.CommitAsync([CommitWithPayload(Capture("http://a.kp/article/1000.html", at: 1000), next)]);
            Assert.Equal("zstd", Query<string>($"SELECT compression FROM payloads WHERE digest = {Key(next)}"));
            Assert.Equal(1L, Query<long>("SELECT COUNT(*) FROM dictionaries WHERE scope = 'payload a.kp'"));
            Assert.Equal(next, await reopened.GetPayloadAsync(Digest(next)));
        }
    }

    [Fact]
    public async Task A_new_file_keeps_capture_ids_and_payload_digests_as_bytes_and_any_other_form_as_its_text()
    {
        await using var store = await OpenAsync();
        var html = Html("binary keys");
        var crawler = CommitWithPayload(Capture("http://a.kp/a.html"), html);
        var other = Commit(Capture("http://a.kp/b.html") with { Id = "0190aaaa-0000-7000-8000-000000000001", PayloadDigest = "sha1:ABC" });

        await store.CommitAsync([crawler, other]);

        Assert.Equal(SqliteConnections.PageSize, Query<long>("PRAGMA page_size"));
        Assert.Equal("blob 16", Query<string>($"SELECT typeof(id) || ' ' || length(id) FROM captures WHERE url = 'http://a.kp/a.html'"));
        Assert.Equal("blob 32", Query<string>($"SELECT typeof(payload_digest) || ' ' || length(payload_digest) FROM captures WHERE url = 'http://a.kp/a.html'"));
        Assert.Equal("blob", Query<string>($"SELECT typeof(digest) FROM payloads WHERE digest = {Key(html)}"));
        Assert.Equal("text text", Query<string>("SELECT typeof(id) || ' ' || typeof(payload_digest) FROM captures WHERE url = 'http://a.kp/b.html'"));
        var read = await store.GetCapturesAsync(new CaptureQuery()).ToListAsync();
        Assert.Equal(
            new[] { (crawler.Capture.Id, crawler.Capture.PayloadDigest), (other.Capture.Id, other.Capture.PayloadDigest) }.Order(),
            read.Select(c => (c.Id, c.PayloadDigest)).Order());
        Assert.Equal(html, await store.GetPayloadAsync(Digest(html)));
    }

    [Fact]
    public async Task A_version_4_file_is_upgraded_on_open_and_its_text_keyed_rows_stay_readable_deduplicated_and_replayable()
    {
        var pages = Enumerable.Range(0, 40).Select(i => Codec.SitePages.Page("a.kp", i)).ToList();
        var trained = new SiteDictionaries(samplesToTrain: 32);
        pages.Take(32).ToList().ForEach(page => trained.Encode("payload a.kp", page));
        var dictionary = trained.DictionaryOf("payload a.kp")!;
        var old = pages[35];
        var oldEncoded = trained.Encode("payload a.kp", old);
        var oldCapture = CommitWithPayload(Capture("http://a.kp/old.html") with { Title = "old title", RequestHeaders = "GET"u8.ToArray() }, old);
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString()))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            // Version 4's archive tables as it created them, with rows as it wrote them (TEXT id and digests, raw
            // dictionary data, a format-1 capture bulk without compression: version byte, 0 outlinks, "GET", no response).
            command.CommandText = """
                PRAGMA journal_mode = WAL;
                CREATE TABLE captures (id TEXT NOT NULL PRIMARY KEY, url TEXT NOT NULL, host TEXT NOT NULL, epoch INTEGER NOT NULL,
                    fetched_at INTEGER NOT NULL, duration_ms INTEGER NOT NULL, ip TEXT, status INTEGER, request_headers BLOB NOT NULL,
                    response_headers BLOB, payload_digest TEXT, payload_length INTEGER NOT NULL, content_type TEXT, error TEXT,
                    error_detail TEXT, truncated TEXT, redirect_to TEXT, etag TEXT, last_modified TEXT, title TEXT, language TEXT,
                    charset TEXT, outlinks TEXT NOT NULL, attempt INTEGER NOT NULL, bulk BLOB);
                CREATE INDEX captures_url_time ON captures (url, fetched_at);
                CREATE INDEX captures_host_epoch ON captures (host, epoch, fetched_at);
                CREATE INDEX captures_epoch_time ON captures (epoch, fetched_at);
                CREATE INDEX captures_host_time ON captures (host, fetched_at);
                CREATE TABLE payloads (digest TEXT NOT NULL PRIMARY KEY, compression TEXT NOT NULL, raw_length INTEGER NOT NULL,
                    stored_length INTEGER NOT NULL, data BLOB NOT NULL, dictionary INTEGER);
                CREATE TABLE dictionaries (id INTEGER NOT NULL PRIMARY KEY, digest TEXT NOT NULL UNIQUE, scope TEXT NOT NULL,
                    created_at INTEGER NOT NULL, data BLOB NOT NULL);
                INSERT INTO dictionaries VALUES (1, $dictionary_digest, 'payload a.kp', 0, $dictionary);
                INSERT INTO payloads VALUES ($digest, 'zstd', $raw, $stored, $data, 1);
                INSERT INTO captures (id, url, host, epoch, fetched_at, duration_ms, status, request_headers, payload_digest,
                    payload_length, title, outlinks, attempt, bulk)
                VALUES ($id, 'http://a.kp/old.html', 'a.kp', 1, $fetched_at, 0, 200, x'', $digest, $raw, 'old title', '', 1,
                    x'00000B010003474554FFFFFFFF0F');
                PRAGMA user_version = 4;
                """;
            command.Parameters.AddWithValue("$dictionary_digest", dictionary.Digest);
            command.Parameters.AddWithValue("$dictionary", dictionary.Data);
            command.Parameters.AddWithValue("$digest", Digest(old));
            command.Parameters.AddWithValue("$raw", old.Length);
            command.Parameters.AddWithValue("$stored", oldEncoded.Data.Length);
            command.Parameters.AddWithValue("$data", oldEncoded.Data);
            command.Parameters.AddWithValue("$id", oldCapture.Capture.Id);
            command.Parameters.AddWithValue("$fetched_at", oldCapture.Capture.FetchedAt.ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
        }

        await using var store = await OpenAsync();
        await store.CommitAsync([oldCapture]); // a replay of the stored fetch
        var again = CommitWithPayload(Capture("http://a.kp/again.html"), old); // the same body under another capture
        var next = CommitWithPayload(Capture("http://a.kp/next.html"), pages[39]);
        await store.CommitAsync([again, next]);

        Assert.Equal(7L, Query<long>("PRAGMA user_version"));
        Assert.Equal(0L, Query<long>("SELECT COUNT(*) FROM sqlite_master WHERE name = 'captures_host_epoch'"));
        var read = Assert.Single(await store.GetCapturesAsync(new CaptureQuery { Url = "http://a.kp/old.html" }).ToListAsync());
        Assert.Equal((oldCapture.Capture.Id, Digest(old), "old title", "GET"), (read.Id, read.PayloadDigest, read.Title, System.Text.Encoding.ASCII.GetString(read.RequestHeaders)));
        Assert.Equal(old, await store.GetPayloadAsync(Digest(old)));
        Assert.Equal(3, (await store.GetStatsAsync()).Captures);
        Assert.Equal(2L, Query<long>("SELECT COUNT(*) FROM payloads"));
        Assert.Equal("zstd 1", Query<string>($"SELECT compression || ' ' || dictionary FROM payloads WHERE digest = {Key(pages[39])}"));
        Assert.Equal(pages[39], await store.GetPayloadAsync(Digest(pages[39])));
        await Assert.ThrowsAsync<ArgumentException>(() => store.CommitAsync([Commit(oldCapture.Capture with { Url = "http://a.kp/other.html" })]));
        // The capture of version 4 (its id TEXT) has its key too, and is found through it.
        var byKey = await store.GetCapturesAsync(new CaptureQuery { UrlKeys = [UrlKeyRange.Prefix("kp,a)")] }).ToListAsync();
        Assert.Equal(["http://a.kp/again.html", "http://a.kp/next.html", "http://a.kp/old.html"], byKey.Select(c => c.Url));
        Assert.Equal("old title", byKey[^1].Title);
    }

    [Fact]
    public async Task A_version_5_file_gains_the_capture_keys_of_its_captures_with_a_response_when_opened()
    {
        var store = await OpenAsync();
        await store.CommitAsync([
            Commit(Capture("http://www.a.kp/b", at: 2)), Commit(Capture("https://a.kp/A", at: 1)), Commit(Capture("http://en.a.kp/", at: 3)),
            Commit(Capture("http://a.kp/down", at: 4) with { Status = null, Error = "timeout" }), Commit(Capture("http://b.kp/", at: 5))]);
        await store.DisposeAsync();
        Execute("DROP TABLE capture_keys; DROP TABLE capture_key_hosts; PRAGMA user_version = 5;"); // as version 5 left it

        await using var reopened = await OpenAsync();
        await reopened.CommitAsync([Commit(Capture("http://a.kp/c", at: 6))]);

        Assert.Equal(7L, Query<long>("PRAGMA user_version"));
        Assert.Equal(5L, Query<long>("SELECT COUNT(*) FROM capture_keys"));
        var domain = new CaptureQuery { UrlKeys = [UrlKeyRange.Prefix("kp,a)"), UrlKeyRange.Prefix("kp,a,"), UrlKeyRange.Prefix("kp,a:")] };
        Assert.Equal(["https://a.kp/A", "http://www.a.kp/b", "http://a.kp/c", "http://en.a.kp/"], (await reopened.GetCapturesAsync(domain).ToListAsync()).Select(c => c.Url));
        Assert.Equal(4, await reopened.CountCapturesAsync(domain));
    }

    /// <summary>
    /// Captures of three sites, their subdomains and another port, committed in a shuffled order a few at a time, up
    /// to three fetches of one URL: what the CDX key order is, computed here from the URLs (key, then time).
    /// </summary>
    private static async Task<List<CaptureRecord>> StoreKeyedCapturesAsync(SqliteCrawlStore store, int count)
    {
        var random = new Random(7);
        string[] sites = ["http://a.kp", "https://www.a.kp", "http://en.a.kp", "http://a.kp:8080", "http://b.kp", "http://c.kp"];
        var captures = Enumerable.Range(0, count)
            .Select(i => Capture($"{sites[random.Next(sites.Length)]}/news/{random.Next(count / 3)}.html", at: i))
            .OrderBy(_ => random.Next())
            .ToList();
        foreach (var batch in captures.Chunk(5))
        {
            await store.CommitAsync([.. batch.Select(c => Commit(c))]);
        }

        return [.. captures.OrderBy(c => Crawler.Core.Cdx.Surt.Key(c.Url), StringComparer.Ordinal).ThenBy(c => c.FetchedAt)];
    }

    /// <summary>Every block's count is the number of keys from its first key to the next block's, and the blocks hold every key.</summary>
    private void AssertBlocksCountTheirKeys(int blockSize, bool split)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT b.first_key, b.captures,
                (SELECT COUNT(*) FROM capture_keys AS k WHERE k.urlkey >= b.first_key
                    AND k.urlkey < COALESCE((SELECT MIN(n.first_key) FROM capture_key_blocks AS n WHERE n.first_key > b.first_key), x'ff')),
                (SELECT COUNT(DISTINCT urlkey) FROM capture_keys AS k WHERE k.urlkey >= b.first_key
                    AND k.urlkey < COALESCE((SELECT MIN(n.first_key) FROM capture_key_blocks AS n WHERE n.first_key > b.first_key), x'ff'))
            FROM capture_key_blocks AS b ORDER BY b.first_key
            """;
        var blocks = new List<(string First, long Captures, long Keys, long DistinctKeys)>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                blocks.Add((reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)));
            }
        }

        Assert.All(blocks, b => Assert.Equal(b.Keys, b.Captures));
        Assert.Equal(Query<long>("SELECT COUNT(*) FROM capture_keys"), blocks.Sum(b => b.Captures));
        Assert.Equal(Query<string>("SELECT MIN(urlkey) FROM capture_keys"), blocks[0].First);
        Assert.All(blocks, b => Assert.True(b.Captures < 2 * blockSize || b.DistinctKeys == 1, $"block {b.First} holds {b.Captures} keys"));
        if (split)
        {
            Assert.True(blocks.Count > 10, $"{blocks.Count} blocks");
        }
    }

    [Fact]
    public async Task Deep_offsets_skip_whole_key_blocks_and_answer_what_stepping_every_key_answers()
    {
        await using var store = await OpenAsync(blockSize: 3);
        var ordered = await StoreKeyedCapturesAsync(store, 150);

        AssertBlocksCountTheirKeys(blockSize: 3, split: true);
        string[] prefixes = ["kp,a)", "kp,a,", "kp,a:", "kp,b)", "kp,", "kp,a)/news/1"];
        foreach (var prefix in prefixes)
        {
            var selected = ordered.Where(c => Crawler.Core.Cdx.Surt.Key(c.Url).StartsWith(prefix, StringComparison.Ordinal)).Select(c => c.Id).ToList();
            Assert.NotEmpty(selected);
            for (var offset = 0; offset <= selected.Count; offset++)
            {
                var page = await store.GetCapturesAsync(new CaptureQuery { UrlKeys = [UrlKeyRange.Prefix(prefix)], Offset = offset, Limit = 4 }).ToListAsync();
                Assert.Equal(selected.Skip(offset).Take(4), page.Select(c => c.Id));
            }
        }

        // Several ranges, as a domain match reads them: the offset runs on from one range into the next.
        var domain = ordered.Where(c => Crawler.Core.Cdx.Surt.Key(c.Url) is var k && (k.StartsWith("kp,a)", StringComparison.Ordinal) || k.StartsWith("kp,a,", StringComparison.Ordinal)))
            .Select(c => c.Id).ToList();
        for (var offset = 0; offset <= domain.Count; offset += 7)
        {
            var page = await store.GetCapturesAsync(new CaptureQuery { UrlKeys = [UrlKeyRange.Prefix("kp,a)"), UrlKeyRange.Prefix("kp,a,")], Offset = offset, Limit = 10 }).ToListAsync();
            Assert.Equal(domain.Skip(offset).Take(10), page.Select(c => c.Id));
        }
    }

    [Fact]
    public async Task Key_blocks_split_as_keys_arrive_and_a_key_with_many_captures_stays_one_block()
    {
        await using var store = await OpenAsync(blockSize: 2);
        await StoreKeyedCapturesAsync(store, 90);
        await store.CommitAsync([.. Enumerable.Range(0, 12).Select(i => Commit(Capture("http://b.kp/news/1.html", at: 1000 + i)))]);

        AssertBlocksCountTheirKeys(blockSize: 2, split: true);
        Assert.True(Query<long>("SELECT MAX(captures) FROM capture_key_blocks") >= 12);
    }

    [Fact]
    public async Task A_version_6_file_gains_the_key_blocks_of_its_captures_when_opened()
    {
        var store = await OpenAsync(blockSize: 3);
        var ordered = await StoreKeyedCapturesAsync(store, 60);
        await store.DisposeAsync();
        Execute("DROP TABLE capture_key_blocks; PRAGMA user_version = 6;"); // as version 6 left it

        await using var reopened = await OpenAsync(blockSize: 3);
        await reopened.CommitAsync([Commit(Capture("http://a.kp/late.html", at: 500))]);
        ordered = [.. ordered.Append((await reopened.GetCapturesAsync(new CaptureQuery { Url = "http://a.kp/late.html" }).ToListAsync()).Single())
            .OrderBy(c => Crawler.Core.Cdx.Surt.Key(c.Url), StringComparer.Ordinal).ThenBy(c => c.FetchedAt)];

        Assert.Equal(7L, Query<long>("PRAGMA user_version"));
        AssertBlocksCountTheirKeys(blockSize: 3, split: true);
        for (var offset = 0; offset <= ordered.Count; offset++)
        {
            var page = await reopened.GetCapturesAsync(new CaptureQuery { UrlKeys = [UrlKeyRange.Prefix("kp,")], Offset = offset, Limit = 2 }).ToListAsync();
            Assert.Equal(ordered.Skip(offset).Take(2).Select(c => c.Id), page.Select(c => c.Id));
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
