using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Pipeline.Ingest;
using RsGeoSearch.TestSupport;

namespace RsGeoSearch.Pipeline.Tests;

/// <summary>
/// Ingesting a stored scene again with another chip size is refused with a message naming the stored grid (nothing
/// changes), is re-cut with <see cref="IngestOptions.Retile"/>, and asking for an extra pyramid level adds only that
/// level's chips.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RegridTests
{
    [Test]
    public async Task AnotherChipSizeIsRefusedUnlessRetiledAndANewLevelAddsOnlyItsChips()
    {
        await using var db = await TestDatabase.StartAsync();
        var file = RasterFiles.Expand([SharedData.Path("rasters", "naip-north-dakota")])[0];
        using var models = new ModelCache(new ModelRegistry([]), TestModels.TinyClip);
        var model = models.Get(null);
        long Expected(int chipSize, params int[] levels) => ExpectedChips.Count([file], model, chipSize, levels);

        var first = await new IngestPipeline(db.Store, model, new IngestOptions { ChipSize = 256 }).RunAsync([file]);
        Assert.That(first.Failures, Is.Empty);
        var stored = await CountAsync(db);
        Assert.That(stored, Is.EqualTo(Expected(256, 0)));

        var refused = await new IngestPipeline(db.Store, model, new IngestOptions { ChipSize = 128 }).RunAsync([file]);
        var failure = refused.Failures.Single();
        Assert.That(failure.Message, Does.Contain("256-pixel chips at stride 256").And.Contain("--retile"));
        Assert.That(await CountAsync(db), Is.EqualTo(stored), "a refused re-cut leaves the stored chips as they were");

        var retiled = await new IngestPipeline(db.Store, model, new IngestOptions { ChipSize = 128, Retile = true }).RunAsync([file]);
        Assert.That(retiled.Failures, Is.Empty);
        Assert.That(await CountAsync(db), Is.EqualTo(Expected(128, 0)));

        var withLevel = await new IngestPipeline(db.Store, model, new IngestOptions { ChipSize = 128, Levels = [0, 1] }).RunAsync([file]);
        Assert.That(withLevel.Failures, Is.Empty);
        Assert.That(withLevel.ChipsWritten, Is.EqualTo(Expected(128, 1)), "only the level-1 chips are new");
        Assert.That(await CountAsync(db), Is.EqualTo(Expected(128, 0, 1)));
        var again = await new IngestPipeline(db.Store, model, new IngestOptions { ChipSize = 128, Levels = [1] }).RunAsync([file]);
        Assert.That(again.Files.Single().Kind, Is.EqualTo(FileOutcomeKind.Skipped));
    }

    private static async Task<long> CountAsync(TestDatabase db)
    {
        await using var cmd = db.Store.DataSource.CreateCommand("SELECT count(*) FROM rsgeo.chips c JOIN rsgeo.embeddings e ON e.chip_id = c.id AND e.cell = c.cell");
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
