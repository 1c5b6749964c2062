using System.Text.Json;
using Crawler.Core.Dns;
using Microsoft.Data.Sqlite;

namespace Crawler.Storage.Sqlite;

/// <summary>The export of <see cref="IDnsStore"/> (crawler migrate), streamed by <see cref="SqliteStreams"/>.</summary>
public sealed partial class SqliteDnsStore
{
    public IAsyncEnumerable<DnsObservation> ExportObservationsAsync(CancellationToken ct = default) =>
        SqliteStreams.ReadAllAsync(
            OpenAsync,
            "SELECT name, at, server, outcome, records FROM dns_observations ORDER BY name, at, id",
            r => new DnsObservation(
                r.GetString(0),
                DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)),
                r.GetString(2),
                r.GetString(3),
                JsonSerializer.Deserialize<List<DnsRecordData>>(r.GetString(4)) ?? []),
            e => SqliteConnections.IsBusy(e)
                ? SqliteConnections.Busy(_path, "could not be read", _options, e)
                : new StoreUnavailableException($"The store at {_path} could not be read: {e.Message}.", e),
            ct);
}
