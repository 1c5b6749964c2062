using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Crawler.Net.Tests")]

namespace Crawler.Net;
