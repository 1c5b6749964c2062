namespace Crawler.Actors.Tests;

/// <summary>Time under a test's control: Akka's test scheduler, advanced together with a FakeTimeProvider.</summary>
internal static class ManualTime
{
    /// <summary>Actor-system configuration whose scheduler only moves when the test advances it.</summary>
    public const string SchedulerConfig = """akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit" """;
}
