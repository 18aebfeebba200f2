using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Pipeline.Ingest;
using RsGeoSearch.Pipeline.Search;
using RsGeoSearch.Store;
using RsGeoSearch.TestSupport;

namespace RsGeoSearch.Pipeline.Tests;

/// <summary>
/// A model folder whose weights changed under the same name (a retrained rsgeo-mini): its fingerprint changes, text
/// queries against the old embeddings are refused with the fix named, a plain ingest is refused, and
/// <see cref="IngestOptions.Reembed"/> replaces the embeddings while keeping the chips.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ModelWeightsTests
{
    [Test]
    public void TheFingerprintFollowsTheWeights()
    {
        var copy = Directory.CreateTempSubdirectory("rsgeo-weights-").FullName;
        try
        {
            foreach (var f in Directory.EnumerateFiles(TestModels.TinyClip)) File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
            using var original = Model.Load(TestModels.TinyClip);
            using var same = Model.Load(copy);
            Assert.That(same.Fingerprint, Is.EqualTo(original.Fingerprint).And.Length.EqualTo(16));
            var text = Path.Combine(copy, same.Manifest.Text.Onnx);
            var bytes = File.ReadAllBytes(text);
            bytes[^1] ^= 0x5a;
            File.WriteAllBytes(text, bytes);
            using var changed = Model.Load(copy);
            Assert.That(changed.Fingerprint, Is.Not.EqualTo(original.Fingerprint));
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    [Test]
    public async Task EmbeddingsOfOtherWeightsAreRefusedUntilReembedded()
    {
        await using var db = await TestDatabase.StartAsync();
        var file = RasterFiles.Expand([SharedData.Path("rasters", "naip-north-dakota")])[0];
        using var models = new ModelCache(new ModelRegistry([]), TestModels.TinyClip);
        var model = models.Get(null);
        var first = await new IngestPipeline(db.Store, model).RunAsync([file]);
        Assert.That(first.Failures, Is.Empty);
        var catalog = new SearchService(db.Store, models);
        var before = await catalog.SearchAsync(new CatalogQuery(Text: "a lake", Limit: 5), CancellationToken.None);
        Assert.That(before.Items, Has.Count.EqualTo(5));
        Assert.That((await db.Store.Models.GetAsync(model.Name)).Fingerprint, Is.EqualTo(model.Fingerprint));

        // The catalogue now holds embeddings of "other weights" under the same name.
        await using (var cmd = db.Store.DataSource.CreateCommand("UPDATE rsgeo.models SET fingerprint = '0123456789abcdef'"))
            await cmd.ExecuteNonQueryAsync();
        await using var reopened = CatalogStore.Create(db.ConnectionString);
        var stale = new SearchService(reopened, models);
        var refused = Assert.ThrowsAsync<ModelWeightsChangedException>(() => stale.SearchAsync(new CatalogQuery(Text: "a lake", Limit: 5), CancellationToken.None));
        Assert.That(refused!.Message, Does.Contain("0123456789abcdef").And.Contain("--reembed"));
        Assert.ThrowsAsync<ModelWeightsChangedException>(() => new IngestPipeline(reopened, model).RunAsync([file]));
        var listed = await stale.SearchAsync(new CatalogQuery(Limit: 5), CancellationToken.None);
        Assert.That(listed.NumberMatched, Is.EqualTo(before.NumberMatched), "listing without a query still works");

        var chipIds = await ChipIdsAsync(db);
        var reembedded = await new IngestPipeline(reopened, model, new IngestOptions { Reembed = true }).RunAsync([file]);
        Assert.That(reembedded.Failures, Is.Empty);
        Assert.That(reembedded.ChipsWritten, Is.EqualTo(chipIds.Count), "every chip embedded again");
        Assert.That(await ChipIdsAsync(db), Is.EqualTo(chipIds), "the chips themselves are kept");
        var after = await stale.SearchAsync(new CatalogQuery(Text: "a lake", Limit: 5), CancellationToken.None);
        Assert.That(after.Items.Select(i => i.Chip.Id), Is.EqualTo(before.Items.Select(i => i.Chip.Id)));
    }

    private static async Task<List<long>> ChipIdsAsync(TestDatabase db)
    {
        await using var cmd = db.Store.DataSource.CreateCommand("SELECT id FROM rsgeo.chips ORDER BY id");
        await using var reader = await cmd.ExecuteReaderAsync();
        var ids = new List<long>();
        while (await reader.ReadAsync()) ids.Add(reader.GetInt64(0));
        return ids;
    }
}
