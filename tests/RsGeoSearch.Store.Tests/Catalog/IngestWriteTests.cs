using Npgsql;
using RsGeoSearch.Core;

namespace RsGeoSearch.Store.Tests.Catalog;

/// <summary>Models, idempotent scenes and exactly-once batch writes under re-runs and failed transactions.</summary>
[TestFixture]
public sealed class IngestWriteTests
{
    private CatalogStore _store = null!;

    [OneTimeSetUp]
    public void Open() => _store = CatalogStore.Create(SharedDatabase.ConnectionString);

    [OneTimeTearDown]
    public async Task CloseAsync() => await _store.DisposeAsync();

    private static Scene NewScene(string name, double x0 = -100, double y0 = 30) => new(
        $"file:///ingest/{name}.tif", SyntheticCatalog.Sha(name), "EPSG:4326", new DateTimeOffset(2019, 6, 1, 0, 0, 0, TimeSpan.Zero),
        AcquisitionSource.FileName, SyntheticCatalog.Box(x0, y0, x0 + 1, y0 + 1), 800, 800, 3);

    private static List<ChipEmbedding> Chips(int count, int dim, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            var (col, row) = (i % 8, i / 8);
            var footprint = SyntheticCatalog.Box(-100 + col * 0.125, 31 - (row + 1) * 0.125, -100 + (col + 1) * 0.125, 31 - row * 0.125);
            return new ChipEmbedding(new Chip(0, col, row, new PixelWindow(col * 100, row * 100, 100, 100), footprint, 0.25, null),
                SyntheticCatalog.RandomUnitVector(rng, dim));
        }).ToList();
    }

    [Test]
    public async Task Registering_a_model_is_idempotent_creates_its_index_and_rejects_another_dimension()
    {
        var a = await _store.Models.RegisterAsync("ingest-model-a", 16);
        var again = await _store.Models.RegisterAsync("ingest-model-a", 16);
        Assert.That(again, Is.EqualTo(a));
        Assert.That(await _store.Models.HasVectorIndexAsync(a), Is.True);
        var e = Assert.ThrowsAsync<InputException>(() => _store.Models.RegisterAsync("ingest-model-a", 32));
        Assert.That(e!.Message, Does.Contain("dimension 16"));
        Assert.That((await _store.Models.ListAsync()).Select(m => m.Name), Does.Contain("ingest-model-a"));
        Assert.ThrowsAsync<NotFoundException>(() => _store.Models.GetAsync("ingest-model-unknown"));
    }

    [Test]
    public async Task Beginning_a_scene_twice_returns_the_same_scene()
    {
        var model = await _store.Models.RegisterAsync("ingest-model-b", 8);
        var scene = NewScene("begin-twice");
        var first = await _store.Ingest.BeginSceneAsync(scene, model);
        var second = await _store.Ingest.BeginSceneAsync(scene with { Uri = "file:///elsewhere/copy.tif", Sha256 = scene.Sha256.ToUpperInvariant() }, model);
        Assert.Multiple(() =>
        {
            Assert.That(first.Created, Is.True);
            Assert.That(second.Created, Is.False);
            Assert.That(second.SceneId, Is.EqualTo(first.SceneId));
            Assert.That(second.Completed, Is.False);
        });
        var chips = Chips(10, 8, 1);
        await _store.Ingest.WriteChipsAsync(first.SceneId, model, chips);
        await _store.Ingest.CompleteSceneAsync(first.SceneId, model, 10);
        var third = await _store.Ingest.BeginSceneAsync(scene, model);
        Assert.That(third.Completed, Is.True, "a completed scene is skipped by the next ingest");
        Assert.That(third.StoredChips, Is.EqualTo(10));

        // Another model starts the same scene from scratch, reusing the chips.
        var other = await _store.Models.RegisterAsync("ingest-model-b2", 4);
        var fourth = await _store.Ingest.BeginSceneAsync(scene, other);
        Assert.That((fourth.SceneId, fourth.Completed, fourth.StoredChips), Is.EqualTo((first.SceneId, false, 0L)));
        var otherChips = Chips(10, 4, 2);
        var written = await _store.Ingest.WriteChipsAsync(fourth.SceneId, other, otherChips);
        Assert.That(written, Is.EqualTo(new BatchWriteResult(0, 10)), "chips exist already, embeddings are new");
    }

    [Test]
    public async Task A_scene_keeps_its_chip_grid_and_reopens_for_a_new_level()
    {
        var model = await _store.Models.RegisterAsync("ingest-model-grid", 8);
        var scene = NewScene("grid");
        var first = await _store.Ingest.BeginSceneAsync(scene, model, new SceneGrid(100, 100, [0]));
        await _store.Ingest.WriteChipsAsync(first.SceneId, model, Chips(10, 8, 5));
        await _store.Ingest.CompleteSceneAsync(first.SceneId, model, 10);

        // Another chip size or stride would put other windows under the same (level, col, row) keys.
        var e = Assert.ThrowsAsync<SceneGridMismatchException>(() => _store.Ingest.BeginSceneAsync(scene, model, new SceneGrid(50, 50, [0])));
        Assert.Multiple(() =>
        {
            Assert.That(e!.SceneId, Is.EqualTo(first.SceneId));
            Assert.That(e.Message, Does.Contain("100-pixel chips at stride 100").And.Contain("--chip-size 100 --stride 100").And.Contain("--retile"));
        });
        Assert.ThrowsAsync<SceneGridMismatchException>(() => _store.Ingest.BeginSceneAsync(scene, model, new SceneGrid(100, 50, [0])));
        var unchanged = await _store.Ingest.BeginSceneAsync(scene, model, new SceneGrid(100, 100, [0]));
        Assert.That((unchanged.Completed, unchanged.StoredChips), Is.EqualTo((true, 10L)), "a refused ingest changes nothing");

        // Asking for level 1 as well reopens the scene; the level-0 chips stay and count.
        var more = await _store.Ingest.BeginSceneAsync(scene, model, new SceneGrid(100, 100, [1, 0]));
        Assert.That((more.Completed, more.StoredChips), Is.EqualTo((false, 10L)));
        var level1 = Chips(2, 8, 6).Select(c => c with { Chip = c.Chip with { Level = 1 } }).ToList();
        await _store.Ingest.WriteChipsAsync(first.SceneId, model, level1);
        await _store.Ingest.CompleteSceneAsync(first.SceneId, model, 12);
        var subset = await _store.Ingest.BeginSceneAsync(scene, model, new SceneGrid(100, 100, [1]));
        Assert.That((subset.Completed, subset.StoredChips), Is.EqualTo((true, 12L)), "levels already stored do not reopen it");

        // Deleting the scene lets it be cut again with another grid.
        Assert.That(await _store.Ingest.DeleteSceneAsync(first.SceneId), Is.True);
        var recut = await _store.Ingest.BeginSceneAsync(scene, model, new SceneGrid(50, 50, [0]));
        Assert.That((recut.Created, recut.Completed, recut.StoredChips), Is.EqualTo((true, false, 0L)));
    }

    [Test]
    public async Task A_model_keeps_the_fingerprint_of_the_weights_that_made_its_embeddings()
    {
        var a = await _store.Models.RegisterAsync("ingest-model-weights", 8, "aaaa");
        Assert.That(a.Fingerprint, Is.EqualTo("aaaa"));
        var b = await _store.Models.RegisterAsync("ingest-model-weights", 8, "bbbb");
        Assert.That((b.Id, b.Fingerprint), Is.EqualTo((a.Id, "bbbb")), "without embeddings the new weights are simply recorded");

        var scene = await _store.Ingest.BeginSceneAsync(NewScene("weights"), b);
        await _store.Ingest.WriteChipsAsync(scene.SceneId, b, Chips(4, 8, 7));
        var e = Assert.ThrowsAsync<ModelWeightsChangedException>(() => _store.Models.RegisterAsync("ingest-model-weights", 8, "cccc"));
        Assert.That(e!.Message, Does.Contain("bbbb").And.Contain("cccc").And.Contain("--reembed"));
        Assert.That((await _store.Models.RegisterAsync("ingest-model-weights", 8, "bbbb")).Id, Is.EqualTo(a.Id), "the same weights register as before");

        Assert.That(await _store.Models.DeleteAsync("ingest-model-weights"), Is.True);
        var c = await _store.Models.RegisterAsync("ingest-model-weights", 8, "cccc");
        Assert.That(c.Id, Is.Not.EqualTo(a.Id));
        Assert.That(await _store.Models.CountEmbeddingsAsync(c), Is.Zero);
        Assert.That(await _store.Ingest.GetStoredChipKeysAsync(scene.SceneId, c), Is.Empty);
        await using (var chips = new NpgsqlCommand("SELECT count(*) FROM rsgeo.chips WHERE scene_id = @s", new NpgsqlConnection(SharedDatabase.ConnectionString)))
        {
            await chips.Connection!.OpenAsync();
            chips.Parameters.AddWithValue("s", scene.SceneId);
            Assert.That(await chips.ExecuteScalarAsync(), Is.EqualTo(4L), "deleting a model keeps the chips");
            await chips.Connection.DisposeAsync();
        }
        Assert.That(await _store.Models.DeleteAsync("ingest-model-none"), Is.False);
    }

    [Test]
    public async Task A_re_run_after_a_crash_stores_every_chip_exactly_once()
    {
        var model = await _store.Models.RegisterAsync("ingest-model-c", 8);
        var scene = await _store.Ingest.BeginSceneAsync(NewScene("rerun"), model);
        var chips = Chips(64, 8, 3);

        // First run: three batches of 10 are committed, then the process "dies".
        foreach (var batch in chips.Take(30).Chunk(10)) await _store.Ingest.WriteChipsAsync(scene.SceneId, model, batch);
        var resumed = await _store.Ingest.BeginSceneAsync(NewScene("rerun"), model);
        Assert.That((resumed.Completed, resumed.StoredChips), Is.EqualTo((false, 30L)));
        Assert.That(await _store.Ingest.GetStoredChipKeysAsync(scene.SceneId, model), Has.Count.EqualTo(30));

        // Second run writes everything again with other batch boundaries.
        var inserted = 0;
        foreach (var batch in chips.Chunk(7)) inserted += (await _store.Ingest.WriteChipsAsync(scene.SceneId, model, batch)).EmbeddingsInserted;
        Assert.That(inserted, Is.EqualTo(34));
        await _store.Ingest.CompleteSceneAsync(scene.SceneId, model, expectedChips: 64);

        Assert.That(await ScalarAsync($"SELECT count(*)::int FROM chips WHERE scene_id = {scene.SceneId}"), Is.EqualTo(64));
        Assert.That(await ScalarAsync($"SELECT count(DISTINCT (level, col, \"row\"))::int FROM chips WHERE scene_id = {scene.SceneId}"), Is.EqualTo(64));
        Assert.That(await ScalarAsync($"SELECT count(*)::int FROM embeddings e JOIN chips c ON c.id = e.chip_id AND c.cell = e.cell WHERE c.scene_id = {scene.SceneId} AND e.model_id = {model.Id}"), Is.EqualTo(64));
        Assert.That(await _store.Models.CountEmbeddingsAsync(model), Is.EqualTo(64));
    }

    [Test]
    public async Task A_batch_that_fails_inside_its_transaction_stores_nothing()
    {
        var model = await _store.Models.RegisterAsync("ingest-model-d", 8);
        var scene = await _store.Ingest.BeginSceneAsync(NewScene("failing-batch"), model);
        var chips = Chips(12, 8, 4);
        var poisoned = chips.Take(11).Append(chips[11] with { Chip = chips[11].Chip with { NodataFraction = double.NaN } }).ToList();
        Assert.ThrowsAsync<PostgresException>(() => _store.Ingest.WriteChipsAsync(scene.SceneId, model, poisoned), "the nodata_fraction check fails after the COPY");
        Assert.That(await ScalarAsync($"SELECT count(*)::int FROM chips WHERE scene_id = {scene.SceneId}"), Is.Zero, "the whole batch rolled back");

        var result = await _store.Ingest.WriteChipsAsync(scene.SceneId, model, chips);
        Assert.That(result, Is.EqualTo(new BatchWriteResult(12, 12)));
        var complete = Assert.ThrowsAsync<StoreException>(() => _store.Ingest.CompleteSceneAsync(scene.SceneId, model, expectedChips: 13));
        Assert.That(complete!.Message, Does.Contain("12 stored chips"));
        Assert.That((await _store.Ingest.BeginSceneAsync(NewScene("failing-batch"), model)).Completed, Is.False);
    }

    [Test]
    public async Task Invalid_batches_are_rejected_before_anything_is_written()
    {
        var model = await _store.Models.RegisterAsync("ingest-model-e", 8);
        var scene = await _store.Ingest.BeginSceneAsync(NewScene("invalid"), model);
        var wrongDim = Chips(2, 9, 5);
        Assert.ThrowsAsync<InputException>(() => _store.Ingest.WriteChipsAsync(scene.SceneId, model, wrongDim));
        Assert.ThrowsAsync<InputException>(() => _store.Ingest.WriteChipsAsync(999_999_999, model, Chips(2, 8, 6)));
        Assert.ThrowsAsync<InputException>(() => _store.Ingest.BeginSceneAsync(NewScene("bad-sha") with { Sha256 = "abc" }, model));
        Assert.That(await ScalarAsync($"SELECT count(*)::int FROM chips WHERE scene_id = {scene.SceneId}"), Is.Zero);
    }

    [Test]
    public async Task A_bulk_load_drops_and_rebuilds_the_index()
    {
        var model = await _store.Models.RegisterAsync("ingest-model-f", 8);
        Assert.That(await _store.Models.PrepareBulkLoadAsync(model, expectedNewChips: 100), Is.False, "small loads insert into the index");
        Assert.That(await _store.Models.PrepareBulkLoadAsync(model, expectedNewChips: 50_000), Is.True);
        Assert.That(await _store.Models.HasVectorIndexAsync(model), Is.False);
        await _store.Models.FinishBulkLoadAsync(model);
        Assert.That(await _store.Models.HasVectorIndexAsync(model), Is.True);
    }

    private static async Task<object?> ScalarAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(SharedDatabase.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return await cmd.ExecuteScalarAsync();
    }
}
