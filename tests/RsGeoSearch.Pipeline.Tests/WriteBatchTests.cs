using RsGeoSearch.Core;
using RsGeoSearch.Pipeline.Ingest;
using RsGeoSearch.TestSupport;

namespace RsGeoSearch.Pipeline.Tests;

/// <summary>
/// The writer gathers encoder batches into write batches per scene: with write batches smaller than a scene and not a
/// multiple of the encoder batch, every chip still ends up stored exactly once, each scene's count is right, the HNSW
/// index (dropped for the first load of a model) exists afterwards and its answers equal the exact plan's.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class WriteBatchTests
{
    [Test]
    public async Task SmallWriteBatchesStoreEveryChipOnceAndRebuildTheIndex()
    {
        await using var db = await TestDatabase.StartAsync();
        using var models = new ModelCache(new Inference.ModelRegistry([]), TestModels.TinyClip);
        var model = models.Get(null);
        var files = RasterFiles.Expand([SharedData.Path("rasters", "sentinel2-ireland"), SharedData.Path("rasters", "naip-north-dakota")]).Take(3).ToList();
        var options = new IngestOptions { BatchSize = 4, WriteBatchSize = 10, Readers = 2 };

        var report = await new IngestPipeline(db.Store, model, options).RunAsync(files);

        Assert.That(report.Failures, Is.Empty);
        var expected = ExpectedChips.Count(files, model);
        Assert.That(report.ChipsWritten, Is.EqualTo(expected));
        var info = await db.Store.Models.GetAsync(model.Name);
        Assert.That(await db.Store.Models.CountEmbeddingsAsync(info), Is.EqualTo(expected));
        Assert.That(report.Files.Max(f => f.ChipsWritten), Is.GreaterThan(options.WriteBatchSize), "a scene spans several write batches");
        foreach (var f in report.Files)
            Assert.That(f.ChipsWritten, Is.EqualTo(f.ChipsInScene), f.Path);
        Assert.That(await db.Store.Models.HasVectorIndexAsync(info), Is.True, "the index is rebuilt after the load");

        var query = new SearchQuery(model.Name, model.EncodeText("a lake"), Limit: 10);
        var index = await db.Store.Chips.SearchAsync(query, Store.SearchPlan.Index);
        var exact = await db.Store.Chips.SearchAsync(query, Store.SearchPlan.Exact);
        Assert.That(index.Hits.Select(h => h.ChipId), Is.EqualTo(exact.Hits.Select(h => h.ChipId)));

        var again = await new IngestPipeline(db.Store, model, options).RunAsync(files);
        Assert.That(again.ChipsWritten, Is.Zero);
        Assert.That(await db.Store.Models.CountEmbeddingsAsync(info), Is.EqualTo(expected));
    }
}
