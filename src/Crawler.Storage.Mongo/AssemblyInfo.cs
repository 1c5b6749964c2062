using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Crawler.Storage.Tests")]
