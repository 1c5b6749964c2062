using Crawler.Actors.Serialization;
using Crawler.Actors.Sites;
using Crawler.Core.Uptime;
using Crawler.Net.Probing;

namespace Crawler.Actors.Uptime;

/// <summary>The protocol of <see cref="ProbeActor"/> (one per site, routed by host like the site actors) and the events the monitor publishes.</summary>
public static class ProbeProtocol
{
    /// <summary>Probe this target every <paramref name="Interval"/> from now on (sent again to change it).</summary>
    public sealed record Watch(string Host, ProbeTarget Target, TimeSpan Interval) : ISiteMessage, ICrawlerMessage;

    /// <summary>Ask for the site's state; answered with <see cref="SiteStatus"/>.</summary>
    public sealed record GetStatus(string Host) : ISiteMessage, ICrawlerMessage;

    public sealed record SiteStatus(string Site, SiteState State, StateChange? LastChange, ProbeResult? LastResult, long Probes) : ICrawlerMessage;

    /// <summary>Published on the event stream after every probe.</summary>
    public sealed record ProbeCompleted(ProbeResult Result, SiteState State, TimeSpan Lateness) : ICrawlerMessage;

    /// <summary>Published on the event stream when a site's state changes (once, after it is stored).</summary>
    public sealed record StateChanged(StateChange Change, Outage? Outage) : ICrawlerMessage;

    /// <summary>Published on the event stream when a country-wide outage starts or ends (after it is stored).</summary>
    public sealed record CountryOutageChanged(CountryOutageEvent Event) : ICrawlerMessage;
}
