using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Pipeline;
using RsGeoSearch.Pipeline.Search;
using RsGeoSearch.Pipeline.Ingest;

namespace RsGeoSearch.TestSupport;

/// <summary>
/// A real catalogue for integration tests: a temporary embedded database with shared rasters ingested
/// (by default the NAIP series and the Sentinel-2 tile) under one model.
/// </summary>
public sealed class IngestedCatalog : IAsyncDisposable
{
    private IngestedCatalog(TestDatabase database, ModelCache models, SearchService catalog, IngestReport report)
    {
        Database = database;
        Models = models;
        Catalog = catalog;
        Report = report;
    }

    public TestDatabase Database { get; }
    public ModelCache Models { get; }
    public SearchService Catalog { get; }
    public IngestReport Report { get; }
    public Model Model => Models.Get(null);

    public static readonly string[] DefaultRasters =
    [
        Path.Combine("rasters", "naip-north-dakota"),
        Path.Combine("rasters", "sentinel2-ireland"),
    ];

    /// <summary>Starts a database and ingests <paramref name="rasters"/> (paths relative to the shared data folder).</summary>
    public static async Task<IngestedCatalog> CreateAsync(string modelDirectory, IReadOnlyList<string>? rasters = null, IngestOptions? options = null)
    {
        var database = await TestDatabase.StartAsync();
        var models = new ModelCache(new ModelRegistry([]), modelDirectory);
        var files = RasterFiles.Expand((rasters ?? DefaultRasters).Select(r => Path.Combine(SharedData.Resolve(), r)));
        var report = await new IngestPipeline(database.Store, models.Get(null), options).RunAsync(files);
        return new IngestedCatalog(database, models, new SearchService(database.Store, models), report);
    }

    public async ValueTask DisposeAsync()
    {
        await Catalog.DisposeAsync();
        Models.Dispose();
        await Database.DisposeAsync();
    }
}
