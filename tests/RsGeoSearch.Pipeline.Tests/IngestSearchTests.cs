using NetTopologySuite.Geometries;
using Npgsql;
using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Pipeline.Ingest;
using RsGeoSearch.Pipeline.Search;
using RsGeoSearch.Raster;
using RsGeoSearch.TestSupport;

namespace RsGeoSearch.Pipeline.Tests;

/// <summary>
/// The main job on real parts: the NAIP series (10 dates) and the Sentinel-2 tile ingested into an embedded
/// PostgreSQL through GDAL and ONNX Runtime, then searched by text, image and example chips with filters.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class IngestSearchTests
{
    private IngestedCatalog _ingested = null!;
    private List<ChipRecord> _allChips = null!;
    private IReadOnlyDictionary<long, float[]> _embeddings = null!;

    private SearchService Catalog => _ingested.Catalog;
    private Model Model => _ingested.Model;

    [OneTimeSetUp]
    public async Task IngestAsync()
    {
        _ingested = await IngestedCatalog.CreateAsync(TestModels.TinyClip);
        var page = await Catalog.SearchAsync(new CatalogQuery(Limit: SearchQuery.MaxLimit), CancellationToken.None);
        _allChips = page.Items.Select(i => i.Chip).ToList();
        _embeddings = await _ingested.Database.Store.Chips.GetEmbeddingsAsync(Model.Name, _allChips.Select(c => c.Id).ToArray());
    }

    [OneTimeTearDown]
    public async Task TearDownAsync() => await _ingested.DisposeAsync();

    private static IReadOnlyList<string> RasterFilesOf(params string[] folders) =>
        RasterFiles.Expand(folders.Select(f => SharedData.Path("rasters", f)));

    [Test]
    public void EveryChipOfEveryFileIsStoredOnce()
    {
        var files = RasterFilesOf("naip-north-dakota", "sentinel2-ireland");
        Assert.That(_ingested.Report.Files, Has.Count.EqualTo(11));
        Assert.That(_ingested.Report.Files.All(f => f.Kind == FileOutcomeKind.Ingested), Is.True);
        Assert.That(_allChips, Has.Count.EqualTo(ExpectedChips.Count(files, Model)));
        Assert.That(_allChips.Select(c => (c.SceneId, c.Level, c.Col, c.Row)).Distinct().Count(), Is.EqualTo(_allChips.Count));
        Assert.That(_embeddings, Has.Count.EqualTo(_allChips.Count), "one embedding per chip");
        Assert.That(_allChips.All(c => c.Footprint is not null && c.AcquiredAt is not null), Is.True);
    }

    [Test]
    public async Task SentinelNodataWedgeIsNotIngested()
    {
        var scenes = await Catalog.ListScenesAsync(null, TimeRange.Parse("2022-10-05"), 10, 0, CancellationToken.None);
        var sentinel = scenes.Items.Single();
        Assert.That(sentinel.Uri, Does.EndWith(".jp2"));
        // 1830 px at 256 → an 8 x 8 grid; the nodata wedge (over half of the tile) removes the cells that are mostly empty.
        Assert.That(sentinel.ChipCount, Is.LessThan(64).And.GreaterThan(0));
    }

    [Test]
    public async Task ReingestAddsNothing()
    {
        var files = RasterFilesOf("naip-north-dakota", "sentinel2-ireland");
        var report = await new IngestPipeline(_ingested.Database.Store, Model).RunAsync(files);
        Assert.That(report.Files.All(f => f.Kind == FileOutcomeKind.Skipped), Is.True);
        Assert.That(report.ChipsWritten, Is.Zero);
        var after = await Catalog.SearchAsync(new CatalogQuery(Limit: 1), CancellationToken.None);
        Assert.That(after.NumberMatched, Is.EqualTo(_allChips.Count));
    }

    [Test]
    public async Task TextResultsEqualBruteForceTopK()
    {
        var page = await Catalog.SearchAsync(new CatalogQuery(Text: "a lake surrounded by farmland", Limit: 10), CancellationToken.None);
        AssertEqualsBruteForce(page, QueryVector.FromText(Model, "a lake surrounded by farmland"), _allChips, 10);
    }

    [Test]
    public async Task A_repeated_text_query_is_answered_from_the_text_embedding_cache_with_the_same_page()
    {
        var query = new CatalogQuery(Text: "harbour with ships", Not: ["clouds"], Limit: 5);
        var first = await Catalog.SearchAsync(query, CancellationToken.None);
        var before = Catalog.TextEmbeddings.Statistics;
        var second = await Catalog.SearchAsync(query with { Text = "  harbour with ships " }, CancellationToken.None);
        var after = Catalog.TextEmbeddings.Statistics;
        Assert.That(after.Hits - before.Hits, Is.EqualTo(2), "the text and the negative term");
        Assert.That(after.Misses, Is.EqualTo(before.Misses));
        Assert.That(second.Items.Select(i => (i.ChipId, i.Score)), Is.EqualTo(first.Items.Select(i => (i.ChipId, i.Score))));
        Assert.That(second.NumberMatched, Is.EqualTo(first.NumberMatched));
    }

    [Test]
    public async Task ImageResultsEqualBruteForceTopK()
    {
        var jpg = Directory.EnumerateFiles(SharedData.Path("scenes", "aid", "Farmland"), "*.jpg").Order(StringComparer.Ordinal).First();
        var bytes = await File.ReadAllBytesAsync(jpg);
        var page = await Catalog.SearchAsync(new CatalogQuery(Image: bytes, Limit: 7), CancellationToken.None);
        AssertEqualsBruteForce(page, Model.EncodeImage(Preprocessing.ReadImage(Model, jpg)), _allChips, 7);
    }

    [Test]
    public async Task BboxOverHalfASceneReturnsOnlyIntersectingChips()
    {
        var scene = (await Catalog.ListScenesAsync(null, TimeRange.Parse("2016-08-16"), 1, 0, CancellationToken.None)).Items.Single();
        var env = scene.Footprint!.EnvelopeInternal;
        var westHalf = BoundingBox.Create(env.MinX, env.MinY, (env.MinX + env.MaxX) / 2, env.MaxY);
        var box = Envelope(westHalf);
        var expected = _allChips.Where(c => c.Footprint!.Intersects(box)).ToList();
        Assert.That(expected.Count, Is.GreaterThan(0).And.LessThan(_allChips.Count));

        var page = await Catalog.SearchAsync(new CatalogQuery(Text: "farmland", Bbox: westHalf, Limit: 1000), CancellationToken.None);
        Assert.That(page.Items.All(i => i.Chip.Footprint!.Intersects(box)), Is.True, "every result intersects the box");
        Assert.That(page.Items.Select(i => i.Chip.Id), Is.EquivalentTo(expected.Select(c => c.Id)), "and every chip that intersects it is found");
        Assert.That(page.NumberMatched, Is.EqualTo(expected.Count));
        AssertEqualsBruteForce(page, QueryVector.FromText(Model, "farmland"), expected, expected.Count);
    }

    [Test]
    public async Task TimeRangeReturnsOnlyThoseDates()
    {
        var range = TimeRange.Parse("2015-01-01/2017-12-31");
        var page = await Catalog.SearchAsync(new CatalogQuery(Text: "a river", Time: range, Limit: 1000), CancellationToken.None);
        var expected = _allChips.Where(c => range.Contains(c.AcquiredAt!.Value)).ToList();
        Assert.That(expected.Select(c => c.AcquiredAt!.Value.Year).Distinct().Order(), Is.EqualTo(new[] { 2015, 2016, 2017 }));
        Assert.That(page.Items.Select(i => i.Chip.Id), Is.EquivalentTo(expected.Select(c => c.Id)));
    }

    [Test]
    public async Task SelectiveFilterStillReturnsKRows()
    {
        // A box around one chip's centre and one date: a filter that matches a handful of chips of hundreds.
        var target = _allChips.First(c => c.AcquiredAt!.Value.Year == 2018);
        var centre = target.Footprint!.Centroid;
        var box = BoundingBox.Create(centre.X - 0.01, centre.Y - 0.01, centre.X + 0.01, centre.Y + 0.01);
        var day = TimeRange.Parse(target.AcquiredAt!.Value.ToString("yyyy-MM-dd"));
        var matching = _allChips.Where(c => c.Footprint!.Intersects(Envelope(box)) && day.Contains(c.AcquiredAt!.Value)).ToList();
        Assert.That(matching.Count, Is.GreaterThanOrEqualTo(2).And.LessThan(_allChips.Count / 20));

        var k = matching.Count;
        var page = await Catalog.SearchAsync(new CatalogQuery(Text: "buildings", Bbox: box, Time: day, Limit: k), CancellationToken.None);
        Assert.That(page.Items, Has.Count.EqualTo(k));
        AssertEqualsBruteForce(page, QueryVector.FromText(Model, "buildings"), matching, k);
    }

    [Test]
    public async Task LikeAndUnlikeMoveTheQuery()
    {
        var liked = _allChips[3];
        var unliked = _allChips[40];
        var page = await Catalog.SearchAsync(new CatalogQuery(Like: [liked.Id], Unlike: [unliked.Id], Limit: 5), CancellationToken.None);
        Assert.That(page.Items.Select(i => i.Chip.Id), Does.Not.Contain(liked.Id).And.Not.Contain(unliked.Id), "examples are not results");
        var q = QueryVector.Combine(Model.Dimension, [_embeddings[liked.Id]], [_embeddings[unliked.Id]]);
        AssertEqualsBruteForce(page, q, _allChips.Where(c => c.Id != liked.Id && c.Id != unliked.Id).ToList(), 5);
    }

    [Test]
    public void UnknownExampleChipIsNotFound() =>
        Assert.ThrowsAsync<NotFoundException>(() => Catalog.SearchAsync(new CatalogQuery(Like: [999_999]), CancellationToken.None));

    [Test]
    public void UnknownModelIsAnInputError() =>
        Assert.ThrowsAsync<InputException>(() => Catalog.SearchAsync(new CatalogQuery(Text: "x", Model: "no-such-model"), CancellationToken.None));

    [Test]
    public async Task ThumbnailIsAPngOfTheChip()
    {
        var png = await Catalog.RenderChipPngAsync(_allChips[0].Id, 128, CancellationToken.None);
        Assert.That(png.AsSpan(0, 8).ToArray(), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }));
        using var decoded = RasterDataset.Open(png, "thumb.png");
        Assert.That(Math.Max(decoded.Width, decoded.Height), Is.EqualTo(128));
    }

    [Test]
    public async Task ClassifyAndSimilarityRankEveryText()
    {
        var jpg = await File.ReadAllBytesAsync(Directory.EnumerateFiles(SharedData.Path("scenes", "aid", "Beach"), "*.jpg").First());
        var labels = await Catalog.ClassifyAsync(jpg, ["beach", "forest", "airport"], null, null, CancellationToken.None);
        Assert.That(labels.Select(l => l.Label), Is.EquivalentTo(new[] { "beach", "forest", "airport" }));
        Assert.That(labels.Sum(l => l.Score), Is.EqualTo(1).Within(1e-4), "softmax over labels");
        Assert.That(labels.Select(l => l.Score), Is.Ordered.Descending);
        var captions = await Catalog.SimilarityAsync(jpg, ["waves on a sandy beach", "a parking lot"], null, CancellationToken.None);
        Assert.That(captions, Has.Count.EqualTo(2));
        var embedding = await Catalog.EmbedImageAsync(jpg, null, CancellationToken.None);
        Assert.That(Math.Sqrt(embedding.Sum(x => (double)x * x)), Is.EqualTo(1).Within(1e-4));
    }

    [TestCase("search", "lake", "--bbox", "-200,0,-190,10", "outside")]
    [TestCase("search", "lake", "--bbox", "10,0,5,1", "min > max")]
    [TestCase("search", "lake", "--from", "2020-31-12", "is not a date")]
    [TestCase("search", "lake", "--from", "2021-01-01", "--to", "2020-01-01", "starts")]
    [TestCase("search", "  ", "empty")]
    [TestCase("search", "lake", "--model", "no-such-model", "no-such-model")]
    [TestCase("search", "lake", "--limit", "0", "limit")]
    [TestCase("ingest", "/nonexistent/raster.tif", "neither a file")]
    public async Task BadInputGivesAClearErrorAndWritesNothing(params string[] args)
    {
        var reason = args[^1];
        var before = await CountRowsAsync();
        string[] model = args.Contains("--model") ? [] : ["--model", TestModels.TinyClip];
        var (code, stdout, stderr) = Rsgeo.Run([.. args[..^1], "--database", _ingested.Database.ConnectionString, .. model]);
        Assert.That(code, Is.EqualTo(2), stdout + stderr);
        Assert.That(stderr, Does.Contain(reason));
        Assert.That(stderr, Does.Not.Contain("   at "), "no stack trace");
        Assert.That(await CountRowsAsync(), Is.EqualTo(before));
    }

    /// <summary>The CLI writes GeoJSON with the API's writer and feature schema (Core), not a copy of it.</summary>
    [Test]
    public void CliGeoJsonHasTheFeatureSchemasProperties()
    {
        var like = _allChips[0].Id;
        var (code, stdout, stderr) = Rsgeo.Run("search", "--like", like.ToString(System.Globalization.CultureInfo.InvariantCulture), "--limit", "3", "--format", "geojson",
            "--database", _ingested.Database.ConnectionString, "--model", TestModels.TinyClip);
        Assert.That(code, Is.Zero, stderr);
        using var doc = System.Text.Json.JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.That(root.GetProperty("type").GetString(), Is.EqualTo("FeatureCollection"));
        var features = root.GetProperty("features").EnumerateArray().ToList();
        Assert.That(features, Has.Count.EqualTo(3));
        Assert.That(root.GetProperty("numberReturned").GetInt32(), Is.EqualTo(3));
        Assert.That(features.Select(f => f.GetProperty("properties").GetProperty("score").GetDouble()), Is.Ordered.Descending);
        string[] expected = ["score", "acquired", "scene_id", "scene", "level", "col", "row", "window", "nodata_fraction", "thumbnail"];
        Assert.That(Core.Filtering.FeatureSchema.ChipType.Properties.Where(p => p.Type != Core.Filtering.PropertyType.Geometry && !p.OmitWhenNull).Select(p => p.Name),
            Is.EqualTo(expected), "a ranked chip without relevance or other dates");
        foreach (var f in features)
        {
            var id = f.GetProperty("id").GetInt64();
            var chip = _allChips.Single(c => c.Id == id);
            Assert.That(f.GetProperty("geometry").GetProperty("type").GetString(), Is.EqualTo("Polygon"));
            var properties = f.GetProperty("properties");
            Assert.That(properties.EnumerateObject().Select(p => p.Name), Is.EqualTo(expected));
            Assert.That(properties.GetProperty("scene_id").GetInt64(), Is.EqualTo(chip.SceneId));
            Assert.That(properties.GetProperty("scene").GetString(), Is.EqualTo(Path.GetFileName(chip.SceneUri)));
            Assert.That(properties.GetProperty("thumbnail").GetString(), Is.EqualTo($"/chips/{id}.png"));
            Assert.That(properties.GetProperty("score").GetDouble(), Is.InRange(-1.0, 1.0));
        }
    }

    private async Task<(long Scenes, long Chips, long Embeddings)> CountRowsAsync()
    {
        await using var cmd = _ingested.Database.Store.DataSource.CreateCommand(
            "SELECT (SELECT count(*) FROM rsgeo.scenes), (SELECT count(*) FROM rsgeo.chips), (SELECT count(*) FROM rsgeo.embeddings)");
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    private static Polygon Envelope(BoundingBox b) =>
        (Polygon)new GeometryFactory(new PrecisionModel(), 4326).ToGeometry(new Envelope(b.MinX, b.MaxX, b.MinY, b.MaxY));

    /// <summary>The page holds the k best candidates by cosine, in order (ties may swap), with the same scores.</summary>
    private void AssertEqualsBruteForce(ChipPage page, float[] query, IReadOnlyList<ChipRecord> candidates, int k)
    {
        var exact = candidates
            .Select(c => (c.Id, Score: (double)Similarity.Cosine(query, _embeddings[c.Id])))
            .OrderByDescending(x => x.Score).ThenBy(x => x.Id)
            .Take(k).ToList();
        Assert.That(page.Items, Has.Count.EqualTo(exact.Count));
        for (var i = 0; i < exact.Count; i++)
            Assert.That(page.Items[i].Score, Is.EqualTo(exact[i].Score).Within(1e-5), $"rank {i + 1}");
        var tieFree = exact.Where((x, i) => exact.Count(y => Math.Abs(y.Score - x.Score) < 1e-6) == 1).Select(x => x.Id);
        Assert.That(page.Items.Select(i => i.Chip.Id), Is.SupersetOf(tieFree));
    }
}
