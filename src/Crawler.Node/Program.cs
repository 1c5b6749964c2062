using Crawler.Node.Commands;

return await CrawlerCli.Build().Parse(args).InvokeAsync().ConfigureAwait(false);
