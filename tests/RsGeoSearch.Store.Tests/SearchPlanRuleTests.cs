namespace RsGeoSearch.Store.Tests;

/// <summary>The index plan's fetch size, ef_search and the exact/index choice (pure rules, no database).</summary>
public sealed class SearchPlanRuleTests
{
    [TestCase(1, 40)]
    [TestCase(10, 40)]
    [TestCase(20, 80)]
    [TestCase(500, 2000)]
    [TestCase(10_000, 12_000)]
    public void The_index_plan_fetches_four_times_the_page_within_bounds(int wanted, int fetch) =>
        Assert.That(ChipQueries.IndexFetch(wanted), Is.EqualTo(fetch));

    [TestCase(1, 100)]
    [TestCase(10, 400)]
    [TestCase(20, 800)]
    [TestCase(100, 1000)]
    public void Ef_search_grows_with_the_page_between_the_floor_and_1000(int wanted, int ef) =>
        Assert.That(ChipQueries.EfSearch(new CatalogStoreOptions(), wanted), Is.EqualTo(ef));

    [Test]
    public void The_exact_plan_takes_more_candidates_on_larger_catalogues_never_fewer_than_the_floor()
    {
        var options = new CatalogStoreOptions();
        Assert.That(ChipQueries.ExactScanMaxCandidates(options, 40, 10_000), Is.EqualTo(options.ExactScanMaxCandidates));
        Assert.That(ChipQueries.ExactScanMaxCandidates(options, 40, 1_000_000), Is.EqualTo(14_142));
        Assert.That(ChipQueries.ExactScanMaxCandidates(options, 40, 100_000_000), Is.EqualTo(141_421));
        Assert.That(ChipQueries.ExactScanMaxCandidates(options with { ExactScanMaxCandidates = 50_000 }, 40, 1_000_000), Is.EqualTo(50_000));
    }

    [Test]
    public void A_box_scans_exactly_up_to_five_percent_of_the_chips_or_50000_candidates()
    {
        var options = new CatalogStoreOptions();
        Assert.That(ChipQueries.ExactScanMaxCandidates(options, 40, 1_000_000, spatial: true), Is.EqualTo(50_000));
        Assert.That(ChipQueries.ExactScanMaxCandidates(options, 40, 10_000_000, spatial: true), Is.EqualTo(500_000));
        Assert.That(ChipQueries.ExactScanMaxCandidates(options, 40, 10_000, spatial: true), Is.EqualTo(50_000));
        Assert.That(ChipQueries.ExactScanMaxCandidates(options, 40, 1_000_000, spatial: false), Is.EqualTo(14_142));
    }

    [TestCase(0, true)]
    [TestCase(10_000, true)]
    [TestCase(29_999, true)]
    [TestCase(30_000, false)]
    [TestCase(1_000_000, false)]
    public void Searches_of_fewer_than_30000_candidates_run_without_parallel_workers(long candidates, bool serial) =>
        Assert.That(ChipQueries.Serial(candidates), serial ? Is.EqualTo(ChipSql.NoParallelWorkers) : Is.Null);

    [TestCase(1_000, 10, 10)]
    [TestCase(1_000, 20, 20)]
    [TestCase(100, 10, 10)]
    [TestCase(5, 10, 5)]
    [TestCase(3_000, 10, 30)]
    [TestCase(3_000, 1, 30)]
    public void Ivf_probes_are_a_hundredth_of_the_lists_at_least_10_per_10_rows_at_most_all(int lists, int wanted, int probes) =>
        Assert.That(ChipQueries.IvfProbes(lists, wanted), Is.EqualTo(probes));

    [TestCase(10_000, 10)]
    [TestCase(999, 1)]
    [TestCase(1_000_000, 1_000)]
    [TestCase(4_000_000, 2_000)]
    public void Ivf_lists_are_a_thousandth_of_the_rows_up_to_a_million_then_the_square_root(long rows, int lists) =>
        Assert.That(ModelStore.IvfLists(rows), Is.EqualTo(lists));
}
