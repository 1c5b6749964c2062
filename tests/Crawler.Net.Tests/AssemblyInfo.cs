namespace Crawler.Net.Tests;
