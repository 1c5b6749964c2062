using System.Globalization;
using System.Text;
using Crawler.Core.Search;
using Microsoft.Data.Sqlite;

namespace Crawler.Storage.Sqlite;

/// <summary>
/// Full-text search in the crawl's SQLite file (own tables, own connection per call, as <see cref="SqliteDnsStore"/>):
/// <c>search_pages</c> holds one row per page version (unique by <see cref="SearchDocument.Key"/>) with its filters,
/// <c>search_text</c> is an FTS5 table of its title and text under the same rowid, and of its facets: the site and the
/// language as words (<c>site kcna kp lang en</c>), so that a site or language filter is an intersection of doclists
/// instead of a read of every match's row. A user's words are searched in title and text only.
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
        CREATE VIRTUAL TABLE IF NOT EXISTS search_text USING fts5 (title, body, facets, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
        INSERT INTO search_text (search_text, rank) VALUES ('rank', 'bm25(2.0, 1.0, 0.0)');
        """;

    private const string ReadAdvice = " Run the crawler once on the file (it creates the search tables) or check the file.";

    private readonly SqliteTables _tables;

    /// <summary>How many of the newest matches a search ranks by default (see <see cref="SearchAsync"/>).</summary>
    public const int DefaultRankedMatches = 5_000;

    private readonly int _rankedMatches;

    /// <param name="options">The database file (shared with the crawl store).</param>
    /// <param name="rankedMatches">How many of the newest matches a search ranks by bm25 (a deeper page ranks more).</param>
    public SqliteSearchIndex(SqliteStoreOptions options, int rankedMatches = DefaultRankedMatches)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rankedMatches, 1);
        _tables = new SqliteTables(SqliteConnections.Validate(options), options);
        _rankedMatches = rankedMatches;
    }

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
            text.CommandText = "INSERT INTO search_text (rowid, title, body, facets) VALUES ($id, $title, $body, $facets)";
            var id = text.Parameters.Add("$id", SqliteType.Integer);
            var textTitle = text.Parameters.Add("$title", SqliteType.Text);
            var body = text.Parameters.Add("$body", SqliteType.Text);
            var facets = text.Parameters.Add("$facets", SqliteType.Text);
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
                facets.Value = Facet("site", d.Site) + " " + Facet("lang", d.Language);
                await text.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                added++;
            }

            return added;
        }, "could not index pages for search", ct).ConfigureAwait(false);
    }

    /// <remarks>
    /// A search ranks the newest <c>rankedMatches</c> of its matches (by rowid: the order of indexing, which follows capture
    /// time; more when the page asked for lies deeper): FTS5 walks a doclist newest first and stops there at no ranking cost,
    /// where bm25 over every match of a common word (56,000 of 100,000 pages) takes a hundred milliseconds and more
    /// (docs/benchmarks.md). Three statements: the oldest rowid of that window, the page of ids by rank within it, then
    /// each hit with its snippet (in one statement SQLite would write a snippet for every match before sorting them).
    /// </remarks>
    public async Task<IReadOnlyList<SearchHit>> SearchAsync(SearchRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The user's words in title and text; a filter's facet beside them (the exact filter on search_pages stays).
        var match = "{title body} : (" + request.Expression.ToFts5() + ")";
        if (request.Site is { } siteFacet)
        {
            match += " AND facets : " + Quoted(Facet("site", siteFacet));
        }

        if (request.Language is { } langFacet)
        {
            match += " AND facets : " + Quoted(Facet("lang", langFacet));
        }

        var filters = new StringBuilder();
        var parameters = new List<(string Name, object Value)> { ("$q", match) };
        if (request.Site is { } site)
        {
            filters.Append(" AND p.site = $site");
            parameters.Add(("$site", site));
        }

        if (request.Language is { } lang)
        {
            filters.Append(" AND p.lang = $lang");
            parameters.Add(("$lang", lang));
        }

        if (request.From is { } from)
        {
            filters.Append(" AND p.captured_at >= $from");
            parameters.Add(("$from", from.ToUnixTimeMilliseconds()));
        }

        if (request.To is { } to)
        {
            filters.Append(" AND p.captured_at < $to");
            parameters.Add(("$to", to.ToUnixTimeMilliseconds()));
        }

        var join = filters.Length == 0 ? string.Empty : " JOIN search_pages p ON p.id = search_text.rowid";
        return await _tables.ReadAsync(async connection =>
        {
            SqliteCommand Command(string sql)
            {
                var command = connection.CreateCommand();
                command.CommandText = sql;
                foreach (var (name, value) in parameters)
                {
                    command.Parameters.AddWithValue(name, value);
                }

                return command;
            }

            await using var window = Command($"SELECT MIN(id) FROM (SELECT search_text.rowid AS id FROM search_text{join} WHERE search_text MATCH $q{filters} ORDER BY search_text.rowid DESC LIMIT $window)");
            window.Parameters.AddWithValue("$window", Math.Max(_rankedMatches, request.Offset + request.Limit));
            if (await window.ExecuteScalarAsync(ct).ConfigureAwait(false) is not long oldest)
            {
                return (IReadOnlyList<SearchHit>)[];
            }

            await using var top = Command($"SELECT search_text.rowid FROM search_text{join} WHERE search_text MATCH $q AND search_text.rowid >= $oldest{filters} ORDER BY search_text.rank LIMIT $limit OFFSET $offset");
            top.Parameters.AddWithValue("$oldest", oldest);
            top.Parameters.AddWithValue("$limit", request.Limit);
            top.Parameters.AddWithValue("$offset", request.Offset);
            var ids = new List<long>();
            await using (var reader = await top.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    ids.Add(reader.GetInt64(0));
                }
            }

            await using var hit = connection.CreateCommand();
            hit.CommandText = """
                SELECT p.url, p.digest, p.site, p.lang, p.captured_at, p.title, snippet(search_text, 1, char(1), char(2), '…', 16)
                FROM search_text JOIN search_pages p ON p.id = search_text.rowid
                WHERE search_text MATCH $q AND search_text.rowid = $id
                """;
            hit.Parameters.AddWithValue("$q", match);
            var id = hit.Parameters.Add("$id", SqliteType.Integer);
            var hits = new List<SearchHit>(ids.Count);
            foreach (var rowid in ids)
            {
                id.Value = rowid;
                await using var reader = await hit.ExecuteReaderAsync(ct).ConfigureAwait(false);
                if (await reader.ReadAsync(ct).ConfigureAwait(false))
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

    /// <summary>A facet as the words FTS5 indexes: its name, then the value's words (<c>site kcna kp</c>).</summary>
    private static string Facet(string name, string value) => name + " " + string.Join(' ', SearchExpression.Words(value));

    private static string Quoted(string phrase) => "\"" + phrase.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
