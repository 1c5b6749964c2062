namespace Crawler.Simulation.Web;

public enum ResponseBehavior
{
    Normal,

    /// <summary>Headers come after <see cref="SimulationOptions.SlowResponse"/>.</summary>
    Slow,

    /// <summary>Headers and part of the body, then nothing until the client disconnects.</summary>
    Hang,

    /// <summary>The first <see cref="SimulationOptions.RetryFailures"/> requests (per epoch) get <see cref="SimResponse.RetryStatus"/> with Retry-After.</summary>
    RetryThenOk,

    /// <summary>The body differs on every request.</summary>
    NonDeterministic,
}

/// <summary>What the simulated web answers for one URL in one epoch, with the URL's outgoing links as data.</summary>
public sealed class SimResponse
{
    public required int Status { get; init; }

    public string? ContentType { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    public required byte[] Body { get; init; }

    /// <summary>Every reference in the body (or the Location of a redirect), in document order.</summary>
    public IReadOnlyList<Link> Links { get; init; } = [];

    public ResponseBehavior Behavior { get; init; }

    /// <summary>503 or 429 for <see cref="ResponseBehavior.RetryThenOk"/>.</summary>
    public int RetryStatus { get; init; }

    /// <summary>Whether the body depends on the epoch.</summary>
    public bool EpochDependent { get; init; }

    public string? Location => Headers.FirstOrDefault(h => h.Key == "Location").Value;
}
