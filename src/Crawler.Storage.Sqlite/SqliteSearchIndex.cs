using System.Globalization;
using System.Text;
using Crawler.Core.Search;
using Microsoft.Data.Sqlite;

namespace Crawler.Storage.Sqlite;

/// <summary>
/// Full-text search in the crawl's SQLite file (own tables, own connection per call, as <see cref="SqliteDnsStore"/>):
/// <c>search_pages</c> holds one row per page version (unique by <see cref="SearchDocument.Key"/>) with its filters,
/// <c>search_text</c> is an FTS5 table of its title and text under the same rowid.
/// </summary>
/// <remarks>
/// The tokenizer is unicode61 (letters and digits of every script, case-folded, diacritics removed), and a Hangul word is
/// searched as a prefix (<see cref="SearchExpression"/>), so 조선 finds 조선의 and 조선은. FTS5's trigram tokenizer
/// would find a word inside another too, but matches nothing shorter than three characters, and most Korean nouns are
/// two syllables (조선, 평양, 인민): it would need a second, scanning path for them. Ranking is bm25 with the title
/// weighted twice the text; snippets are FTS5's <c>snippet()</c>, cut to 16 tokens.
/// </remarks>
public sealed class SqliteSearchIndex : ISearchIndex
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS search_pages (
            id          INTEGER PRIMARY KEY,
            key         TEXT    NOT NULL UNIQUE,
            url         TEXT    NOT NULL,
            digest      TEXT    NOT NULL,
            site        TEXT    NOT NULL,
            lang        TEXT    NOT NULL,
            captured_at INTEGER NOT NULL,
            title       TEXT    NOT NULL
        );
        CREATE INDEX IF NOT EXISTS search_pages_site ON search_pages (site, captured_at);
        CREATE VIRTUAL TABLE IF NOT EXISTS search_text USING fts5 (title, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
        INSERT INTO search_text (search_text, rank) VALUES ('rank', 'bm25(2.0, 1.0)');
        """;

    private const string ReadAdvice = " Run the crawler once on the file (it creates the search tables) or check the file.";

    private readonly SqliteTables _tables;

    public SqliteSearchIndex(SqliteStoreOptions options) => _tables = new SqliteTables(SqliteConnections.Validate(options), options);

    public async Task InitializeAsync(CancellationToken ct = default)
    {
        try
        {
            await _tables.CreateAsync(Schema, "the search tables", ct).ConfigureAwait(false);
        }
        catch (StoreUnavailableException e) when (e.InnerException is SqliteException inner && inner.Message.Contains("fts5", StringComparison.OrdinalIgnoreCase))
        {
            throw new StoreUnavailableException($"The search tables in {_tables.Path} could not be created: this SQLite has no FTS5 ({inner.Message}). Use the SQLite bundled with Microsoft.Data.Sqlite (SQLitePCLRaw.bundle_e_sqlite3).", e);
        }
    }

    public async Task<IReadOnlySet<string>> GetIndexedAsync(IReadOnlyCollection<string> keys, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return found;
        }

        return await _tables.ReadAsync(async connection =>
        {
            foreach (var chunk in keys.Chunk(500))
            {
                await using var command = connection.CreateCommand();
                var names = new StringBuilder();
                for (var i = 0; i < chunk.Length; i++)
                {
                    var name = "$k" + i.ToString(CultureInfo.InvariantCulture);
                    names.Append(i == 0 ? string.Empty : ", ").Append(name);
                    command.Parameters.AddWithValue(name, chunk[i]);
                }

                command.CommandText = $"SELECT key FROM search_pages WHERE key IN ({names})";
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    found.Add(reader.GetString(0));
                }
            }

            return (IReadOnlySet<string>)found;
        }, ct, ReadAdvice).ConfigureAwait(false);
    }

    public async Task<int> AddAsync(IReadOnlyList<SearchDocument> documents, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(documents);
        if (documents.Count == 0)
        {
            return 0;
        }

        return await _tables.WriteAsync(async (connection, tx) =>
        {
            await using var page = connection.CreateCommand();
            page.Transaction = tx;
            page.CommandText = """
                INSERT INTO search_pages (key, url, digest, site, lang, captured_at, title) VALUES ($key, $url, $digest, $site, $lang, $at, $title)
                ON CONFLICT (key) DO NOTHING RETURNING id
                """;
            var key = page.Parameters.Add("$key", SqliteType.Text);
            var url = page.Parameters.Add("$url", SqliteType.Text);
            var digest = page.Parameters.Add("$digest", SqliteType.Text);
            var site = page.Parameters.Add("$site", SqliteType.Text);
            var lang = page.Parameters.Add("$lang", SqliteType.Text);
            var at = page.Parameters.Add("$at", SqliteType.Integer);
            var title = page.Parameters.Add("$title", SqliteType.Text);
            await using var text = connection.CreateCommand();
            text.Transaction = tx;
            text.CommandText = "INSERT INTO search_text (rowid, title, body) VALUES ($id, $title, $body)";
            var id = text.Parameters.Add("$id", SqliteType.Integer);
            var textTitle = text.Parameters.Add("$title", SqliteType.Text);
            var body = text.Parameters.Add("$body", SqliteType.Text);
            var added = 0;
            foreach (var d in documents)
            {
                ArgumentNullException.ThrowIfNull(d, nameof(documents));
                key.Value = d.Key;
                url.Value = d.Url;
                digest.Value = d.PayloadDigest;
                site.Value = d.Site;
                lang.Value = d.Language;
                at.Value = d.CapturedAt.ToUnixTimeMilliseconds();
                title.Value = d.Title;
                if (await page.ExecuteScalarAsync(ct).ConfigureAwait(false) is not long rowid)
                {
                    continue; // indexed already (a replay, another indexer)
                }

                id.Value = rowid;
                textTitle.Value = d.Title;
                body.Value = d.Text;
                await text.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                added++;
            }

            return added;
        }, "could not index pages for search", ct).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SearchHit>> SearchAsync(SearchRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await _tables.ReadAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            var filters = new StringBuilder();
            command.Parameters.AddWithValue("$q", request.Expression.ToFts5());
            if (request.Site is { } site)
            {
                filters.Append(" AND p.site = $site");
                command.Parameters.AddWithValue("$site", site);
            }

            if (request.Language is { } lang)
            {
                filters.Append(" AND p.lang = $lang");
                command.Parameters.AddWithValue("$lang", lang);
            }

            if (request.From is { } from)
            {
                filters.Append(" AND p.captured_at >= $from");
                command.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
            }

            if (request.To is { } to)
            {
                filters.Append(" AND p.captured_at < $to");
                command.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
            }

            command.Parameters.AddWithValue("$limit", request.Limit);
            command.Parameters.AddWithValue("$offset", request.Offset);

            // The page of ids is chosen first, ordered by FTS5's own rank (bm25, title weighted twice; ties in rowid order, the
            // order of indexing), and snippets are written for that page only: in one query SQLite would write one for
            // every match before sorting them. Without a filter the matches are ranked without reading search_pages.
            var top = filters.Length == 0
                ? "SELECT rowid AS id, rank AS score FROM search_text WHERE search_text MATCH $q ORDER BY rank LIMIT $limit OFFSET $offset"
                : $"SELECT search_text.rowid AS id, search_text.rank AS score FROM search_text JOIN search_pages p ON p.id = search_text.rowid WHERE search_text MATCH $q{filters} ORDER BY search_text.rank LIMIT $limit OFFSET $offset";
            command.CommandText = $"""
                WITH top AS ({top})
                SELECT p.url, p.digest, p.site, p.lang, p.captured_at, p.title, snippet(search_text, -1, char(1), char(2), '…', 16)
                FROM top JOIN search_text ON search_text.rowid = top.id JOIN search_pages p ON p.id = top.id
                WHERE search_text MATCH $q
                ORDER BY top.score, top.id
                """;
            var hits = new List<SearchHit>();
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                hits.Add(new SearchHit(
                    reader.GetString(0),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetString(3),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                    reader.GetString(5),
                    Snippet.FromMarked(reader.IsDBNull(6) ? string.Empty : reader.GetString(6))));
            }

            return (IReadOnlyList<SearchHit>)hits;
        }, ct, ReadAdvice).ConfigureAwait(false);
    }

    public async Task<long> CountAsync(CancellationToken ct = default) =>
        await _tables.ReadAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM search_pages";
            return Convert.ToInt64(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }, ct, ReadAdvice).ConfigureAwait(false);

    public ValueTask DisposeAsync()
    {
        using var pooled = new SqliteConnection(_tables.ConnectionString);
        SqliteConnection.ClearPool(pooled);
        return ValueTask.CompletedTask;
    }
}
