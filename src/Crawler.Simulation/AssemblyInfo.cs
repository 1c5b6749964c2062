namespace Crawler.Simulation;
