using System.CommandLine;
using Crawler.Node.Commands;

// SIGTERM / Ctrl+C cancel the command, which then leaves the cluster gracefully (handing its sites over,
// flushing the archive) within Crawler:Cluster:ShutdownTimeout; the process is ended only if that hangs.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = CrawlerCli.TerminationTimeout };
return await CrawlerCli.Build().Parse(args).InvokeAsync(invocation).ConfigureAwait(false);
