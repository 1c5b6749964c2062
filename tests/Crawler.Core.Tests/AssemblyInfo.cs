namespace Crawler.Core.Tests;
