namespace Crawler.Core;
