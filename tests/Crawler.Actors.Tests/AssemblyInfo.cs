namespace Crawler.Actors.Tests;
