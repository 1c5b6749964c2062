using System.Text;

namespace Crawler.Core.Search;

/// <summary>CSV as RFC 4180 writes it, for spreadsheets: the search export (<c>/api/search?format=csv</c>). Pure.</summary>
public static class Csv
{
    /// <summary>
    /// One field: quoted when it holds a comma, a quote or a line break (quotes doubled); a field a spreadsheet would run
    /// as a formula (starting with =, +, - or @) gets a leading apostrophe, so archived text cannot run in the reader's sheet.
    /// </summary>
    public static string Field(string? value)
    {
        var text = value ?? string.Empty;
        if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            text = "'" + text;
        }

        return text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }

    /// <summary>One record: the fields escaped, joined by commas, ended by CRLF.</summary>
    public static string Line(params string?[] fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var sb = new StringBuilder();
        for (var i = 0; i < fields.Length; i++)
        {
            sb.Append(i == 0 ? string.Empty : ",").Append(Field(fields[i]));
        }

        return sb.Append("\r\n").ToString();
    }
}
