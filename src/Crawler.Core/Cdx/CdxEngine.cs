using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Crawler.Core.Cdx;

/// <summary>One capture as a CDX server lists it. <see cref="Mime"/> is <c>warc/revisit</c> for a revisit (a 304, or a payload seen before).</summary>
public sealed record CdxRow(string UrlKey, string Timestamp, string Url, string? Mime, int? Status, string? Digest, long? Length, string? Redirect)
{
    /// <summary>A field by its canonical name (<see cref="CdxQuery.Fields"/>); null when the capture has none.</summary>
    public string? Field(string name) => name switch
    {
        "urlkey" => UrlKey,
        "timestamp" => Timestamp,
        "url" => Url,
        "mime" => Mime,
        "status" => Status?.ToString(CultureInfo.InvariantCulture),
        "digest" => Digest,
        "length" => Length?.ToString(CultureInfo.InvariantCulture),
        "redirect" => Redirect,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Not a CDX field."),
    };
}

/// <summary>
/// Answers a <see cref="CdxQuery"/> over captures: selection by key and time, filters, collapsing, order, limit and
/// pages, in the order the Wayback and pywb CDX servers apply them (the index order first, as their indexes are
/// sorted; collapsing looks at adjacent lines of that order; the order asked for and the limit come after).
/// Hand-written: no .NET CDX server exists; the semantics are pywb's CDXJ server API.
/// </summary>
public static class CdxEngine
{
    /// <summary>The captures the query asks for, in the order to write them (one page of them when a page is asked for).</summary>
    public static IReadOnlyList<CdxRow> Answer(IEnumerable<CdxRow> captures, CdxQuery query)
    {
        ArgumentNullException.ThrowIfNull(captures);
        ArgumentNullException.ThrowIfNull(query);
        var rows = Matching(captures, query);
        if (query.Page is { } page)
        {
            return [.. rows.Skip(page * query.PageSize).Take(query.PageSize)];
        }

        return rows;
    }

    /// <summary>pywb's <c>showNumPages</c> answer: how many pages of <see cref="CdxQuery.PageSize"/> captures the query has.</summary>
    public static (int Captures, int Pages) PageCount(IEnumerable<CdxRow> captures, CdxQuery query)
    {
        var count = Matching(captures, query).Count;
        return (count, Math.Max(1, (count + query.PageSize - 1) / query.PageSize));
    }

    /// <summary>Whether the query selects the capture: by key, time and filters.</summary>
    public static bool Selected(CdxRow row, CdxQuery query) => Selected(row, query, query.KeySelector());

    /// <summary><see cref="Selected(CdxRow, CdxQuery)"/> with the query's <see cref="CdxQuery.KeySelector"/> made once.</summary>
    public static bool Selected(CdxRow row, CdxQuery query, Func<string, bool> selects)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(selects);
        return selects(row.UrlKey)
            && (query.From is null || string.CompareOrdinal(row.Timestamp, query.From) >= 0)
            && (query.To is null || string.CompareOrdinal(row.Timestamp, query.To) <= 0)
            && query.Filters.All(f => f.Matches(row));
    }

    private static List<CdxRow> Matching(IEnumerable<CdxRow> captures, CdxQuery query)
    {
        var selects = query.KeySelector();
        var rows = captures
            .Where(r => Selected(r, query, selects))
            .OrderBy(r => r.UrlKey, StringComparer.Ordinal)
            .ThenBy(r => r.Timestamp, StringComparer.Ordinal)
            .ThenBy(r => r.Url, StringComparer.Ordinal)
            .ToList();

        if (query.Collapse.Count > 0)
        {
            var kept = new List<CdxRow>(rows.Count);
            string[]? previous = null;
            foreach (var row in rows)
            {
                var values = query.Collapse.Select(c => c.Value(row)).ToArray();
                if (previous is null || !values.SequenceEqual(previous, StringComparer.Ordinal))
                {
                    kept.Add(row);
                }

                previous = values;
            }

            rows = kept;
        }

        switch (query.Sort)
        {
            case CdxSort.Reverse:
                rows.Reverse();
                break;
            case CdxSort.Closest:
                var target = CdxQuery.TimeOf(query.Closest!);
                rows = [.. rows.OrderBy(r => Math.Abs((CdxQuery.TimeOf(r.Timestamp) - target).Ticks)).ThenBy(r => r.Timestamp, StringComparer.Ordinal)];
                break;
        }

        return query.Limit switch
        {
            null => rows,
            int n when n >= 0 => rows.Take(n).ToList(),
            int n => rows.Skip(Math.Max(0, rows.Count + n)).ToList(),
        };
    }

    private static readonly JsonWriterOptions JsonOptions = new()
    {
        // Plain-text answers, never embedded in HTML: URLs stay readable, as pywb writes them.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>One capture as a line of the query's output (without the line break).</summary>
    public static string Line(CdxRow row, CdxQuery query)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(query);
        var fields = query.FieldList ?? CdxQuery.Fields;
        if (query.Output == CdxOutput.Text)
        {
            return string.Join(' ', fields.Select(f => row.Field(f) is { Length: > 0 } v ? v : "-"));
        }

        // cdxj: key and time before the JSON (as pywb writes them, whatever fl says); json: every field in the object.
        var inJson = query.Output == CdxOutput.Cdxj && query.FieldList is null
            ? fields.Where(f => f is not ("urlkey" or "timestamp"))
            : fields;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            json.WriteStartObject();
            foreach (var field in inJson)
            {
                if (row.Field(field) is { } value)
                {
                    json.WriteString(field, value);
                }
            }

            json.WriteEndObject();
        }

        var obj = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        return query.Output == CdxOutput.Cdxj ? row.UrlKey + " " + row.Timestamp + " " + obj : obj;
    }
}
