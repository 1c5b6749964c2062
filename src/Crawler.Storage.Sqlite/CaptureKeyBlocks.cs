using Microsoft.Data.Sqlite;

namespace Crawler.Storage.Sqlite;

/// <summary>
/// An order-statistic index over capture_keys (schema 7): the keys cut into blocks of consecutive keys, each row a
/// block's first key and how many capture_keys rows lie between it and the next block's first key. The place of a
/// deep CDX page's first line is then found by adding up block counts (about 1,300 rows for 1,000,000 captures) and
/// stepping within one block, where SQLite's OFFSET steps every key before it (about 0.2 µs an entry: 20 ms for
/// page 1000 of 100 lines). Hand-written because SQLite's b-trees keep no counts (there is no rank query); this is the
/// b-tree leaf rule on a table: a block that reaches twice <see cref="SqliteStoreOptions.CaptureKeyBlockSize"/> is
/// split in two at a key near its middle. Blocks begin at key boundaries only, so one key's captures stay in one
/// block (a key a crawl revisits every day for years is a few thousand rows at most).
/// </summary>
internal static class CaptureKeyBlocks
{
    /// <summary>Counts one new key in the block it falls in; changes nothing when it is before every block.</summary>
    public const string CountIn = """
        UPDATE capture_key_blocks SET captures = captures + 1
        WHERE first_key = (SELECT first_key FROM capture_key_blocks WHERE first_key <= $urlkey ORDER BY first_key DESC LIMIT 1)
        """;

    /// <summary>The block a key falls in, with its count.</summary>
    public const string BlockOf = "SELECT first_key, captures FROM capture_key_blocks WHERE first_key <= $urlkey ORDER BY first_key DESC LIMIT 1";

    /// <summary>
    /// One new key in this many (an eighth of the block size: 64 by default) has its block's size checked, and the
    /// block split when it has reached twice the block size: a check on every key cost about as much again as counting
    /// it. A block that keys often fall in is checked about once every so many of its own keys, so it outgrows twice
    /// the block size by that many keys or so.
    /// </summary>
    public static int CheckEvery(int blockSize) => Math.Max(1, blockSize / 8);

    public const string Insert = "INSERT INTO capture_key_blocks (first_key, captures) VALUES ($first_key, $captures)";

    public const string Subtract = "UPDATE capture_key_blocks SET captures = captures - $captures WHERE first_key = $first_key";

    public const string Next = "SELECT first_key FROM capture_key_blocks WHERE first_key > $first_key ORDER BY first_key LIMIT 1";

    /// <summary>
    /// The end of the last block, for the statements below: SQLite orders every BLOB after every TEXT, so all keys are
    /// before it, and the bound stays a plain range the index seeks (an <c>$to IS NULL OR</c> would make SQLite read
    /// on to the end of the table wherever the range is empty).
    /// </summary>
    public static readonly byte[] End = [0xff];

    /// <summary>The key of the entry at $offset in [$from, $to).</summary>
    public const string KeyAt = """
        SELECT urlkey FROM capture_keys WHERE urlkey >= $from AND urlkey < $to
        ORDER BY urlkey, fetched_at, id LIMIT 1 OFFSET $offset
        """;

    /// <summary>The first key after $from, before $to.</summary>
    public const string KeyAfter = "SELECT urlkey FROM capture_keys WHERE urlkey > $from AND urlkey < $to ORDER BY urlkey LIMIT 1";

    /// <summary>The number of entries in [$from, $to).</summary>
    public const string CountBetween = "SELECT COUNT(*) FROM capture_keys WHERE urlkey >= $from AND urlkey < $to";

    /// <summary>The blocks from the one <c>$from</c> falls in, up to <c>$to</c>, in key order.</summary>
    public const string From = """
        SELECT first_key, captures FROM capture_key_blocks
        WHERE first_key >= COALESCE((SELECT first_key FROM capture_key_blocks WHERE first_key <= $from ORDER BY first_key DESC LIMIT 1), '')
          AND first_key < $to
        ORDER BY first_key
        """;

    /// <summary>Each key's count, in key order: what <see cref="Fill"/> cuts into blocks.</summary>
    private const string KeyCounts = "SELECT urlkey, COUNT(*) FROM capture_keys GROUP BY urlkey ORDER BY urlkey";

    /// <summary>
    /// The blocks of the keys a file holds, counted afresh (when a file older than version 7 is opened, in the
    /// transaction that sets the version): consecutive keys gathered until a block holds <paramref name="size"/> rows.
    /// </summary>
    public static void Fill(SqliteConnection connection, SqliteTransaction tx, int size)
    {
        using (var clear = connection.CreateCommand())
        {
            clear.Transaction = tx;
            clear.CommandText = "DELETE FROM capture_key_blocks";
            clear.ExecuteNonQuery();
        }

        var blocks = new List<(string First, long Captures)>();
        using (var read = connection.CreateCommand())
        {
            read.Transaction = tx;
            read.CommandText = KeyCounts;
            using var reader = read.ExecuteReader();
            string? first = null;
            long captures = 0;
            while (reader.Read())
            {
                if (first is null || captures >= size)
                {
                    if (first is not null)
                    {
                        blocks.Add((first, captures));
                    }

                    first = reader.GetString(0);
                    captures = 0;
                }

                captures += reader.GetInt64(1);
            }

            if (first is not null)
            {
                blocks.Add((first, captures));
            }
        }

        using var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = Insert;
        var firstKey = insert.Parameters.Add(new SqliteParameter("$first_key", DBNull.Value));
        var count = insert.Parameters.Add(new SqliteParameter("$captures", DBNull.Value));
        foreach (var (first, captures) in blocks)
        {
            firstKey.Value = first;
            count.Value = captures;
            insert.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// Where the entry at <paramref name="skip"/> in <paramref name="range"/> can be stepped to from: a range that
    /// begins at a block's first key (or the range itself) and the entries still to step in it, fewer than a block
    /// holds. Whole blocks inside the range are skipped by their counts; the block the range begins in is counted.
    /// </summary>
    public static async Task<(UrlKeyRange Range, long Skip)> SkipAsync(SqliteConnection connection, UrlKeyRange range, long skip, CancellationToken ct)
    {
        using var blocks = connection.CreateCommand();
        blocks.CommandText = From;
        blocks.Parameters.AddWithValue("$from", range.From);
        blocks.Parameters.AddWithValue("$to", range.To);
        var start = range.From;
        var reader = await blocks.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            (string First, long Captures)? previous = null;
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var block = (First: reader.GetString(0), Captures: reader.GetInt64(1));
                if (previous is { } p)
                {
                    // The previous block is [p.First, block.First), wholly before the range's end; the range begins
                    // inside it only when it is the first block read.
                    var inRange = string.CompareOrdinal(p.First, range.From) < 0
                        ? await CountAsync(connection, range.From, block.First, ct).ConfigureAwait(false)
                        : p.Captures;
                    if (inRange > skip)
                    {
                        break;
                    }

                    skip -= inRange;
                    start = block.First;
                }

                previous = block;
            }
        }

        return (range with { From = start }, skip);
    }

    private static async Task<long> CountAsync(SqliteConnection connection, string from, string to, CancellationToken ct)
    {
        using var count = connection.CreateCommand();
        count.CommandText = CountBetween;
        count.Parameters.AddWithValue("$from", from);
        count.Parameters.AddWithValue("$to", to);
        return Convert.ToInt64(await count.ExecuteScalarAsync(ct).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }
}
