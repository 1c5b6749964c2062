global using Xunit;

namespace Crawler.Net.Tests;
