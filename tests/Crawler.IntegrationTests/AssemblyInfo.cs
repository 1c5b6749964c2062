namespace Crawler.IntegrationTests;
