namespace Crawler.Storage.Tests;
