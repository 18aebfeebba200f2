using System.Diagnostics;
using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Pipeline.Ingest;
using RsGeoSearch.TestSupport;

namespace RsGeoSearch.Pipeline.Tests;

/// <summary>
/// `rsgeo ingest` killed with SIGKILL at random moments while it writes (five times), then run again: every chip is
/// stored exactly once, none is missing, every chip has its embedding, every scene is marked complete, and the HNSW
/// index answers like an exact scan.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ResumeAfterKillTests
{
    private const int ChipSize = 64;

    [Test]
    public async Task KilledIngestResumesToTheExactChipCount()
    {
        await using var db = await TestDatabase.StartAsync();
        var folder = SharedData.Path("rasters", "naip-north-dakota");
        var files = RasterFiles.Expand([folder]);
        using var models = new ModelCache(new ModelRegistry([]), TestModels.TinyClip);
        var model = models.Get(null);
        var expected = ExpectedChips.Count(files, model, ChipSize);

        const int wantedKills = 5;
        var kills = 0;
        for (var attempt = 0; attempt < 12 && kills < wantedKills; attempt++)
        {
            var before = await CountAsync(db);
            if (before.Chips >= expected) break;
            using var child = Rsgeo.Start("ingest", folder, "--chip-size", $"{ChipSize}", "--batch-size", "8", "--write-batch-size", "8",
                "--database", db.ConnectionString, "--model", TestModels.TinyClip);
            // Kill as soon as this run has written something (at a random later moment).
            var clock = Stopwatch.StartNew();
            var delay = Random.Shared.Next(0, 400);
            while (!child.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3))
            {
                if ((await CountAsync(db)).Chips > before.Chips)
                {
                    await Task.Delay(delay);
                    break;
                }
                await Task.Delay(20);
            }
            if (!child.HasExited)
            {
                child.Kill(entireProcessTree: true);   // SIGKILL
                kills++;
            }
            await child.WaitForExitAsync();
        }
        Assert.That(kills, Is.EqualTo(wantedKills), "the child was killed mid-ingest five times");
        var partial = await CountAsync(db);
        Assert.That(partial.Chips, Is.LessThanOrEqualTo(expected));
        Assert.That(partial.Embeddings, Is.EqualTo(partial.Chips), "a chip and its embedding are written in one transaction");

        var report = await new IngestPipeline(db.Store, model, new IngestOptions { ChipSize = ChipSize }).RunAsync(files);
        Assert.That(report.Failures, Is.Empty);
        var final = await CountAsync(db);
        Assert.That(final.Chips, Is.EqualTo(expected));
        Assert.That(final.DistinctCells, Is.EqualTo(expected), "no chip twice");
        Assert.That(final.Embeddings, Is.EqualTo(expected));
        Assert.That(final.Scenes, Is.EqualTo(files.Count));
        Assert.That(final.CompleteScenes, Is.EqualTo(files.Count));
        Assert.That(report.ChipsWritten, Is.EqualTo(expected - partial.Chips), "the re-run wrote only what was missing");

        var info = await db.Store.Models.GetAsync(model.Name);
        Assert.That(await db.Store.Models.HasVectorIndexAsync(info), Is.True);
        var query = new SearchQuery(model.Name, QueryVector.FromText(model, "a lake"), Limit: 10);
        var exact = await db.Store.Chips.SearchAsync(query, Store.SearchPlan.Exact);
        var index = await db.Store.Chips.SearchAsync(query, Store.SearchPlan.Index);
        Assert.That(index.Hits, Has.Count.EqualTo(10));
        var recall = index.Hits.Select(h => h.ChipId).Intersect(exact.Hits.Select(h => h.ChipId)).Count() / 10.0;
        Assert.That(recall, Is.GreaterThanOrEqualTo(0.9), "the index built after the interrupted loads finds the exact neighbours");
    }

    private static async Task<(long Scenes, long Chips, long DistinctCells, long Embeddings, long CompleteScenes)> CountAsync(TestDatabase db)
    {
        await using var cmd = db.Store.DataSource.CreateCommand("""
            SELECT (SELECT count(*) FROM rsgeo.scenes),
                   (SELECT count(*) FROM rsgeo.chips),
                   (SELECT count(DISTINCT (scene_id, level, col, "row")) FROM rsgeo.chips),
                   (SELECT count(*) FROM rsgeo.embeddings),
                   (SELECT count(*) FROM rsgeo.scene_models WHERE completed_at IS NOT NULL)
            """);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
    }
}
