using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Crawler.Actors.Tests")]
