using RsGeoSearch.Core;

namespace RsGeoSearch.Store.Tests.Catalog;

/// <summary>Filtered top-k search against brute force on a 5,000-chip synthetic catalog.</summary>
[TestFixture]
public sealed class SearchTests
{
    private CatalogStore _store = null!;
    private SyntheticCatalog _data = null!;
    private readonly Random _rng = new(7);

    // A box inside scene (2, 1) covering about half of it, away from grid lines: ~1% of all chips.
    private static readonly BoundingBox OnePercentBox = BoundingBox.Create(12.237, 41.213, 12.861, 41.689);
    // Two scenes wide, three high: ~15% of the chips.
    private static readonly BoundingBox WideBox = BoundingBox.Create(11.05, 40.55, 13.03, 43.47);
    private static readonly TimeRange Year2021 = TimeRange.Create(new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2021, 12, 31, 23, 59, 59, TimeSpan.Zero));
    private static readonly TimeRange Quarter = TimeRange.Create(new DateTimeOffset(2020, 4, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2020, 6, 30, 23, 59, 59, TimeSpan.Zero));

    [OneTimeSetUp]
    public async Task LoadAsync()
    {
        _store = CatalogStore.Create(SharedDatabase.ConnectionString);
        _data = await SyntheticCatalog.WriteAsync(_store, "search-test", seed: 1234);
    }

    [OneTimeTearDown]
    public async Task CloseAsync() => await _store.DisposeAsync();

    private float[] Query() => SyntheticCatalog.RandomUnitVector(_rng, SyntheticCatalog.Dimension);

    private SearchQuery Q(float[] v, BoundingBox? bbox = null, TimeRange time = default, int limit = 10, int offset = 0, double? minScore = null, IReadOnlyList<long>? exclude = null) =>
        new(_data.Model.Name, v, bbox, time, limit, offset, minScore, exclude);

    [Test]
    public void The_filters_have_the_selectivity_the_tests_rely_on()
    {
        var total = _data.Items.Count;
        Assert.That(total, Is.EqualTo(5000));
        var onePercent = _data.Matching(OnePercentBox, default).Count();
        Assert.That(onePercent, Is.InRange(30, 80), "about 1% of the chips");
        Assert.That(_data.Matching(null, Quarter).Count(), Is.InRange(100, 1500));
    }

    [Test]
    public async Task The_cells_a_box_query_names_are_found_through_an_index_led_by_cell()
    {
        await using var conn = await _store.DataSource.OpenConnectionAsync();
        await using var cmd = new Npgsql.NpgsqlCommand($"SELECT pg_get_indexdef(to_regclass('{SchemaMigrator.Schema}.chips_cell_idx'))", conn);
        Assert.That(await cmd.ExecuteScalarAsync(), Does.EndWith("USING btree (cell)"), "chips_pkey is (id, cell): it cannot look a cell up");
    }

    [TestCase(false, false)]
    [TestCase(true, false)]
    [TestCase(false, true)]
    [TestCase(true, true)]
    public async Task An_exact_plan_equals_brute_force(bool bbox, bool time)
    {
        for (var i = 0; i < 5; i++)
        {
            var q = Query();
            var box = bbox ? WideBox : (BoundingBox?)null;
            var range = time ? Year2021 : default;
            var result = await _store.Chips.SearchAsync(Q(q, box, range), SearchPlan.Exact);
            var expected = _data.BruteForce(q, box, range).Take(10).ToList();
            Assert.That(result.Plan, Is.EqualTo(SearchPlan.Exact));
            Assert.That(result.Hits.Select(h => h.ChipId), Is.EqualTo(expected.Select(e => e.Id)));
            Assert.That(result.Hits.Select(h => h.Score), Is.EqualTo(expected.Select(e => e.Score)).Within(1e-5));
        }
    }

    [TestCase(false, false)]
    [TestCase(true, false)]
    [TestCase(false, true)]
    [TestCase(true, true)]
    public async Task The_automatic_plan_returns_k_rows_with_high_recall_and_hits_inside_the_filter(bool bbox, bool time)
    {
        var box = bbox ? WideBox : (BoundingBox?)null;
        var range = time ? Year2021 : default;
        double found = 0, wanted = 0;
        for (var i = 0; i < 20; i++)
        {
            var q = Query();
            var hits = (await _store.Chips.SearchAsync(Q(q, box, range))).Hits;
            var expected = _data.BruteForce(q, box, range).Take(10).Select(e => e.Id).ToHashSet();
            Assert.That(hits, Has.Count.EqualTo(10));
            Assert.That(hits.Select(h => h.Score), Is.Ordered.Descending);
            foreach (var h in hits)
            {
                if (box is { } b) Assert.That(h.Chip.Footprint!.EnvelopeInternal.Intersects(new NetTopologySuite.Geometries.Envelope(b.MinX, b.MaxX, b.MinY, b.MaxY)), Is.True);
                if (time) Assert.That(range.Contains(h.Chip.AcquiredAt!.Value), Is.True);
            }
            found += hits.Count(h => expected.Contains(h.ChipId));
            wanted += expected.Count;
        }
        Assert.That(found / wanted, Is.GreaterThanOrEqualTo(0.9), "recall@10 against exact");
    }

    [Test]
    public async Task A_one_percent_selective_box_still_returns_k_rows_equal_to_brute_force([Values] SearchPlan plan)
    {
        var q = Query();
        var result = await _store.Chips.SearchAsync(Q(q, OnePercentBox), plan);
        var expected = _data.BruteForce(q, OnePercentBox, default).Take(10).Select(e => e.Id).ToList();
        Assert.That(result.Hits, Has.Count.EqualTo(10));
        if (result.Plan == SearchPlan.Exact) Assert.That(result.Hits.Select(h => h.ChipId), Is.EqualTo(expected));
        else Assert.That(result.Hits.Count(h => expected.Contains(h.ChipId)), Is.GreaterThanOrEqualTo(8));
        if (plan == SearchPlan.Auto) Assert.That(result.Plan, Is.EqualTo(SearchPlan.Exact), $"estimated {result.EstimatedCandidates} candidates: small enough to scan");
    }

    [Test]
    public async Task The_candidate_estimate_is_close_to_the_true_count()
    {
        var result = await _store.Chips.SearchAsync(Q(Query(), WideBox, Year2021), SearchPlan.Exact);
        var actual = _data.Matching(WideBox, Year2021).Count();
        Assert.That(result.EstimatedCandidates, Is.InRange(actual * 0.7, actual * 1.3));
    }

    [Test]
    public async Task Index_plan_with_a_time_filter_scans_iteratively_and_returns_k_rows()
    {
        double found = 0;
        for (var i = 0; i < 10; i++)
        {
            var q = Query();
            var result = await _store.Chips.SearchAsync(Q(q, null, Quarter, limit: 20), SearchPlan.Index);
            Assert.That(result.Plan, Is.EqualTo(SearchPlan.Index), "the index alone delivered enough rows");
            Assert.That(result.Hits, Has.Count.EqualTo(20));
            var expected = _data.BruteForce(q, null, Quarter).Take(20).Select(e => e.Id).ToHashSet();
            found += result.Hits.Count(h => expected.Contains(h.ChipId));
        }
        Assert.That(found / 200, Is.GreaterThanOrEqualTo(0.9));
    }

    [Test]
    public async Task Fewer_matches_than_k_return_all_matches()
    {
        var tiny = BoundingBox.Create(12.001, 41.001, 12.049, 41.049); // one level-0 chip and one level-1 chip
        var q = Query();
        var hits = (await _store.Chips.SearchAsync(Q(q, tiny))).Hits;
        var expected = _data.BruteForce(q, tiny, default).Select(e => e.Id).ToList();
        Assert.That(expected, Has.Count.EqualTo(2));
        Assert.That(hits.Select(h => h.ChipId), Is.EqualTo(expected));
    }

    [Test]
    public async Task Offset_pages_continue_the_ranking()
    {
        var q = Query();
        var page2 = await _store.Chips.SearchAsync(Q(q, WideBox, limit: 10, offset: 10), SearchPlan.Exact);
        var expected = _data.BruteForce(q, WideBox, default).Skip(10).Take(10).Select(e => e.Id);
        Assert.That(page2.Hits.Select(h => h.ChipId), Is.EqualTo(expected));
    }

    [Test]
    public async Task Min_score_and_excluded_ids_filter_the_ranking()
    {
        var q = Query();
        var all = _data.BruteForce(q, WideBox, default);
        var min = all[5].Score - 1e-9;
        var hits = (await _store.Chips.SearchAsync(Q(q, WideBox, minScore: min))).Hits;
        Assert.That(hits.Select(h => h.ChipId), Is.EqualTo(all.Take(6).Select(e => e.Id)));

        var exclude = all.Take(3).Select(e => e.Id).ToList();
        var without = await _store.Chips.SearchAsync(Q(q, WideBox, limit: 5, exclude: exclude), SearchPlan.Exact);
        Assert.That(without.Hits.Select(h => h.ChipId), Is.EqualTo(all.Skip(3).Take(5).Select(e => e.Id)));
    }

    private async Task<long> CountAsync(SearchQuery query) => (await _store.Chips.SearchAsync(query, SearchPlan.Auto, SearchExtras.Count)).Count!.Value;

    [Test]
    public async Task Count_matches_brute_force()
    {
        var q = Query();
        Assert.That(await CountAsync(Q(q, WideBox, Year2021)), Is.EqualTo(_data.Matching(WideBox, Year2021).Count()));
        Assert.That(await CountAsync(Q(q, OnePercentBox)), Is.EqualTo(_data.Matching(OnePercentBox, default).Count()));
        var min = _data.BruteForce(q, null, default)[99].Score - 1e-9;
        Assert.That(await CountAsync(Q(q, minScore: min)), Is.EqualTo(100));
        // Without a box, property filter, exclusions or min score the count comes from the scenes' chip counts.
        Assert.That(ChipQueries.CountedByScenes(Q(q, null, Quarter)), Is.True);
        Assert.That(await CountAsync(Q(q)), Is.EqualTo(5000));
        Assert.That(await CountAsync(Q(q, null, Quarter)), Is.EqualTo(_data.Matching(null, Quarter).Count()));
        Assert.That(await CountAsync(Q(q, null, Year2021, limit: 3, offset: 7)), Is.EqualTo(_data.Matching(null, Year2021).Count()));
        Assert.That(await CountAsync(Q(q, exclude: [_data.Items[0].Id])), Is.EqualTo(4999), "exclusions are counted by a statement");
    }

    [Test]
    public async Task Hits_carry_scene_level_window_footprint_and_time()
    {
        var item = _data.Items[1234];
        var hits = (await _store.Chips.SearchAsync(Q(item.Vector, limit: 1))).Hits;
        var hit = hits.Single();
        Assert.Multiple(() =>
        {
            Assert.That(hit.ChipId, Is.EqualTo(item.Id), "a chip's own vector finds it first");
            Assert.That(hit.Score, Is.EqualTo(1).Within(1e-5));
            Assert.That(hit.Chip.AcquiredAt, Is.EqualTo(item.Acquired));
            Assert.That(hit.Chip.SceneUri, Does.StartWith("file:///synthetic/search-test/"));
            Assert.That(hit.Chip.Footprint!.EnvelopeInternal, Is.EqualTo(item.Box));
            Assert.That(hit.Chip.Window.Width, Is.EqualTo(hit.Chip.Level == 0 ? 100 : 200));
        });
    }

    [Test]
    public async Task Chips_embeddings_scenes_extent_and_dates_are_looked_up()
    {
        var item = _data.Items[42];
        var chip = await _store.Chips.GetAsync(item.Id);
        Assert.That(chip, Is.Not.Null);
        Assert.That(chip!.Footprint!.EnvelopeInternal, Is.EqualTo(item.Box));
        Assert.That(chip.SceneUri, Does.EndWith(".tif"));
        Assert.That(await _store.Chips.GetAsync(-1), Is.Null);

        var embeddings = await _store.Chips.GetEmbeddingsAsync(_data.Model.Name, [item.Id, _data.Items[7].Id, -5]);
        Assert.That(embeddings.Keys, Is.EquivalentTo(new[] { item.Id, _data.Items[7].Id }));
        Assert.That(embeddings[item.Id], Is.EqualTo(item.Vector));

        var (scenes, matched) = await _store.Scenes.ListAsync(OnePercentBox, default, 100, 0);
        Assert.That(matched, Is.EqualTo(1));
        Assert.That(scenes.Single().ChipCount, Is.EqualTo(125));
        Assert.That(scenes.Single().Footprint!.EnvelopeInternal, Is.EqualTo(new NetTopologySuite.Geometries.Envelope(12, 13, 41, 42)));

        var extent = await _store.Scenes.GetExtentAsync(_data.Model.Name);
        Assert.That(extent.Spatial, Is.EqualTo(new BoundingBox(10, 40, 18, 45)));
        Assert.That(extent.ChipCount, Is.EqualTo(5000));
        Assert.That(extent.SceneCount, Is.EqualTo(40));
        Assert.That(extent.Dates, Is.EqualTo(_data.Items.Select(i => DateOnly.FromDateTime(i.Acquired.UtcDateTime)).Distinct().Order()));
        Assert.That(extent.Start, Is.EqualTo(_data.Items.Min(i => i.Acquired)));

        var (listed, listedCount) = await _store.Chips.ListAsync(new ChipFilter(_data.Model.Name, OnePercentBox), limit: 1000);
        Assert.That(listed.Select(c => c.Id), Is.EqualTo(_data.Matching(OnePercentBox, default).Select(i => i.Id).Order()));
        Assert.That(listedCount, Is.EqualTo(listed.Count));
        var (page, quarterCount) = await _store.Chips.ListAsync(new ChipFilter(_data.Model.Name, null, Quarter), limit: 5, offset: 5);
        Assert.That(quarterCount, Is.EqualTo(_data.Matching(null, Quarter).Count()));
        Assert.That(page.Select(c => c.Id), Is.EqualTo(_data.Matching(null, Quarter).Select(i => i.Id).Order().Skip(5).Take(5)));
    }

    [Test]
    public void Bad_queries_are_rejected_with_clear_errors()
    {
        Assert.ThrowsAsync<NotFoundException>(() => _store.Chips.SearchAsync(new SearchQuery("no-such-model", Query())));
        var wrongDim = Assert.ThrowsAsync<InputException>(() => _store.Chips.SearchAsync(new SearchQuery(_data.Model.Name, new float[3])));
        Assert.That(wrongDim!.Message, Does.Contain("3 values"));
        Assert.ThrowsAsync<InputException>(() => _store.Chips.SearchAsync(Q(Query(), limit: 0)));
        Assert.ThrowsAsync<InputException>(() => _store.Chips.SearchAsync(Q([.. Enumerable.Repeat(float.NaN, SyntheticCatalog.Dimension)])));
    }
}
