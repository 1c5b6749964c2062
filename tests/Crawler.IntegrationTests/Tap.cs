using Akka.Actor;

namespace Crawler.IntegrationTests;

/// <summary>
/// An actor that hands every message it receives to a callback: a test subscribes it to a node's events (cluster
/// membership, the event stream) and waits on what the callback completes, not on the clock.
/// </summary>
internal sealed class Tap : ReceiveActor
{
    public Tap(Action<object> received) => ReceiveAny(received);

    public static Props For(Action<object> received) => Props.Create(() => new Tap(received));
}
