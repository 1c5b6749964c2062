namespace Crawler.Storage;
