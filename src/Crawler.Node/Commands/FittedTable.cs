using System.Globalization;
using Spectre.Console;

namespace Crawler.Node.Commands;

/// <summary>
/// A table of plain text cells that is printed as a table only when it fits the console's width unwrapped (Spectre.Console
/// would otherwise wrap cells, splitting a site name over two lines); else as a plain list: the first cell as a heading
/// line, then "header value" pairs packed into indented lines that fit, never split.
/// </summary>
internal sealed class FittedTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    /// <summary>Columns from the second on are numbers, right-aligned in table form.</summary>
    public bool NumbersRightAligned { get; init; } = true;

    /// <summary>Columns not right-aligned (from the second on) whatever <see cref="NumbersRightAligned"/> says.</summary>
    public HashSet<string> LeftAligned { get; init; } = [];

    public FittedTable AddRow(params string[] cells)
    {
        _rows.Add(cells);
        return this;
    }

    /// <summary>
    /// The console to print on: Spectre's, whose width is 80 columns when output is redirected unless COLUMNS says
    /// otherwise (as other Unix tools read it).
    /// </summary>
    public static IAnsiConsole Console()
    {
        var console = AnsiConsole.Console;
        if (System.Console.IsOutputRedirected
            && int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), NumberStyles.None, CultureInfo.InvariantCulture, out var columns) && columns > 0)
        {
            console.Profile.Width = columns;
        }

        return console;
    }

    /// <summary>The width of the table form, unwrapped.</summary>
    public int NaturalWidth()
    {
        var writer = new StringWriter();
        var probe = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(writer),
        });
        probe.Profile.Width = 10_000;
        probe.Write(Build());
        return writer.ToString().Split('\n').Max(l => l.TrimEnd().Length);
    }

    public void Write(IAnsiConsole console)
    {
        if (NaturalWidth() <= console.Profile.Width)
        {
            console.Write(Build());
            return;
        }

        var width = console.Profile.Width;
        foreach (var row in _rows)
        {
            console.WriteLine(row[0]);
            var line = "  ";
            for (var i = 1; i < headers.Length && i < row.Length; i++)
            {
                var pair = headers[i] + " " + row[i];
                if (line.Length > 2 && line.Length + 2 + pair.Length > width)
                {
                    console.WriteLine(line);
                    line = "  ";
                }

                line += line.Length > 2 ? ", " + pair : pair;
            }

            if (line.Length > 2)
            {
                console.WriteLine(line);
            }
        }
    }

    private Table Build()
    {
        var table = new Table().Border(TableBorder.Simple);
        for (var i = 0; i < headers.Length; i++)
        {
            var column = new TableColumn(Markup.Escape(headers[i])).NoWrap();
            table.AddColumn(i > 0 && NumbersRightAligned && !LeftAligned.Contains(headers[i]) ? column.RightAligned() : column);
        }

        foreach (var row in _rows)
        {
            table.AddRow(row.Select(c => new Text(c)).ToArray<Spectre.Console.Rendering.IRenderable>());
        }

        return table;
    }
}
