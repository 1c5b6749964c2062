using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;

namespace Crawler.Storage.Tests.Mongo;

/// <summary>
/// Renders what a store sends (filters, updates, sorts, projections, pipelines, index specifications) to the BSON the
/// driver puts in the command, with the driver's own serializers, so tests compare it with the expected document.
/// </summary>
internal static class Rendered
{
    public static BsonDocument Filter<T>(FilterDefinition<T> filter) => filter.Render(Args<T>());

    public static BsonValue Update<T>(UpdateDefinition<T> update) => update.Render(Args<T>());

    public static BsonDocument Sort<T>(SortDefinition<T> sort) => sort.Render(Args<T>());

    public static BsonDocument Projection<T>(ProjectionDefinition<T> projection) => projection.Render(Args<T>());

    public static BsonArray Pipeline<T>(PipelineDefinition<T, BsonDocument> pipeline) => new(pipeline.Render(Args<T>()).Documents);

    /// <summary>An index as the createIndexes command lists it: key, name, and unique / sparse / partialFilterExpression when set.</summary>
    public static BsonDocument Index<T>(CreateIndexModel<T> model)
    {
        var index = new BsonDocument { { "key", model.Keys.Render(Args<T>()) }, { "name", model.Options.Name } };
        if (model.Options.Unique is true)
        {
            index["unique"] = true;
        }

        if (model.Options.Sparse is true)
        {
            index["sparse"] = true;
        }

        if (model.Options is CreateIndexOptions<T> { PartialFilterExpression: { } partial })
        {
            index["partialFilterExpression"] = Filter(partial);
        }

        return index;
    }

    public static BsonArray Indexes<T>(IEnumerable<CreateIndexModel<T>> models) => new(models.Select(Index));

    /// <summary>Extended JSON as the shell writes it (ISODate, NumberLong): the expected documents are written in it.</summary>
    public static BsonDocument Json(string json) => BsonDocument.Parse(json);

    public static BsonArray JsonArray(string json) => BsonSerializer.Deserialize<BsonArray>(json);

    private static RenderArgs<T> Args<T>() => new(BsonSerializer.LookupSerializer<T>(), BsonSerializer.SerializerRegistry);
}
