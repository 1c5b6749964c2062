namespace Crawler.Storage.Sqlite;
