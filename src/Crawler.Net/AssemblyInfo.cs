namespace Crawler.Net;
