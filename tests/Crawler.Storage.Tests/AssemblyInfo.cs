global using Xunit;

namespace Crawler.Storage.Tests;
