using Crawler.Core.Dns;

namespace Crawler.Storage.Mongo;

/// <summary>The export of <see cref="IDnsStore"/> (crawler migrate), streamed by <see cref="MongoStreams"/>.</summary>
public sealed partial class MongoDnsStore
{
    public IAsyncEnumerable<DnsObservation> ExportObservationsAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return MongoStreams.FindAllAsync(_db, _observations, ExportQueries.ObservationOrder, d => d.ToObservation(), ct);
    }
}
