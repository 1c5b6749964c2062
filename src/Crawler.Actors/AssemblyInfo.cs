namespace Crawler.Actors;
