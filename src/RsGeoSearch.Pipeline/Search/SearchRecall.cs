using System.Text.Json;
using RsGeoSearch.Core;
using RsGeoSearch.Store;

namespace RsGeoSearch.Pipeline.Search;

/// <summary>
/// The recall an approximate (HNSW or IVFFlat) search plan reaches, as the store benchmark measured it per index configuration
/// and filter class (none, bbox, time, bbox+time): <c>search-recall.json</c>, embedded here and rewritten by
/// <c>dotnet run --project bench/RsGeoSearch.Bench.Store -- --write-recall src/RsGeoSearch.Pipeline/Search/search-recall.json</c>.
/// Every search response names its plan; approximate answers carry this number, so a client knows whether a list is complete.
/// </summary>
public static class SearchRecall
{
    private static readonly Lazy<IReadOnlyDictionary<string, IReadOnlyList<(long Chips, IReadOnlyDictionary<string, double> Recall)>>> Table = new(Load);

    /// <summary>The key of an index configuration in the table, e.g. hnsw(m=16,ef_construction=64,ef_search>=100).</summary>
    public static string IndexKey(CatalogStoreOptions options, VectorIndexKind kind = VectorIndexKind.Hnsw) => kind == VectorIndexKind.IvfFlat
        ? "ivfflat(lists=rows/1000,probes>=10)"
        : $"hnsw(m={options.HnswM},ef_construction={options.HnswEfConstruction},ef_search>={options.MinEfSearch})";

    /// <summary>The filter class of a query: none, bbox, time or bbox+time.</summary>
    public static string FilterClass(BoundingBox? bbox, TimeRange time) =>
        (bbox is not null, !time.IsUnbounded) switch
        {
            (false, false) => "none",
            (true, false) => "bbox",
            (false, true) => "time",
            _ => "bbox+time",
        };

    /// <summary>
    /// The recall measured for the index configuration and the query's filter class, at the measured catalogue size
    /// nearest (in orders of magnitude) to <paramref name="chips"/>; null when that class was never measured.
    /// </summary>
    public static (double? Recall, string Class) For(BoundingBox? bbox, TimeRange time, long chips, CatalogStoreOptions? options = null,
        VectorIndexKind kind = VectorIndexKind.Hnsw)
    {
        var cls = FilterClass(bbox, time);
        if (!Table.Value.TryGetValue(IndexKey(options ?? new CatalogStoreOptions(), kind), out var rows)) return (null, cls);
        var size = Math.Log10(Math.Max(1, chips));
        var best = rows.Where(r => r.Recall.ContainsKey(cls)).OrderBy(r => Math.Abs(Math.Log10(r.Chips) - size)).FirstOrDefault();
        return best.Recall is null ? (null, cls) : (best.Recall[cls], cls);
    }

    /// <summary>Sets the row of <paramref name="chips"/> chips under <paramref name="indexKey"/> in a recall table file (the store benchmark's output).</summary>
    public static void WriteRow(string path, string indexKey, long chips, IReadOnlyDictionary<string, double> recall)
    {
        var root = File.Exists(path) ? System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject() : new System.Text.Json.Nodes.JsonObject();
        root["source"] ??= "bench/RsGeoSearch.Bench.Store: recall@10 of the HNSW plan against the exact plan, per filter class";
        var indexes = root["indexes"]?.AsObject() ?? new System.Text.Json.Nodes.JsonObject();
        root["indexes"] = indexes;
        var rows = indexes[indexKey]?.AsArray() ?? new System.Text.Json.Nodes.JsonArray();
        indexes[indexKey] = rows;
        foreach (var old in rows.Where(r => r?["chips"]?.GetValue<long>() == chips).ToList()) rows.Remove(old);
        var values = new System.Text.Json.Nodes.JsonObject();
        foreach (var (cls, value) in recall) values[cls] = value;
        rows.Add(new System.Text.Json.Nodes.JsonObject { ["chips"] = chips, ["recall"] = values });
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
    }

    private static IReadOnlyDictionary<string, IReadOnlyList<(long, IReadOnlyDictionary<string, double>)>> Load()
    {
        using var stream = typeof(SearchRecall).Assembly.GetManifestResourceStream("search-recall.json")
            ?? throw new InvalidOperationException("search-recall.json is not embedded in RsGeoSearch.Pipeline");
        using var doc = JsonDocument.Parse(stream);
        var result = new Dictionary<string, IReadOnlyList<(long, IReadOnlyDictionary<string, double>)>>(StringComparer.Ordinal);
        foreach (var index in doc.RootElement.GetProperty("indexes").EnumerateObject())
            result[index.Name] = index.Value.EnumerateArray().Select(row => (row.GetProperty("chips").GetInt64(),
                (IReadOnlyDictionary<string, double>)row.GetProperty("recall").EnumerateObject().ToDictionary(c => c.Name, c => c.Value.GetDouble(), StringComparer.Ordinal))).ToList();
        return result;
    }
}
