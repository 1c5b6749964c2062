using System.Diagnostics.CodeAnalysis;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Crawler.Storage.Sqlite;

/// <summary>
/// One prepared statement of the writer connection, bound by position and stepped through SQLitePCL directly.
/// </summary>
/// <remarks>
/// Microsoft.Data.Sqlite binds every parameter by name at every execution (the name encoded to UTF-8 and looked up in
/// the statement's list of names, a new binder object per value) and builds a data reader even for an INSERT: on issue
/// 11's one-site bench that was ~8 % of the crawler's CPU, for ~14 statements a page. Here the names are looked up once,
/// text is encoded into one reused buffer, and a step needs no reader. Statements run on the connection's handle, so
/// they are part of the transaction the connection has open (BEGIN IMMEDIATE through Microsoft.Data.Sqlite), or
/// autocommit when none is. Errors are thrown as Microsoft.Data.Sqlite's <see cref="SqliteException"/> with SQLite's
/// code, as the commands did. Not thread-safe: used under the store's write lock.
/// </remarks>
internal sealed class RawStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _stmt;
    private readonly int[] _slots;
    private byte[] _text = new byte[256];

    /// <param name="connection">The open writer connection.</param>
    /// <param name="sql">One statement.</param>
    /// <param name="names">Its parameters, in the order <see cref="Bind(int, string?)"/> and the others number them; a
    /// name may appear several times in <paramref name="sql"/> (it is one parameter), and every parameter must be named.</param>
    public RawStatement(SqliteConnection connection, string sql, params string[] names)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        var rc = raw.sqlite3_prepare_v2(_db, sql, out var stmt);
        if (rc != raw.SQLITE_OK)
        {
            stmt?.Dispose();
            Fail(rc);
        }

        _stmt = stmt;

        _slots = new int[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            _slots[i] = raw.sqlite3_bind_parameter_index(_stmt, names[i]);
            if (_slots[i] == 0)
            {
                throw new ArgumentException($"The statement has no parameter {names[i]}: {sql}", nameof(names));
            }
        }

        if (raw.sqlite3_bind_parameter_count(_stmt) != names.Distinct(StringComparer.Ordinal).Count())
        {
            throw new ArgumentException($"Every parameter of the statement must be named: {sql}", nameof(names));
        }
    }

    public void Bind(int index, string? value)
    {
        if (value is null)
        {
            Check(raw.sqlite3_bind_null(_stmt, _slots[index]));
            return;
        }

        if (value.Length == 0)
        {
            // An empty span binds NULL: the empty text goes the way Microsoft.Data.Sqlite binds it.
            Check(raw.sqlite3_bind_text(_stmt, _slots[index], value));
            return;
        }

        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (max > _text.Length)
        {
            _text = new byte[Math.Max(max, _text.Length * 2)];
        }

        var length = Encoding.UTF8.GetBytes(value, _text);
        // SQLitePCL binds a span with SQLITE_TRANSIENT: SQLite copies it, so the buffer is free again at once.
        Check(raw.sqlite3_bind_text(_stmt, _slots[index], _text.AsSpan(0, length)));
    }

    /// <summary>A value of the types the statements take: text, an integer, a BLOB or null (<see cref="BinaryKeys"/> gives a key as either of the first and third).</summary>
    public void Bind(int index, object? value)
    {
        switch (value)
        {
            case null or DBNull:
                Check(raw.sqlite3_bind_null(_stmt, _slots[index]));
                break;
            case string s:
                Bind(index, s);
                break;
            case byte[] b:
                Bind(index, b);
                break;
            case long l:
                Bind(index, l);
                break;
            case int i:
                Bind(index, i);
                break;
            default:
                throw new ArgumentException($"A value of type {value.GetType()} is not bound by the write statements.", nameof(value));
        }
    }

    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_stmt, _slots[index], value));

    public void Bind(int index, long? value)
    {
        if (value is { } v)
        {
            Bind(index, v);
        }
        else
        {
            Check(raw.sqlite3_bind_null(_stmt, _slots[index]));
        }
    }

    public void Bind(int index, byte[]? value)
    {
        if (value is null)
        {
            Check(raw.sqlite3_bind_null(_stmt, _slots[index]));
        }
        else if (value.Length == 0)
        {
            // An empty span binds NULL; an empty BLOB is a zero-filled blob of length 0.
            Check(raw.sqlite3_bind_zeroblob(_stmt, _slots[index], 0));
        }
        else
        {
            Check(raw.sqlite3_bind_blob(_stmt, _slots[index], value));
        }
    }

    /// <summary>Runs the statement to its end; the rows it changed (sqlite3_changes, as ExecuteNonQuery).</summary>
    public int Execute()
    {
        try
        {
            int rc;
            while ((rc = raw.sqlite3_step(_stmt)) == raw.SQLITE_ROW)
            {
            }

            if (rc != raw.SQLITE_DONE)
            {
                Fail(rc);
            }

            return raw.sqlite3_stmt_readonly(_stmt) != 0 ? -1 : raw.sqlite3_changes(_db);
        }
        finally
        {
            raw.sqlite3_reset(_stmt);
        }
    }

    /// <summary>The first column of the first row as an integer, null when there is no row (or it is NULL).</summary>
    public long? ScalarInt64()
    {
        try
        {
            var rc = raw.sqlite3_step(_stmt);
            if (rc == raw.SQLITE_ROW)
            {
                var value = raw.sqlite3_column_type(_stmt, 0) == raw.SQLITE_NULL ? (long?)null : raw.sqlite3_column_int64(_stmt, 0);
                while ((rc = raw.sqlite3_step(_stmt)) == raw.SQLITE_ROW)
                {
                }

                if (rc != raw.SQLITE_DONE)
                {
                    Fail(rc);
                }

                return value;
            }

            if (rc != raw.SQLITE_DONE)
            {
                Fail(rc);
            }

            return null;
        }
        finally
        {
            raw.sqlite3_reset(_stmt);
        }
    }

    /// <summary>Whether the statement yields a row.</summary>
    public bool HasRow()
    {
        try
        {
            var rc = raw.sqlite3_step(_stmt);
            if (rc is not (raw.SQLITE_ROW or raw.SQLITE_DONE))
            {
                Fail(rc);
            }

            return rc == raw.SQLITE_ROW;
        }
        finally
        {
            raw.sqlite3_reset(_stmt);
        }
    }

    /// <summary>Steps to the first row and hands it to <paramref name="read"/> (not called when there is none).</summary>
    public T? FirstRow<T>(Func<sqlite3_stmt, T> read)
    {
        try
        {
            var rc = raw.sqlite3_step(_stmt);
            if (rc == raw.SQLITE_ROW)
            {
                return read(_stmt);
            }

            if (rc != raw.SQLITE_DONE)
            {
                Fail(rc);
            }

            return default;
        }
        finally
        {
            raw.sqlite3_reset(_stmt);
        }
    }

    public void Dispose() => _stmt.Dispose();

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            Fail(rc);
        }
    }

    /// <summary>Throws SQLite's error <paramref name="rc"/> with the connection's message, as Microsoft.Data.Sqlite does.</summary>
    [DoesNotReturn]
    private void Fail(int rc)
    {
        SqliteException.ThrowExceptionForRC(rc, _db);
        throw new SqliteException($"SQLite error {rc}", rc);
    }
}
