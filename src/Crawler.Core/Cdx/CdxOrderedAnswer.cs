namespace Crawler.Core.Cdx;

/// <summary>
/// A query's answer built from captures that come in index order (by key, then time), one at a time, so that the read
/// can stop as soon as the answer is complete (<see cref="Done"/>): the first <c>limit</c> lines, or one page, of a host
/// match of a site with 250,000 captures read without the rest. The answer is <see cref="CdxEngine.Answer"/>'s over the
/// same captures, and <see cref="Count"/> is <see cref="CdxEngine.PageCount"/>'s count, for the queries whose answer is
/// a beginning of the index order (<see cref="Streams"/>).
/// </summary>
/// <remarks>
/// The index order is key, timestamp (to the second), then URL; a store gives key then time in milliseconds, so the
/// captures of one key and second are held back until that second ends and then sorted by URL (stably: captures of one
/// URL keep the store's order, as <see cref="CdxEngine"/>'s stable sort keeps the order it is given).
/// </remarks>
public sealed class CdxOrderedAnswer
{
    private readonly CdxQuery _query;
    private readonly Func<string, bool> _selects;
    private readonly List<CdxRow> _second = [];
    private readonly List<CdxRow> _answer = [];
    private readonly int _first;
    private readonly int _end;
    private string[]? _collapsed;
    private int _lines;

    public CdxOrderedAnswer(CdxQuery query)
        : this(query, 0)
    {
    }

    /// <summary>
    /// An answer whose first <paramref name="linesBefore"/> lines of the index order were passed over elsewhere: the
    /// captures given are the ones after them. Only for a query that selects every capture it is given as one line
    /// (<see cref="SkipsByCount"/>), so that a line is a capture and they can be counted in the store's index.
    /// </summary>
    public CdxOrderedAnswer(CdxQuery query, int linesBefore)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(linesBefore);
        if (linesBefore > 0 && !SkipsByCount(query))
        {
            throw new ArgumentException("Lines can be passed over only for a query with no time bounds, filters nor collapsing.", nameof(linesBefore));
        }

        if (!Streams(query))
        {
            throw new ArgumentException("Only a query in index order with no limit or a positive one is answered from the first captures; answer the others with CdxEngine.", nameof(query));
        }

        _query = query;
        _selects = query.KeySelector();
        // Lines of the index order (after selection, collapsing and the limit) that the answer holds: [_first, _end); a
        // page count counts them all (pages are not asked for then).
        var limit = query.Limit ?? int.MaxValue;
        (_first, _end) = query.Page is { } page && !query.ShowNumPages
            ? ((int)Math.Min((long)page * query.PageSize, limit), (int)Math.Min(((long)page + 1) * query.PageSize, limit))
            : (0, limit);
        _lines = linesBefore;
        Done = _lines >= _end || _first >= _end;
    }

    /// <summary>
    /// Whether every capture of the query's keys is one line of its index order (no time bounds, filters nor
    /// collapsing), so that a page's first line is found by counting captures in key order.
    /// </summary>
    public static bool SkipsByCount(CdxQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Streams(query) && query is { From: null, To: null, Filters.Count: 0, Collapse.Count: 0 };
    }

    /// <summary>The first line of the query's page (after its limit), or 0 without a page.</summary>
    public int FirstLine => _first;

    /// <summary>Whether the query's answer is a beginning of the index order: index order, and no limit or a positive one.</summary>
    public static bool Streams(CdxQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return query.Sort == CdxSort.Index && query.Limit is null or >= 0;
    }

    /// <summary>Whether the answer (or the count) is complete: no capture after those given can change it.</summary>
    public bool Done { get; private set; }

    /// <summary>The lines of the index order so far (selected, collapsed, up to the limit): with every capture given, <see cref="CdxEngine.PageCount"/>'s count.</summary>
    public int Count => _lines;

    /// <summary>The next capture; throws when it comes before the one given last in the index order (key, then second).</summary>
    public void Add(CdxRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (_second.Count > 0)
        {
            var last = _second[^1];
            var order = string.CompareOrdinal(row.UrlKey, last.UrlKey) is var byKey and not 0 ? byKey : string.CompareOrdinal(row.Timestamp, last.Timestamp);
            if (order < 0)
            {
                throw new InvalidOperationException($"Captures out of index order: {row.UrlKey} {row.Timestamp} after {last.UrlKey} {last.Timestamp}.");
            }

            if (order > 0)
            {
                Flush();
            }
        }

        _second.Add(row);
    }

    /// <summary>The answer over the captures given (as <see cref="CdxEngine.Answer"/> gives it).</summary>
    public IReadOnlyList<CdxRow> Finish()
    {
        Flush();
        return _answer;
    }

    private void Flush()
    {
        // Stable: List.Sort is not, so the store's order is the tie-breaker.
        foreach (var row in _second.Select((r, i) => (r, i)).OrderBy(p => p.r.Url, StringComparer.Ordinal).ThenBy(p => p.i).Select(p => p.r).ToList())
        {
            Line(row);
        }

        _second.Clear();
    }

    private void Line(CdxRow row)
    {
        if (Done || !CdxEngine.Selected(row, _query, _selects))
        {
            return;
        }

        if (_query.Collapse.Count > 0)
        {
            // Adjacent lines of the index order whose collapse fields repeat are dropped (as CdxEngine compares them).
            var values = _query.Collapse.Select(c => c.Value(row)).ToArray();
            var repeated = _collapsed is not null && values.SequenceEqual(_collapsed, StringComparer.Ordinal);
            _collapsed = values;
            if (repeated)
            {
                return;
            }
        }

        if (_lines >= _first && !_query.ShowNumPages)
        {
            _answer.Add(row);
        }

        _lines++;
        Done = _lines >= _end;
    }
}
