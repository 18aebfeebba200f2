using System.Text.Json;
using RsGeoSearch.Core;
using RsGeoSearch.Store;

namespace RsGeoSearch.Pipeline.Search;

/// <summary>
/// The recall an approximate (HNSW) search plan reaches, as the store benchmark measured it per index configuration
/// and filter class (none, bbox, time, bbox+time): <c>search-recall.json</c>, embedded here and rewritten by
/// <c>dotnet run --project bench/RsGeoSearch.Bench.Store -- --write-recall src/RsGeoSearch.Pipeline/Search/search-recall.json</c>.
/// Every search response names its plan; approximate answers carry this number, so a client knows whether a list is complete.
/// </summary>
public static class SearchRecall
{
    private static readonly Lazy<IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>> Table = new(Load);

    /// <summary>The key of an index configuration in the table, e.g. hnsw(m=16,ef_construction=64,ef_search>=100).</summary>
    public static string IndexKey(CatalogStoreOptions options) =>
        $"hnsw(m={options.HnswM},ef_construction={options.HnswEfConstruction},ef_search>={options.MinEfSearch})";

    /// <summary>The filter class of a query: none, bbox, time or bbox+time.</summary>
    public static string FilterClass(BoundingBox? bbox, TimeRange time) =>
        (bbox is not null, !time.IsUnbounded) switch
        {
            (false, false) => "none",
            (true, false) => "bbox",
            (false, true) => "time",
            _ => "bbox+time",
        };

    /// <summary>The measured recall for the default index configuration and the query's filter class (null when not measured).</summary>
    public static (double? Recall, string Class) For(BoundingBox? bbox, TimeRange time, CatalogStoreOptions? options = null)
    {
        var cls = FilterClass(bbox, time);
        var key = IndexKey(options ?? new CatalogStoreOptions());
        return Table.Value.TryGetValue(key, out var classes) && classes.TryGetValue(cls, out var recall) ? (recall, cls) : (null, cls);
    }

    private static IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Load()
    {
        using var stream = typeof(SearchRecall).Assembly.GetManifestResourceStream("search-recall.json")
            ?? throw new InvalidOperationException("search-recall.json is not embedded in RsGeoSearch.Pipeline");
        using var doc = JsonDocument.Parse(stream);
        var result = new Dictionary<string, IReadOnlyDictionary<string, double>>(StringComparer.Ordinal);
        foreach (var index in doc.RootElement.GetProperty("indexes").EnumerateObject())
            result[index.Name] = index.Value.EnumerateObject().ToDictionary(c => c.Name, c => c.Value.GetDouble(), StringComparer.Ordinal);
        return result;
    }
}
