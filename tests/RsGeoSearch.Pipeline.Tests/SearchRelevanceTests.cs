using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Evaluation;
using RsGeoSearch.Pipeline.Search;
using RsGeoSearch.TestSupport;

namespace RsGeoSearch.Pipeline.Tests;

/// <summary>
/// Search that says what it knows, on real parts: the bundled rsgeo-mini with its stored calibration, the NAIP series
/// and the Sentinel-2 tile ingested into an embedded PostgreSQL. Negative terms, calibrated relevance and the honest
/// empty answer, one hit per place, and the plan of every answer.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SearchRelevanceTests
{
    private static readonly string[] Nonsense = ["asdkjh qwe 🚢🚢", "zxqv plorbt", "🚢🚢🚢", "qqqq wwww eeee", "lorem ipsum dolor", "8934 kjsd"];

    private IngestedCatalog _ingested = null!;

    private SearchService Catalog => _ingested.Catalog;
    private Model Model => _ingested.Model;

    [OneTimeSetUp]
    public async Task IngestAsync() => _ingested = await IngestedCatalog.CreateAsync(TestModels.RsGeoMini);

    [OneTimeTearDown]
    public async Task TearDownAsync() => await _ingested.DisposeAsync();

    private Task<ChipPage> SearchAsync(CatalogQuery query) => Catalog.SearchAsync(query, CancellationToken.None);

    [Test]
    public void TheBundledModelHasACalibrationForItsWeights()
    {
        var calibration = Relevance.CalibrationOf(Model);
        Assert.That(calibration, Is.Not.Null, "models/rsgeo-mini/calibration.json must match the model's weights");
        Assert.That(calibration!.Quality.Auc, Is.GreaterThan(0.9));
        Assert.That(calibration.Quality.ExpectedCalibrationError, Is.LessThan(0.1));
        Assert.That(calibration.Reference, Has.Length.EqualTo(calibration.ReferenceTexts.Count));
        Assert.That(calibration.ReferenceTexts, Does.Not.Contain("asdkjh qwe 🚢🚢"), "the test's nonsense is not among the references");
    }

    [Test]
    public async Task NonsenseReturnsNoConfidentHitAndSaysSo()
    {
        foreach (var text in Nonsense)
        {
            var page = await SearchAsync(new CatalogQuery(Text: text, Limit: 25));
            Assert.That(page.Items, Is.Empty, $"'{text}' must not return a page of noise; best: {page.Items.FirstOrDefault()?.Relevance}");
            Assert.That(page.NumberMatched, Is.Zero);
            Assert.That(page.Search!.Message, Does.StartWith($"no chip matches '{text}' with confidence; closest score"));
            Assert.That(page.Search.ClosestScore, Is.Not.Null);
            Assert.That(page.Search.ClosestRelevance, Is.LessThan(CatalogQuery.DefaultMinRelevance));
            Assert.That(page.Search.MinRelevance, Is.EqualTo(CatalogQuery.DefaultMinRelevance));
            TestContext.Out.WriteLine(page.Search.Message);
        }
    }

    [Test]
    public void AidClassPromptsAreConfidentOnTheirScenesAndNonsenseIsNot()
    {
        var folder = LabelledImageFolder.Load(SharedData.Path("scenes", "aid"));
        Assert.That(folder.Classes, Has.Count.EqualTo(30));
        var confidentClasses = 0;
        var nonsense = QueryVector.FromTexts(Model, Nonsense).Select((v, i) => (Vector: v, Relevance: Relevance.For(Model, v, Nonsense[i])!)).ToList();
        foreach (var cls in folder.Classes)
        {
            var images = folder.Images.Where(i => i.ClassIndex == cls.Index).Take(4)
                .Select(i => Model.EncodeImage(Preprocessing.ReadImage(Model, i.Path))).ToList();
            var prompt = QueryVector.FromText(Model, cls.Label);
            var relevance = Relevance.For(Model, prompt, cls.Label)!;
            var best = images.Max(e => relevance.Probability(Similarity.Cosine(e, prompt), e));
            if (best >= CatalogQuery.DefaultMinRelevance) confidentClasses++;
            foreach (var (n, r) in nonsense)
            {
                Assert.That(images.Max(e => r.Probability(Similarity.Cosine(e, n), e)), Is.LessThan(CatalogQuery.DefaultMinRelevance),
                    $"a nonsense string is confident on a {cls.Label} scene");
            }
        }
        Assert.That(confidentClasses, Is.GreaterThanOrEqualTo(27), "the class prompt of (nearly) every AID scene type finds its scenes with confidence");
    }

    [Test]
    public async Task RelevanceIsAProbabilityThatGrowsWithTheScoreAndMinRelevanceFilters()
    {
        var all = await SearchAsync(new CatalogQuery(Text: "farmland", Limit: 50, MinRelevance: 0));
        Assert.That(all.Items, Has.Count.EqualTo(50));
        Assert.That(all.Items.All(i => i.Relevance is >= 0 and <= 1), Is.True);
        var cut = all.Items.Select(i => i.Relevance!.Value).OrderDescending().ElementAt(20);
        var filtered = await SearchAsync(new CatalogQuery(Text: "farmland", Limit: 50, MinRelevance: cut));
        Assert.That(filtered.Items.All(i => i.Relevance >= cut), Is.True, "min_relevance filters");
        Assert.That(filtered.Items.Select(i => i.Chip.Id), Is.SupersetOf(all.Items.Where(i => i.Relevance >= cut).Select(i => i.Chip.Id)),
            "every chip of the best 50 above the threshold is kept");
        Assert.That(filtered.Items.Select(i => i.Score), Is.Ordered.Descending, "still ranked by score");
        var farmland = await SearchAsync(new CatalogQuery(Text: "farmland", Limit: 10));
        Assert.That(farmland.Items, Is.Not.Empty, "farmland over North Dakota is confident under the default threshold");
        Assert.That(farmland.Search!.Message, Is.Null);
        var dates = await Catalog.Store.Scenes.GetAcquisitionDatesAsync(null, Model.Name);
        foreach (var day in dates.Where(d => d.Year < 2021))
        {
            var page = await SearchAsync(new CatalogQuery(Text: "farmland", Time: TimeRange.Parse(day.ToString("yyyy-MM-dd")), Limit: 5));
            Assert.That(page.Items, Is.Not.Empty, $"farmland on the NAIP scene of {day}");
        }
    }

    [TestCase(-0.1)]
    [TestCase(1.5)]
    [TestCase(double.NaN)]
    public void MinRelevanceOutsideZeroOneIsRefused(double value)
    {
        var e = Assert.ThrowsAsync<InputException>(() => SearchAsync(new CatalogQuery(Text: "farmland", MinRelevance: value)));
        Assert.That(e!.Message, Does.StartWith("min_relevance"));
    }

    [Test]
    public void AnEmptyNegativeTermIsRefused()
    {
        var e = Assert.ThrowsAsync<InputException>(() => SearchAsync(new CatalogQuery(Text: "farmland", Not: ["clouds", " "])));
        Assert.That(e!.Message, Does.StartWith("not:"));
        e = Assert.ThrowsAsync<InputException>(() => SearchAsync(new CatalogQuery(Not: ["clouds"])));
        Assert.That(e!.Message, Does.Contain("'not' needs"));
    }

    [Test]
    public async Task NotCloudsRanksCloudyChipsLower()
    {
        // The Sentinel-2 tile's chips, and which are cloudy: the share of bright, colourless pixels (clouds are white).
        var sentinel = TimeRange.Parse("2022-10-05");
        var chips = (await SearchAsync(new CatalogQuery(Time: sentinel, Limit: 100))).Items.Select(i => i.Chip).ToList();
        Assert.That(chips, Has.Count.GreaterThan(10));
        // Clouds are bright and colourless: the share of pixels whose darkest channel is above 0.7 of full scale.
        var white = new Dictionary<long, double>();
        foreach (var chip in chips)
        {
            var png = await Catalog.RenderChipPngAsync(chip.Id, 64, CancellationToken.None);
            var image = Preprocessing.ReadImage(Model, png, "chip");
            var n = image.Width * image.Height;
            var count = 0;
            for (var p = 0; p < n; p++)
                if (Math.Min(image.Chw[p], Math.Min(image.Chw[n + p], image.Chw[2 * n + p])) > 0.7f) count++;
            white[chip.Id] = (double)count / n;
        }
        var clear = white.Where(kv => kv.Value < 0.15).Select(kv => kv.Key).ToHashSet();
        Assert.That(clear.Count, Is.InRange(2, chips.Count / 2), "the tile has clear chips, and more cloudy ones");

        const string text = "a lake surrounded by farmland";
        var plain = await SearchAsync(new CatalogQuery(Text: text, Time: sentinel, Limit: chips.Count, MinRelevance: 0));
        var negative = await SearchAsync(new CatalogQuery(Text: text, Time: sentinel, Limit: chips.Count, MinRelevance: 0, Not: ["clouds"]));
        Assert.That(plain.Items, Has.Count.EqualTo(chips.Count));
        Assert.That(negative.Items, Has.Count.EqualTo(chips.Count));
        double MeanClearRank(ChipPage page) => page.Items.Select((item, rank) => (item, rank)).Where(x => clear.Contains(x.item.Chip.Id)).Average(x => x.rank);
        double TopCloudiness(ChipPage page) => page.Items.Take(5).Average(i => white[i.Chip.Id]);
        Assert.That(MeanClearRank(negative), Is.LessThan(MeanClearRank(plain) - 1), "not=clouds moves clear chips up");
        Assert.That(TopCloudiness(negative), Is.LessThan(TopCloudiness(plain)), "and the top five are less cloudy");

        // The weighting: ranking by the combined vector is ranking by cos(text) − ½·cos(clouds).
        var t = QueryVector.FromText(Model, text);
        var c = QueryVector.FromText(Model, "clouds");
        var embeddings = await _ingested.Database.Store.Chips.GetEmbeddingsAsync(Model.Name, chips.Select(x => x.Id).ToArray());
        var expected = chips.OrderByDescending(x => Similarity.Cosine(embeddings[x.Id], t) - QueryVector.NotWeight * Similarity.Cosine(embeddings[x.Id], c))
            .Select(x => x.Id).ToList();
        Assert.That(negative.Items.Select(i => i.Chip.Id).Take(5), Is.EqualTo(expected.Take(5)));
    }

    [Test]
    public async Task GroupByPlaceReturnsOneHitPerPlaceWithItsOtherDates()
    {
        var naip = TimeRange.Parse("2009-01-01/2020-12-31");
        var first = await SearchAsync(new CatalogQuery(Text: "farmland", Time: naip, Limit: 5, MinRelevance: 0, Group: SearchGrouping.Place));
        var second = await SearchAsync(new CatalogQuery(Text: "farmland", Time: naip, Limit: 5, Offset: 5, MinRelevance: 0, Group: SearchGrouping.Place));
        Assert.That(first.Items, Has.Count.EqualTo(5), "exactly k places");
        Assert.That(second.Items, Has.Count.EqualTo(5));
        Assert.That(first.Search!.Grouping, Is.EqualTo("place"));
        var places = first.Items.Concat(second.Items).ToList();
        for (var i = 0; i < places.Count; i++)
            for (var j = i + 1; j < places.Count; j++)
                Assert.That(PlaceGrouping.IoU(places[i].Chip.Footprint!, places[j].Chip.Footprint!), Is.LessThan(PlaceGrouping.MinIoU),
                    $"hits {places[i].Chip.Id} and {places[j].Chip.Id} show the same place");
        foreach (var hit in places)
        {
            // The NAIP series has ten dates of one grid: each place lists the other nine.
            Assert.That(hit.OtherDates, Has.Count.EqualTo(9), $"place of chip {hit.Chip.Id}");
            Assert.That(hit.OtherDates!.Select(o => o.AcquiredAt).Distinct().Count(), Is.EqualTo(9));
            Assert.That(hit.OtherDates!.All(o => o.AcquiredAt != hit.Chip.AcquiredAt), Is.True);
            Assert.That(hit.OtherDates!.All(o => o.Score <= hit.Score + 1e-6), Is.True, "the hit is the place's best date");
            Assert.That(hit.OtherDates!.All(o => o.Relevance is >= 0 and <= 1), Is.True);
        }
        var chips = await SearchAsync(new CatalogQuery(Text: "farmland", Time: naip, Limit: 10, MinRelevance: 0));
        Assert.That(chips.Items.Select(i => i.Chip.Id).First(), Is.EqualTo(first.Items[0].Chip.Id), "the best place is the best chip's");
        Assert.That(first.NumberMatched, Is.GreaterThan(5), "more places follow: numberMatched counts at least one more (a lower bound)");
        Assert.That(second.NumberMatched, Is.GreaterThan(10));
    }

    [Test]
    public async Task EveryRankedAnswerStatesItsPlan()
    {
        var filtered = await SearchAsync(new CatalogQuery(Text: "farmland", Time: TimeRange.Parse("2022-10-05"), Limit: 5, MinRelevance: 0));
        Assert.That(filtered.Search!.Plan, Is.EqualTo("exact"), "a filter leaving a few dozen chips is scanned exactly");
        Assert.That(filtered.Search.Recall, Is.Null);
        var open = await SearchAsync(new CatalogQuery(Text: "farmland", Limit: 5, MinRelevance: 0));
        Assert.That(open.Search!.Plan, Is.AnyOf("exact", "approximate"));
        if (open.Search.Plan == "approximate")
        {
            Assert.That(open.Search.Recall, Is.InRange(0.0, 1.0));
            Assert.That(open.Search.RecallClass, Is.EqualTo("none"));
        }
        var listing = await SearchAsync(new CatalogQuery(Limit: 5));
        Assert.That(listing.Search, Is.Null, "a plain listing is not a search");
    }

    [Test]
    public void RecallIsKeptPerIndexFilterClassAndSize()
    {
        var (none, cls) = SearchRecall.For(null, TimeRange.All, 1_000_000);
        Assert.That(cls, Is.EqualTo("none"));
        Assert.That(none, Is.InRange(0.0, 1.0));
        var (small, _) = SearchRecall.For(null, TimeRange.All, 8_000);
        Assert.That(small, Is.GreaterThan(none!.Value), "the benchmark measured higher recall on small catalogues");
        var (boxed, boxClass) = SearchRecall.For(BoundingBox.Create(0, 0, 1, 1), TimeRange.Parse("2020-01-01/2020-12-31"), 1_000_000);
        Assert.That(boxClass, Is.EqualTo("bbox+time"));
        Assert.That(boxed, Is.InRange(0.0, 1.0));
        var (other, _) = SearchRecall.For(null, TimeRange.All, 1_000_000, new Store.CatalogStoreOptions { HnswM = 48 });
        Assert.That(other, Is.Null, "an index configuration the benchmark never measured has no recall");
    }

    [Test]
    public void TheStoreBenchmarkWritesRecallRowsPerCatalogueSize()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rsgeo-recall-{Guid.NewGuid():N}.json");
        try
        {
            SearchRecall.WriteRow(path, "hnsw(test)", 20_000, new Dictionary<string, double> { ["none"] = 0.97 });
            SearchRecall.WriteRow(path, "hnsw(test)", 20_000, new Dictionary<string, double> { ["none"] = 0.95, ["time"] = 0.9 });
            SearchRecall.WriteRow(path, "hnsw(test)", 1_000_000, new Dictionary<string, double> { ["none"] = 0.7 });
            var rows = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty("indexes").GetProperty("hnsw(test)").EnumerateArray().ToList();
            Assert.That(rows, Has.Count.EqualTo(2), "a size's row is replaced, not duplicated");
            var small = rows.Single(r => r.GetProperty("chips").GetInt64() == 20_000).GetProperty("recall");
            Assert.That(small.GetProperty("none").GetDouble(), Is.EqualTo(0.95));
            Assert.That(small.GetProperty("time").GetDouble(), Is.EqualTo(0.9));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestCase("--not", "clouds,,haze", "--not: a negative term is empty")]
    [TestCase("--not", " ", "--not: a negative term is empty")]
    [TestCase("--min-relevance", "1.5", "--min-relevance 1.5 must be between 0 and 1")]
    [TestCase("--min-relevance", "-0.2", "between 0 and 1")]
    [TestCase("--group", "places", "--group 'places' must be chip or place")]
    public void CliBadInputExitsWith2(string option, string value, string reason)
    {
        var (code, stdout, stderr) = Rsgeo.Run("search", "farmland", option, value, "--database", _ingested.Database.ConnectionString, "--model", TestModels.RsGeoMini);
        Assert.That(code, Is.EqualTo(2), stdout + stderr);
        Assert.That(stderr, Does.Contain(reason));
        Assert.That(stderr, Does.Not.Contain("   at "));
    }

    [Test]
    public void CliSaysWhenNothingMatchesAndGroupsByPlace()
    {
        var db = _ingested.Database.ConnectionString;
        var (code, stdout, stderr) = Rsgeo.Run("search", "asdkjh qwe 🚢🚢", "--database", db, "--model", TestModels.RsGeoMini);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("no chip matches 'asdkjh qwe 🚢🚢' with confidence; closest score"));
        Assert.That(stdout, Does.Contain("0 of 0 chips"));

        (code, stdout, stderr) = Rsgeo.Run("search", "farmland", "--not", "clouds", "--group", "place", "--min-relevance", "0", "--limit", "3",
            "--from", "2009-01-01", "--to", "2020-12-31", "--format", "json", "--database", db, "--model", TestModels.RsGeoMini);
        Assert.That(code, Is.Zero, stderr);
        var doc = System.Text.Json.JsonDocument.Parse(stdout).RootElement;
        Assert.That(doc.GetProperty("group").GetString(), Is.EqualTo("place"));
        Assert.That(doc.GetProperty("plan").GetString(), Is.AnyOf("exact", "approximate"));
        var results = doc.GetProperty("results").EnumerateArray().ToList();
        Assert.That(results, Has.Count.EqualTo(3));
        Assert.That(results.All(r => r.GetProperty("other_dates").GetArrayLength() == 9), Is.True);
        Assert.That(results.All(r => r.GetProperty("relevance").GetDouble() is >= 0 and <= 1), Is.True);
    }
}
