using System.CommandLine;
using Crawler.Node.Commands;

// SIGTERM / Ctrl+C cancel the command, which then leaves the cluster gracefully (handing its sites over,
// flushing the archive) within Crawler:Cluster:ShutdownTimeout; the process is ended only if that hangs.
// A configuration error (a value that does not convert, a failed validation) is told in one line, exit code 2,
// without the stack trace System.CommandLine's default handler would print.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = CrawlerCli.TerminationTimeout, EnableDefaultExceptionHandler = false };
try
{
    return await CrawlerCli.Build().Parse(args).InvokeAsync(invocation).ConfigureAwait(false);
}
catch (Exception ex) when (ConfigurationErrors.Describe(ex) is { } message)
{
    Console.Error.WriteLine(message);
    return 2;
}
catch (Exception ex) when (ex is not OperationCanceledException)
{
    Console.Error.WriteLine("Unhandled exception: " + ex);
    return 1;
}
