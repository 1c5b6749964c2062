using Crawler.Storage.Mongo.Documents;

namespace Crawler.Storage.Mongo;

/// <summary>The exports of <see cref="ICrawlStore"/> (crawler migrate): whole collections, streamed by <see cref="MongoStreams"/>.</summary>
public sealed partial class MongoCrawlStore
{
    public IAsyncEnumerable<FrontierRecord> ExportFrontierAsync(CancellationToken ct = default)
    {
        Ready();
        return MongoStreams.FindAllAsync(_db, _frontier, ExportQueries.FrontierOrder, d => new FrontierRecord(d.ToEntry(), d.Reason, d.Outcome), ct);
    }

    public IAsyncEnumerable<UrlSchedule> ExportSchedulesAsync(CancellationToken ct = default)
    {
        Ready();
        return MongoStreams.FindAllAsync(_db, _schedules, ExportQueries.ScheduleOrder, d => d.ToSchedule(), ct);
    }

    public IAsyncEnumerable<JobMark> ExportJobMarksAsync(CancellationToken ct = default)
    {
        Ready();
        return MongoStreams.FindAllAsync(_db, _jobs, ExportQueries.JobOrder,
            d => new JobMark(d.Host, d.Epoch, BsonTime.FromBson(d.StartedAt), BsonTime.FromBson(d.FinishedAt)), ct);
    }

    public IAsyncEnumerable<KeyValuePair<string, string>> ExportSettingsAsync(CancellationToken ct = default)
    {
        Ready();
        return MongoStreams.FindAllAsync(_db, _settings, ExportQueries.SettingOrder, d => KeyValuePair.Create(d.Key, d.Value), ct);
    }
}
