using Crawler.Core.Uptime;

namespace Crawler.Core.Tests.Uptime;

/// <summary>Probe schedules written as strings: U = fast success, S = slow success, F = failure; spaces ignored.</summary>
internal static class Script
{
    public static readonly DateTimeOffset T0 = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(120);
    public static readonly TimeSpan Slow = TimeSpan.FromSeconds(3);

    public static DateTimeOffset At(int probe) => T0 + (Interval * probe);

    public static List<ProbeResult> Probes(string script, string site = "naenara.com.kp", ProbeFailure failure = ProbeFailure.ConnectTimeout)
    {
        var results = new List<ProbeResult>();
        foreach (var c in script.Where(c => c != ' '))
        {
            var at = At(results.Count);
            results.Add(c switch
            {
                'U' => ProbeResult.Up(site, at, Fast),
                'S' => ProbeResult.Up(site, at, Slow),
                'F' => ProbeResult.Failed(site, at, failure),
                _ => throw new ArgumentException($"Unknown probe code '{c}'.", nameof(script)),
            });
        }

        return results;
    }

    public static List<StateChange> Run(ProbeStateMachine machine, IEnumerable<ProbeResult> results) =>
        results.Select(machine.Apply).OfType<StateChange>().ToList();
}
