namespace Crawler.Simulation.Tests;
